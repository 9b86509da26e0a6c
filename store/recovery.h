// What the store does with the file system around its database: create the
// directory, look at a file before SQLite does, and move a damaged file
// aside under a lock so that a new one can take its place.
//
// None of this decides on its own that a file is damaged when it might not
// be: ProbeDatabaseFile only says "not a database at all" for files SQLite
// would reject too, and "suspect" for a file that looks truncated, which
// the caller confirms with PRAGMA quick_check before acting.
//
// All functions are thread-compatible (no shared state) and fork-safe.
#pragma once

#include <sys/types.h>

#include <string>

#include "engine/status.h"

namespace sotinc {
namespace store {

// mkdir -p of the directory holding `path`.  The error names the directory
// and the OS reason (EACCES, EROFS, ENOTDIR, ...).
Status EnsureParentDirectory(const std::string& path);

enum class FileProbe {
  kAbsent,            // no file, or an empty one: SQLite will create a database
  kPlausible,         // a SQLite header whose size agrees with the file
  kNotADatabase,      // too short, wrong magic or impossible page size
  kSuspectTruncated,  // the header promises more pages than the file holds
  kNotAFile,          // a directory, socket, ...: never touched, an error
};

struct ProbeResult {
  FileProbe kind = FileProbe::kAbsent;
  std::string detail;  // why, for kNotADatabase and kSuspectTruncated
};

// Reads the first 100 bytes of `path` (and the size of its -wal file: a
// non-empty WAL may legitimately hold the pages the main file lacks).
ProbeResult ProbeDatabaseFile(const std::string& path);

// The identity of a file, to tell "the file I saw was damaged" from "a new
// file another process already put in its place".
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool exists = false;
  bool operator==(const FileId& o) const {
    return exists == o.exists && dev == o.dev && ino == o.ino;
  }
};
FileId IdentifyFile(const std::string& path);

// An exclusive flock(2) on "<path>.lock", held by the one process that is
// diagnosing and replacing a damaged database.  Released on destruction or
// when the process dies.  Move-only.
class RecoveryLock {
 public:
  // Waits up to timeout_ms for the lock.
  static Result<RecoveryLock> Acquire(const std::string& db_path, int timeout_ms);
  RecoveryLock(RecoveryLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  RecoveryLock& operator=(RecoveryLock&&) = delete;
  RecoveryLock(const RecoveryLock&) = delete;
  RecoveryLock& operator=(const RecoveryLock&) = delete;
  ~RecoveryLock();

 private:
  explicit RecoveryLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Renames `path` to "<path>.corrupt-<UTC timestamp>" (with a numeric suffix
// if that name is taken), its -wal along with it so SQLite can still read
// the pair, and removes its -shm.  Returns the new name.  Call it holding
// the RecoveryLock.
Result<std::string> MoveAside(const std::string& path);

}  // namespace store
}  // namespace sotinc

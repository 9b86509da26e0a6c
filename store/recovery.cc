#include "store/recovery.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <thread>

namespace sotinc {
namespace store {
namespace {

std::string Errno(int err) { return std::strerror(err); }

uint32_t BigEndian32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

Status EnsureParentDirectory(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos || slash == 0) return Status::Ok();
  const std::string dir = path.substr(0, slash);
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    const std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0777) == 0 || errno == EEXIST) continue;
    return Status::Error("cannot create the cache directory " + dir + ": " + Errno(errno));
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::Error("cannot use " + dir + " as the cache directory: not a directory");
  }
  return Status::Ok();
}

ProbeResult ProbeDatabaseFile(const std::string& path) {
  ProbeResult r;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return r;  // absent, or unreadable: SQLite will report which
  struct stat st;
  unsigned char h[100];
  ssize_t n = 0;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    r.kind = FileProbe::kNotAFile;
    r.detail = "it is not a regular file";
    return r;
  }
  if (st.st_size > 0) n = ::pread(fd, h, sizeof h, 0);
  ::close(fd);
  if (st.st_size == 0) return r;
  if (n != static_cast<ssize_t>(sizeof h)) {
    r.kind = FileProbe::kNotADatabase;
    r.detail = "it is too short to be a SQLite database (" + std::to_string(st.st_size) + " bytes)";
    return r;
  }
  if (std::memcmp(h, "SQLite format 3", 16) != 0) {
    r.kind = FileProbe::kNotADatabase;
    r.detail = "it is not a SQLite database (bad header)";
    return r;
  }
  uint32_t page_size = (uint32_t{h[16]} << 8) | h[17];
  if (page_size == 1) page_size = 65536;
  if (page_size < 512 || (page_size & (page_size - 1)) != 0) {
    r.kind = FileProbe::kNotADatabase;
    r.detail = "its header has an impossible page size (" + std::to_string(page_size) + ")";
    return r;
  }
  r.kind = FileProbe::kPlausible;
  // The in-header page count is only authoritative when its "version valid
  // for" field matches the change counter (SQLite's file format, 1.3.7).
  const uint32_t change_counter = BigEndian32(h + 24);
  const uint32_t pages = BigEndian32(h + 28);
  const uint32_t valid_for = BigEndian32(h + 92);
  const int64_t expected = int64_t{pages} * page_size;
  const bool wal_holds_pages = FileSize(path + "-wal") > 0;
  if (!wal_holds_pages && valid_for == change_counter &&
      (st.st_size < expected || st.st_size % page_size != 0)) {
    r.kind = FileProbe::kSuspectTruncated;
    r.detail = "it is shorter than its header says (" + std::to_string(st.st_size) + " of " +
               std::to_string(expected) + " bytes)";
  }
  return r;
}

FileId IdentifyFile(const std::string& path) {
  FileId id;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    id.exists = true;
    id.dev = st.st_dev;
    id.ino = st.st_ino;
  }
  return id;
}

Result<RecoveryLock> RecoveryLock::Acquire(const std::string& db_path, int timeout_ms) {
  const std::string lock_path = db_path + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) {
    return Status::Error("cannot create the cache lock " + lock_path + ": " + Errno(errno));
  }
  // Polling keeps the wait bounded; the holder only renames a file or two.
  for (int waited = 0;; waited += 10) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return RecoveryLock(fd);
    const int err = errno;
    if ((err != EWOULDBLOCK && err != EINTR) || waited >= timeout_ms) {
      ::close(fd);
      return Status::Error("cannot lock " + lock_path + ": " +
                           (err == EWOULDBLOCK ? "another sotinc holds it" : Errno(err)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

RecoveryLock::~RecoveryLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor drops the flock
}

Result<std::string> MoveAside(const std::string& path) {
  const std::time_t now = std::time(nullptr);
  std::tm utc;
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  std::string aside = path + ".corrupt-" + stamp;
  for (int i = 1; Exists(aside) || Exists(aside + "-wal"); ++i) {
    aside = path + ".corrupt-" + stamp + "-" + std::to_string(i);
  }
  if (::rename(path.c_str(), aside.c_str()) != 0 && errno != ENOENT) {
    return Status::Error("cannot move the damaged cache " + path + " to " + aside + ": " +
                         Errno(errno));
  }
  // A stale WAL next to a new database would be replayed into it, so it
  // must go with its database; failing that, it must not stay.
  const std::string wal = path + "-wal";
  if (::rename(wal.c_str(), (aside + "-wal").c_str()) != 0 && errno != ENOENT) {
    if (::unlink(wal.c_str()) != 0 && errno != ENOENT) {
      return Status::Error("cannot remove the damaged cache's " + wal + ": " + Errno(errno));
    }
  }
  ::unlink((path + "-shm").c_str());
  return aside;
}

}  // namespace store
}  // namespace sotinc

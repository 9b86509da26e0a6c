// Where the engine gets its candidate files and their contents.
//
// Three real sources sit behind this interface (the working tree, the index
// and a commit, all through libgit2 in engine/git_source.h) and one fake
// (tests/testing/fake_file_source.h) that keeps files in memory and records
// every read, which is how tests assert incrementality.
//
// Implementations need not be thread-safe; the engine calls them from one
// thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace sotinc {

enum class FileType : uint8_t { kRegular, kExecutable, kSymlink, kSubmodule };

struct FileEntry {
  std::string path;  // repository-relative, `/`-separated, never absolute
  uint64_t size = 0;
  FileType type = FileType::kRegular;
  // A stable identifier of the content: the git blob id (hex) when git
  // already knows it, otherwise a hash of the bytes. Equal ids mean equal
  // contents. Empty when the source cannot say without reading.
  std::string content_id;
  // lstat data of a working-tree file (0 elsewhere): with `size` it keys the
  // store's stat cache, so an untouched untracked file is hashed only once.
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t ino = 0;
};

class FileSource {
 public:
  virtual ~FileSource() = default;

  // Candidate files (SPEC section 2), sorted by path in byte order. For the
  // working tree: tracked files that exist plus untracked files that are not
  // ignored by .gitignore / .git/info/exclude / core.excludesFile. The
  // config's own `ignore:` is applied by the caller, not here.
  virtual Result<std::vector<FileEntry>> List() = 0;

  // The whole content of a listed file. A symlink's content is its target
  // path (as git stores it); symlinks are never followed. A submodule has
  // no content (error).
  virtual Result<std::string> Read(const FileEntry& file) = 0;

  // The same bytes as Read(), handed to `sink` in pieces, in order, so that
  // a caller can hash a file of any size (a 2 GB file over max_file_bytes
  // that a command rule matches) in constant memory. The default calls
  // Read() once; a source that can stream overrides it.
  virtual Status ReadChunks(const FileEntry& file,
                            const std::function<void(std::string_view)>& sink) {
    Result<std::string> content = Read(file);
    if (!content.ok()) return content.status();
    sink(*content);
    return Status::Ok();
  }

  // The directory where listed files exist as they are listed (the working
  // tree), or empty when the files are not materialised (index, commit).
  virtual std::string materialized_root() const = 0;

  // Called in a worker process forked after the source was made: a source
  // that holds handles it must not share with its parent process (libgit2's
  // open pack files) replaces them here.
  virtual Status ReopenAfterFork() { return Status::Ok(); }

  // Short description for messages: "working tree", "index", "commit 1a2b3c4".
  virtual std::string description() const = 0;
};

}  // namespace sotinc

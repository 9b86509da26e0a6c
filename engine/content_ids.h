// Content ids for the files of one snapshot, computed once each.
//
// Git already knows the id of most files (the index's blob id for a clean
// tracked file, the tree's for a commit): those cost nothing. Any other
// file is hashed with XXH3-128 ("x:" + hex), and the hash is remembered in
// the cache's stat table keyed by (path, size, mtime, ctime, inode), so an
// untouched untracked file is hashed once across runs. Borrowed source and
// cache must outlive this object; one thread.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "engine/file_source.h"
#include "engine/result_cache.h"
#include "engine/status.h"

namespace sotinc {

// Whether `file`'s lstat data can vouch for its content at `now_ns` (Unix
// nanoseconds): it was last modified or changed more than 3 s before. A
// second write within the file system's timestamp granularity can keep the
// same stat data (git's "racily clean" problem).
bool StatDataSettled(const FileEntry& file, int64_t now_ns);

class ContentIds {
 public:
  // `cache` may be null (nothing remembered across runs).
  ContentIds(FileSource* source, ResultCache* cache) : source_(source), cache_(cache) {}

  Result<std::string> Get(const FileEntry& file);

  uint64_t files_hashed() const { return files_hashed_; }

 private:
  FileSource* source_;
  ResultCache* cache_;
  std::unordered_map<std::string, std::string> memo_;
  uint64_t files_hashed_ = 0;
};

}  // namespace sotinc

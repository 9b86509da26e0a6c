#include "engine/content_ids.h"

#include <ctime>

#include "engine/keys.h"

namespace sotinc {

Result<std::string> ContentIds::Get(const FileEntry& file) {
  if (!file.content_id.empty()) return file.content_id;
  auto memo = memo_.find(file.path);
  if (memo != memo_.end()) return memo->second;
  // Only lstat data that was really read can vouch for a file.
  bool statable = file.mtime_ns != 0 || file.ino != 0;
  if (cache_ && statable) {
    if (std::optional<std::string> id = cache_->GetStatHash(file)) {
      memo_.emplace(file.path, *id);
      return *id;
    }
  }
  Result<std::string> content = source_->Read(file);
  if (!content.ok()) return Status::Error("cannot read " + file.path + ": " + content.error());
  ++files_hashed_;
  std::string id = "x:" + ToHex(HashBytes(*content));
  // A file that changed size between listing and reading is not vouched
  // for by its listed stat data: do not remember the hash under it.
  // Nor is a file modified in the last seconds: a second write within the
  // file system's timestamp granularity could keep the same stat data
  // (git's "racily clean" problem), so such a hash is not remembered.
  int64_t now_ns = static_cast<int64_t>(std::time(nullptr)) * 1000000000LL;
  bool settled = now_ns - file.mtime_ns > 3000000000LL && now_ns - file.ctime_ns > 3000000000LL;
  if (cache_ && statable && settled && content->size() == file.size) {
    cache_->PutStatHash(file, id);
  }
  memo_.emplace(file.path, id);
  return id;
}

}  // namespace sotinc

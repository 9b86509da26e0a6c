#include "engine/content_ids.h"

#include <ctime>

#include "engine/keys.h"

namespace sotinc {

bool StatDataSettled(const FileEntry& file, int64_t now_ns) {
  return now_ns - file.mtime_ns > 3000000000LL && now_ns - file.ctime_ns > 3000000000LL;
}

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
  // Streamed: a file far over max_file_bytes (which no check loads) may
  // still need an id, for a command rule that reads it itself.
  ByteHasher hasher;
  Status read =
      source_->ReadChunks(file, [&hasher](std::string_view bytes) { hasher.Update(bytes); });
  if (!read.ok()) return Status::Error("cannot read " + file.path + ": " + read.message());
  ++files_hashed_;
  std::string id = "x:" + ToHex(hasher.Finish());
  // A file that changed size between listing and reading is not vouched
  // for by its listed stat data: do not remember the hash under it.
  // Nor is a file modified in the last seconds (StatDataSettled).
  int64_t now_ns = static_cast<int64_t>(std::time(nullptr)) * 1000000000LL;
  if (cache_ && statable && StatDataSettled(file, now_ns) && hasher.bytes() == file.size) {
    cache_->PutStatHash(file, id);
  }
  memo_.emplace(file.path, id);
  return id;
}

}  // namespace sotinc

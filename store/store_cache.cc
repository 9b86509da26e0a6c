#include "store/store_cache.h"

namespace sotinc {
namespace {

CacheNamespace ToNamespace(CacheSpace space) {
  return space == CacheSpace::kRule ? CacheNamespace::kRule : CacheNamespace::kFile;
}

}  // namespace

StoreCache::~StoreCache() { Commit(); }

void StoreCache::Fail(const Status& status) {
  if (!disabled_) warnings_.push_back(status.message());
  disabled_ = true;
  if (batch_open_) {
    store_->RollbackBatch();
    batch_open_ = false;
  }
}

bool StoreCache::Writable() {
  if (disabled_) return false;
  if (!batch_open_) {
    Status s = store_->BeginBatch();
    if (!s.ok()) {
      Fail(s);
      return false;
    }
    batch_open_ = true;
  }
  return true;
}

std::optional<std::string> StoreCache::Get(CacheSpace space, std::string_view key) {
  Result<std::optional<std::string>> r = store_->Get(ToNamespace(space), key);
  // A damaged or unreadable entry is a miss: the rule simply runs.
  if (!r.ok() || !r->has_value()) {
    if (space == CacheSpace::kRule) ++misses_;
    return std::nullopt;
  }
  if (space == CacheSpace::kRule) ++hits_;
  return std::move(**r);
}

bool StoreCache::Put(CacheSpace space, std::string_view key, const std::string& rule_id,
                     std::string_view value) {
  if (!Writable()) return false;
  Status s = store_->Put(ToNamespace(space), key, rule_id, value);
  if (!s.ok()) {
    Fail(s);
    return false;
  }
  return true;
}

std::optional<std::string> StoreCache::GetStatHash(const FileEntry& file) {
  Result<std::optional<StatEntry>> r = store_->GetStat(file.path);
  if (!r.ok() || !r->has_value()) return std::nullopt;
  const StatEntry& e = **r;
  if (e.size != file.size || e.mtime_ns != file.mtime_ns || e.ctime_ns != file.ctime_ns ||
      e.ino != file.ino) {
    return std::nullopt;
  }
  return e.hash;
}

void StoreCache::PutStatHash(const FileEntry& file, const std::string& content_id) {
  if (!Writable()) return;
  StatEntry e;
  e.size = file.size;
  e.mtime_ns = file.mtime_ns;
  e.ctime_ns = file.ctime_ns;
  e.ino = file.ino;
  e.hash = content_id;
  Status s = store_->PutStat(file.path, e);
  if (!s.ok()) Fail(s);
}

void StoreCache::Commit() {
  if (!batch_open_) return;
  batch_open_ = false;
  Status s = store_->CommitBatch();
  if (!s.ok()) Fail(s);
}

}  // namespace sotinc

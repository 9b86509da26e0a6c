// ResultCache (the engine's seam, engine/result_cache.h) backed by the
// SQLite ResultStore.
//
// Writes are grouped in one transaction per rule: Commit() ends the open
// batch, so an interrupted run keeps every rule that finished. The first
// failing write (disk full, I/O error) is remembered as a warning and turns
// later writes off: the run goes on, uncached, and says so. Borrows the
// store, which must outlive it; one thread.
#pragma once

#include <string>
#include <vector>

#include "engine/result_cache.h"
#include "store/store.h"

namespace sotinc {

class StoreCache : public ResultCache {
 public:
  explicit StoreCache(ResultStore* store) : store_(store) {}
  ~StoreCache() override;

  std::optional<std::string> Get(CacheSpace space, std::string_view key) override;
  bool Put(CacheSpace space, std::string_view key, const std::string& rule_id,
           std::string_view value) override;
  std::optional<std::string> GetStatHash(const FileEntry& file) override;
  void PutStatHash(const FileEntry& file, const std::string& content_id) override;
  void Commit() override;

  // Problems met so far, for the user ("cache write failed: ...").
  const std::vector<std::string>& warnings() const { return warnings_; }
  int64_t hits() const { return hits_; }
  int64_t misses() const { return misses_; }

 private:
  bool Writable();
  void Fail(const Status& status);

  ResultStore* store_;
  bool batch_open_ = false;
  bool disabled_ = false;
  int64_t hits_ = 0;
  int64_t misses_ = 0;
  std::vector<std::string> warnings_;
};

}  // namespace sotinc

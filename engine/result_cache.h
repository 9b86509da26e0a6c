// The engine's view of the result cache (the seam between engine/ and the
// SQLite store in store/).
//
// Keys are 16-byte content digests (engine/keys.h); values are encoded
// results (engine/result_codec.h). A cache may fail to write (disk full, a
// read-only directory): Put then returns false and the run goes on
// uncached; a cache never returns a value for a key it was not given.
// Implementations are used from one thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "engine/file_source.h"

namespace sotinc {

enum class CacheSpace { kRule, kFile };

class ResultCache {
 public:
  virtual ~ResultCache() = default;

  virtual std::optional<std::string> Get(CacheSpace space, std::string_view key) = 0;
  virtual bool Put(CacheSpace space, std::string_view key, const std::string& rule_id,
                   std::string_view value) = 0;

  // Content id of a working-tree file whose lstat data (size, mtime,
  // ctime, inode) is unchanged since it was hashed.
  virtual std::optional<std::string> GetStatHash(const FileEntry& file) = 0;
  virtual void PutStatHash(const FileEntry& file, const std::string& content_id) = 0;

  // Makes what was Put so far durable (called after every rule, so an
  // interrupted run keeps what finished).
  virtual void Commit() = 0;
};

// An in-memory cache: for tests, and for runs whose store could not open.
class MemoryCache : public ResultCache {
 public:
  std::optional<std::string> Get(CacheSpace space, std::string_view key) override {
    ++gets_;
    auto it = entries_.find({space, std::string(key)});
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }
  bool Put(CacheSpace space, std::string_view key, const std::string&,
           std::string_view value) override {
    ++puts_;
    entries_[{space, std::string(key)}] = std::string(value);
    return true;
  }
  std::optional<std::string> GetStatHash(const FileEntry& file) override {
    auto it = stats_.find(file.path);
    if (it == stats_.end() || it->second.first != StatKey(file)) return std::nullopt;
    return it->second.second;
  }
  void PutStatHash(const FileEntry& file, const std::string& id) override {
    stats_[file.path] = {StatKey(file), id};
  }
  void Commit() override {}

  size_t size() const { return entries_.size(); }
  int gets_ = 0;
  int puts_ = 0;

 private:
  static std::string StatKey(const FileEntry& f) {
    return std::to_string(f.size) + ":" + std::to_string(f.mtime_ns) + ":" +
           std::to_string(f.ctime_ns) + ":" + std::to_string(f.ino);
  }
  std::map<std::pair<CacheSpace, std::string>, std::string> entries_;
  std::map<std::string, std::pair<std::string, std::string>> stats_;
};

}  // namespace sotinc

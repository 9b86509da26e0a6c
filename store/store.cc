#include "store/store.h"

#include <algorithm>

#include <sys/stat.h>
#include <xxhash.h>

#include <chrono>
#include <cstring>
#include <utility>

#include "store/store_impl.h"

namespace sotinc {
namespace {

using sqlite::Stmt;

constexpr const char* kNotCached = "results were not cached";
constexpr const char* kAsMiss = "treated as a cache miss";

// Detects bytes that changed under SQLite's feet (SQLite checks its pages'
// structure, not their contents), so a damaged value reads as an error.
int64_t EntryChecksum(CacheNamespace ns, std::string_view key, std::string_view rule_id,
                      std::string_view value) {
  std::string prefix(1, static_cast<char>(ns));
  prefix.append(key);  // fixed size, so the rule id that follows is unambiguous
  prefix.append(rule_id);
  const uint64_t seed = XXH3_64bits(prefix.data(), prefix.size());
  return static_cast<int64_t>(XXH3_64bits_withSeed(value.data(), value.size(), seed));
}

int64_t FileSizeOrZero(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

Status CheckKey(std::string_view key) {
  if (key.size() == ResultStore::kKeySize) return Status::Ok();
  return Status::Error("cache key must be " + std::to_string(ResultStore::kKeySize) +
                       " bytes, got " + std::to_string(key.size()));
}

}  // namespace

int ResultStore::Impl::PrepareAll(std::string* message) {
  const struct {
    Stmt* stmt;
    const char* sql;
  } kAll[] = {
      {&begin, "BEGIN IMMEDIATE"},
      {&commit, "COMMIT"},
      {&rollback, "ROLLBACK"},
      {&get, "SELECT rule_id, value, last_used, checksum FROM entries WHERE ns = ?1 AND key = ?2"},
      {&put,
       "INSERT INTO entries(ns, key, rule_id, value, size, last_used, checksum) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(ns, key) DO UPDATE SET "
       "rule_id = excluded.rule_id, value = excluded.value, size = excluded.size, "
       "last_used = excluded.last_used, checksum = excluded.checksum"},
      {&erase, "DELETE FROM entries WHERE ns = ?1 AND key = ?2"},
      {&touch, "UPDATE entries SET last_used = ?1 WHERE ns = ?2 AND key = ?3 AND last_used < ?1"},
      {&get_stat, "SELECT size, mtime_ns, ctime_ns, ino, hash FROM stat_cache WHERE path = ?1"},
      {&put_stat,
       "INSERT OR REPLACE INTO stat_cache(path, size, mtime_ns, ctime_ns, ino, hash) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
      {&get_duration, "SELECT count, mean, m2 FROM durations WHERE rule_id = ?1"},
      {&put_duration,
       "INSERT OR REPLACE INTO durations(rule_id, count, mean, m2) VALUES (?1, ?2, ?3, ?4)"},
      {&all_durations, "SELECT rule_id, count, mean, m2 FROM durations"},
      {&insert_run, "INSERT INTO runs(finished_ms, hits, misses) VALUES (?1, ?2, ?3)"},
      {&trim_runs, "DELETE FROM runs WHERE id <= (SELECT max(id) FROM runs) - ?1"},
      {&last_run, "SELECT finished_ms, hits, misses FROM runs ORDER BY id DESC LIMIT 1"},
      {&count_by_ns, "SELECT ns, count(*), total(size) FROM entries GROUP BY ns"},
      {&count_stats, "SELECT count(*) FROM stat_cache"},
      {&total_size, "SELECT total(size) FROM entries"},
      {&lru, "SELECT ns, key, size FROM entries ORDER BY last_used, ns, key"},
      {&rule_entries,
       "SELECT key, rule_id, value, checksum FROM entries WHERE ns = 0 ORDER BY rule_id, key"},
      {&run_entries, "SELECT key, size FROM entries WHERE ns = 2 ORDER BY key"},
  };
  for (const auto& s : kAll) {
    const int rc = s.stmt->Prepare(db.get(), s.sql);
    if (rc != SQLITE_OK) {
      *message = db.LastMessage();
      return rc;
    }
  }
  return SQLITE_OK;
}

int ResultStore::Impl::Run(Stmt& stmt) {
  Stmt::Scope scope(&stmt);
  const int rc = stmt.Step();
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

ResultStore::ResultStore(std::string path, const StoreOptions& options)
    : path_(std::move(path)), options_(options) {}

ResultStore::~ResultStore() {
  if (impl_ == nullptr) return;
  RollbackBatch();
  if (broken_.ok()) {
    Flush();  // best effort: last_used only guides gc
  } else {
    CheckUsable();  // moves the corrupt file aside
  }
}

int64_t ResultStore::Now() const {
  if (options_.now_ms) return options_.now_ms();
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Status ResultStore::CheckUsable() {
  if (broken_.ok()) return impl_ ? Status::Ok() : Status::Error("the cache is closed");
  if (impl_ != nullptr) {
    // Deferred from Fail() so that no statement is in use when the
    // connection closes.  Under the lock, and only if the file is still the
    // one we opened: another process may already have replaced it.
    const store::FileId id = impl_->file_id;
    impl_.reset();
    in_batch_ = false;
    touched_.clear();
    auto lock = store::RecoveryLock::Acquire(path_, options_.busy_timeout_ms);
    if (lock.ok() && store::IdentifyFile(path_) == id) store::MoveAside(path_);
  }
  return broken_;
}

Status ResultStore::Fail(int rc, const char* doing, const char* consequence) {
  const std::string detail = impl_->db.LastMessage();
  const std::string code = sqlite::CodeName(rc);
  std::string message;
  switch (rc & 0xff) {
    case SQLITE_FULL:
      message = std::string("cache write failed: disk full (") + code + ") at " + path_;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      message = "cache busy: another process held " + path_ + " locked for more than " +
                std::to_string(options_.busy_timeout_ms) + " ms (" + code + ") while " + doing;
      break;
    case SQLITE_READONLY:
      message = "cache database " + path_ + " is read-only (" + code + ") while " + doing;
      break;
    case SQLITE_IOERR: {
      // The OS error says what went wrong (EIO, EFBIG, EROFS, ...).
      const int err = sqlite3_system_errno(impl_->db.get());
      message = "cache I/O error (" + code + ") while " + doing + " at " + path_ + ": " +
                (err != 0 ? std::strerror(err) : detail);
      break;
    }
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      message = "cache database " + path_ + " is corrupt (" + code + ") while " + doing + ": " +
                detail + "; it is moved aside and the next run starts an empty cache";
      break;
    default:
      message = "cache error (" + code + ") while " + doing + " at " + path_ + ": " + detail;
  }
  Status status = Status::Error(message + "; " + consequence);
  // SQLite rolls back by itself on some errors (FULL, IOERR, NOMEM); make
  // it certain, so that a batch is all or nothing.
  if (impl_->InTransaction()) Impl::Run(impl_->rollback);
  if (in_batch_) batch_error_ = status;
  if (sqlite::IsCorruption(rc)) broken_ = status;
  return status;
}

Status ResultStore::Write(const char* doing, const char* consequence,
                          const std::function<int(void)>& body) {
  if (Status s = CheckUsable(); !s.ok()) return s;
  if (in_batch_) {
    if (!batch_error_.ok()) return batch_error_;
    const int rc = body();
    return rc == SQLITE_OK ? Status::Ok() : Fail(rc, doing, consequence);
  }
  int rc = Impl::Run(impl_->begin);
  if (rc == SQLITE_OK) rc = body();
  if (rc == SQLITE_OK) rc = Impl::Run(impl_->commit);
  return rc == SQLITE_OK ? Status::Ok() : Fail(rc, doing, consequence);
}

int ResultStore::WriteTouches() {
  Stmt& st = impl_->touch;
  const int64_t now = Now();
  for (const auto& [ns, key] : touched_) {
    st.BindInt(1, now);
    st.BindInt(2, static_cast<int>(ns));
    st.BindBlob(3, key);
    const int rc = Impl::Run(st);
    if (rc != SQLITE_OK) return rc;
  }
  touched_.clear();
  return SQLITE_OK;
}

Result<std::optional<std::string>> ResultStore::Get(CacheNamespace ns, std::string_view key) {
  if (Status s = CheckKey(key); !s.ok()) return s;
  if (Status s = CheckUsable(); !s.ok()) return s;
  Stmt& st = impl_->get;
  Stmt::Scope scope(&st);
  st.BindInt(1, static_cast<int>(ns));
  st.BindBlob(2, key);
  const int rc = st.Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return Fail(rc, "reading a cached result", kAsMiss);
  std::string value = st.ColumnBytes(1);
  if (st.ColumnInt(3) != EntryChecksum(ns, key, st.ColumnBytes(0), value)) {
    return Status::Error("cache entry for rule " + st.ColumnBytes(0) + " in " + path_ +
                         " failed its checksum (the file was changed outside SQLite); " + kAsMiss);
  }
  if (Now() - st.ColumnInt(2) >= options_.touch_granularity_ms) {
    touched_.emplace_back(ns, std::string(key));
  }
  return std::optional<std::string>(std::move(value));
}

Status ResultStore::Put(CacheNamespace ns, std::string_view key, std::string_view rule_id,
                        std::string_view value) {
  if (Status s = CheckKey(key); !s.ok()) return s;
  return Write("storing a result", kNotCached, [&] {
    Stmt& st = impl_->put;
    st.BindInt(1, static_cast<int>(ns));
    st.BindBlob(2, key);
    st.BindText(3, rule_id);
    st.BindBlob(4, value);
    st.BindInt(5, static_cast<int64_t>(key.size() + rule_id.size() + value.size()));
    st.BindInt(6, Now());
    st.BindInt(7, EntryChecksum(ns, key, rule_id, value));
    return Impl::Run(st);
  });
}

Status ResultStore::Erase(CacheNamespace ns, std::string_view key) {
  if (Status s = CheckKey(key); !s.ok()) return s;
  return Write("erasing a result", "it stays cached", [&] {
    impl_->erase.BindInt(1, static_cast<int>(ns));
    impl_->erase.BindBlob(2, key);
    return Impl::Run(impl_->erase);
  });
}

Result<std::optional<StatEntry>> ResultStore::GetStat(std::string_view path) {
  if (Status s = CheckUsable(); !s.ok()) return s;
  Stmt& st = impl_->get_stat;
  Stmt::Scope scope(&st);
  st.BindText(1, path);
  const int rc = st.Step();
  if (rc == SQLITE_DONE) return std::optional<StatEntry>();
  if (rc != SQLITE_ROW) return Fail(rc, "reading the stat cache", kAsMiss);
  StatEntry e;
  e.size = static_cast<uint64_t>(st.ColumnInt(0));
  e.mtime_ns = st.ColumnInt(1);
  e.ctime_ns = st.ColumnInt(2);
  e.ino = static_cast<uint64_t>(st.ColumnInt(3));
  e.hash = st.ColumnBytes(4);
  return std::optional<StatEntry>(std::move(e));
}

Status ResultStore::PutStat(std::string_view path, const StatEntry& entry) {
  return Write("storing a file's stat data", "the file will be hashed again", [&] {
    Stmt& st = impl_->put_stat;
    st.BindText(1, path);
    st.BindInt(2, static_cast<int64_t>(entry.size));
    st.BindInt(3, entry.mtime_ns);
    st.BindInt(4, entry.ctime_ns);
    st.BindInt(5, static_cast<int64_t>(entry.ino));
    st.BindBlob(6, entry.hash);
    return Impl::Run(st);
  });
}

Status ResultStore::UpdateDuration(std::string_view rule_id, double ms) {
  return Write("storing a rule's duration", "the duration was not recorded", [&] {
    DurationStats d;
    {
      Stmt& st = impl_->get_duration;
      Stmt::Scope scope(&st);
      st.BindText(1, rule_id);
      const int rc = st.Step();
      if (rc == SQLITE_ROW) {
        d.count = st.ColumnInt(0);
        d.mean = st.ColumnDouble(1);
        d.m2 = st.ColumnDouble(2);
      } else if (rc != SQLITE_DONE) {
        return rc;
      }
    }
    // Welford: numerically stable where sum-of-squares is not.
    d.count += 1;
    const double delta = ms - d.mean;
    d.mean += delta / static_cast<double>(d.count);
    d.m2 += delta * (ms - d.mean);
    Stmt& st = impl_->put_duration;
    st.BindText(1, rule_id);
    st.BindInt(2, d.count);
    st.BindDouble(3, d.mean);
    st.BindDouble(4, d.m2);
    return Impl::Run(st);
  });
}

Result<std::map<std::string, DurationStats>> ResultStore::GetDurations() {
  if (Status s = CheckUsable(); !s.ok()) return s;
  std::map<std::string, DurationStats> out;
  Stmt& st = impl_->all_durations;
  Stmt::Scope scope(&st);
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    DurationStats& d = out[st.ColumnBytes(0)];
    d.count = st.ColumnInt(1);
    d.mean = st.ColumnDouble(2);
    d.m2 = st.ColumnDouble(3);
  }
  if (rc != SQLITE_DONE) return Fail(rc, "reading rule durations", "durations are unknown");
  return out;
}

Status ResultStore::RecordRun(int64_t hits, int64_t misses) {
  return Write("recording the run", "the run was not recorded", [&] {
    int rc = WriteTouches();
    if (rc != SQLITE_OK) return rc;
    impl_->insert_run.BindInt(1, Now());
    impl_->insert_run.BindInt(2, hits);
    impl_->insert_run.BindInt(3, misses);
    rc = Impl::Run(impl_->insert_run);
    if (rc != SQLITE_OK) return rc;
    impl_->trim_runs.BindInt(1, options_.run_history);
    return Impl::Run(impl_->trim_runs);
  });
}

Status ResultStore::Flush() {
  if (touched_.empty()) return Status::Ok();
  return Write("recording cache hits", "gc may drop them early", [&] { return WriteTouches(); });
}

Status ResultStore::BeginBatch() {
  if (in_batch_) return Status::Error("cache batches do not nest");
  if (Status s = CheckUsable(); !s.ok()) return s;
  const int rc = Impl::Run(impl_->begin);
  if (rc != SQLITE_OK) return Fail(rc, "starting a transaction", kNotCached);
  in_batch_ = true;
  batch_error_ = Status::Ok();
  return Status::Ok();
}

Status ResultStore::CommitBatch() {
  if (!in_batch_) return Status::Error("cache CommitBatch without BeginBatch");
  Status status = batch_error_;
  if (status.ok()) status = CheckUsable();
  if (status.ok()) {
    int rc = WriteTouches();
    if (rc == SQLITE_OK) rc = Impl::Run(impl_->commit);
    if (rc != SQLITE_OK) status = Fail(rc, "committing results", kNotCached);
  }
  in_batch_ = false;
  batch_error_ = Status::Ok();
  return status;
}

void ResultStore::RollbackBatch() {
  if (in_batch_ && impl_ != nullptr && impl_->InTransaction()) Impl::Run(impl_->rollback);
  in_batch_ = false;
  batch_error_ = Status::Ok();
}

Result<StoreStats> ResultStore::Stats() {
  if (Status s = CheckUsable(); !s.ok()) return s;
  StoreStats stats;
  int rc;
  {
    Stmt& st = impl_->count_by_ns;
    Stmt::Scope scope(&st);
    while ((rc = st.Step()) == SQLITE_ROW) {
      const auto ns = static_cast<CacheNamespace>(st.ColumnInt(0));
      if (ns == CacheNamespace::kRule) stats.rule_entries += st.ColumnInt(1);
      if (ns == CacheNamespace::kFile) stats.file_entries += st.ColumnInt(1);
      if (ns == CacheNamespace::kRun) stats.run_entries += st.ColumnInt(1);
      stats.total_bytes += static_cast<int64_t>(st.ColumnDouble(2));
    }
  }
  if (rc == SQLITE_DONE) {
    Stmt& st = impl_->count_stats;
    Stmt::Scope scope(&st);
    rc = st.Step();
    if (rc == SQLITE_ROW) stats.stat_entries = st.ColumnInt(0);
  }
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
    Stmt& st = impl_->last_run;
    Stmt::Scope scope(&st);
    rc = st.Step();
    if (rc == SQLITE_ROW)
      stats.last_run = RunRecord{st.ColumnInt(0), st.ColumnInt(1), st.ColumnInt(2)};
  }
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    return Fail(rc, "reading statistics", "statistics are unavailable");
  }
  stats.file_bytes = FileSizeOrZero(path_) + FileSizeOrZero(path_ + "-wal");
  return stats;
}

Result<GcResult> ResultStore::Gc(int64_t max_bytes, bool vacuum) {
  if (in_batch_) return Status::Error("cache gc cannot run inside a batch");
  GcResult result;
  Status s = Write("collecting garbage", "nothing was deleted", [&] {
    result = GcResult();
    int rc = WriteTouches();  // this session's hits count as recent
    if (rc != SQLITE_OK) return rc;
    int64_t total = 0;
    {
      Stmt::Scope scope(&impl_->total_size);
      rc = impl_->total_size.Step();
      if (rc != SQLITE_ROW) return rc;
      total = static_cast<int64_t>(impl_->total_size.ColumnDouble(0));
    }
    std::vector<std::pair<int64_t, std::string>> victims;
    if (total > max_bytes) {
      Stmt& st = impl_->lru;
      Stmt::Scope scope(&st);
      while (total > max_bytes && (rc = st.Step()) == SQLITE_ROW) {
        victims.emplace_back(st.ColumnInt(0), st.ColumnBytes(1));
        total -= st.ColumnInt(2);
        result.removed_bytes += st.ColumnInt(2);
      }
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return rc;
    }
    // A run memo replays results without touching them, so it may stand on
    // entries just evicted: once anything else goes, the memos go too.
    bool evicts_results = false;
    for (const auto& [ns, key] : victims) evicts_results |= ns != static_cast<int>(CacheNamespace::kRun);
    if (evicts_results) {
      Stmt& st = impl_->run_entries;
      Stmt::Scope scope(&st);
      while ((rc = st.Step()) == SQLITE_ROW) {
        std::pair<int64_t, std::string> memo(static_cast<int>(CacheNamespace::kRun), st.ColumnBytes(0));
        if (std::find(victims.begin(), victims.end(), memo) != victims.end()) continue;
        victims.push_back(std::move(memo));
        total -= st.ColumnInt(1);
        result.removed_bytes += st.ColumnInt(1);
      }
      if (rc != SQLITE_DONE) return rc;
    }
    for (const auto& [ns, key] : victims) {
      impl_->erase.BindInt(1, ns);
      impl_->erase.BindBlob(2, key);
      rc = Impl::Run(impl_->erase);
      if (rc != SQLITE_OK) return rc;
    }
    result.removed_entries = static_cast<int64_t>(victims.size());
    result.remaining_bytes = total;
    return SQLITE_OK;
  });
  if (!s.ok()) return s;
  if (vacuum) {
    if (Status v = Vacuum(); !v.ok()) return v;
  }
  return result;
}

Status ResultStore::Clear() {
  touched_.clear();
  return Write("clearing the cache", "nothing was deleted", [&] {
    return impl_->db.Exec(
        "DELETE FROM entries; DELETE FROM stat_cache; DELETE FROM durations; DELETE FROM runs;");
  });
}

Status ResultStore::Vacuum() {
  if (in_batch_) return Status::Error("cache vacuum cannot run inside a batch");
  if (Status s = CheckUsable(); !s.ok()) return s;
  int rc = impl_->db.Exec("VACUUM");
  // Fold the WAL back into the file so the size on disk drops now.
  if (rc == SQLITE_OK) rc = impl_->db.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  return rc == SQLITE_OK ? Status::Ok()
                         : Fail(rc, "compacting the cache", "the file keeps its size");
}

Status ResultStore::ForEachRuleEntry(const std::function<bool(const StoredEntry&)>& visit) {
  if (Status s = CheckUsable(); !s.ok()) return s;
  Stmt& st = impl_->rule_entries;
  Stmt::Scope scope(&st);
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    StoredEntry e;
    e.key = st.ColumnBytes(0);
    e.rule_id = st.ColumnBytes(1);
    e.value = st.ColumnBytes(2);
    e.checksum_ok =
        st.ColumnInt(3) == EntryChecksum(CacheNamespace::kRule, e.key, e.rule_id, e.value);
    if (!visit(e)) return Status::Ok();
  }
  if (rc != SQLITE_DONE) return Fail(rc, "listing cached results", "verification stopped");
  return Status::Ok();
}

}  // namespace sotinc

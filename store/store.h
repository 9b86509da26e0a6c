// ResultStore: the one SQLite database of a repository that caches rule
// results across runs, plus what the engine keeps beside them (a stat cache
// for content hashing, rule durations for the scheduler, run statistics).
//
// docs/schema.md describes the file; store/schema.cc creates and migrates
// it; store/recovery.cc handles damaged files.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace sotinc {

// The two kinds of cached value, kept apart so that equal keys from the
// two key schemes can never collide.
enum class CacheNamespace : int {
  kRule = 0,  // a whole rule's result (EncodeRuleResult)
  kFile = 1,  // one per-file rule's findings for one file (EncodeFindings)
  kRun = 2,   // the memo of the last complete run of one kind (engine/run_memo.h)
};

struct StoreOptions {
  // How long a write waits for another process's transaction to finish
  // before failing with SQLITE_BUSY.
  int busy_timeout_ms = 10000;
  // Get() records a hit (for LRU gc) only when the entry's last_used is at
  // least this old, so a warm run repeated within the window writes nothing.
  int64_t touch_granularity_ms = 10 * 60 * 1000;
  // A hard cap on the database file (PRAGMA max_page_count); 0 = none.
  // Writes past it fail like a full disk (SQLITE_FULL).  Gc is the way to
  // bound the cache; this is a backstop, and the tests' full disk.
  int64_t max_file_bytes = 0;
  // Rows of run history kept for `cache stats`.
  int run_history = 100;
  // Wall clock in Unix milliseconds; tests substitute a fake.  Empty means
  // the system clock.
  std::function<int64_t()> now_ms;
};

// What the stat cache remembers about a file it hashed.
struct StatEntry {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t ino = 0;
  std::string hash;  // the content id, opaque to the store

  bool operator==(const StatEntry& o) const {
    return size == o.size && mtime_ns == o.mtime_ns && ctime_ns == o.ctime_ns && ino == o.ino &&
           hash == o.hash;
  }
};

// Welford's running statistics of one rule's durations in milliseconds.
struct DurationStats {
  int64_t count = 0;
  double mean = 0;
  double m2 = 0;  // sum of squared deviations from the mean
  // Sample variance (n - 1); 0 below two samples.
  double Variance() const { return count > 1 ? m2 / static_cast<double>(count - 1) : 0; }
};

struct RunRecord {
  int64_t finished_ms = 0;
  int64_t hits = 0;
  int64_t misses = 0;
  double HitRate() const {
    return hits + misses > 0 ? static_cast<double>(hits) / static_cast<double>(hits + misses) : 0;
  }
};

struct StoreStats {
  int64_t rule_entries = 0;
  int64_t file_entries = 0;
  int64_t run_entries = 0;  // run memos and the blob-size record
  int64_t stat_entries = 0;
  int64_t total_bytes = 0;  // sum of entry sizes (key + rule id + value)
  int64_t file_bytes = 0;   // the database file plus its WAL on disk
  std::optional<RunRecord> last_run;
};

struct GcResult {
  int64_t removed_entries = 0;
  int64_t removed_bytes = 0;
  int64_t remaining_bytes = 0;
};

// One cached rule result, as `cache verify` sees it.
struct StoredEntry {
  std::string key;
  std::string rule_id;
  std::string value;
  bool checksum_ok = true;  // false: the bytes changed since they were put
};

// The cache database of one repository.
//
// Invariants: every key is kKeySize bytes; every write runs inside a
// transaction (the caller's batch, or one the store opens around a single
// call), so a crash or a kill loses at most the open batch; a value read
// back is byte-identical to the value put, or Get reports an error
// (each entry carries a checksum).  Nothing here throws.
//
// Errors: every failing call returns a Status whose message names the
// database path and the SQLite code and says what happened to the results
// ("...; results were not cached" for writes); the engine treats a failed
// read as a miss.  When SQLite reports the file corrupt, the store moves
// it aside at once (the next run starts empty) and fails every later call,
// so the rest of the run proceeds uncached.
//
// Concurrency: any number of processes may use the same database at once
// (WAL mode, busy_timeout, short BEGIN IMMEDIATE transactions).  Within a
// process, a ResultStore is NOT thread-safe: use one per thread, each from
// its own Open().  Never use one on both sides of a fork(); the child opens
// its own.
//
// Ownership: the ResultStore owns its connection and statements; callers
// own it through the unique_ptr from Open().
class ResultStore {
 public:
  static constexpr size_t kKeySize = 16;

  // Opens (creating the directory and the file when missing) the database
  // at `path`, e.g. <git-common-dir>/sotinc/cache.db.  A file that is not
  // a sotinc cache (garbage, truncated, another application's database) is
  // renamed to <path>.corrupt-<timestamp>, a line saying so is appended to
  // *warnings (may be null), and a fresh database takes its place.  Any
  // other problem (read-only or uncreatable directory, a file from a newer
  // sotinc, I/O errors) is an error Status: the caller runs uncached.
  static Result<std::unique_ptr<ResultStore>> Open(const std::string& path,
                                                   const StoreOptions& options = {},
                                                   std::vector<std::string>* warnings = nullptr);

  // Rolls back an open batch, then writes pending last_used updates (best
  // effort: they only guide gc).
  ~ResultStore();
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  const std::string& path() const { return path_; }

  // --- Cached values ------------------------------------------------------
  // nullopt on a miss.  A hit is remembered and its last_used written at
  // the next CommitBatch/Flush/RecordRun, not now: reads never write.
  Result<std::optional<std::string>> Get(CacheNamespace ns, std::string_view key);
  // Inserts or replaces.  `rule_id` is kept for `cache verify` and stats.
  Status Put(CacheNamespace ns, std::string_view key, std::string_view rule_id,
             std::string_view value);
  Status Erase(CacheNamespace ns, std::string_view key);

  // --- Stat cache (path -> what the file looked like when it was hashed) --
  Result<std::optional<StatEntry>> GetStat(std::string_view path);
  Status PutStat(std::string_view path, const StatEntry& entry);

  // --- Scheduler statistics ------------------------------------------------
  // Adds one duration sample to the rule's running mean and variance.
  Status UpdateDuration(std::string_view rule_id, double ms);
  Result<std::map<std::string, DurationStats>> GetDurations();

  // Records the end of a run (and writes pending last_used updates).
  Status RecordRun(int64_t hits, int64_t misses);

  // --- Transactions --------------------------------------------------------
  // A batch is one BEGIN IMMEDIATE transaction: it holds the database's
  // write lock until committed, so keep it short (the results of one
  // finished rule, never a rule's execution).  After a failed write inside
  // a batch, the batch is rolled back and every later write in it fails
  // until CommitBatch (which reports the failure) or RollbackBatch.
  // Batches do not nest.
  Status BeginBatch();
  Status CommitBatch();
  void RollbackBatch();
  bool in_batch() const { return in_batch_; }

  // Writes the pending last_used updates (in the open batch, if any).
  Status Flush();

  // RAII batch: begins on construction, rolls back unless Commit() ran.
  class Batch {
   public:
    explicit Batch(ResultStore* store) : store_(store), status_(store->BeginBatch()) {}
    ~Batch() {
      if (status_.ok() && !done_) store_->RollbackBatch();
    }
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;
    // The outcome of BeginBatch; nothing is written if it failed.
    const Status& status() const { return status_; }
    Status Commit() {
      if (!status_.ok() || done_) return status_;
      done_ = true;
      return store_->CommitBatch();
    }

   private:
    ResultStore* store_;
    Status status_;
    bool done_ = false;
  };

  // --- Maintenance (`sotinc cache ...`); not inside a batch ----------------
  Result<StoreStats> Stats();
  // Deletes entries, least recently used first, until the entries' total
  // size is at most max_bytes; then, if `vacuum`, rebuilds the file so its
  // size on disk shrinks too.
  Result<GcResult> Gc(int64_t max_bytes, bool vacuum);
  // Deletes every entry, stat, duration and run record.
  Status Clear();
  Status Vacuum();
  // Calls visit for each rule-result entry (ordered by rule id, then key)
  // until it returns false.  visit may call Get but must not write.
  Status ForEachRuleEntry(const std::function<bool(const StoredEntry&)>& visit);

  // The SQLite side (store/store_impl.h); opaque outside store/.
  struct Impl;

 private:
  ResultStore(std::string path, const StoreOptions& options);

  int64_t Now() const;
  // Runs `body` (returning a SQLite code) in the open batch or in a
  // transaction of its own, and turns a failure into a Status that says
  // what was being done and its consequence for the user.
  Status Write(const char* doing, const char* consequence, const std::function<int(void)>& body);
  // Writes pending last_used updates; the caller holds a transaction.
  int WriteTouches();
  // Turns a SQLite failure into a Status and rolls back the open
  // transaction.  On corruption it marks the store broken; CheckUsable()
  // then closes the connection and moves the file aside.
  Status Fail(int rc, const char* doing, const char* consequence);
  // OK while the store can be used; closes and quarantines a broken one.
  Status CheckUsable();

  std::string path_;
  StoreOptions options_;
  std::unique_ptr<Impl> impl_;  // the connection and its statements
  bool in_batch_ = false;
  Status batch_error_;  // the failure that ended the open batch, if any
  Status broken_;       // set once the file proved corrupt: every call fails
  std::vector<std::pair<CacheNamespace, std::string>> touched_;
};

}  // namespace sotinc

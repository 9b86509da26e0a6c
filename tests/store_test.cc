#include "store/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "store/schema.h"

namespace sotinc {
namespace {

namespace fs = std::filesystem;

// A 16-byte key whose bytes spell out n, so keys are distinct and stable.
std::string Key(uint64_t n, char fill = 'k') {
  std::string k(ResultStore::kKeySize, fill);
  for (int i = 0; i < 8; ++i) k[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return k;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Runs SQL on a database file through a separate, plain connection.
void RawSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

int64_t RawInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    v = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

std::string RawText(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* st = nullptr;
  std::string v;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/sotinc-store-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/sotinc/cache.db";
    options_.now_ms = [this] { return now_; };
    options_.touch_granularity_ms = 10;
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<ResultStore> OpenStore(std::vector<std::string>* warnings = nullptr) {
    auto store = ResultStore::Open(path_, options_, warnings);
    EXPECT_TRUE(store.ok()) << store.error();
    return store.ok() ? std::move(*store) : nullptr;
  }

  // Files in the cache directory whose name starts with cache.db.corrupt-.
  std::vector<std::string> AsideFiles() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_ + "/sotinc")) {
      const std::string name = e.path().filename().string();
      if (name.rfind("cache.db.corrupt-", 0) == 0 && name.find("-wal") == std::string::npos) {
        out.push_back(e.path().string());
      }
    }
    return out;
  }

  // Opens a damaged file: expects exactly one warning, one aside file with
  // the damaged bytes, and a working empty store.
  void ExpectMovedAsideAndRebuilt(const std::string& damaged_bytes) {
    std::vector<std::string> warnings;
    auto store = OpenStore(&warnings);
    ASSERT_NE(store, nullptr);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find(path_), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("moved it to"), std::string::npos) << warnings[0];
    const auto aside = AsideFiles();
    ASSERT_EQ(aside.size(), 1u);
    const std::string moved = ReadFile(aside[0]);
    EXPECT_EQ(moved.size(), damaged_bytes.size());
    EXPECT_TRUE(moved == damaged_bytes) << "the damaged file must be moved as it was";
    EXPECT_NE(warnings[0].find(aside[0]), std::string::npos) << warnings[0];

    auto miss = store->Get(CacheNamespace::kRule, Key(1));
    ASSERT_TRUE(miss.ok()) << miss.error();
    EXPECT_FALSE(miss->has_value());
    ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(1), "R1", "v").ok());
    store.reset();
    std::vector<std::string> again;
    store = OpenStore(&again);
    EXPECT_TRUE(again.empty());
    EXPECT_EQ(*store->Get(CacheNamespace::kRule, Key(1)).value(), "v");
  }

  // Writes n entries of about `size` bytes each and closes the store.
  void Fill(int n, size_t size) {
    auto store = OpenStore();
    ResultStore::Batch batch(store.get());
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(i), "R", std::string(size, 'x')).ok());
    }
    ASSERT_TRUE(batch.Commit().ok());
  }

  std::string dir_;
  std::string path_;
  int64_t now_ = 1000000;
  StoreOptions options_;
};

TEST_F(StoreTest, PutGetRoundTripsInBothNamespaces) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  const std::string binary("\0\x01\xff value", 9);
  ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(1), "AR001", binary).ok());
  ASSERT_TRUE(store->Put(CacheNamespace::kFile, Key(1), "AR001", "per-file").ok());
  ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(2), "AR002", "").ok());

  EXPECT_EQ(*store->Get(CacheNamespace::kRule, Key(1)).value(), binary);
  EXPECT_EQ(*store->Get(CacheNamespace::kFile, Key(1)).value(), "per-file");
  EXPECT_EQ(*store->Get(CacheNamespace::kRule, Key(2)).value(), "");
  auto miss = store->Get(CacheNamespace::kFile, Key(2));
  ASSERT_TRUE(miss.ok());
  EXPECT_FALSE(miss->has_value());

  ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(1), "AR001", "replaced").ok());
  EXPECT_EQ(*store->Get(CacheNamespace::kRule, Key(1)).value(), "replaced");
  ASSERT_TRUE(store->Erase(CacheNamespace::kRule, Key(1)).ok());
  EXPECT_FALSE(store->Get(CacheNamespace::kRule, Key(1)).value().has_value());
}

TEST_F(StoreTest, KeysMustBeSixteenBytes) {
  auto store = OpenStore();
  EXPECT_FALSE(store->Put(CacheNamespace::kRule, "short", "R", "v").ok());
  EXPECT_FALSE(store->Get(CacheNamespace::kRule, std::string(17, 'k')).ok());
}

TEST_F(StoreTest, ReopenKeepsEverything) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(7), "R7", "seven").ok());
    ASSERT_TRUE(store->PutStat("a/b.txt", StatEntry{3, 4, 5, 6, "hash"}).ok());
    ASSERT_TRUE(store->UpdateDuration("R7", 2.5).ok());
    ASSERT_TRUE(store->RecordRun(3, 1).ok());
  }
  auto store = OpenStore();
  EXPECT_EQ(*store->Get(CacheNamespace::kRule, Key(7)).value(), "seven");
  EXPECT_EQ(*store->GetStat("a/b.txt").value(), (StatEntry{3, 4, 5, 6, "hash"}));
  EXPECT_EQ(store->GetDurations()->at("R7").count, 1);
  EXPECT_EQ(store->Stats()->last_run->hits, 3);
  EXPECT_EQ(RawInt(path_, "PRAGMA user_version"), store::kSchemaVersion);
  EXPECT_EQ(RawInt(path_, "PRAGMA application_id"), store::kApplicationId);
  EXPECT_EQ(RawText(path_, "PRAGMA journal_mode"), "wal");
}

TEST_F(StoreTest, BatchCommitsAtomicallyAndRollsBack) {
  auto store = OpenStore();
  auto reader = OpenStore();  // a second connection sees only committed data
  ASSERT_TRUE(store->BeginBatch().ok());
  EXPECT_TRUE(store->in_batch());
  EXPECT_FALSE(store->BeginBatch().ok()) << "batches do not nest";
  ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(1), "R", "one").ok());
  ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(2), "R", "two").ok());
  EXPECT_FALSE(reader->Get(CacheNamespace::kRule, Key(1)).value().has_value());
  ASSERT_TRUE(store->CommitBatch().ok());
  EXPECT_EQ(*reader->Get(CacheNamespace::kRule, Key(2)).value(), "two");

  ASSERT_TRUE(store->BeginBatch().ok());
  ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(3), "R", "three").ok());
  store->RollbackBatch();
  EXPECT_FALSE(reader->Get(CacheNamespace::kRule, Key(3)).value().has_value());

  {
    ResultStore::Batch batch(store.get());
    ASSERT_TRUE(batch.status().ok());
    ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(4), "R", "four").ok());
  }  // destroyed without Commit: rolled back, as after an interrupted run
  EXPECT_FALSE(store->in_batch());
  EXPECT_FALSE(reader->Get(CacheNamespace::kRule, Key(4)).value().has_value());
  EXPECT_FALSE(store->CommitBatch().ok()) << "no batch is open";
}

TEST_F(StoreTest, UncommittedBatchIsLostWhenTheStoreCloses) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(1), "R", "kept").ok());
    ASSERT_TRUE(store->BeginBatch().ok());
    ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(2), "R", "lost").ok());
  }
  auto store = OpenStore();
  EXPECT_TRUE(store->Get(CacheNamespace::kRule, Key(1)).value().has_value());
  EXPECT_FALSE(store->Get(CacheNamespace::kRule, Key(2)).value().has_value());
}

TEST_F(StoreTest, GcRemovesLeastRecentlyUsedFirst) {
  auto store = OpenStore();
  // Entries 0..4 put at times 0..4 (100 bytes of value each).
  for (int i = 0; i < 5; ++i) {
    now_ += 100;
    ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(i), "R", std::string(100, 'v')).ok());
  }
  // Reading 0 and 1 later makes 2 the least recently used.
  now_ += 100;
  ASSERT_TRUE(store->Get(CacheNamespace::kRule, Key(0)).value().has_value());
  ASSERT_TRUE(store->Get(CacheNamespace::kRule, Key(1)).value().has_value());
  ASSERT_TRUE(store->Flush().ok());

  const int64_t entry = ResultStore::kKeySize + 1 + 100;
  EXPECT_EQ(store->Stats()->total_bytes, 5 * entry);
  auto gc = store->Gc(3 * entry, /*vacuum=*/true);
  ASSERT_TRUE(gc.ok()) << gc.error();
  EXPECT_EQ(gc->removed_entries, 2);
  EXPECT_EQ(gc->removed_bytes, 2 * entry);
  EXPECT_EQ(gc->remaining_bytes, 3 * entry);
  for (int i : {2, 3}) EXPECT_FALSE(store->Get(CacheNamespace::kRule, Key(i)).value().has_value());
  for (int i : {0, 1, 4})
    EXPECT_TRUE(store->Get(CacheNamespace::kRule, Key(i)).value().has_value());

  auto none = store->Gc(10 * entry, false);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->removed_entries, 0);
  auto all = store->Gc(0, false);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->removed_entries, 3);
  EXPECT_EQ(store->Stats()->rule_entries, 0);
}

// A run memo replays results without touching them: when gc evicts any of
// them, the memo (however recently used) goes too; a gc that evicts nothing
// keeps it.
TEST_F(StoreTest, GcThatEvictsResultsDropsTheRunMemos) {
  auto store = OpenStore();
  for (int i = 0; i < 3; ++i) {
    now_ += 100;
    ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(i), "R", std::string(100, 'v')).ok());
  }
  now_ += 100;
  ASSERT_TRUE(store->Put(CacheNamespace::kRun, Key(9), "(run memo)", std::string(10, 'm')).ok());
  const int64_t entry = ResultStore::kKeySize + 1 + 100;
  const int64_t memo = ResultStore::kKeySize + 10 + 10;

  auto keep = store->Gc(3 * entry + memo, false);
  ASSERT_TRUE(keep.ok()) << keep.error();
  EXPECT_EQ(keep->removed_entries, 0);
  EXPECT_TRUE(store->Get(CacheNamespace::kRun, Key(9)).value().has_value());

  auto gc = store->Gc(2 * entry + memo, false);
  ASSERT_TRUE(gc.ok()) << gc.error();
  EXPECT_EQ(gc->removed_entries, 2);  // the oldest result, and the memo
  EXPECT_EQ(gc->removed_bytes, entry + memo);
  EXPECT_EQ(gc->remaining_bytes, 2 * entry);
  EXPECT_FALSE(store->Get(CacheNamespace::kRun, Key(9)).value().has_value());
  EXPECT_FALSE(store->Get(CacheNamespace::kRule, Key(0)).value().has_value());
  EXPECT_TRUE(store->Get(CacheNamespace::kRule, Key(1)).value().has_value());
}

TEST_F(StoreTest, HitsAreWrittenOnlyAtFlushAndOnlyWhenStale) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(1), "R", "v").ok());
  const std::string sql = "SELECT last_used FROM entries";
  const int64_t put_at = now_;
  EXPECT_EQ(RawInt(path_, sql), put_at);

  now_ += 5;  // within touch_granularity_ms: nothing to record
  ASSERT_TRUE(store->Get(CacheNamespace::kRule, Key(1)).value().has_value());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(RawInt(path_, sql), put_at);

  now_ += 100;
  ASSERT_TRUE(store->Get(CacheNamespace::kRule, Key(1)).value().has_value());
  EXPECT_EQ(RawInt(path_, sql), put_at) << "a read must not write";
  ASSERT_TRUE(store->RecordRun(1, 0).ok());
  EXPECT_EQ(RawInt(path_, sql), now_);
}

TEST_F(StoreTest, ClearRemovesEverything) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(1), "R", "v").ok());
  ASSERT_TRUE(store->Put(CacheNamespace::kFile, Key(1), "R", "v").ok());
  ASSERT_TRUE(store->PutStat("p", StatEntry{}).ok());
  ASSERT_TRUE(store->UpdateDuration("R", 1).ok());
  ASSERT_TRUE(store->RecordRun(1, 1).ok());
  ASSERT_TRUE(store->Clear().ok());
  auto stats = store->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->rule_entries + stats->file_entries + stats->stat_entries, 0);
  EXPECT_EQ(stats->total_bytes, 0);
  EXPECT_FALSE(stats->last_run.has_value());
  EXPECT_TRUE(store->GetDurations()->empty());
  EXPECT_FALSE(store->GetStat("p").value().has_value());
  EXPECT_TRUE(store->Vacuum().ok());
}

TEST_F(StoreTest, StatsCountEntriesBytesAndLastRun) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(1), "AB", "123").ok());
  ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(2), "AB", "1234").ok());
  ASSERT_TRUE(store->Put(CacheNamespace::kFile, Key(1), "AB", "12345").ok());
  ASSERT_TRUE(store->PutStat("x", StatEntry{}).ok());
  ASSERT_TRUE(store->RecordRun(10, 30).ok());
  now_ += 1;
  ASSERT_TRUE(store->RecordRun(3, 1).ok());
  auto stats = store->Stats();
  ASSERT_TRUE(stats.ok()) << stats.error();
  EXPECT_EQ(stats->rule_entries, 2);
  EXPECT_EQ(stats->file_entries, 1);
  EXPECT_EQ(stats->stat_entries, 1);
  EXPECT_EQ(stats->total_bytes, 3 * (16 + 2) + 3 + 4 + 5);
  EXPECT_GT(stats->file_bytes, 0);
  ASSERT_TRUE(stats->last_run.has_value());
  EXPECT_EQ(stats->last_run->hits, 3);
  EXPECT_EQ(stats->last_run->misses, 1);
  EXPECT_DOUBLE_EQ(stats->last_run->HitRate(), 0.75);
  EXPECT_EQ(stats->last_run->finished_ms, now_);
}

TEST_F(StoreTest, RunHistoryIsTrimmed) {
  options_.run_history = 3;
  auto store = OpenStore();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store->RecordRun(i, 0).ok());
  EXPECT_EQ(RawInt(path_, "SELECT count(*) FROM runs"), 3);
  EXPECT_EQ(store->Stats()->last_run->hits, 9);
}

TEST_F(StoreTest, StatCacheRoundTripsAndReplaces) {
  auto store = OpenStore();
  EXPECT_FALSE(store->GetStat("dir/file").value().has_value());
  const StatEntry big{~uint64_t{0}, -5, INT64_MAX, ~uint64_t{0} - 1, std::string(16, '\xab')};
  ASSERT_TRUE(store->PutStat("dir/file", big).ok());
  EXPECT_EQ(*store->GetStat("dir/file").value(), big);
  const StatEntry small{1, 2, 3, 4, "h"};
  ASSERT_TRUE(store->PutStat("dir/file", small).ok());
  EXPECT_EQ(*store->GetStat("dir/file").value(), small);
}

TEST_F(StoreTest, WelfordMatchesDirectComputation) {
  auto store = OpenStore();
  std::mt19937 rng(7);
  std::lognormal_distribution<double> dist(3.0, 1.0);
  std::vector<double> samples;
  for (int i = 0; i < 500; ++i) {
    samples.push_back(1e6 + dist(rng));  // a large offset breaks naive sum-of-squares
    ASSERT_TRUE(store->UpdateDuration("SLOW", samples.back()).ok());
  }
  ASSERT_TRUE(store->UpdateDuration("ONCE", 4.0).ok());
  double mean = 0;
  for (double s : samples) mean += s;
  mean /= samples.size();
  double var = 0;
  for (double s : samples) var += (s - mean) * (s - mean);
  var /= samples.size() - 1;

  auto durations = store->GetDurations();
  ASSERT_TRUE(durations.ok()) << durations.error();
  const DurationStats& d = durations->at("SLOW");
  EXPECT_EQ(d.count, 500);
  EXPECT_NEAR(d.mean, mean, 1e-6);
  EXPECT_NEAR(d.Variance(), var, var * 1e-9);
  EXPECT_EQ(durations->at("ONCE").count, 1);
  EXPECT_EQ(durations->at("ONCE").mean, 4.0);
  EXPECT_EQ(durations->at("ONCE").Variance(), 0);
}

TEST_F(StoreTest, ForEachRuleEntryListsRuleResultsOnly) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(2), "B", "b").ok());
  ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(1), "A", "a").ok());
  ASSERT_TRUE(store->Put(CacheNamespace::kFile, Key(3), "A", "file").ok());
  std::vector<StoredEntry> seen;
  ASSERT_TRUE(store
                  ->ForEachRuleEntry([&](const StoredEntry& e) {
                    seen.push_back(e);
                    return true;
                  })
                  .ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].rule_id, "A");
  EXPECT_EQ(seen[0].key, Key(1));
  EXPECT_EQ(seen[0].value, "a");
  EXPECT_TRUE(seen[0].checksum_ok);
  EXPECT_EQ(seen[1].rule_id, "B");

  int visited = 0;
  ASSERT_TRUE(store->ForEachRuleEntry([&](const StoredEntry&) { return ++visited < 1; }).ok());
  EXPECT_EQ(visited, 1);
}

TEST_F(StoreTest, ValueChangedOutsideSqliteIsAnErrorNotAWrongResult) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(1), "R", "pass").ok());
  }
  RawSql(path_, "UPDATE entries SET value = CAST('fail' AS BLOB)");
  auto store = OpenStore();
  auto got = store->Get(CacheNamespace::kRule, Key(1));
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().find("checksum"), std::string::npos) << got.error();
  bool ok = true;
  store->ForEachRuleEntry([&](const StoredEntry& e) { return ok = e.checksum_ok; });
  EXPECT_FALSE(ok);
}

TEST_F(StoreTest, MigratesAnEmptyDatabaseAndAnEmptyFile) {
  fs::create_directories(dir_ + "/sotinc");
  RawSql(path_, "PRAGMA user_version = 0");  // a valid database with no tables
  {
    std::vector<std::string> warnings;
    auto store = OpenStore(&warnings);
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(warnings.empty());
    ASSERT_TRUE(store->Put(CacheNamespace::kRule, Key(1), "R", "v").ok());
  }
  EXPECT_EQ(RawInt(path_, "PRAGMA user_version"), store::kSchemaVersion);
  EXPECT_EQ(RawInt(path_, "PRAGMA application_id"), store::kApplicationId);
  EXPECT_EQ(RawInt(path_, "SELECT count(*) FROM entries"), 1);

  fs::remove(path_);
  fs::remove(path_ + "-wal");
  fs::remove(path_ + "-shm");
  WriteFile(path_, "");  // zero bytes: SQLite's "new database"
  std::vector<std::string> warnings;
  ASSERT_NE(OpenStore(&warnings), nullptr);
  EXPECT_TRUE(warnings.empty());
  EXPECT_TRUE(AsideFiles().empty());
}

TEST_F(StoreTest, NewerSchemaIsAnErrorAndLeftAlone) {
  { OpenStore(); }
  RawSql(path_, "PRAGMA user_version = 99");
  auto store = ResultStore::Open(path_, options_);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().find("newer sotinc"), std::string::npos) << store.error();
  EXPECT_TRUE(AsideFiles().empty());
  EXPECT_EQ(RawInt(path_, "PRAGMA user_version"), 99);
}

TEST_F(StoreTest, GarbageFileIsMovedAsideAndRebuilt) {
  fs::create_directories(dir_ + "/sotinc");
  std::mt19937 rng(42);
  std::string garbage(8192, '\0');
  for (char& c : garbage) c = static_cast<char>(rng());
  WriteFile(path_, garbage);
  ExpectMovedAsideAndRebuilt(garbage);
}

TEST_F(StoreTest, ShortGarbageFileIsMovedAsideAndRebuilt) {
  fs::create_directories(dir_ + "/sotinc");
  WriteFile(path_, "not a database\n");
  ExpectMovedAsideAndRebuilt("not a database\n");
}

TEST_F(StoreTest, TruncatedDatabaseIsMovedAsideAndRebuilt) {
  Fill(400, 1000);  // ~100 pages of 4 KiB
  ASSERT_FALSE(fs::exists(path_ + "-wal") && fs::file_size(path_ + "-wal") > 0)
      << "closing must checkpoint the WAL into the file";
  const std::string whole = ReadFile(path_);
  ASSERT_GT(whole.size(), 40000u);
  const std::string truncated = whole.substr(0, whole.size() / 3);
  WriteFile(path_, truncated);
  ExpectMovedAsideAndRebuilt(truncated);
}

TEST_F(StoreTest, ForeignDatabaseIsMovedAsideAndRebuilt) {
  fs::create_directories(dir_ + "/sotinc");
  RawSql(path_,
         "PRAGMA application_id = 1234; CREATE TABLE people(name TEXT);"
         "INSERT INTO people VALUES ('ada');");
  const std::string foreign = ReadFile(path_);
  ExpectMovedAsideAndRebuilt(foreign);
  const auto aside = AsideFiles();
  ASSERT_EQ(aside.size(), 1u);
  EXPECT_EQ(RawInt(aside[0], "SELECT count(*) FROM people"), 1) << "moved, not destroyed";
}

TEST_F(StoreTest, CorruptionFoundWhileRunningDisablesTheStoreAndMovesTheFileAside) {
  Fill(400, 1000);  // ~130 leaf pages of 4 KiB
  {
    // Scribble over one page in the middle; the header stays valid, so
    // opening succeeds and the damage shows only when the page is read.
    const size_t pages = fs::file_size(path_) / 4096;
    ASSERT_GT(pages, 100u);
    std::fstream f(path_, std::ios::binary | std::ios::in | std::ios::out);
    for (size_t page = 20; page < pages - 20; page += 10) {
      f.seekp(static_cast<std::streamoff>(page * 4096));
      f << std::string(4096, '\x5a');
    }
  }
  std::vector<std::string> warnings;
  auto store = OpenStore(&warnings);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(warnings.empty());
  Status scan = store->ForEachRuleEntry([](const StoredEntry&) { return true; });
  ASSERT_FALSE(scan.ok());
  EXPECT_NE(scan.message().find("is corrupt (SQLITE_CORRUPT"), std::string::npos) << scan.message();
  // Every later call fails fast, so the run goes on uncached.
  EXPECT_FALSE(store->Get(CacheNamespace::kRule, Key(1)).ok());
  EXPECT_FALSE(store->Put(CacheNamespace::kRule, Key(1), "R", "v").ok());
  EXPECT_EQ(AsideFiles().size(), 1u);
  store.reset();

  store = OpenStore(&warnings);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(store->Stats()->rule_entries, 0) << "a fresh database took its place";
}

TEST_F(StoreTest, DatabaseWithoutOurIdIsForeign) {
  fs::create_directories(dir_ + "/sotinc");
  RawSql(path_, "CREATE TABLE entries(x);");  // application_id 0, but tables
  ExpectMovedAsideAndRebuilt(ReadFile(path_));
}

TEST_F(StoreTest, OurIdWithMissingTablesIsRebuilt) {
  { OpenStore(); }
  RawSql(path_, "DROP TABLE durations;");
  std::vector<std::string> warnings;
  auto store = OpenStore(&warnings);
  ASSERT_NE(store, nullptr);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("does not match schema"), std::string::npos) << warnings[0];
  EXPECT_TRUE(store->UpdateDuration("R", 1).ok());
}

TEST_F(StoreTest, TwoProcessesWriteConcurrently) {
  // No database yet: the two processes also race to create the schema.
  constexpr int kPerProcess = 1000;
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t pids[2];
  for (int p = 0; p < 2; ++p) {
    pids[p] = fork();
    ASSERT_GE(pids[p], 0);
    if (pids[p] == 0) {
      close(go[1]);
      char c;
      if (read(go[0], &c, 1) != 0) _exit(10);  // wait for the parent to close: start together
      StoreOptions options;                    // real clock, default busy timeout
      auto store = ResultStore::Open(path_, options);
      if (!store.ok()) _exit(11);
      for (int i = 0; i < kPerProcess; ++i) {
        // Each Put is its own transaction, the most contended pattern;
        // reads in between exercise WAL readers beside a writer.
        if (!(*store)
                 ->Put(CacheNamespace::kRule, Key(i, static_cast<char>('a' + p)), "R",
                       std::to_string(i))
                 .ok()) {
          _exit(12);
        }
        if (!(*store)->Get(CacheNamespace::kRule, Key(i / 2, 'a')).ok()) _exit(13);
        if (i % 100 == 0 && !(*store)->UpdateDuration("shared", i).ok()) _exit(14);
      }
      if (!(*store)->RecordRun(kPerProcess, 0).ok()) _exit(15);
      store->reset();
      _exit(0);
    }
  }
  close(go[0]);
  close(go[1]);
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << "child crashed";
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  auto store = OpenStore();
  for (int p = 0; p < 2; ++p) {
    for (int i = 0; i < kPerProcess; ++i) {
      auto got = store->Get(CacheNamespace::kRule, Key(i, static_cast<char>('a' + p)));
      ASSERT_TRUE(got.ok()) << got.error();
      ASSERT_TRUE(got->has_value()) << "process " << p << " entry " << i;
      EXPECT_EQ(**got, std::to_string(i));
    }
  }
  EXPECT_EQ(store->Stats()->rule_entries, 2 * kPerProcess);
  EXPECT_EQ(store->GetDurations()->at("shared").count, 20);
}

TEST_F(StoreTest, ManyProcessesCreatingTheDatabaseAtOnceAllOpenIt) {
  // The switch to WAL on a new file needs an exclusive lock and SQLite does
  // not wait for it through the busy handler; losers must retry, not fail.
  constexpr int kProcesses = 6;
  constexpr int kRounds = 40;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::error_code ec;
    fs::remove_all(dir_ + "/sotinc", ec);
    int go[2];
    ASSERT_EQ(pipe(go), 0);
    std::vector<pid_t> pids;
    for (int p = 0; p < kProcesses; ++p) {
      const pid_t pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        close(go[1]);
        char c;
        if (read(go[0], &c, 1) != 0) _exit(10);
        StoreOptions options;
        auto store = ResultStore::Open(path_, options);
        if (!store.ok()) {
          std::fprintf(stderr, "%s\n", store.error().c_str());
          _exit(11);
        }
        if (!(*store)->Put(CacheNamespace::kRule, Key(p), "R", "v").ok()) _exit(12);
        _exit(0);
      }
      pids.push_back(pid);
    }
    close(go[0]);
    close(go[1]);
    for (pid_t pid : pids) {
      int status = 0;
      ASSERT_EQ(waitpid(pid, &status, 0), pid);
      ASSERT_TRUE(WIFEXITED(status)) << "child crashed";
      EXPECT_EQ(WEXITSTATUS(status), 0) << "a process could not open or write the new cache";
    }
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->Stats()->rule_entries, kProcesses);
  }
}

TEST_F(StoreTest, UncreatableDirectoryIsAnError) {
  // A regular file where a directory should be: mkdir fails even for root.
  WriteFile(dir_ + "/file", "x");
  auto store = ResultStore::Open(dir_ + "/file/sotinc/cache.db", options_);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().find(dir_ + "/file"), std::string::npos) << store.error();
}

TEST_F(StoreTest, DirectoryAsDatabasePathIsAnError) {
  fs::create_directories(path_);
  auto store = ResultStore::Open(path_, options_);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().find(path_), std::string::npos) << store.error();
  EXPECT_TRUE(fs::is_directory(path_)) << "never moved aside";
}

// Opens the store in a child process (as `uid` when not -1) and returns the
// child's exit code: 0 opened and wrote, 1 Open failed, 2 Open succeeded
// but a write failed, 3 could not switch user.
int OpenInChild(const std::string& path, uid_t uid) {
  const pid_t pid = fork();
  if (pid == 0) {
    if (uid != static_cast<uid_t>(-1) && (setgid(uid) != 0 || setuid(uid) != 0)) _exit(3);
    auto store = ResultStore::Open(path, StoreOptions());
    if (!store.ok()) _exit(1);
    _exit((*store)->Put(CacheNamespace::kRule, Key(1), "R", "v").ok() ? 0 : 2);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

TEST_F(StoreTest, ReadOnlyDirectoryIsAnError) {
  // Root ignores permission bits, so as root the check runs in a child that
  // drops to the "nobody" uid; the directory is made readable to it.
  const bool root = geteuid() == 0;
  const uid_t uid = root ? 65534 : static_cast<uid_t>(-1);
  ASSERT_EQ(chmod(dir_.c_str(), 0755), 0);
  const std::string ro = dir_ + "/ro";
  ASSERT_EQ(mkdir(ro.c_str(), 0555), 0);
  const int missing_dir = OpenInChild(ro + "/sotinc/cache.db", uid);
  if (missing_dir == 3) GTEST_SKIP() << "running as root and cannot setuid to nobody";
  EXPECT_EQ(missing_dir, 1) << "creating sotinc/ under a read-only directory must fail";
  EXPECT_EQ(OpenInChild(ro + "/cache.db", uid), 1) << "creating the file must fail";

  // An existing, healthy cache in a directory that became read-only: WAL
  // needs to create files beside it, so it is unusable, and never moved.
  const std::string existing = dir_ + "/ro2/cache.db";
  {
    auto store = ResultStore::Open(existing, options_);
    ASSERT_TRUE(store.ok()) << store.error();
  }
  fs::remove(existing + "-wal");
  fs::remove(existing + "-shm");
  ASSERT_EQ(chmod(existing.c_str(), 0666), 0);  // only the directory is read-only
  ASSERT_EQ(chmod((dir_ + "/ro2").c_str(), 0555), 0);
  const int code = OpenInChild(existing, uid);
  EXPECT_TRUE(code == 1 || code == 2) << code;
  EXPECT_TRUE(fs::exists(existing));
  chmod((dir_ + "/ro2").c_str(), 0755);
}

TEST_F(StoreTest, DiskFullIsAClearErrorAndTheBatchRollsBack) {
  Fill(10, 100);
  options_.max_file_bytes = 256 * 1024;  // a disk that fills up at 256 KiB
  auto store = OpenStore();
  ASSERT_TRUE(store->BeginBatch().ok());
  Status failed;
  for (int i = 100; i < 400 && failed.ok(); ++i) {
    failed = store->Put(CacheNamespace::kRule, Key(i), "R", std::string(4000, 'y'));
  }
  Status commit = store->CommitBatch();
  if (failed.ok()) failed = commit;
  EXPECT_FALSE(commit.ok()) << "a batch with a failed write never commits";
  EXPECT_EQ(failed.message(), "cache write failed: disk full (SQLITE_FULL) at " + path_ +
                                  "; results were not cached");
  EXPECT_EQ(store->Stats()->rule_entries, 10) << "the failed batch left nothing behind";
  // Single writes go on working where they fit.
  EXPECT_TRUE(store->Put(CacheNamespace::kRule, Key(1000), "R", "small").ok());
}

TEST_F(StoreTest, WriteErrorIsAClearErrorAndTheBatchRollsBack) {
  Fill(10, 100);
  const std::string message_file = dir_ + "/message";
  const rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
  const pid_t pid = fork();
  if (pid == 0) {
    auto store = ResultStore::Open(path_, options_);
    if (!store.ok()) _exit(1);
    // A file size limit makes writes past it fail with EFBIG, which SQLite
    // reports as SQLITE_IOERR_WRITE.
    signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{200 * 1024, RLIM_INFINITY};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) _exit(2);
    if (!(*store)->BeginBatch().ok()) _exit(3);
    // The batch stays in SQLite's page cache until it commits, so the
    // failure shows at a Put (cache spill) or at CommitBatch.
    Status failed;
    for (int i = 100; i < 400 && failed.ok(); ++i) {
      failed = (*store)->Put(CacheNamespace::kRule, Key(i), "R", std::string(4000, 'y'));
    }
    Status commit = (*store)->CommitBatch();
    if (failed.ok()) failed = commit;
    const std::string& m = failed.message();
    const bool clear = !failed.ok() && m.find(path_) != std::string::npos &&
                       m.find("results were not cached") != std::string::npos &&
                       m.find("SQLITE_IOERR") != std::string::npos;
    setrlimit(RLIMIT_FSIZE, &unlimited);
    WriteFile(message_file, m);
    if (!clear) _exit(4);
    if (commit.ok()) _exit(5);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "message: " << ReadFile(message_file);
  EXPECT_NE(ReadFile(message_file)
                .find("SQLITE_IOERR_WRITE) while committing results at " + path_ + ": "),
            std::string::npos)
      << ReadFile(message_file);
  auto store = OpenStore();
  EXPECT_EQ(store->Stats()->rule_entries, 10) << "the failed batch left nothing behind";
  EXPECT_FALSE(store->Get(CacheNamespace::kRule, Key(100)).value().has_value());
}

}  // namespace
}  // namespace sotinc

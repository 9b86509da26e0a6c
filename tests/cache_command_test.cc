// `sotinc cache stats|gc|clear`: the real binary on temp repositories whose
// cache database is filled directly through the ResultStore API.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <string>

#include "store/store.h"
#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

using testing::RunResult;
using testing::Sotinc;
using testing::TempRepo;

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::string Key(char c) { return std::string(ResultStore::kKeySize, c); }

std::string DefaultDb(const TempRepo& repo) { return repo.path() + "/.git/sotinc/cache.db"; }

// A store whose clock the test sets.
struct FakeClockStore {
  int64_t now = 1'000'000;
  std::unique_ptr<ResultStore> store;

  explicit FakeClockStore(const std::string& path) {
    StoreOptions options;
    options.now_ms = [this] { return now; };
    Result<std::unique_ptr<ResultStore>> opened = ResultStore::Open(path, options);
    EXPECT_TRUE(opened.ok()) << opened.error();
    if (opened.ok()) store = std::move(*opened);
  }
};

// 2 rule results, 3 per-file records, durations of 2 rules, one run.
void Populate(const std::string& path) {
  FakeClockStore s(path);
  ASSERT_TRUE(s.store);
  ResultStore& store = *s.store;
  ASSERT_TRUE(store.Put(CacheNamespace::kRule, Key('a'), "R1", "pass").ok());
  ASSERT_TRUE(store.Put(CacheNamespace::kRule, Key('b'), "R2", "fail").ok());
  for (char c : {'x', 'y', 'z'}) {
    ASSERT_TRUE(store.Put(CacheNamespace::kFile, Key(c), "R2", "findings").ok());
  }
  ASSERT_TRUE(store.UpdateDuration("R1", 1.5).ok());
  ASSERT_TRUE(store.UpdateDuration("R2", 3.0).ok());
  ASSERT_TRUE(store.UpdateDuration("R2", 5.0).ok());
  ASSERT_TRUE(store.RecordRun(3, 1).ok());
}

TEST(CacheCommand, MissingDatabase) {
  TempRepo repo;
  RunResult r = repo.Run(Sotinc(repo, "cache stats"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("no cache database at " + DefaultDb(repo)), std::string::npos) << r.out;
  r = repo.Run(Sotinc(repo, "cache gc --max-size 1MiB"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nothing to do"), std::string::npos) << r.out;
  r = repo.Run(Sotinc(repo, "cache clear"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nothing to do"), std::string::npos) << r.out;
  // None of them creates a database (or its directory).
  EXPECT_FALSE(Exists(repo.path() + "/.git/sotinc"));
}

TEST(CacheCommand, StatsOfAPopulatedDatabase) {
  TempRepo repo;
  Populate(DefaultDb(repo));
  RunResult r = repo.Run(Sotinc(repo, "cache stats"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("entries:      5 (2 rule results, 3 per-file records)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("durations:    2 rules"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("hit rate 75.0% (3 hits, 1 misses)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("size on disk: "), std::string::npos) << r.out;
}

TEST(CacheCommand, GcRemovesLeastRecentlyUsedFirst) {
  TempRepo repo;
  const std::string db = DefaultDb(repo);
  const std::string value(1000, 'v');  // each entry: 16 + 2 + 1000 bytes
  {
    FakeClockStore s(db);
    ASSERT_TRUE(s.store);
    ResultStore& store = *s.store;
    s.now = 1'000'000;
    ASSERT_TRUE(store.Put(CacheNamespace::kRule, Key('a'), "RA", value).ok());
    s.now = 2'000'000;
    ASSERT_TRUE(store.Put(CacheNamespace::kFile, Key('f'), "RF", value).ok());
    s.now = 3'000'000;
    ASSERT_TRUE(store.Put(CacheNamespace::kRule, Key('b'), "RB", value).ok());
    s.now = 4'000'000;
    ASSERT_TRUE(store.Put(CacheNamespace::kFile, Key('g'), "RG", value).ok());
    // Reading A long after makes it the most recently used.
    s.now = 100'000'000;
    Result<std::optional<std::string>> hit = store.Get(CacheNamespace::kRule, Key('a'));
    ASSERT_TRUE(hit.ok() && hit->has_value());
    ASSERT_TRUE(store.Flush().ok());
  }
  // A limit above the total removes nothing.
  RunResult r = repo.Run(Sotinc(repo, "cache gc --max-size 1MiB"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("removed 0 entries"), std::string::npos) << r.out;

  // Room for two: F (oldest) and B go; G and the re-read A stay.
  r = repo.Run(Sotinc(repo, "cache gc --max-size 2100"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("removed 2 entries (1 rule results, 1 per-file records"), std::string::npos)
      << r.out;
  r = repo.Run(Sotinc(repo, "cache stats"));
  EXPECT_NE(r.out.find("entries:      2 (1 rule results, 1 per-file records)"), std::string::npos)
      << r.out;
  {
    FakeClockStore s(db);
    ASSERT_TRUE(s.store);
    ResultStore& store = *s.store;
    EXPECT_TRUE(store.Get(CacheNamespace::kRule, Key('a'))->has_value());
    EXPECT_FALSE(store.Get(CacheNamespace::kFile, Key('f'))->has_value());
    EXPECT_FALSE(store.Get(CacheNamespace::kRule, Key('b'))->has_value());
    EXPECT_TRUE(store.Get(CacheNamespace::kFile, Key('g'))->has_value());
  }

  // Then G, the older of the two.
  r = repo.Run(Sotinc(repo, "cache gc --max-size 1KiB"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = repo.Run(Sotinc(repo, "cache stats"));
  EXPECT_NE(r.out.find("entries:      1 (1 rule results, 0 per-file records)"), std::string::npos)
      << r.out;
}

// A plain check leaves a run memo (docs/caching.md): stats count it, and a
// gc that evicts results takes it too.
TEST(CacheCommand, RunRecordsAreCountedAndGoWithTheResults) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml",
                 "version: 1\nrules:\n"
                 "  - {id: A, check: {kind: forbid_regex, files: '*.py', pattern: TODO}}\n"
                 "  - {id: B, check: {kind: path_name, files: '*.py', pattern: '^[a-z]+\\.py$'}}\n");
  repo.WriteFile("a.py", "x = 1\n");
  repo.Commit("init");
  ASSERT_EQ(repo.Run(Sotinc(repo, "check")).exit_code, 0);
  RunResult r = repo.Run(Sotinc(repo, "cache stats"));
  EXPECT_NE(r.out.find("per-file records, 1 run record)"), std::string::npos) << r.out;
  r = repo.Run(Sotinc(repo, "cache gc --max-size 1"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("per-file records, 1 run record;"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("kept 0 entries"), std::string::npos) << r.out;
  r = repo.Run(Sotinc(repo, "cache stats"));
  EXPECT_NE(r.out.find("entries:      0 (0 rule results, 0 per-file records)"), std::string::npos)
      << r.out;
}

TEST(CacheCommand, GcNeedsAValidSize) {
  TempRepo repo;
  RunResult r = repo.Run(Sotinc(repo, "cache gc --max-size lots"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--max-size 'lots'"), std::string::npos) << r.err;
  r = repo.Run(Sotinc(repo, "cache gc"));
  EXPECT_EQ(r.exit_code, 2);
}

TEST(CacheCommand, ClearEmptiesTheDatabase) {
  TempRepo repo;
  Populate(DefaultDb(repo));
  RunResult r = repo.Run(Sotinc(repo, "cache clear"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("removed 5 entries"), std::string::npos) << r.out;
  r = repo.Run(Sotinc(repo, "cache stats"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("entries:      0 (0 rule results, 0 per-file records)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("durations:    0 rules"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("last run:     none recorded"), std::string::npos) << r.out;
}

TEST(CacheCommand, CacheDirFromTheEnvironmentAndTheOption) {
  TempRepo repo;
  repo.WriteFile("sub/keep", "");
  Populate(repo.path() + "/../elsewhere/cache.db");
  // SOTINC_CACHE_DIR, relative to where sotinc runs.
  RunResult r = repo.Run("SOTINC_CACHE_DIR=../elsewhere " + Sotinc(repo, "cache stats"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("entries:      5"), std::string::npos) << r.out;
  // --cache-dir, relative to -C, and before or after the subcommand.
  r = repo.Run(Sotinc(repo, "cache stats --cache-dir ../elsewhere"));
  EXPECT_NE(r.out.find("entries:      5"), std::string::npos) << r.out;
  r = repo.Run("'" SOTINC_BINARY "' -C sub cache --cache-dir ../../elsewhere stats");
  EXPECT_NE(r.out.find("entries:      5"), std::string::npos) << r.out;
  // The option wins over the environment.
  r = repo.Run("SOTINC_CACHE_DIR=../elsewhere " + Sotinc(repo, "cache stats --cache-dir nowhere"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("no cache database at " + repo.path() + "/nowhere/cache.db"),
            std::string::npos)
      << r.out;
}

TEST(CacheCommand, LinkedWorktreeUsesTheCommonCache) {
  TempRepo repo;
  repo.Commit("init");
  repo.Git("worktree add -q ../wt");
  Populate(DefaultDb(repo));
  RunResult r = repo.Run("'" SOTINC_BINARY "' -C ../wt cache stats");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("database:     " + DefaultDb(repo)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("entries:      5"), std::string::npos) << r.out;
}

TEST(CacheCommand, ACorruptDatabaseIsMovedAsideWithAWarning) {
  TempRepo repo;
  repo.WriteFile(".git/sotinc/cache.db", std::string(8192, 'G'));
  RunResult r = repo.Run(Sotinc(repo, "cache stats"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("sotinc: warning: the cache database"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("entries:      0"), std::string::npos) << r.out;
  EXPECT_EQ(repo.Run("ls .git/sotinc | grep -c corrupt").out, "1\n");
}

}  // namespace
}  // namespace sotinc

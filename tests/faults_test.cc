// Disk and input faults (issue 6, "Crash safety and faults"), each ending in
// a clear message, the SPEC's exit status, and no wrong entry in the cache:
//
//  - in process, through fault-injecting wrappers of the engine's seams:
//    an I/O error reading an input, a file that vanishes between listing and
//    reading (FakeFileSource::FailReads) with the real SQLite store under
//    the runner; a disk that fills up during a run (the store's
//    max_file_bytes cap: SQLITE_FULL);
//  - end to end, with the real binary, on real file systems mounted in a
//    private mount namespace (`unshare -m`; skipped where not permitted): a
//    full tmpfs as the cache directory, and a read-only one.
//
// A file that changes between listing and reading is covered by
// incremental_test.cc (FileChangedAfterListingIsNotCachedUnderTheListedKey,
// HashedFileChangedAfterHashingIsNotCached); the store's own fault tests
// (disk full, EFBIG, read-only directory, corruption) by store_test.cc.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/result_cache.h"
#include "engine/runner.h"
#include "engine/snapshot.h"
#include "rules/config.h"
#include "store/store.h"
#include "store/store_cache.h"
#include "tests/testing/mem_config_files.h"
#include "tests/testing/fake_file_source.h"
#include "tests/testing/fake_process_runner.h"
#include "tests/testing/outcome.h"
#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

namespace fs = std::filesystem;
using testing::FakeFileSource;
using testing::FakeProcessRunner;
using testing::TempRepo;

using testing::MemConfigFiles;

class FixedClock : public Clock {
 public:
  double NowMs() override { return now_ += 1; }
  double now_ = 0;
};

// One rule's result as text: status, reason and findings.
std::string Show(const RuleResult& r) {
  std::string s = std::string(StatusName(r.status)) + " " + r.reason;
  for (const Finding& f : r.findings) {
    s += " [" + f.path + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + " " +
         f.message + "]";
  }
  return s;
}

std::map<std::string, std::string> ShowAll(const RunReport& report) {
  std::map<std::string, std::string> out;
  for (const RuleResult& r : report.results) out[r.id] = Show(r);
  return out;
}

class FaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sotinc-faults-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    MemConfigFiles files;
    files.files["sotinc.yaml"] = R"(version: 1
rules:
- {id: TODO, check: {kind: forbid_regex, files: '**/*.txt', pattern: TODO}}
- {id: ANY, check: {kind: require_regex, files: '**/*.txt', pattern: zzz, scope: any_file}}
- {id: SIZE, check: {kind: max_size, files: '**', lines: 2}}
- {id: YAML, check: {kind: yaml, files: '*.yaml', require: [id]}}
- {id: UNIQ, depends_on: [YAML], check: {kind: unique, files: '*.yaml', key: id}}
- {id: NAMES, check: {kind: path_name, files: '**', pattern: '^[a-z0-9.]+$'}}
- {id: LINT, check: {kind: command, run: [lint], files: '**/*.txt'}}
- {id: FMT, check: {kind: command, run: [fmt], files: '**/*.txt', per_file: true}}
)";
    ConfigError error;
    Result<Config> loaded = LoadConfig("sotinc.yaml", files, &error);
    ASSERT_TRUE(loaded.ok()) << error.Text();
    config_ = std::make_unique<Config>(std::move(*loaded));
    graph_ = std::make_unique<RuleGraph>(config_->rules);
    AddFiles();
  }
  void AddFiles() {
    source_.Add("a.txt", "alpha TODO\n");
    source_.Add("b.txt", "beta\n");
    source_.Add("sub/c.txt", "gamma\nmore\nlines\n");
    source_.Add("one.yaml", "id: 1\n");
    source_.Add("two.yaml", "id: 1\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  RunReport Run(ResultCache* cache, bool read_cache = true) {
    Result<Snapshot> snapshot = Snapshot::Build(source_, config_->ignore_globs);
    EXPECT_TRUE(snapshot.ok());
    RunRequest request;
    for (const Rule* r : graph_->rules()) request.rules.push_back(r);
    request.settings = config_->settings;
    request.workdir = "/repo";
    request.cache = cache;
    request.read_cache = read_cache;
    Runner runner(graph_.get(), &source_, &processes_, &clock_);
    RunReport report = runner.Run(*snapshot, request);
    ran_ = runner.counters().ran;
    return report;
  }
  std::map<std::string, std::string> Fresh() { return ShowAll(Run(nullptr)); }

  std::unique_ptr<ResultStore> OpenStore(int64_t max_bytes = 0) {
    StoreOptions options;
    options.max_file_bytes = max_bytes;
    auto store = ResultStore::Open((dir_ / "cache.db").string(), options);
    EXPECT_TRUE(store.ok()) << store.error();
    return store.ok() ? std::move(*store) : nullptr;
  }
  std::vector<std::string> StoredRules(ResultStore* store) {
    std::vector<std::string> ids;
    EXPECT_TRUE(store
                    ->ForEachRuleEntry([&](const StoredEntry& e) {
                      EXPECT_TRUE(e.checksum_ok) << e.rule_id;
                      ids.push_back(e.rule_id);
                      return true;
                    })
                    .ok());
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  fs::path dir_;
  std::unique_ptr<Config> config_;
  std::unique_ptr<RuleGraph> graph_;
  FakeFileSource source_;
  FakeProcessRunner processes_;
  FixedClock clock_;
  std::vector<std::string> ran_;
};

// An input that cannot be read (EIO), or that vanished after the listing
// (ENOENT): every rule that reads it ends `error` with the file and the
// cause in its reason, nothing is cached for those rules (SPEC 4: error
// results are never cached), the others are cached, and once the file is
// readable again the next run gives the fresh results.
TEST_F(FaultsTest, UnreadableOrVanishedInputIsAnUncachedError) {
  for (const char* cause : {"Input/output error", "No such file or directory"}) {
    SCOPED_TRACE(cause);
    fs::remove_all(dir_ / "cache.db");
    fs::remove_all(dir_ / "cache.db-wal");
    fs::remove_all(dir_ / "cache.db-shm");
    source_.FailReads("b.txt", std::string("cannot read b.txt: ") + cause);
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    std::map<std::string, std::string> got;
    {
      StoreCache cache(store.get());
      got = ShowAll(Run(&cache));
      EXPECT_EQ(cache.warnings(), std::vector<std::string>{});
    }
    // The rules that read b.txt (ANY reads every file looking for a
    // match) end `error`, naming the file and the cause.
    for (const char* id : {"TODO", "SIZE", "ANY"}) {
      EXPECT_EQ(got[id].rfind("error ", 0), 0u) << id << ": " << got[id];
      EXPECT_NE(got[id].find("b.txt"), std::string::npos) << got[id];
      EXPECT_NE(got[id].find(cause), std::string::npos) << got[id];
    }
    // Exactly the rules that did not error are cached.
    std::vector<std::string> stored = StoredRules(store.get());
    for (const auto& [id, shown] : got) {
      const bool error = shown.rfind("error ", 0) == 0;
      // (A rule's result and the manifest --explain keeps beside it.)
      EXPECT_EQ(std::count(stored.begin(), stored.end(), id) > 0, !error) << id << ": " << shown;
    }
    // Readable again: the next run reruns what errored, and is right.
    source_ = FakeFileSource();
    AddFiles();
    StoreCache cache(store.get());
    EXPECT_EQ(ShowAll(Run(&cache)), Fresh());
  }
}

// The disk fills up during a run (SQLITE_FULL from the store's size cap):
// the run's results are still right, the cache says why it stopped writing,
// and what it holds afterwards gives right results, never a wrong hit.
TEST_F(FaultsTest, DiskFullDuringARunLeavesNoWrongEntry) {
  // Findings big enough to fill a small database: a 300-line file where
  // every line is a TODO.
  std::string many;
  for (int i = 0; i < 3000; ++i)
    many += "TODO line " + std::to_string(i) + " " + std::string(40, 'x') + "\n";
  source_.Add("big.txt", many);
  auto empty = OpenStore();
  ASSERT_NE(empty, nullptr);
  const int64_t size = fs::file_size(dir_ / "cache.db");
  empty.reset();
  auto store = OpenStore(size + 16 * 1024);  // room for a few pages only
  ASSERT_NE(store, nullptr);
  const std::map<std::string, std::string> fresh = Fresh();
  {
    StoreCache cache(store.get());
    EXPECT_EQ(ShowAll(Run(&cache)), fresh);
    ASSERT_FALSE(cache.warnings().empty()) << "the disk never filled up";
    EXPECT_NE(cache.warnings()[0].find("disk full (SQLITE_FULL)"), std::string::npos)
        << cache.warnings()[0];
    EXPECT_NE(cache.warnings()[0].find("results were not cached"), std::string::npos);
  }
  store.reset();
  // Room again: what is in the cache is right, and the run completes it.
  store = OpenStore();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 2; ++i) {
    StoreCache cache(store.get());
    EXPECT_EQ(ShowAll(Run(&cache)), fresh);
    EXPECT_EQ(cache.warnings(), std::vector<std::string>{});
  }
  EXPECT_EQ(ran_, std::vector<std::string>{}) << "the second run should be all cached";
}

// ---- End to end: real file systems ---------------------------------------------

const char kConfig[] =
    "version: 1\n"
    "rules:\n"
    "  - id: TODO\n"
    "    check: {kind: forbid_regex, files: '**/*.txt', pattern: TODO}\n"
    "  - id: SIZE\n"
    "    check: {kind: max_size, files: '**', lines: 3}\n"
    "  - id: CMD\n"
    "    check: {kind: command, files: '**/*.txt', per_file: true,\n"
    "            run: 'grep -n x \"$1\" | sed \"s|^|$1:|\"'}\n";

void MakeRepo(TempRepo& repo) {
  repo.WriteFile("sotinc.yaml", kConfig);
  for (int i = 0; i < 18; ++i) {
    std::string body;
    for (int l = 0; l < 200; ++l) body += (l % 3 ? "x TODO " : "y ") + std::to_string(l) + "\n";
    repo.WriteFile("d" + std::to_string(i % 6) + "/f" + std::to_string(i) + ".txt", body);
  }
  repo.Commit("files");
}

// Runs `sotinc check --format json` with --cache-dir MOUNT, where MOUNT is
// `mount_cmd` (run in a private mount namespace first). Returns false when
// mount namespaces are not permitted here.
bool RunInMount(TempRepo& repo, const std::string& mount, const std::string& mount_cmd,
                testing::RunResult* out) {
  fs::create_directories(mount);
  testing::RunResult probe = repo.Run("unshare -m true");
  if (probe.exit_code != 0) return false;
  *out = repo.Run("unshare -m sh -c " +
                  testing::Quote(mount_cmd + " || exit 99; " +
                                 testing::Sotinc(repo, "check --format json --cache-dir " +
                                                           testing::Quote(mount))));
  return out->exit_code != 99;
}

TEST(FaultsE2E, FullDiskUnderTheCacheRunsOnUncachedAndSaysSo) {
  TempRepo repo;
  MakeRepo(repo);
  testing::Outcome fresh = testing::Fresh(repo);
  ASSERT_TRUE(fresh.parsed);
  const std::string mount = testing::Outside(repo) + "/full";
  // 64 KiB holds the empty database, not the results.
  for (const char* size : {"64k", "8k"}) {
    SCOPED_TRACE(size);
    testing::RunResult r;
    if (!RunInMount(
            repo, mount,
            std::string("mount -t tmpfs -o size=") + size + " tmpfs " + testing::Quote(mount),
            &r)) {
      GTEST_SKIP() << "cannot mount a tmpfs here (needs a mount namespace): " << r.err;
    }
    testing::Outcome got = testing::ParseOutcome(r.exit_code, r.out, r.err);
    EXPECT_EQ(got.Canonical(), fresh.Canonical());
    EXPECT_NE(r.err.find("warning: "), std::string::npos) << r.err;
    EXPECT_TRUE(r.err.find("SQLITE_FULL") != std::string::npos ||
                r.err.find("No space left on device") != std::string::npos ||
                r.err.find("disk") != std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(mount), std::string::npos) << "the message names the cache: " << r.err;
  }
}

TEST(FaultsE2E, ReadOnlyCacheDirectoryRunsUncachedAndSaysSo) {
  TempRepo repo;
  MakeRepo(repo);
  testing::Outcome fresh = testing::Fresh(repo);
  ASSERT_TRUE(fresh.parsed);
  const std::string mount = testing::Outside(repo) + "/ro";
  // Empty, and with a healthy cache made while it was writable.
  for (bool warm : {false, true}) {
    SCOPED_TRACE(warm ? "existing cache" : "empty directory");
    if (warm) {
      testing::Outcome fill = testing::Check(repo, "--cache-dir " + testing::Quote(mount));
      ASSERT_EQ(fill.Canonical(), fresh.Canonical());
      // A change, so that the read-only run has results to write. (A run
      // that only reads its cache works on a read-only one, silently.)
      repo.WriteFile("d0/f0.txt", "x TODO changed\n");
      fresh = testing::Fresh(repo);
    }
    testing::RunResult r;
    if (!RunInMount(repo, mount,
                    "mount --bind " + testing::Quote(mount) + " " + testing::Quote(mount) +
                        " && mount -o remount,bind,ro " + testing::Quote(mount),
                    &r)) {
      GTEST_SKIP() << "cannot remount read-only here (needs a mount namespace): " << r.err;
    }
    testing::Outcome got = testing::ParseOutcome(r.exit_code, r.out, r.err);
    EXPECT_EQ(got.Canonical(), fresh.Canonical());
    EXPECT_NE(r.err.find("warning: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(mount), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace sotinc

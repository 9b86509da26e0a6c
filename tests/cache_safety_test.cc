// Safety of the cache and of `--staged`, end to end with the real binary
// (SOTINC_BINARY) on temporary git repositories (issue 3, "Tests that must
// exist"):
//
//  - `check --staged` never writes the user's state: the working tree
//    (contents and mtimes), `.git/index` and `git stash list` are
//    byte-identical afterwards, also when the run is killed while a command
//    rule runs (SIGKILL, SIGTERM, SIGINT);
//  - two concurrent `check` runs on one repository both give the results of
//    a fresh `--no-cache` run;
//  - a garbage or truncated database is moved aside with a warning, the run
//    is still right, and the next run uses the rebuilt cache;
//  - a cache directory that cannot be created: a warning, "running
//    uncached", and the right results;
//  - `cache verify` passes on deterministic rules and catches a rule that
//    is not deterministic or reads a file it does not declare.
//
// "The right results" always means: equal (status, reason, findings per
// rule, and the exit status) to `check --no-cache` with a cache directory of
// its own.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/outcome.h"
#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

namespace fs = std::filesystem;
using testing::Check;
using testing::Fresh;
using testing::Outcome;
using testing::Outside;
using testing::Quote;
using testing::RunResult;
using testing::Sotinc;
using testing::TempRepo;
using testing::UserState;
constexpr auto Parse = &testing::ParseOutcome;

// A repository with a commit, a stash entry, and staged, unstaged (also
// partly staged) and untracked changes, plus a deletion.
void MakeBusyRepo(TempRepo& repo, const std::string& config) {
  repo.WriteFile("sotinc.yaml", config);
  repo.WriteFile("src/a.txt", "alpha\n");
  repo.WriteFile("src/b.txt", "beta\n");
  repo.WriteFile("src/c.txt", "gamma\n");
  repo.WriteFile("docs/readme.md", "# readme\n");
  repo.Commit("first");
  repo.WriteFile("src/c.txt", "gamma, stashed\n");
  repo.Git("stash push -q -m 'user work'");
  repo.WriteFile("src/a.txt", "alpha TODO staged\n");  // staged...
  repo.Stage("src/a.txt");
  repo.WriteFile("src/a.txt", "alpha, unstaged on top\n");  // ...and more, unstaged
  repo.WriteFile("src/new.txt", "new and staged\n");
  repo.Stage("src/new.txt");
  repo.WriteFile("src/b.txt", "beta, unstaged only\n");
  repo.WriteFile("src/untracked.txt", "untracked TODO\n");
  repo.RemoveFile("docs/readme.md");  // deleted in the working tree only
}

const char kStagedConfig[] =
    "version: 1\n"
    "rules:\n"
    "  - id: NOTODO\n"
    "    check: {kind: forbid_regex, files: 'src/**', pattern: 'TODO'}\n"
    "  - id: CMD\n"
    "    depends_on: [SIZE]\n"
    "    check: {kind: command, files: 'src/*.txt', run: 'cat \"$@\" >/dev/null && ls "
    ">/dev/null'}\n"
    "  - id: PERFILE\n"
    "    check: {kind: command, files: 'src/*.txt', per_file: true, run: 'test -s \"$1\"'}\n"
    "  - id: SIZE\n"
    "    check: {kind: max_size, files: 'src/*.txt', bytes: 1KiB}\n";

TEST(CacheSafety, StagedLeavesTheUserStateAlone) {
  TempRepo repo;
  MakeBusyRepo(repo, kStagedConfig);
  UserState before = testing::CaptureUserState(repo);
  ASSERT_FALSE(before.stash.empty());
  // Cold cache, warm cache, and --no-cache.
  for (const char* args : {"--staged", "--staged", "--staged --no-cache"}) {
    Outcome o = Check(repo, args);
    ASSERT_TRUE(o.parsed) << args;
    // The staged content of src/a.txt has a TODO: the index was checked.
    EXPECT_NE(o.rules["NOTODO"].find("src/a.txt"), std::string::npos) << o.rules["NOTODO"];
    EXPECT_EQ(o.rules["NOTODO"].find("untracked"), std::string::npos) << o.rules["NOTODO"];
    EXPECT_EQ(o.rules["CMD"].rfind("pass", 0), 0u) << o.rules["CMD"] << o.err;
    UserState after = testing::CaptureUserState(repo);
    EXPECT_EQ(after, before) << args << "\nbefore:\n" << before << "after:\n" << after;
  }
}

bool HasRunDir(const std::string& tmpdir) { return testing::RunDirLeftIn(tmpdir); }

// Kills `check --staged` while its command rule (in a temporary copy of
// the staged files) sleeps. On SIGINT and SIGTERM sotinc stops its workers,
// removes that temporary directory and exits 130; after a SIGKILL the
// directory's janitor (engine/materialize.h) removes it. Whatever the
// signal, the user's files, index and stash are untouched.
TEST(CacheSafety, StagedKilledMidRunLeavesTheUserStateAlone) {
  TempRepo repo;
  MakeBusyRepo(repo, std::string(kStagedConfig) +
                         "  - id: SLOW\n"
                         "    check: {kind: command, files: 'src/*.txt', run: 'sleep 3152'}\n");
  std::string tmpdir = Outside(repo) + "/tmp";
  fs::create_directories(tmpdir);
  UserState before = testing::CaptureUserState(repo);
  for (int sig : {SIGKILL, SIGTERM, SIGINT}) {
    SCOPED_TRACE(strsignal(sig));
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(tmpdir, ec)) fs::remove_all(e.path(), ec);
    pid_t pid =
        testing::StartSotinc(repo, {"check", "--staged", "--no-cache", "--rule", "SLOW"}, tmpdir);
    ASSERT_GT(pid, 0);
    // Wait for the command's temporary tree (at most 10 s), then let it
    // run a little.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!HasRunDir(tmpdir) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(HasRunDir(tmpdir)) << "the command rule never started";
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    kill(pid, sig);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (sig == SIGKILL) {
      EXPECT_TRUE(WIFSIGNALED(status)) << "status " << status;
      // Nothing can stop a SIGKILL: the shell's sleep outlives it. The
      // temporary tree does not.
      testing::KillProcessesWith("sleep 3152");
      EXPECT_FALSE(testing::RunDirLeftIn(tmpdir, 3000))
          << "the run's temporary directory was left behind";
    } else {
      // Handled: the workers and the command are stopped, the temporary
      // tree removed, and sotinc exits 130.
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 130) << "status " << status;
      EXPECT_FALSE(HasRunDir(tmpdir)) << "the run's temporary directory was left behind";
      EXPECT_EQ(testing::ProcessesLeftWith("sleep 3152"), std::vector<std::string>{})
          << "the command was left running";
    }
    UserState after = testing::CaptureUserState(repo);
    EXPECT_EQ(after, before) << "before:\n" << before << "after:\n" << after;
  }
  // After all that, a full staged run still works.
  Outcome o = Check(repo, "--staged --rule CMD");
  EXPECT_TRUE(o.parsed);
  EXPECT_EQ(testing::CaptureUserState(repo), before);
}

// --- Concurrency ----------------------------------------------------------------

const char kRulesConfig[] =
    "version: 1\n"
    "rules:\n"
    "  - id: NOTODO\n"
    "    check: {kind: forbid_regex, files: '**/*.txt', pattern: 'TODO'}\n"
    "  - id: README\n"
    "    check: {kind: required_files, dirs: 'pkg*', files: [README.md]}\n"
    "  - id: SIZE\n"
    "    check: {kind: max_size, files: '**/*.txt', lines: 3}\n"
    "  - id: WC\n"
    "    depends_on: [README]\n"
    "    check: {kind: command, files: '**/*.txt', run: 'cat \"$@\" | grep -c x | sed "
    "\"s/^/x.txt:1: /\"'}\n"
    "  - id: EACH\n"
    "    check: {kind: command, files: 'pkg[01]/*.txt', per_file: true,\n"
    "            run: 'grep -q BAD \"$1\" && echo \"$1:1: bad\"; true'}\n";

void MakeRuleRepo(TempRepo& repo, int files) {
  repo.WriteFile("sotinc.yaml", kRulesConfig);
  for (int i = 0; i < files; ++i) {
    std::string dir = "pkg" + std::to_string(i % 4);
    repo.WriteFile(dir + "/f" + std::to_string(i) + ".txt",
                   i % 7 == 0 ? "x TODO\n" : (i % 5 == 0 ? "BAD\nx\n" : "x\n"));
  }
  for (int i = 0; i < 3; ++i) repo.WriteFile("pkg" + std::to_string(i) + "/README.md", "hi\n");
  repo.Commit("rules");
}

TEST(CacheSafety, FourConcurrentRunsAllRight) {
  constexpr int kRuns = 4;
  TempRepo repo;
  MakeRuleRepo(repo, 24);
  std::string out = Outside(repo);
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    // Vary the start: an empty cache (all create it), a warm one, a
    // partly stale one.
    if (round == 0 || round == 3 || round == 5) fs::remove_all(repo.path() + "/.git/sotinc");
    if (round == 2) repo.WriteFile("pkg1/f1.txt", "x\nTODO now\nBAD\n");
    if (round == 4) repo.WriteFile("pkg3/README.md", "changed\n");
    if (round == 4) repo.RemoveFile("pkg2/README.md");
    Outcome expected = Fresh(repo);
    ASSERT_TRUE(expected.parsed);
    std::string cmd;
    for (int i = 1; i <= kRuns; ++i) {
      std::string n = std::to_string(i);
      cmd += Sotinc(repo, "check --format json") + " >" + Quote(out + "/out" + n) + " 2>" +
             Quote(out + "/err" + n) + " & p" + n + "=$!; ";
    }
    for (int i = 1; i <= kRuns; ++i) {
      std::string n = std::to_string(i);
      cmd += "wait $p" + n + "; echo $? >" + Quote(out + "/rc" + n) + "; ";
    }
    RunResult r = repo.Run(cmd);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (int i = 1; i <= kRuns; ++i) {
      std::string n = std::to_string(i);
      Outcome got =
          Parse(std::stoi(testing::ReadWholeFile(out + "/rc" + n)),
                testing::ReadWholeFile(out + "/out" + n), testing::ReadWholeFile(out + "/err" + n));
      EXPECT_EQ(got.Canonical(), expected.Canonical()) << "run " << n << " stderr:\n" << got.err;
      EXPECT_EQ(got.err, "") << "run " << n;
    }
  }
  // And the cache they filled together is right and complete.
  Outcome warm = Check(repo);
  EXPECT_EQ(warm.Canonical(), Fresh(repo).Canonical());
  EXPECT_EQ(warm.ran, 0);
}

// --- Damaged database ---------------------------------------------------------------

void ExpectMovedAsideAndRebuilt(TempRepo& repo, const Outcome& expected) {
  std::string db = repo.path() + "/.git/sotinc/cache.db";
  Outcome damaged = Check(repo);
  EXPECT_EQ(damaged.Canonical(), expected.Canonical());
  EXPECT_NE(damaged.err.find("moved it to " + db + ".corrupt-"), std::string::npos) << damaged.err;
  bool aside = false;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(repo.path() + "/.git/sotinc", ec)) {
    if (e.path().filename().string().rfind("cache.db.corrupt-", 0) == 0) aside = true;
  }
  EXPECT_TRUE(aside) << "the damaged file was not kept beside the new one";
  Outcome next = Check(repo);
  EXPECT_EQ(next.Canonical(), expected.Canonical());
  EXPECT_EQ(next.err, "");
  EXPECT_GT(next.cached, 0) << "the rebuilt cache was not used";
  EXPECT_EQ(next.ran, 0);
}

TEST(CacheSafety, GarbageDatabaseIsMovedAsideAndRebuilt) {
  TempRepo repo;
  MakeRuleRepo(repo, 12);
  Outcome expected = Fresh(repo);
  ASSERT_TRUE(expected.parsed);
  fs::create_directories(repo.path() + "/.git/sotinc");
  std::string garbage;
  for (int i = 0; i < 512; ++i) garbage += "this is not a database\n";
  testing::WriteWholeFile(repo.path() + "/.git/sotinc/cache.db", garbage);
  ExpectMovedAsideAndRebuilt(repo, expected);
}

TEST(CacheSafety, TruncatedDatabaseIsMovedAsideAndRebuilt) {
  TempRepo repo;
  MakeRuleRepo(repo, 12);
  Outcome expected = Fresh(repo);
  ASSERT_TRUE(expected.parsed);
  std::string db = repo.path() + "/.git/sotinc/cache.db";
  // Cut inside the 100-byte header, and after half of the pages.
  for (bool half : {false, true}) {
    SCOPED_TRACE(half ? "half the pages" : "inside the header");
    fs::remove_all(repo.path() + "/.git/sotinc");
    Outcome first = Check(repo);
    EXPECT_EQ(first.Canonical(), expected.Canonical());
    ASSERT_FALSE(fs::exists(db + "-wal") && fs::file_size(db + "-wal") > 0)
        << "the run left a write-ahead log: the database file alone is not the cache";
    std::string bytes = testing::ReadWholeFile(db);
    ASSERT_GE(bytes.size(), 8192u);
    testing::WriteWholeFile(db, bytes.substr(0, half ? bytes.size() / 2 / 4096 * 4096 : 60));
    ExpectMovedAsideAndRebuilt(repo, expected);
  }
}

// --- Unusable cache directory ----------------------------------------------------------

TEST(CacheSafety, UncreatableCacheDirectoryRunsUncached) {
  TempRepo repo;
  MakeRuleRepo(repo, 12);
  Outcome expected = Fresh(repo);
  ASSERT_TRUE(expected.parsed);
  // Tests may run as root, which ignores permissions: a directory under a
  // regular file cannot be created by anyone.
  std::string blocker = Outside(repo) + "/blocker";
  testing::WriteWholeFile(blocker, "a regular file\n");
  for (const std::string& how : {"--cache-dir " + Quote(blocker + "/cache"),
                                 "--cache-dir " + Quote(blocker), std::string()}) {
    SCOPED_TRACE(how.empty() ? "SOTINC_CACHE_DIR" : how);
    std::string cmd = Sotinc(repo, "check --format json " + how);
    if (how.empty()) cmd = "SOTINC_CACHE_DIR=" + Quote(blocker + "/sub") + " " + cmd;
    RunResult r = repo.Run(cmd);
    Outcome got = Parse(r.exit_code, r.out, r.err);
    EXPECT_EQ(got.Canonical(), expected.Canonical());
    EXPECT_NE(r.err.find("warning: running uncached"), std::string::npos) << r.err;
    EXPECT_EQ(got.cached, 0);
  }
  EXPECT_EQ(testing::ReadWholeFile(blocker), "a regular file\n");
}

// --- cache verify ------------------------------------------------------------------------

TEST(CacheVerify, NoDatabase) {
  TempRepo repo;
  MakeRuleRepo(repo, 4);
  RunResult r = repo.Run(Sotinc(repo, "cache verify"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nothing to verify"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(repo.path() + "/.git/sotinc"));
}

TEST(CacheVerify, DeterministicRulesAllMatch) {
  TempRepo repo;
  MakeRuleRepo(repo, 12);
  RunResult r = repo.Run(Sotinc(repo, "cache verify"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Outcome first = Check(repo);
  ASSERT_TRUE(first.parsed);
  repo.WriteFile("pkg0/f0.txt", "x BAD\n");  // EACH is then cached per file only
  r = repo.Run(Sotinc(repo, "cache verify"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("verified 4 cached results: all match"), std::string::npos) << r.out;
  r = repo.Run(Sotinc(repo, "cache verify --sample 2"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("verified 2 cached results (a sample of 4): all match"), std::string::npos)
      << r.out;
  std::string sample = r.out;
  EXPECT_EQ(repo.Run(Sotinc(repo, "cache verify --sample 2")).out, sample) << "not deterministic";
  EXPECT_EQ(repo.Run(Sotinc(repo, "cache verify --sample 0")).exit_code, 2);
  // verify wrote nothing: the change is still a miss for the rules it touches.
  Outcome after = Check(repo);
  EXPECT_GT(after.ran, 0);
  EXPECT_EQ(after.Canonical(), Fresh(repo).Canonical());
}

TEST(CacheVerify, NonDeterministicRuleDiffers) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml",
                 "version: 1\n"
                 "rules:\n"
                 "  - id: CLOCK\n"
                 "    check: {kind: command, run: 'echo \"clock.txt:1: now $(date +%s%N)\"'}\n"
                 "  - id: STEADY\n"
                 "    check: {kind: forbid_regex, files: '*.txt', pattern: 'TODO'}\n");
  repo.WriteFile("clock.txt", "tick\n");
  repo.Commit("clock");
  Outcome first = Check(repo);
  ASSERT_TRUE(first.parsed);
  EXPECT_EQ(first.rules["CLOCK"].rfind("fail", 0), 0u) << first.rules["CLOCK"];
  RunResult r = repo.Run(Sotinc(repo, "cache verify"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("CLOCK: differs from a fresh run: 1 finding only in the cached result"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("STEADY"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verified 2 cached results: 1 differ"), std::string::npos) << r.out;
}

TEST(CacheVerify, UndeclaredInputDiffers) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml",
                 "version: 1\n"
                 "rules:\n"
                 "  - id: SNEAKY\n"
                 "    check: {kind: command, files: a.txt,\n"
                 "            run: 'grep -q ok b.txt || echo \"a.txt:1: b.txt is not ok\"'}\n");
  repo.WriteFile("a.txt", "a\n");
  repo.WriteFile("b.txt", "ok\n");
  repo.Commit("sneaky");
  EXPECT_EQ(Check(repo).rules["SNEAKY"].rfind("pass", 0), 0u);
  repo.WriteFile("b.txt", "bad\n");  // not an input of SNEAKY: its cached pass is stale
  EXPECT_EQ(Check(repo).rules["SNEAKY"].rfind("pass", 0), 0u);
  RunResult r = repo.Run(Sotinc(repo, "cache verify"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("SNEAKY: differs from a fresh run: cached pass, fresh fail; 1 finding only "
                       "in a fresh run, first: \"a.txt:1: b.txt is not ok\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("verified 1 cached result: 1 differ"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace sotinc

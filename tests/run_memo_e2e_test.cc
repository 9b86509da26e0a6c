// The no-op shortcut through the real binary (engine/run_memo.h): a check
// with nothing changed replays the last complete run, and every change
// that can change a result makes the next check a real one again.
#include <gtest/gtest.h>
#include <re2/re2.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <fstream>
#include <sstream>

#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

using testing::RunResult;
using testing::Sotinc;
using testing::TempRepo;

const char* kConfig =
    "version: 1\n"
    "include: [rules/*.yaml]\n"
    "rules:\n"
    "  - {id: A, check: {kind: forbid_regex, files: '**/*.py', pattern: 'TODO'}}\n"
    "  - {id: B, depends_on: [A], check: {kind: max_size, files: '**/*.py', lines: 3}}\n";
const char* kIncluded =
    "rules:\n"
    "  - {id: C, title: Lower-case modules, check: {kind: path_name, files: '**/*.py', "
    "pattern: '^[a-z]+\\.py$'}}\n";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The report without what differs between two runs with equal results:
// durations, and whether a result came from the cache.
std::string Normalized(std::string json) {
  RE2::GlobalReplace(&json, R"re("duration_ms": [0-9.e+-]+)re", "\"duration_ms\": _");
  RE2::GlobalReplace(&json, R"re("(cached|ran)": [a-z0-9]+)re", "\"\\1\": _");
  return json;
}

struct Check {
  RunResult run;
  bool replayed = false;     // the trace shows the replay phase
  bool loaded_config = false;  // the trace shows the config being loaded
  int jobs = 0;              // jobs the trace shows
};

Check RunCheck(TempRepo& repo, const std::string& args = "") {
  std::string trace = repo.path() + "/../trace.json";
  Check c;
  c.run = repo.Run(Sotinc(repo, "check --format json --trace '" + trace + "' " + args));
  std::string t = ReadAll(trace);
  c.replayed = t.find("\"replay the last run (nothing changed)\"") != std::string::npos;
  c.loaded_config = t.find("\"load the config\"") != std::string::npos;
  for (size_t at = t.find("\"cat\": \"job\""); at != std::string::npos;
       at = t.find("\"cat\": \"job\"", at + 1)) {
    ++c.jobs;
  }
  return c;
}

// What a run from scratch says now.
std::string Fresh(TempRepo& repo) {
  RunResult r = repo.Run(Sotinc(repo, "check --format json --no-cache"));
  return Normalized(r.out);
}

class RunMemoE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.WriteFile("sotinc.yaml", kConfig);
    repo_.WriteFile("rules/names.yaml", kIncluded);
    repo_.WriteFile("src/a.py", "x = 1\n");
    repo_.WriteFile("src/Bad.py", "y = 2  # TODO\n");
    repo_.Commit("init");
    Check first = RunCheck(repo_);
    ASSERT_EQ(first.run.exit_code, 1) << first.run.err;  // A and C fail, B is skipped
    ASSERT_FALSE(first.replayed);
    ASSERT_TRUE(first.loaded_config);
    Check second = RunCheck(repo_);
    ASSERT_TRUE(second.replayed) << second.run.err;
  }

  // The next check is a real one (config loaded), says what a fresh run
  // says, and the check after it is a replay saying the same.
  void ExpectRunsAgain(const std::string& what) {
    SCOPED_TRACE(what);
    Check again = RunCheck(repo_);
    EXPECT_FALSE(again.replayed);
    EXPECT_TRUE(again.loaded_config);
    EXPECT_EQ(Normalized(again.run.out), Fresh(repo_)) << again.run.err;
    Check replay = RunCheck(repo_);
    EXPECT_TRUE(replay.replayed);
    EXPECT_EQ(replay.run.exit_code, again.run.exit_code);
    EXPECT_EQ(Normalized(replay.run.out), Normalized(again.run.out));
  }

  TempRepo repo_;
};

TEST_F(RunMemoE2E, ANoOpReplaysTheLastRunWithoutLoadingTheRules) {
  Check warm = RunCheck(repo_);
  EXPECT_TRUE(warm.replayed);
  EXPECT_FALSE(warm.loaded_config);
  EXPECT_EQ(warm.jobs, 0);
  EXPECT_EQ(warm.run.exit_code, 1);
  EXPECT_EQ(Normalized(warm.run.out), Fresh(repo_));
  // Exactly what a warm run without the memo reports: cache hits for A and
  // C, B skipped behind A, nothing ran.
  EXPECT_NE(warm.run.out.find("\"cached\": 2, \"ran\": 0"), std::string::npos) << warm.run.out;
  EXPECT_NE(warm.run.out.find("{\"id\": \"A\", \"status\": \"fail\", \"severity\": \"error\", "
                              "\"cached\": true"),
            std::string::npos)
      << warm.run.out;
  EXPECT_NE(warm.run.out.find("\"reason\": \"prerequisite A did not pass (fail)\""),
            std::string::npos)
      << warm.run.out;
  // The other formats need the rules' descriptions: the memo has them.
  RunResult text = repo_.Run(Sotinc(repo_, "check"));
  EXPECT_NE(text.out.find("Lower-case modules"), std::string::npos) << text.out;
  RunResult sarif = repo_.Run(Sotinc(repo_, "check --format sarif"));
  EXPECT_NE(sarif.out.find("\"id\": \"C\""), std::string::npos) << sarif.out;
  EXPECT_EQ(repo_.Run(Sotinc(repo_, "check --fail-on warning -q")).exit_code, 1);
}

TEST_F(RunMemoE2E, EditingATrackedFileRunsAgain) {
  repo_.WriteFile("src/a.py", "x = 3  # TODO\n");
  ExpectRunsAgain("modified");
  repo_.Stage("src/a.py");
  ExpectRunsAgain("staged");
  repo_.Commit("fix");
  // Committing changes no file the rules see: the replay stands.
  Check committed = RunCheck(repo_);
  EXPECT_TRUE(committed.replayed);
  EXPECT_EQ(Normalized(committed.run.out), Fresh(repo_));
}

TEST_F(RunMemoE2E, UntrackedFilesCountToo) {
  repo_.WriteFile("src/new.py", "z = 1\n");
  ExpectRunsAgain("added");
  // Same size, new content: only the stat data tells.
  repo_.WriteFile("src/new.py", "z = 2  # TODO\nq = 1\nr = 2\ns = 3\n");
  ExpectRunsAgain("rewritten");
  repo_.RemoveFile("src/new.py");
  ExpectRunsAgain("removed");
  repo_.RemoveFile("src/Bad.py");
  ExpectRunsAgain("tracked file removed");
}

TEST_F(RunMemoE2E, EveryConfigFileCounts) {
  // Even a title: reports show it.
  repo_.WriteFile("rules/names.yaml", std::string(kIncluded).replace(
                                          std::string(kIncluded).find("Lower-case"), 10, "Small"));
  ExpectRunsAgain("included file edited");
  repo_.WriteFile("rules/more.yaml",
                  "rules:\n  - {id: D, check: {kind: max_size, files: '**', bytes: 5}}\n");
  ExpectRunsAgain("included file added");
  repo_.WriteFile("sotinc.yaml", std::string(kConfig) + "# a comment\n");
  ExpectRunsAgain("main config edited");
}

TEST_F(RunMemoE2E, EachSelectionHasItsOwnMemo) {
  Check only_c = RunCheck(repo_, "--rule C");
  EXPECT_FALSE(only_c.replayed);
  EXPECT_EQ(only_c.run.out.find("\"id\": \"A\""), std::string::npos) << only_c.run.out;
  Check again = RunCheck(repo_, "--rule C");
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(Normalized(again.run.out), Normalized(only_c.run.out));
  Check all = RunCheck(repo_);
  EXPECT_TRUE(all.replayed);
  EXPECT_NE(all.run.out.find("\"id\": \"A\""), std::string::npos);
}

TEST_F(RunMemoE2E, NoCacheAndExplainNeverReplay) {
  Check fresh = RunCheck(repo_, "--no-cache");
  EXPECT_FALSE(fresh.replayed);
  EXPECT_GT(fresh.jobs, 0);
  Check explained = RunCheck(repo_, "--explain");
  EXPECT_FALSE(explained.replayed);
  EXPECT_TRUE(explained.loaded_config);
}

TEST(RunMemoErrors, ARunWithAnErrorIsNotMemoized) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml",
                 "version: 1\n"
                 "rules:\n"
                 "  - {id: OK, check: {kind: max_size, files: '*.txt', bytes: 100}}\n"
                 "  - {id: SLOW, timeout: 200ms, check: {kind: command,\n"
                 "      run: 'echo ran >> ../slow.log; sleep 5'}}\n");
  repo.WriteFile("a.txt", "a\n");
  repo.Commit("init");
  for (int i = 1; i <= 2; ++i) {
    Check c = RunCheck(repo);
    EXPECT_FALSE(c.replayed) << "run " << i;
    EXPECT_NE(c.run.out.find("\"id\": \"SLOW\", \"status\": \"error\""), std::string::npos)
        << c.run.out;
  }
  EXPECT_EQ(ReadAll(repo.path() + "/../slow.log"), "ran\nran\n");
}

TEST(RunMemoPipe, AConfigFromAPipeIsReadOnceAndNeverMemoized) {
  // `--config <(envsubst < t.yaml)`: a pipe can be read once; comparing it
  // with a memo would drain it, and loading it then would wait forever for
  // a writer (hence the timeout).
  TempRepo repo;
  repo.WriteFile("../one.yaml",
                 "version: 1\nrules:\n"
                 "  - {id: A, check: {kind: forbid_regex, files: '*.py', pattern: TODO}}\n");
  repo.WriteFile("../two.yaml",
                 "version: 1\nrules:\n"
                 "  - {id: A, check: {kind: forbid_regex, files: '*.py', pattern: TODO}}\n"
                 "  - {id: B, check: {kind: max_size, files: '*.py', bytes: 100}}\n");
  repo.WriteFile("a.py", "x = 1\n");
  repo.Commit("init");
  for (const char* config : {"one", "one", "two", "one", "two"}) {
    RunResult r = repo.Run(std::string("rm -f ../cfg && mkfifo ../cfg && (cat ../") + config +
                           ".yaml > ../cfg &) && timeout 60 " +
                           Sotinc(repo, "check --config ../cfg --format json"));
    EXPECT_EQ(r.exit_code, 0) << config << ": " << r.err;
    std::string passed = std::string("\"passed\": ") + (config[1] == 'n' ? "1" : "2");
    EXPECT_NE(r.out.find(passed), std::string::npos) << config << ": " << r.out;
  }
}

TEST_F(RunMemoE2E, ADamagedMemoIsOnlyAMiss) {
  repo_.WriteFile("../damage.py",
                  "import sqlite3\n"
                  "d = sqlite3.connect('.git/sotinc/cache.db')\n"
                  "n = d.execute(\"UPDATE entries SET value = x'01' WHERE ns = 2\").rowcount\n"
                  "d.commit()\n"
                  "print(n)\n");
  RunResult damaged = repo_.Run("/usr/bin/python3 ../damage.py");
  ASSERT_EQ(damaged.exit_code, 0) << damaged.err;
  ASSERT_EQ(damaged.out, "1\n");
  ExpectRunsAgain("damaged memo");
}

}  // namespace
}  // namespace sotinc

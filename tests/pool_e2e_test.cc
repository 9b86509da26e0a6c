// Fault injection through the real binary: `command` rules that segfault,
// abort, sleep past their timeout, fork a child that outlives them,
// allocate without bound under worker_memory, or print 100 MB. Each ends
// with its specified result, every other rule with its normal one, nothing
// failed is cached, and no process is left behind (the process table is
// searched for each command's unique sleep, not waited out).
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "tests/testing/sanitizers.h"
#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

using testing::RunResult;
using testing::Sotinc;
using testing::TempRepo;

constexpr bool kAsan = testing::kUnderAsan;

struct RuleOutcome {
  std::string status;
  std::string reason;
  bool cached = false;
  std::string first_message;
};

// id -> outcome, from the JSON report (one result per line is not
// guaranteed, so this scans result objects with RE2).
std::map<std::string, RuleOutcome> Results(const std::string& json) {
  std::map<std::string, RuleOutcome> out;
  static const RE2 kResult(
      R"re(\{"id": "([^"]+)", "status": "([a-z]+)", "severity": "[a-z]+", "cached": (true|false))re");
  re2::StringPiece in(json);
  std::string id, status, cached;
  while (RE2::FindAndConsume(&in, kResult, &id, &status, &cached)) {
    RuleOutcome& o = out[id];
    o.status = status;
    o.cached = cached == "true";
    std::string rest(in.data(), std::min<size_t>(in.size(), 4000));
    size_t next = rest.find("{\"id\": ");
    std::string mine = rest.substr(0, next);
    RE2::PartialMatch(mine, R"re("reason": "((?:[^"\\]|\\.)*)")re", &o.reason);
    RE2::PartialMatch(mine, R"re("message": "((?:[^"\\]|\\.)*)")re", &o.first_message);
  }
  return out;
}

TEST(PoolE2E, FaultInjectionRulesEndAsSpecifiedAndLeaveNothing) {
  TempRepo repo;
  std::string config =
      "version: 1\n"
      "settings: {timeout: 60s" + std::string(kAsan ? "" : ", worker_memory: 256MiB") + "}\n"
      "rules:\n"
      "  - {id: OK, check: {kind: forbid_regex, files: '*.txt', pattern: 'nope'}}\n"
      "  - {id: BAD, check: {kind: forbid_regex, files: '*.txt', pattern: 'hello'}}\n"
      "  - {id: SEGV, check: {kind: command, run: 'kill -SEGV $$'}}\n"
      "  - {id: ABRT, check: {kind: command, run: 'kill -ABRT $$'}}\n"
      "  - {id: SLOW, timeout: 1s, check: {kind: command, run: 'sleep 3141'}}\n"
      "  - {id: FORK, timeout: 1s, check: {kind: command, run: 'sleep 3142 & wait'}}\n"
      "  - {id: BG, check: {kind: command, run: 'sleep 3143 & echo started'}}\n"
      "  - {id: LOUD, check: {kind: command, run: 'head -c 100000000 /dev/zero | tr \"\\\\0\" x; exit 1'}}\n";
  if (!kAsan) {
    config +=
        "  - {id: HOG, check: {kind: command, "
        "run: 'x=x; while :; do x=$x$x; done'}}\n";
  }
  repo.WriteFile("sotinc.yaml", config);
  repo.WriteFile("a.txt", "hello\n");
  repo.Commit("faults");

  RunResult r = repo.Run(Sotinc(repo, "check -j 2 --format json"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  for (const char* sleeper : {"sleep 3141", "sleep 3142", "sleep 3143"}) {
    EXPECT_EQ(testing::ProcessesLeftWith(sleeper), std::vector<std::string>{}) << sleeper << " was left running";
  }
  std::map<std::string, RuleOutcome> got = Results(r.out);
  EXPECT_EQ(got["OK"].status, "pass");
  EXPECT_EQ(got["BAD"].status, "fail");
  EXPECT_EQ(got["BG"].status, "pass");
  EXPECT_EQ(got["SEGV"].status, "error");
  EXPECT_EQ(got["SEGV"].reason, "command killed by signal 11 (SIGSEGV)");
  EXPECT_EQ(got["ABRT"].status, "error");
  EXPECT_EQ(got["ABRT"].reason, "command killed by signal 6 (SIGABRT)");
  EXPECT_EQ(got["SLOW"].status, "error");
  EXPECT_EQ(got["SLOW"].reason, "timed out after 1s");
  EXPECT_EQ(got["FORK"].status, "error");
  EXPECT_EQ(got["FORK"].reason, "timed out after 1s");
  EXPECT_EQ(got["LOUD"].status, "fail");
  EXPECT_TRUE(RE2::PartialMatch(got["LOUD"].first_message,
                                "^command exited with status 1 \\([0-9]+ bytes of output were "
                                "dropped from the middle; the first and last 524288 bytes were "
                                "kept\\): \\.\\.\\.x+$"))
      << got["LOUD"].first_message.substr(0, 300);
  if (!kAsan) {
    EXPECT_EQ(got["HOG"].status, "error");
    EXPECT_EQ(got["HOG"].reason, "command killed by signal 11 (SIGSEGV)");
  }

  // Errors were not cached: they run again; everything else is cached.
  r = repo.Run(Sotinc(repo, "check -j 2 --format json"));
  got = Results(r.out);
  for (const char* id : {"OK", "BAD", "BG", "LOUD"}) EXPECT_TRUE(got[id].cached) << id;
  for (const char* id : {"SEGV", "ABRT", "SLOW", "FORK"}) {
    EXPECT_FALSE(got[id].cached) << id;
    EXPECT_EQ(got[id].status, "error") << id;
  }
}

TEST(PoolE2E, SameResultsWithOneAndTwoWorkers) {
  TempRepo repo;
  std::string config =
      "version: 1\n"
      "rules:\n"
      "  - {id: TODO, check: {kind: forbid_regex, files: '**/*.txt', pattern: 'TODO'}}\n"
      "  - {id: HDR, check: {kind: require_regex, files: '**/*.txt', pattern: '^#'}}\n"
      "  - {id: EACH, check: {kind: command, files: 'd1/*.txt', per_file: true,\n"
      "                      run: 'grep -n TODO \"$1\" | sed \"s|^|$1:|\"; true'}}\n"
      "  - {id: DIRS, check: {kind: dir_count, parents: '.', min: 3}}\n"
      "  - {id: AFTER, depends_on: [DIRS], check: {kind: max_size, files: '**', bytes: 60}}\n";
  repo.WriteFile("sotinc.yaml", config);
  for (int d = 0; d < 4; ++d) {
    for (int f = 0; f < 30; ++f) {
      std::string body = (f % 3 ? "# head\n" : "") + std::string(f % 4 == 1 ? "TODO x\n" : "ok\n");
      repo.WriteFile("d" + std::to_string(d) + "/f" + std::to_string(f) + ".txt", body);
    }
  }
  repo.Commit("tree");
  RunResult one = repo.Run(Sotinc(repo, "check --no-cache -j 1 --format json"));
  RunResult two = repo.Run(Sotinc(repo, "check --no-cache -j 2 --format json"));
  static const RE2 kDuration("\"duration_ms\": [0-9.]+");
  RE2::GlobalReplace(&one.out, kDuration, "");
  RE2::GlobalReplace(&two.out, kDuration, "");
  EXPECT_EQ(one.exit_code, two.exit_code);
  EXPECT_EQ(one.out, two.out);
  EXPECT_NE(one.out.find("\"id\": \"EACH\", \"status\": \"fail\""), std::string::npos) << one.out;
}

TEST(PoolE2E, BatchedPerFileCommandRunsFewProcessesAndGivesEachFileItsOwnResult) {
  TempRepo repo;
  // Each process appends a line to a log outside the repository; each file
  // with a TODO gets a finding, and f7 makes its process fail silently.
  const std::string log = repo.path() + ".log";
  const std::string body =
      "echo run >> " + log + "; s=0; for f; do grep -n TODO \"$f\" | sed \"s|^|$f:|\"; "
      "case $f in */f7.txt) s=1;; esac; done; exit $s";
  std::string config =
      "version: 1\n"
      "rules:\n"
      "  - {id: BATCH, check: {kind: command, files: '**/*.txt', per_file: true, batch: true,\n"
      "                       run: '" + body + "'}}\n"
      "  - {id: ALONE, check: {kind: command, files: '**/*.txt', per_file: true,\n"
      "                       run: '" + body + "'}}\n";
  repo.WriteFile("sotinc.yaml", config);
  for (int d = 0; d < 3; ++d) {
    for (int f = 0; f < 40; ++f) {
      repo.WriteFile("d" + std::to_string(d) + "/f" + std::to_string(f) + ".txt",
                     f % 9 == 2 ? "x\nTODO\n" : "ok\n");
    }
  }
  repo.Commit("tree");
  RunResult r = repo.Run(Sotinc(repo, "check --no-cache -j 2 --format json"));
  ASSERT_EQ(r.exit_code, 1) << r.err;
  std::ifstream in(log);
  int runs = 0;
  for (std::string line; std::getline(in, line);) ++runs;
  // ALONE: one process per file (120). BATCH: a few chunks, plus the
  // splits that find the three silent failures.
  EXPECT_GE(runs, 120 + 1);
  EXPECT_LE(runs, 120 + 40) << "batching started a process for most files";
  // Both rules give every file the same findings.
  std::string batch = r.out.substr(r.out.find("\"id\": \"BATCH\""));
  batch = batch.substr(batch.find("\"findings\""));
  batch = batch.substr(0, batch.find("]}") + 2);
  std::string alone = r.out.substr(r.out.find("\"id\": \"ALONE\""));
  alone = alone.substr(alone.find("\"findings\""));
  alone = alone.substr(0, alone.find("]}") + 2);
  EXPECT_EQ(batch, alone);
  EXPECT_NE(batch.find("d2/f7.txt\", \"message\": \"command exited with status 1"),
            std::string::npos) << batch;
  EXPECT_NE(batch.find("\"path\": \"d1/f11.txt\", \"line\": 2"), std::string::npos) << batch;
}

}  // namespace
}  // namespace sotinc

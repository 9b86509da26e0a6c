// `sotinc explain ID`, `list --stats`, `check --trace` and the progress
// line: the real binary on real repositories, and the progress line on a
// memory stream with a fake clock.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <string>

#include "cli/run_observer.h"
#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

using testing::RunResult;
using testing::Sotinc;
using testing::TempRepo;

const char* kConfig =
    "version: 1\n"
    "rules:\n"
    "  - {id: A, check: {kind: forbid_regex, files: '*.py', pattern: 'TODO'}}\n"
    "  - {id: B, depends_on: [A], check: {kind: max_size, files: '*.py', lines: 100}}\n"
    "  - {id: C, check: {kind: path_name, files: '*.py', pattern: '^[a-z]+\\.py$'}}\n";

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

TEST(ExplainCommand, SaysWhetherAndWhyWithoutRunning) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml", kConfig);
  repo.WriteFile("a.py", "x = 1\n");
  repo.Commit("init");

  RunResult r = repo.Run(Sotinc(repo, "explain A"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "A would run: no cached result\n");
  EXPECT_FALSE(Exists(repo.path() + "/.git/sotinc")) << "explain created a cache";

  ASSERT_EQ(repo.Run(Sotinc(repo, "check")).exit_code, 0);
  r = repo.Run(Sotinc(repo, "explain B"));
  EXPECT_EQ(r.out, "B is cached: pass, and nothing it depends on changed since that run\n");

  repo.WriteFile("a.py", "x = 2  # TODO\n");
  r = repo.Run(Sotinc(repo, "explain A"));
  EXPECT_EQ(r.out, "A would run: input a.py changed\n") << r.err;
  r = repo.Run(Sotinc(repo, "explain B"));
  EXPECT_EQ(r.out,
            "B would run after its prerequisite A, which would run (input a.py changed): its key "
            "depends on that result\n");
  // Explaining ran nothing: a check now still finds A to rerun.
  r = repo.Run(Sotinc(repo, "check --explain --format json"));
  EXPECT_NE(r.out.find("\"explain\": \"input a.py changed\""), std::string::npos) << r.out;
  r = repo.Run(Sotinc(repo, "explain B"));
  EXPECT_EQ(r.out, "B would be skipped: prerequisite A did not pass (fail)\n");

  r = repo.Run(Sotinc(repo, "explain NOPE"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("explain NOPE: no such rule"), std::string::npos) << r.err;
}

TEST(ListStats, ShowsLearnedDurations) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml", kConfig);
  repo.WriteFile("a.py", "x = 1\n");
  repo.Commit("init");
  RunResult r = repo.Run(Sotinc(repo, "list --stats"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("no statistics yet"), std::string::npos) << r.out;
  ASSERT_EQ(repo.Run(Sotinc(repo, "check --no-cache")).exit_code, 0);
  ASSERT_EQ(repo.Run(Sotinc(repo, "check --no-cache")).exit_code, 0);
  r = repo.Run(Sotinc(repo, "list --stats"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Two timed runs of each rule; per-file rules also have a per-file mean.
  for (const char* id : {"A", "B", "C"}) {
    EXPECT_TRUE(r.out.find(std::string("\n") + id + " ") != std::string::npos) << r.out;
  }
  EXPECT_NE(r.out.find("     2 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ms\n"), std::string::npos) << r.out;  // a per-file mean
}

TEST(CheckTrace, WritesChromeTraceEvents) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml", kConfig);
  repo.WriteFile("a.py", "x = 1\n");
  repo.Commit("init");
  std::string trace = repo.path() + "/../trace.json";
  RunResult r = repo.Run(Sotinc(repo, "check -j 2 --trace '" + trace + "'"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Valid JSON with the events Perfetto needs.
  RunResult parsed = repo.Run(
      "/usr/bin/python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); "
      "e=t[\"traceEvents\"]; "
      "print(sorted({x[\"args\"][\"name\"] for x in e if x[\"ph\"]==\"M\"})); "
      "print(sorted(x[\"name\"] for x in e if x[\"ph\"]==\"X\" and x[\"cat\"]==\"job\")); "
      "print(all(x[\"dur\"]>=0 and x[\"ts\"]>=0 for x in e if x[\"ph\"]==\"X\"))' '" +
      trace + "'");
  ASSERT_EQ(parsed.exit_code, 0) << parsed.err;
  EXPECT_NE(parsed.out.find("'scheduler'"), std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("'worker 0'"), std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("['A', 'B', 'C']"), std::string::npos) << parsed.out;
  EXPECT_NE(parsed.out.find("True"), std::string::npos) << parsed.out;
}

class StepClock : public Clock {
 public:
  double NowMs() override { return now; }
  double now = 0;
};

TEST(ProgressLine, DrawsCountsAndRunningRulesThenClears) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* out = open_memstream(&buf, &len);
  ASSERT_NE(out, nullptr);
  StepClock clock;
  {
    ProgressLine line(out, &clock, 3);
    Rule a, b;
    a.id = "A";
    b.id = "B";
    Job job;
    clock.now = 200;
    line.JobStarted(job, a);
    clock.now = 400;
    line.JobStarted(job, b);
    RuleResult cached;
    cached.id = "C";
    cached.cached = true;
    clock.now = 450;  // within 100 ms of the last draw: not redrawn
    line.RuleEnded(cached);
    clock.now = 1500;
    line.JobEnded(job, a, JobOutcome());
    clock.now = 1700;
    RuleResult failed;
    failed.id = "A";
    failed.status = RuleStatus::kFail;
    line.RuleEnded(failed);
    std::fflush(out);
    std::string text(buf, len);
    EXPECT_NE(text.find("[0/3] 0 cached, 0 failed, 0.2s  running: A"), std::string::npos) << text;
    EXPECT_NE(text.find("[0/3] 0 cached, 0 failed, 0.4s  running: A B"), std::string::npos)
        << text;
    EXPECT_EQ(text.find("0.4s  running: A B\r"), text.find("0.4s  running: A B"))
        << "the line was redrawn 50 ms later: " << text;
    EXPECT_EQ(text.find("[1/3] 1 cached, 0 failed, 0.4s"), std::string::npos) << text;
    EXPECT_NE(text.find("[1/3] 1 cached, 0 failed, 1.5s  running: B"), std::string::npos) << text;
    EXPECT_NE(text.find("[2/3] 1 cached, 1 failed, 1.7s  running: B"), std::string::npos) << text;
  }
  std::fflush(out);
  std::string text(buf, len);
  EXPECT_EQ(text.substr(text.size() - 4), "\r\033[K");  // erased at the end
  std::fclose(out);
  std::free(buf);
}

}  // namespace
}  // namespace sotinc

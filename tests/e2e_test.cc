// End-to-end tests: the real sotinc binary on real git repositories made in
// temp directories, asserting on exit status and the exact JSON report.
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

using testing::RunResult;
using testing::Sotinc;
using testing::TempRepo;

// Durations vary from run to run; everything else must not.
std::string StripDurations(std::string json) {
  RE2::GlobalReplace(&json, "\"duration_ms\": [0-9.]+", "\"duration_ms\": 0");
  return json;
}

RunResult CheckJson(TempRepo& repo, const std::string& extra = "") {
  RunResult r = repo.Run(Sotinc(repo, "check --format json " + extra));
  r.out = StripDurations(r.out);
  return r;
}

const char* kStructureConfig = R"(version: 1
ignore: ["vendor/**"]
rules:
  - id: PY001
    title: Python files are snake_case
    check: {kind: path_name, files: "**/*.py", pattern: "^[a-z_][a-z0-9_]*\\.py$"}
  - id: PY002
    title: No raw SSNs
    depends_on: [PY001]
    check: {kind: forbid_regex, files: "**/*.py", pattern: "[0-9]{3}-[0-9]{2}-[0-9]{4}"}
)";

TEST(E2E, TrackedUntrackedIgnoredAndDeletedFiles) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml", kStructureConfig);
  repo.WriteFile("src/good.py", "x = 1\n");
  repo.WriteFile("src/deleted.py", "ssn = '123-45-6789'\n");
  repo.WriteFile(".gitignore", "build/\n");
  repo.WriteFile("src/.gitignore", "generated_*.py\n");
  repo.Git("add -A");
  repo.Commit("init");
  repo.RemoveFile("src/deleted.py");                        // deleted: not a candidate
  repo.WriteFile("build/BadName.py", "x = 1\n");            // ignored by the root .gitignore
  repo.WriteFile("src/generated_X.py", "x = 1\n");          // ignored by the nested .gitignore
  repo.WriteFile("vendor/Other.py", "x = 1\n");             // ignored by the config
  repo.WriteFile("src/NewFile.py", "a = '987-65-4321'\n");  // untracked: a candidate

  RunResult r = CheckJson(repo);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out,
            R"J({"version": 1,
 "summary": {"rules": 2, "passed": 0, "failed": 1, "errors": 0, "skipped": 1, "cached": 0, "ran": 1, "unaffected": 0, "duration_ms": 0},
 "results": [
  {"id": "PY001", "status": "fail", "severity": "error", "cached": false, "duration_ms": 0, "findings": [
    {"path": "src/NewFile.py", "message": "name 'NewFile.py' does not match '^[a-z_][a-z0-9_]*\\.py$'"}]},
  {"id": "PY002", "status": "skipped", "severity": "error", "cached": false, "duration_ms": 0, "reason": "prerequisite PY001 did not pass (fail)", "findings": []}]}
)J");

  // Renaming the file makes PY001 pass, so PY002 runs and finds the SSN.
  repo.Git("mv -f src/good.py src/good2.py");
  repo.Run("mv '" + repo.path() + "/src/NewFile.py' '" + repo.path() + "/src/new_file.py'");
  r = CheckJson(repo);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(
      r.out.find(
          R"({"path": "src/new_file.py", "line": 1, "column": 6, "message": "forbidden pattern)"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(R"("passed": 1, "failed": 1)"), std::string::npos) << r.out;
}

TEST(E2E, PassingRunExitsZeroAndIsDeterministic) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml", kStructureConfig);
  repo.WriteFile("a/b.py", "print('hi')\n");
  repo.Git("add -A");
  repo.Commit("init");
  RunResult first = CheckJson(repo, "--no-cache");
  RunResult second = CheckJson(repo, "--no-cache");
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, second.out);
  EXPECT_NE(first.out.find(R"("rules": 2, "passed": 2)"), std::string::npos) << first.out;
}

TEST(E2E, BadConfigExitsTwoWithLocation) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml",
                 "version: 1\nrules:\n  - id: A1\n    check: {kind: path_name, fles: x}\n");
  RunResult r = repo.Run(Sotinc(repo, "check"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(
      r.err.find("sotinc.yaml:4:30: rule A1: unknown key 'fles' in check (did you mean 'files'?)"),
      std::string::npos)
      << r.err;
}

TEST(E2E, NoConfigAndNotARepository) {
  TempRepo repo;
  RunResult r = repo.Run(Sotinc(repo, "check"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no sotinc.yaml"), std::string::npos) << r.err;

  r = repo.Run(std::string("'") + SOTINC_BINARY + "' -C /proc check");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("sotinc:"), std::string::npos) << r.err;
}

TEST(E2E, BadUsageExitsTwo) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml", kStructureConfig);
  EXPECT_EQ(repo.Run(Sotinc(repo, "check --format xml")).exit_code, 2);
  EXPECT_EQ(repo.Run(Sotinc(repo, "frobnicate")).exit_code, 2);
  RunResult r = repo.Run(Sotinc(repo, "check --rule NOPE"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--rule NOPE: no such rule"), std::string::npos) << r.err;
}

TEST(E2E, SeverityAndFailOn) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml", R"(version: 1
rules:
  - id: W1
    severity: warning
    check: {kind: max_size, files: "*.txt", bytes: 3}
)");
  repo.WriteFile("big.txt", "0123456789");
  RunResult r = CheckJson(repo);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(R"("status": "fail", "severity": "warning")"), std::string::npos);
  r = CheckJson(repo, "--fail-on warning");
  EXPECT_EQ(r.exit_code, 1);
}

TEST(E2E, RuleAndTagSelectionRunPrerequisites) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml", R"(version: 1
rules:
  - id: A
    check: {kind: path_name, files: "*.md", pattern: "."}
  - id: B
    tags: [docs]
    depends_on: [A]
    check: {kind: require_regex, files: "*.md", pattern: "^# "}
  - id: C
    check: {kind: max_size, files: "*.md", bytes: 1000}
)");
  repo.WriteFile("README.md", "# Title\n");
  RunResult r = CheckJson(repo, "--rule B --no-cache");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("id": "A")"), std::string::npos);
  EXPECT_NE(r.out.find(R"("id": "B")"), std::string::npos);
  EXPECT_EQ(r.out.find(R"("id": "C")"), std::string::npos);
  RunResult t = CheckJson(repo, "--tag docs --no-cache");
  EXPECT_EQ(t.out, r.out);
}

TEST(E2E, CommandRuleRunsAtRepositoryRoot) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml", R"(version: 1
rules:
  - id: CMD
    check:
      kind: command
      files: "*.txt"
      run: 'for f in "$@"; do grep -n TODO "$f" | sed "s|^|$f:|"; done'
)");
  repo.WriteFile("a.txt", "ok\nTODO: fix\n");
  repo.WriteFile("b.txt", "fine\n");
  RunResult r = CheckJson(repo);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find(R"({"path": "a.txt", "line": 2, "message": "TODO: fix"})"),
            std::string::npos)
      << r.out;
}

TEST(E2E, OutputFileListAndGraph) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml", kStructureConfig);
  repo.WriteFile("x.py", "x = 1\n");
  RunResult r = repo.Run(Sotinc(repo, "check --format json --output report.json"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::ifstream in(repo.path() + "/report.json");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_NE(ss.str().find(R"("version": 1)"), std::string::npos);

  r = repo.Run(Sotinc(repo, "list"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("PY001"), std::string::npos);
  EXPECT_NE(r.out.find("path_name"), std::string::npos);

  r = repo.Run(Sotinc(repo, "graph"));
  EXPECT_EQ(r.out, "PY001\nPY002 <- PY001\n");
  r = repo.Run(Sotinc(repo, "graph --dot"));
  EXPECT_NE(r.out.find("\"PY002\" -> \"PY001\";"), std::string::npos) << r.out;
}

TEST(E2E, TextOutputHasEditorLinksAndNoColourWhenPiped) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml", kStructureConfig);
  repo.WriteFile("Bad.py", "x = '123-45-6789'\n");
  RunResult r = repo.Run(Sotinc(repo, "check"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("FAIL  PY001  Python files are snake_case\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Bad.py: error: name 'Bad.py' does not match"), std::string::npos);
  EXPECT_EQ(r.out.find("\033["), std::string::npos);
  EXPECT_NE(r.out.find("2 rules: 0 passed, 1 failed, 0 errors, 1 skipped"), std::string::npos);
}

TEST(E2E, StagedWithAConfigOutsideTheRepositoryNarrowsToTheAffectedRules) {
  // A config that is not versioned is the same on both sides of the
  // change: --staged must not fall back to every rule.
  TempRepo repo;
  repo.WriteFile("../rules.yaml",
                 "version: 1\n"
                 "rules:\n"
                 "  - {id: PY, check: {kind: forbid_regex, files: '**/*.py', pattern: 'TODO'}}\n"
                 "  - {id: MD, check: {kind: forbid_regex, files: '**/*.md', pattern: 'TODO'}}\n");
  repo.WriteFile("a.py", "x = 1\n");
  repo.WriteFile("README.md", "hello\n");
  repo.Commit("init");
  repo.WriteFile("a.py", "x = 2  # TODO\n");
  repo.Stage("a.py");
  RunResult r = repo.Run(Sotinc(repo, "check --staged --config ../rules.yaml --format json"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.err.find("checking every selected rule"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("\"rules\": 1,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"unaffected\": 1,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("{\"id\": \"PY\", \"status\": \"fail\""), std::string::npos) << r.out;
}

TEST(E2E, StagedWithAConfigOutsideTheRepositoryReadsItsIncludesFromEachSide) {
  // The main file is on disk on both sides; the files it includes are
  // versioned, so a staged change to one is a change of its rules.
  TempRepo repo;
  repo.WriteFile("../rules.yaml", "version: 1\ninclude: [rules/*.yaml]\nrules: []\n");
  repo.WriteFile("rules/r.yaml",
                 "rules:\n  - {id: R, check: {kind: forbid_regex, files: '*.py', pattern: XX}}\n");
  repo.WriteFile("a.py", "x = 1  # TODO\n");
  repo.Commit("init");
  repo.WriteFile(
      "rules/r.yaml",
      "rules:\n  - {id: R, check: {kind: forbid_regex, files: '*.py', pattern: TODO}}\n");
  repo.Stage("rules/r.yaml");
  RunResult r = repo.Run(Sotinc(repo, "check --staged --config ../rules.yaml --format json"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.err.find("checking every selected rule"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("{\"id\": \"R\", \"status\": \"fail\""), std::string::npos) << r.out;
}

// The base side of --staged (each rule's definition and inputs at HEAD) is
// kept in the cache under HEAD's tree: the next run lists nothing of HEAD.
// A config outside the repository is part of that base, so editing it makes
// the base be read again. Here a kept base would be wrong: with the old
// `ignore:` gen/x.py was not an input of PY at HEAD, and its staged removal
// would look like no change at all.
TEST(E2E, TheBaseOfAStagedRunIsKeptUntilHeadOrAnOutsideConfigChanges) {
  TempRepo repo;
  const std::string ignoring =
      "version: 1\n"
      "ignore: ['gen/**']\n"
      "rules:\n"
      "  - {id: PY, check: {kind: forbid_regex, files: '**/*.py', pattern: 'TODO'}}\n";
  repo.WriteFile("../rules.yaml", ignoring);
  repo.WriteFile("a.py", "x = 1\n");
  repo.WriteFile("gen/x.py", "y = 1\n");
  repo.Commit("init");
  const std::string trace = repo.path() + "/../trace.json";
  auto staged = [&]() {
    RunResult r = repo.Run(
        Sotinc(repo, "check --staged --config ../rules.yaml --format json --trace " + trace));
    std::ifstream in(trace);
    std::stringstream text;
    text << in.rdbuf();
    return std::make_pair(r, text.str());
  };
  const std::string listed = "\"find the affected rules\"";
  const std::string kept = "\"find the affected rules (base from the cache)\"";

  auto [first, first_trace] = staged();
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first_trace.find(listed), std::string::npos) << first_trace;
  EXPECT_NE(first.out.find("\"unaffected\": 1,"), std::string::npos) << first.out;

  auto [second, second_trace] = staged();
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second_trace.find(kept), std::string::npos) << second_trace;
  EXPECT_NE(second.out.find("\"unaffected\": 1,"), std::string::npos) << second.out;

  // Same rules, no ignore: gen/x.py is an input of PY on both sides now,
  // and its removal is staged.
  repo.WriteFile("../rules.yaml",
                 "version: 1\n"
                 "rules:\n"
                 "  - {id: PY, check: {kind: forbid_regex, files: '**/*.py', pattern: 'TODO'}}\n");
  repo.Git("rm -q gen/x.py");
  auto [third, third_trace] = staged();
  EXPECT_EQ(third.exit_code, 0) << third.err;
  EXPECT_NE(third_trace.find(listed), std::string::npos) << third_trace;
  EXPECT_NE(third.out.find("{\"id\": \"PY\", \"status\": \"pass\""), std::string::npos)
      << "PY must run: " << third.out;
  EXPECT_NE(third.out.find("\"unaffected\": 0,"), std::string::npos) << third.out;

  // A new commit is a new base.
  repo.Commit("drop gen");
  auto [fourth, fourth_trace] = staged();
  EXPECT_NE(fourth_trace.find(listed), std::string::npos) << fourth_trace;
  auto [fifth, fifth_trace] = staged();
  EXPECT_NE(fifth_trace.find(kept), std::string::npos) << fifth_trace;
}

}  // namespace
}  // namespace sotinc

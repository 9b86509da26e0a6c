// Tests of the Runner (engine/runner.cc): dependency order, skipping,
// error results, sorting, summary and read counting; and of Snapshot
// (engine/snapshot.cc), which applies the config's `ignore:` globs.

#include "engine/runner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/snapshot.h"
#include "tests/testing/fake_file_source.h"
#include "tests/testing/fake_process_runner.h"
#include "tests/testing/parse_check.h"

namespace sotinc {
namespace {

using testing::FakeFileSource;
using testing::FakeProcessRunner;
using V = std::vector<std::string>;

std::string Join(const V& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

V Show(const std::vector<Finding>& findings) {
  V out;
  for (const Finding& f : findings) {
    out.push_back(f.path + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + ": " +
                  f.message);
  }
  return out;
}

GlobList Globs(const V& patterns) {
  Result<GlobList> g = GlobList::Compile(patterns);
  EXPECT_TRUE(g.ok()) << g.error();
  return g.ok() ? std::move(*g) : GlobList();
}

class FakeClock : public Clock {
 public:
  double NowMs() override { return now_; }
  double now_ = 1000;
};

// A whole-rule check that logs its id when it runs, advances the clock,
// adds the findings it was given (in that order) and returns `status`.
class ScriptedCheck : public Check {
 public:
  ScriptedCheck(std::string id, V* log, FakeClock* clock) : id_(id), log_(log), clock_(clock) {}
  const char* kind() const override { return "scripted"; }
  bool reads_content() const override { return false; }
  Status Run(const CheckContext& ctx, std::vector<Finding>* out) const override {
    log_->push_back(id_);
    EXPECT_EQ(ctx.rule_id, id_);
    clock_->now_ += duration_ms_;
    for (const Finding& f : findings_) out->push_back(f);
    return status_;
  }

  std::string id_;
  V* log_;
  FakeClock* clock_;
  std::vector<Finding> findings_;
  Status status_;
  double duration_ms_ = 2.5;
};

class RunnerTest : public ::testing::Test {
 protected:
  // Adds a rule with a scripted check; the check is returned for setup.
  ScriptedCheck* Scripted(const std::string& id, const V& deps = {},
                          Severity severity = Severity::kError) {
    auto check = std::make_unique<ScriptedCheck>(id, &log_, &clock_);
    ScriptedCheck* raw = check.get();
    AddRule(id, std::move(check), deps, severity);
    return raw;
  }

  // Adds a rule whose check is parsed from YAML.
  void Parsed(const std::string& id, const std::string& yaml, const V& deps = {}) {
    V errors;
    std::unique_ptr<Check> check = testing::ParseCheck(yaml, &errors);
    ASSERT_TRUE(check) << Join(errors);
    AddRule(id, std::move(check), deps, Severity::kError);
  }

  void AddRule(const std::string& id, std::unique_ptr<Check> check, const V& deps,
               Severity severity) {
    Rule r;
    r.id = id;
    r.depends_on = deps;
    r.severity = severity;
    r.kind = check->kind();
    r.check = std::move(check);
    rules_.push_back(std::move(r));
  }

  // Runs every rule added so far, except those named in `left_out`.
  RunReport RunAll(const GlobList& ignore = GlobList(), const V& left_out = {}) {
    graph_ = std::make_unique<RuleGraph>(rules_);
    Result<Snapshot> snapshot = Snapshot::Build(source_, ignore);
    EXPECT_TRUE(snapshot.ok());
    RunRequest request;
    for (const Rule* r : graph_->rules()) {
      if (std::find(left_out.begin(), left_out.end(), r->id) == left_out.end()) {
        request.rules.push_back(r);
      }
    }
    request.workdir = "/repo";
    runner_ = std::make_unique<Runner>(graph_.get(), &source_, &processes_, &clock_);
    return runner_->Run(*snapshot, request);
  }

  static const RuleResult& Get(const RunReport& report, const std::string& id) {
    for (const RuleResult& r : report.results) {
      if (r.id == id) return r;
    }
    static RuleResult none;
    ADD_FAILURE() << "no result for " << id;
    return none;
  }

  static V Ids(const RunReport& report) {
    V ids;
    for (const RuleResult& r : report.results) ids.push_back(r.id);
    return ids;
  }

  std::vector<Rule> rules_;
  std::unique_ptr<RuleGraph> graph_;
  FakeFileSource source_;
  FakeProcessRunner processes_;
  FakeClock clock_;
  std::unique_ptr<Runner> runner_;
  V log_;  // ids of scripted checks, in the order they ran
};

TEST_F(RunnerTest, RunsInDependencyOrderAndReportsById) {
  Scripted("a", {"z"});
  Scripted("m", {"a", "z"});
  Scripted("z");
  Scripted("b");
  RunReport report = RunAll();
  // Critical path first: z heads the longest chain (z, a, m), then a (a, m)
  // outranks b; b and m tie, and b's job was made first.
  EXPECT_EQ(log_, V({"z", "a", "b", "m"}));
  EXPECT_EQ(Ids(report), V({"a", "b", "m", "z"}));
  for (const RuleResult& r : report.results) {
    EXPECT_EQ(r.status, RuleStatus::kPass) << r.id;
    EXPECT_EQ(r.reason, "") << r.id;
    EXPECT_FALSE(r.cached);
    EXPECT_EQ(r.duration_ms, 2.5);
  }
}

TEST_F(RunnerTest, FailedPrerequisiteSkipsItsDependentsTransitively) {
  Scripted("A1")->findings_ = {Finding{"x", 1, 1, "bad"}};
  Scripted("B1", {"A1"});
  Scripted("C1", {"B1"});
  Scripted("D1");
  RunReport report = RunAll();
  EXPECT_EQ(log_, V({"A1", "D1"}));

  EXPECT_EQ(Get(report, "A1").status, RuleStatus::kFail);
  const RuleResult& b = Get(report, "B1");
  EXPECT_EQ(b.status, RuleStatus::kSkipped);
  EXPECT_EQ(b.reason, "prerequisite A1 did not pass (fail)");
  EXPECT_TRUE(b.findings.empty());
  const RuleResult& c = Get(report, "C1");
  EXPECT_EQ(c.status, RuleStatus::kSkipped);
  EXPECT_EQ(c.reason, "prerequisite B1 did not pass (skipped)");
  EXPECT_EQ(Get(report, "D1").status, RuleStatus::kPass);
}

TEST_F(RunnerTest, PrerequisiteOfAnySeverityBlocks) {
  Scripted("W", {}, Severity::kInfo)->findings_ = {Finding{"", 0, 0, "meh"}};
  Scripted("X", {"W"}, Severity::kWarning);
  RunReport report = RunAll();
  EXPECT_EQ(Get(report, "W").severity, Severity::kInfo);
  EXPECT_EQ(Get(report, "X").status, RuleStatus::kSkipped);
  EXPECT_EQ(Get(report, "X").severity, Severity::kWarning);
  EXPECT_EQ(Get(report, "X").reason, "prerequisite W did not pass (fail)");
}

TEST_F(RunnerTest, ErrorStatusBecomesAnErrorResultWithoutFindings) {
  ScriptedCheck* e = Scripted("E");
  e->findings_ = {Finding{"a", 1, 1, "half-done"}};
  e->status_ = Status::Error("cannot read a: permission denied");
  Scripted("F", {"E"});
  RunReport report = RunAll();
  const RuleResult& r = Get(report, "E");
  EXPECT_EQ(r.status, RuleStatus::kError);
  EXPECT_EQ(r.reason, "cannot read a: permission denied");
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(Get(report, "F").status, RuleStatus::kSkipped);
  EXPECT_EQ(Get(report, "F").reason, "prerequisite E did not pass (error)");
}

TEST_F(RunnerTest, PrerequisiteLeftOutOfTheRequestBlocks) {
  Scripted("P");
  Scripted("Q", {"P"});
  RunReport report = RunAll(GlobList(), {"P"});
  EXPECT_EQ(Ids(report), V({"Q"}));
  EXPECT_EQ(Get(report, "Q").status, RuleStatus::kSkipped);
  EXPECT_NE(Get(report, "Q").reason.find("prerequisite P "), std::string::npos)
      << Get(report, "Q").reason;
  EXPECT_TRUE(log_.empty());
}

TEST_F(RunnerTest, FindingsAreSortedByPathLineColumn) {
  Scripted("S")->findings_ = {Finding{"b", 1, 1, "m"}, Finding{"a", 10, 1, "m"},
                              Finding{"a", 2, 5, "m"}, Finding{"", 0, 0, "dead"},
                              Finding{"a", 2, 3, "y"}, Finding{"a", 2, 3, "x"}};
  RunReport report = RunAll();
  EXPECT_EQ(Show(Get(report, "S").findings),
            V({":0:0: dead", "a:2:3: x", "a:2:3: y", "a:2:5: m", "a:10:1: m", "b:1:1: m"}));
}

TEST_F(RunnerTest, SummaryCounts) {
  Scripted("p1");
  Scripted("p2");
  Scripted("f1")->findings_ = {Finding{"x", 0, 0, "bad"}};
  Scripted("e1")->status_ = Status::Error("boom");
  Scripted("s1", {"f1"});
  Scripted("s2", {"e1", "p1"});
  clock_.now_ = 5000;
  RunReport report = RunAll();
  const RunSummary& s = report.summary;
  EXPECT_EQ(s.rules, 6);
  EXPECT_EQ(s.passed, 2);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.errors, 1);
  EXPECT_EQ(s.skipped, 2);
  EXPECT_EQ(s.ran, 4);  // skipped rules count in neither ran nor cached
  EXPECT_EQ(s.cached, 0);
  EXPECT_EQ(s.unaffected, 0);
  EXPECT_EQ(s.duration_ms, 4 * 2.5);
}

TEST_F(RunnerTest, SummarizeCountsCachedResults) {
  std::vector<RuleResult> results(4);
  results[0].status = RuleStatus::kPass;
  results[0].cached = true;
  results[1].status = RuleStatus::kFail;
  results[2].status = RuleStatus::kSkipped;
  results[3].status = RuleStatus::kError;
  RunSummary s = Summarize(results);
  EXPECT_EQ(s.rules, 4);
  EXPECT_EQ(s.cached, 1);
  EXPECT_EQ(s.ran, 2);
  EXPECT_EQ(s.passed + s.failed + s.skipped + s.errors, 4);
}

TEST_F(RunnerTest, RealChecksReadThroughTheSourceAndAreCounted) {
  source_.Add("a.py", "x = 1  # TODO\n");
  source_.Add("b.py", "ok\n");
  source_.Add("big.py", std::string(100, 'x'));
  source_.Add("docs/README.md", "hi\n");
  Parsed("R1", "{kind: forbid_regex, files: '**/*.py', pattern: TODO}");
  Parsed("R2", "{kind: max_size, files: '**', bytes: 50}");
  Parsed("R3", "{kind: path_name, files: '**/*.md', pattern: '^[a-z]+\\.md$'}", {"R2"});
  Parsed("R4", "{kind: command, run: [lint], files: '*.py'}");
  RunReport report = RunAll();

  EXPECT_EQ(Get(report, "R1").status, RuleStatus::kFail);
  EXPECT_EQ(Show(Get(report, "R1").findings), V({"a.py:1:10: forbidden pattern 'TODO'"}));
  EXPECT_EQ(Show(Get(report, "R2").findings),
            V({"big.py:0:0: is 100 bytes, over the limit of 50"}));
  EXPECT_EQ(Get(report, "R3").status, RuleStatus::kSkipped);
  EXPECT_EQ(Get(report, "R4").status, RuleStatus::kPass);

  // forbid_regex read the three .py files; max_size (bytes) and command none.
  EXPECT_EQ(runner_->files_read(), 3u);
  EXPECT_EQ(runner_->bytes_read(), 14u + 3u + 100u);
  EXPECT_EQ(source_.files_read_, V({"a.py", "b.py", "big.py"}));
  ASSERT_EQ(processes_.commands_ran_.size(), 1u);
  EXPECT_EQ(processes_.commands_ran_[0].argv, V({"lint", "a.py", "b.py", "big.py"}));
  EXPECT_EQ(processes_.commands_ran_[0].cwd, "/repo");
}

TEST_F(RunnerTest, RuleSettingsReachTheCheck) {
  source_.Add("big.txt", "TODO TODO\n");
  Parsed("R1", "{kind: forbid_regex, files: '*.txt', pattern: TODO}");
  Parsed("R2", "{kind: forbid_regex, files: '*.md', pattern: TODO}");
  rules_[1].allow_empty = true;
  graph_ = std::make_unique<RuleGraph>(rules_);
  Snapshot snapshot = std::move(*Snapshot::Build(source_, GlobList()));
  RunRequest request;
  request.rules = graph_->rules();
  request.settings.max_file_bytes = 4;
  Runner runner(graph_.get(), &source_, &processes_, &clock_);
  RunReport report = runner.Run(snapshot, request);
  EXPECT_EQ(Show(Get(report, "R1").findings),
            V({"big.txt:0:0: file is 10 bytes, over max_file_bytes (4); not checked"}));
  EXPECT_EQ(Get(report, "R2").status, RuleStatus::kPass);
  EXPECT_EQ(runner.files_read(), 0u);
}

TEST_F(RunnerTest, UnreadableFileIsAnError) {
  source_.Add("a.txt", "x\n");
  source_.FailReads("a.txt", "I/O error");
  Parsed("R1", "{kind: forbid_regex, files: a.txt, pattern: x}");
  RunReport report = RunAll();
  EXPECT_EQ(Get(report, "R1").status, RuleStatus::kError);
  EXPECT_EQ(Get(report, "R1").reason, "cannot read a.txt: I/O error");
  EXPECT_EQ(runner_->files_read(), 0u);
}

TEST_F(RunnerTest, IgnoredFilesAreNoInputs) {
  source_.Add("a.py", "TODO\n");
  source_.Add("vendor/lib/x.py", "TODO\n");
  source_.Add("build.log", "TODO\n");
  Parsed("R1", "{kind: forbid_regex, files: '**', pattern: TODO}");
  RunReport report = RunAll(Globs({"vendor/**", "*.log"}));
  EXPECT_EQ(Show(Get(report, "R1").findings), V({"a.py:1:1: forbidden pattern 'TODO'"}));
  EXPECT_EQ(source_.files_read_, V({"a.py"}));
}

// ---- Snapshot -------------------------------------------------------------

V Strings(const std::vector<std::string_view>& views) { return V(views.begin(), views.end()); }

TEST(SnapshotTest, FromEntriesSortsDeduplicatesAndIgnores) {
  std::vector<FileEntry> entries;
  for (const char* p :
       {"z.txt", "vendor/a/b.c", "a/b.txt", "a/b.txt", "a/c.log", "B.txt", "vendorx/k"}) {
    FileEntry e;
    e.path = p;
    entries.push_back(e);
  }
  Snapshot s = Snapshot::FromEntries(entries, Globs({"vendor/**", "**/*.log"}));
  V paths;
  for (const FileEntry& e : s.files) paths.push_back(e.path);
  EXPECT_EQ(paths, V({"B.txt", "a/b.txt", "vendorx/k", "z.txt"}));
  EXPECT_EQ(Strings(s.tree.files.paths()), paths);
  // A directory exists only when it holds a candidate file.
  EXPECT_EQ(Strings(s.tree.dirs.paths()), V({"a", "vendorx"}));
}

TEST(SnapshotTest, TheTreeViewsTheFilesPathsAcrossMoves) {
  std::vector<FileEntry> entries(3);
  entries[0].path = "short.py";  // within std::string's own bytes
  entries[1].path = "docs/a-path-long-enough-for-the-heap.md";
  entries[2].path = "docs/b.md";
  Snapshot s = Snapshot::FromEntries(std::move(entries), Globs({"short.py"}));
  Snapshot moved = std::move(s);
  ASSERT_EQ(moved.files.size(), 2u);
  // One copy of each path: the tree's entries point into the files' strings.
  for (size_t i = 0; i < moved.files.size(); ++i) {
    EXPECT_EQ(moved.tree.files.paths()[i].data(), moved.files[i].path.data()) << i;
  }
  EXPECT_EQ(moved.tree.dirs.paths()[0].data(), moved.files[0].path.data());
  EXPECT_EQ(Strings(moved.tree.files.paths()),
            V({"docs/a-path-long-enough-for-the-heap.md", "docs/b.md"}));
  EXPECT_EQ(moved.tree.files.Find("docs/b.md"), 1);
}

TEST(SnapshotTest, BuildListsTheSource) {
  FakeFileSource source;
  source.Add("b", "2");
  source.Add("a/x", "1");
  Result<Snapshot> s = Snapshot::Build(source, GlobList());
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->files.size(), 2u);
  EXPECT_EQ(s->files[0].path, "a/x");
  EXPECT_EQ(s->files[0].size, 1u);
  EXPECT_EQ(Strings(s->tree.dirs.paths()), V({"a"}));
  EXPECT_TRUE(source.files_read_.empty());
}

}  // namespace
}  // namespace sotinc

// Incrementality of the Runner (engine/runner.cc) with its keys
// (engine/inputs.cc), content ids (engine/content_ids.cc) and per-file
// cache, on in-memory file sources and a MemoryCache (issue 3, SPEC 4).
//
// Every test asserts exact sets: which rules ran (RunCounters::ran), which
// files were read (FakeFileSource::files_read_) and how many files per-file
// rules judged afresh; and that each incremental result is exactly what a
// fresh run over the same snapshot gives (ExpectSameAsFresh).

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/inputs.h"
#include "engine/result_cache.h"
#include "engine/runner.h"
#include "engine/snapshot.h"
#include "rules/config.h"
#include "tests/testing/mem_config_files.h"
#include "tests/testing/fake_file_source.h"
#include "tests/testing/fake_process_runner.h"

namespace sotinc {
namespace {

using testing::FakeFileSource;
using testing::FakeProcessRunner;
using V = std::vector<std::string>;
using S = std::set<std::string>;

// ---- Helpers ---------------------------------------------------------------

using testing::MemConfigFiles;

// Loads `text` as sotinc.yaml, the way the CLI does (so Rule::canonical is
// the config loader's).
std::unique_ptr<Config> LoadText(const std::string& text) {
  MemConfigFiles files;
  files.files["sotinc.yaml"] = text;
  ConfigError error;
  Result<Config> loaded = LoadConfig("sotinc.yaml", files, &error);
  EXPECT_TRUE(loaded.ok()) << error.Text();
  if (!loaded.ok()) return std::make_unique<Config>();
  return std::make_unique<Config>(std::move(*loaded));
}

V Show(const std::vector<Finding>& findings) {
  V out;
  for (const Finding& f : findings) {
    out.push_back(f.path + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + ": " +
                  f.message);
  }
  return out;
}

V Sorted(V v) {
  std::sort(v.begin(), v.end());
  return v;
}

S SetOf(const V& v) { return S(v.begin(), v.end()); }

class FakeClock : public Clock {
 public:
  double NowMs() override { return now_ += 1; }
  double now_ = 0;
};

// A working tree of untracked files: the listing carries lstat data and no
// content ids, so the runner hashes through ContentIds and the cache's stat
// table. Every Write() is a new mtime/ctime (a new inode for a new path),
// as on a real file system; times are long settled (not racily clean).
class StatFileSource : public FileSource {
 public:
  void Write(const std::string& path, const std::string& content) {
    File& f = files_[path];
    f.content = content;
    f.time_ns = kSettled + static_cast<int64_t>(++tick_) * 1000000000LL;
    if (f.ino == 0) f.ino = ++next_ino_;
  }
  void Remove(const std::string& path) { files_.erase(path); }

  Result<std::vector<FileEntry>> List() override {
    std::vector<FileEntry> out;
    for (const auto& [path, f] : files_) {
      FileEntry e;
      e.path = path;
      e.size = f.content.size();
      e.mtime_ns = f.time_ns;
      e.ctime_ns = f.time_ns;
      e.ino = f.ino;
      out.push_back(std::move(e));
    }
    return out;
  }
  Result<std::string> Read(const FileEntry& entry) override {
    files_read_.push_back(entry.path);
    auto it = files_.find(entry.path);
    if (it == files_.end()) return Status::Error("no such file");
    return it->second.content;
  }
  std::string materialized_root() const override { return ""; }
  std::string description() const override { return "stat fake"; }

  V files_read_;

 private:
  static constexpr int64_t kSettled = 1600000000LL * 1000000000LL;  // 2020
  struct File {
    std::string content;
    int64_t time_ns = 0;
    uint64_t ino = 0;
  };
  std::map<std::string, File> files_;
  int tick_ = 0;
  uint64_t next_ino_ = 0;
};

// Wraps a source so that one read of a path returns other bytes than the
// listing described: the file changed between listing and reading (and, for
// the next run, changed back, so a result cached under the listed key would
// be served wrong).
class RacingSource : public FileSource {
 public:
  explicit RacingSource(FileSource* inner) : inner_(inner) {}
  // The read of `path` after `skip` more reads returns `bytes`, once.
  void ChangeDuringRead(const std::string& path, const std::string& bytes, int skip = 0) {
    races_[path] = {skip, bytes};
  }

  Result<std::vector<FileEntry>> List() override { return inner_->List(); }
  Result<std::string> Read(const FileEntry& entry) override {
    Result<std::string> r = inner_->Read(entry);
    auto it = races_.find(entry.path);
    if (it == races_.end()) return r;
    if (it->second.first-- > 0) return r;
    std::string bytes = it->second.second;
    races_.erase(it);
    return bytes;
  }
  std::string materialized_root() const override { return ""; }
  std::string description() const override { return "racing"; }

 private:
  FileSource* inner_;
  std::map<std::string, std::pair<int, std::string>> races_;
};

// ---- Fixture ---------------------------------------------------------------

class IncrementalTest : public ::testing::Test {
 protected:
  // `rules` is the YAML of the `rules:` list.
  void UseRules(const std::string& rules) {
    config_ = LoadText("version: 1\nrules:\n" + rules);
    graph_ = std::make_unique<RuleGraph>(config_->rules);
  }

  RunRequest Request(ResultCache* cache, bool read_cache, bool explain) {
    RunRequest request;
    for (const Rule* r : graph_->rules()) {
      if (r->enabled) request.rules.push_back(r);
    }
    request.settings = config_->settings;
    request.workdir = "/repo";  // command rules run "in place": no temp copy on disk
    request.cache = cache;
    request.read_cache = read_cache;
    request.explain = explain;
    return request;
  }

  RunReport Run(bool read_cache = true, bool explain = false) {
    fake_.files_read_.clear();
    stat_.files_read_.clear();
    processes_.commands_ran_.clear();
    Result<Snapshot> snapshot = Snapshot::Build(*source_, config_->ignore_globs);
    EXPECT_TRUE(snapshot.ok());
    Runner runner(graph_.get(), source_, &processes_, &clock_);
    RunReport report = runner.Run(*snapshot, Request(&cache_, read_cache, explain));
    counters_ = runner.counters();
    // Hashing reads count too: the counters agree with what the source saw.
    EXPECT_EQ(counters_.files_read, fake_.files_read_.size() + stat_.files_read_.size());
    return report;
  }

  // Every result of `report` equals that of a fresh, uncached run.
  void ExpectSameAsFresh(const RunReport& report) {
    Result<Snapshot> snapshot = Snapshot::Build(*source_, config_->ignore_globs);
    ASSERT_TRUE(snapshot.ok());
    Runner runner(graph_.get(), source_, &processes_, &clock_);
    RunReport fresh = runner.Run(*snapshot, Request(nullptr, true, false));
    ExpectSameResults(report, fresh);
    fake_.files_read_.clear();
    stat_.files_read_.clear();
    processes_.commands_ran_.clear();
  }

  static void ExpectSameResults(const RunReport& a, const RunReport& b) {
    ASSERT_EQ(a.results.size(), b.results.size());
    for (size_t i = 0; i < a.results.size(); ++i) {
      const RuleResult& x = a.results[i];
      const RuleResult& y = b.results[i];
      EXPECT_EQ(x.id, y.id);
      EXPECT_EQ(StatusName(x.status), StatusName(y.status)) << x.id;
      EXPECT_EQ(x.reason, y.reason) << x.id;
      EXPECT_EQ(x.severity, y.severity) << x.id;
      EXPECT_EQ(Show(x.findings), Show(y.findings)) << x.id;
    }
  }

  static const RuleResult& Get(const RunReport& report, const std::string& id) {
    for (const RuleResult& r : report.results) {
      if (r.id == id) return r;
    }
    static RuleResult none;
    ADD_FAILURE() << "no result for " << id;
    return none;
  }

  static S Ids(const RunReport& report) {
    S ids;
    for (const RuleResult& r : report.results) ids.insert(r.id);
    return ids;
  }

  S Ran() const { return SetOf(counters_.ran); }

  // Argument lists of the commands run, sorted.
  V Commands() const {
    V out;
    for (const ProcessSpec& spec : processes_.commands_ran_) {
      std::string line;
      for (const std::string& a : spec.argv) line += (line.empty() ? "" : " ") + a;
      out.push_back(line);
    }
    return Sorted(out);
  }

  FakeFileSource fake_;
  StatFileSource stat_;
  FileSource* source_ = &fake_;
  MemoryCache cache_;
  FakeProcessRunner processes_;
  FakeClock clock_;
  std::unique_ptr<Config> config_;
  std::unique_ptr<RuleGraph> graph_;
  RunCounters counters_;
};

// A small repository and one rule of every kind over it.
class IncrementalRepoTest : public IncrementalTest {
 protected:
  void SetUp() override {
    fake_.Add("README.md", "hello\n");
    fake_.Add("src/a/README.md", "a\n");
    fake_.Add("src/a/main.py", "print('a')\n");
    fake_.Add("src/a/util.py", "x = 1  # TODO\n");
    fake_.Add("src/b/README.md", "b\n");
    fake_.Add("src/b/main.py", "print('b')\n");
    fake_.Add("src/b/util.py", "y = 2\n");
    fake_.Add("cfg/app.yaml", "name: app\nport: 80\n");
    fake_.Add("cfg/db.yaml", "name: db\nport: 5432\n");
    UseRules(R"(
- {id: DIRS, check: {kind: dir_count, parents: [src], count: 2}}
- {id: SAME, check: {kind: dir_count, parents: ['src/*'], entries: files, same_names: true}}
- {id: REQ, check: {kind: required_files, dirs: ['src/*'], files: [README.md, main.py]}}
- {id: TODO, check: {kind: forbid_regex, files: '**/*.py', pattern: TODO}}
- {id: NAME, check: {kind: path_name, files: '**/*.py', pattern: '^[a-z_]+\.py$'}}
- {id: YAML, check: {kind: yaml, files: 'cfg/*.yaml', require: [name, port]}}
- {id: UNIQ, check: {kind: unique, files: 'cfg/*.yaml', key: port}}
- {id: SIZE, check: {kind: max_size, files: '**', lines: 100}}
- {id: HDR, check: {kind: require_regex, files: '**/main.py', pattern: print}}
- {id: ANY, check: {kind: require_regex, files: '**/*.md', pattern: hello, scope: any_file}}
- {id: LINT, check: {kind: command, run: [lint], files: '**/*.py'}}
- {id: FMT, check: {kind: command, run: [fmt], files: '**/*.py', per_file: true}}
)");
    first_ = Run();
    EXPECT_EQ(Ran(), Ids(first_));
    EXPECT_EQ(first_.summary.errors, 0);
    EXPECT_EQ(first_.summary.skipped, 0);
    EXPECT_EQ(Get(first_, "TODO").status, RuleStatus::kFail);
  }

  const S kAll = {"ANY", "DIRS", "FMT",  "HDR",  "LINT", "NAME",
                  "REQ", "SAME", "SIZE", "TODO", "UNIQ", "YAML"};
  RunReport first_;
};

// ---- No change -------------------------------------------------------------

TEST_F(IncrementalRepoTest, SecondRunAfterNoChangeReadsNothingAndRunsNothing) {
  ASSERT_EQ(Ids(first_), kAll);
  RunReport second = Run();
  EXPECT_EQ(fake_.files_read_, V{});
  EXPECT_EQ(counters_.files_read, 0u);
  EXPECT_EQ(counters_.files_hashed, 0u);
  EXPECT_EQ(counters_.ran, V{});
  EXPECT_EQ(counters_.files_checked, 0u);
  EXPECT_EQ(counters_.rule_hits, kAll.size());
  EXPECT_EQ(counters_.rule_misses, 0u);
  EXPECT_EQ(Commands(), V{});
  for (const RuleResult& r : second.results) EXPECT_TRUE(r.cached) << r.id;
  EXPECT_EQ(second.summary.cached, static_cast<int>(kAll.size()));
  EXPECT_EQ(second.summary.ran, 0);
  ExpectSameResults(second, first_);
}

TEST_F(IncrementalTest, NoChangeHashesNothingTheSecondTime) {
  source_ = &stat_;
  stat_.Write("a.py", "x = 1\n");
  stat_.Write("b.py", "TODO\n");
  stat_.Write("docs/c.md", "# c\n");
  UseRules(R"(
- {id: TODO, check: {kind: forbid_regex, files: '**/*.py', pattern: TODO}}
- {id: SIZE, check: {kind: max_size, files: '**', lines: 10}}
- {id: NAME, check: {kind: path_name, files: '**', pattern: '^[a-z.]+$'}}
- {id: DIRS, check: {kind: dir_count, parents: ['.'], max: 1}}
)");
  RunReport first = Run();
  EXPECT_EQ(Ran(), (S{"DIRS", "NAME", "SIZE", "TODO"}));
  EXPECT_EQ(counters_.files_hashed, 3u);  // each content input once
  // Hashed once, then read by each content rule that matches it.
  EXPECT_EQ(Sorted(stat_.files_read_),
            V({"a.py", "a.py", "a.py", "b.py", "b.py", "b.py", "docs/c.md", "docs/c.md"}));

  RunReport second = Run();
  EXPECT_EQ(stat_.files_read_, V{});
  EXPECT_EQ(counters_.files_read, 0u);
  EXPECT_EQ(counters_.files_hashed, 0u);
  EXPECT_EQ(counters_.ran, V{});
  for (const RuleResult& r : second.results) EXPECT_TRUE(r.cached) << r.id;
  ExpectSameResults(second, first);

  // Touched but not changed: hashed again (its stat data changed), nothing runs.
  stat_.Write("a.py", "x = 1\n");
  Run();
  EXPECT_EQ(counters_.files_hashed, 1u);
  EXPECT_EQ(stat_.files_read_, V({"a.py"}));
  EXPECT_EQ(counters_.ran, V{});

  // Changed: hashed once and re-judged by the content rules over it only.
  stat_.Write("a.py", "x = 2\n");
  RunReport third = Run();
  EXPECT_EQ(counters_.files_hashed, 1u);
  EXPECT_EQ(stat_.files_read_, V({"a.py", "a.py", "a.py"}));
  EXPECT_EQ(Ran(), (S{"SIZE", "TODO"}));
  EXPECT_EQ(counters_.files_checked, 2u);
  ExpectSameAsFresh(third);
}

// ---- One file changes ------------------------------------------------------

TEST_F(IncrementalRepoTest, ChangedFileRerunsExactlyTheRulesOverItAndOnlyThatFile) {
  fake_.Add("src/b/util.py", "TODO!\n");  // same size as before
  RunReport report = Run();
  EXPECT_EQ(Ran(), (S{"FMT", "LINT", "SIZE", "TODO"}));
  // Read by the two content rules that judge it (TODO, SIZE); FMT's command
  // reads it itself, LINT's too.
  EXPECT_EQ(fake_.files_read_, V({"src/b/util.py", "src/b/util.py"}));
  EXPECT_EQ(counters_.files_checked, 3u);  // TODO, SIZE, FMT: one file each
  EXPECT_EQ(Commands(), V({"fmt src/b/util.py",
                           "lint src/a/main.py src/a/util.py src/b/main.py src/b/util.py"}));
  EXPECT_EQ(Show(Get(report, "TODO").findings), V({"src/a/util.py:1:10: forbidden pattern 'TODO'",
                                                   "src/b/util.py:1:1: forbidden pattern 'TODO'"}));
  for (const std::string& id : kAll) {
    EXPECT_EQ(Get(report, id).cached, !Ran().count(id)) << id;
  }
  ExpectSameAsFresh(report);
}

TEST_F(IncrementalTest, RuleOverManyFilesRereadsOnlyTheChangedOne) {
  for (int i = 0; i < 40; ++i) fake_.Add("f" + std::to_string(100 + i) + ".txt", "fine\n");
  UseRules("- {id: R, check: {kind: forbid_regex, files: '*.txt', pattern: bad}}\n");
  Run();
  EXPECT_EQ(counters_.files_checked, 40u);
  fake_.Add("f117.txt", "bad!\n");
  RunReport report = Run();
  EXPECT_EQ(fake_.files_read_, V({"f117.txt"}));
  EXPECT_EQ(counters_.files_read, 1u);
  EXPECT_EQ(counters_.files_checked, 1u);
  EXPECT_EQ(counters_.file_hits, 39u);
  EXPECT_EQ(counters_.ran, V({"R"}));
  EXPECT_EQ(Show(Get(report, "R").findings), V({"f117.txt:1:1: forbidden pattern 'bad'"}));
  ExpectSameAsFresh(report);
}

// ---- Add, delete, rename ---------------------------------------------------

TEST_F(IncrementalRepoTest, AddedFileRerunsTheRulesWhoseInputsIncludeIt) {
  fake_.Add("src/c/main.py", "print('c')\n");
  RunReport report = Run();
  // The structure rules whose outcome the new directory changes, and every
  // rule matching the new file (per-file ones on that file only).
  EXPECT_EQ(Ran(), (S{"DIRS", "FMT", "HDR", "LINT", "NAME", "REQ", "SAME", "SIZE", "TODO"}));
  EXPECT_EQ(fake_.files_read_, V({"src/c/main.py", "src/c/main.py", "src/c/main.py"}));
  EXPECT_EQ(counters_.files_checked, 5u);  // TODO, NAME, SIZE, HDR, FMT
  EXPECT_EQ(Show(Get(report, "DIRS").findings),
            V({"src:0:0: has 3 directories, expected exactly 2"}));
  EXPECT_EQ(Show(Get(report, "REQ").findings),
            V({"src/c/README.md:0:0: missing required file 'README.md'"}));
  ExpectSameAsFresh(report);

  // A file no structure outcome depends on: only the rule matching it.
  fake_.Add("notes.txt", "n\n");
  report = Run();
  EXPECT_EQ(Ran(), (S{"SIZE"}));
  EXPECT_EQ(fake_.files_read_, V({"notes.txt"}));
  EXPECT_EQ(counters_.files_checked, 1u);
  ExpectSameAsFresh(report);
}

TEST_F(IncrementalRepoTest, DeletedFileRerunsTheRulesWhoseInputsIncludeIt) {
  fake_.Remove("src/a/util.py");
  RunReport report = Run();
  // SAME sees different names now; LINT's argument list changed. The
  // per-file rules over the file (TODO, NAME, SIZE, FMT) are re-keyed and
  // put together from their other files' cached findings: nothing to judge.
  EXPECT_EQ(Ran(), (S{"LINT", "SAME"}));
  EXPECT_EQ(fake_.files_read_, V{});
  EXPECT_EQ(counters_.files_checked, 0u);
  EXPECT_EQ(counters_.rule_misses, 6u);  // LINT, SAME, TODO, NAME, SIZE, FMT
  EXPECT_EQ(Get(report, "TODO").status, RuleStatus::kPass);
  EXPECT_EQ(Show(Get(report, "SAME").findings).size(), 1u);
  ExpectSameAsFresh(report);

  fake_.Remove("src/b/README.md");
  report = Run();
  EXPECT_EQ(Ran(), (S{"ANY", "REQ", "SAME"}));
  EXPECT_EQ(Show(Get(report, "REQ").findings),
            V({"src/b/README.md:0:0: missing required file 'README.md'"}));
  EXPECT_EQ(counters_.files_checked, 0u);
  ExpectSameAsFresh(report);
}

TEST_F(IncrementalRepoTest, RenamedFileRerunsTheRulesWhoseInputsIncludeEitherPath) {
  fake_.Remove("src/b/util.py");
  fake_.Add("src/b/Util.py", "y = 2\n");
  RunReport report = Run();
  EXPECT_EQ(Ran(), (S{"FMT", "LINT", "NAME", "SAME", "SIZE", "TODO"}));
  EXPECT_EQ(fake_.files_read_, V({"src/b/Util.py", "src/b/Util.py"}));
  EXPECT_EQ(counters_.files_checked, 4u);  // the new path, for TODO, NAME, SIZE, FMT
  EXPECT_EQ(Show(Get(report, "NAME").findings),
            V({"src/b/Util.py:0:0: name 'Util.py' does not match '^[a-z_]+\\.py$'"}));
  ExpectSameAsFresh(report);

  // Moved to another directory under a good name: path_name judges it
  // again, and the structure rules see the move.
  fake_.Remove("src/b/Util.py");
  fake_.Add("src/a/more.py", "y = 2\n");
  report = Run();
  EXPECT_EQ(Ran(), (S{"FMT", "LINT", "NAME", "SAME", "SIZE", "TODO"}));
  EXPECT_EQ(Get(report, "NAME").status, RuleStatus::kPass);
  ExpectSameAsFresh(report);
}

TEST_F(IncrementalTest, PathNameRerunsOnRenameOnly) {
  fake_.Add("docs/a.md", "a\n");
  fake_.Add("docs/b.md", "b\n");
  UseRules("- {id: P, check: {kind: path_name, files: 'docs/*', pattern: '^[a-z]+\\.md$'}}\n");
  Run();
  fake_.Remove("docs/b.md");
  fake_.Add("docs/B.md", "b\n");
  RunReport report = Run();
  EXPECT_EQ(counters_.ran, V({"P"}));
  EXPECT_EQ(counters_.files_checked, 1u);
  EXPECT_EQ(fake_.files_read_, V{});
  EXPECT_EQ(Show(Get(report, "P").findings),
            V({"docs/B.md:0:0: name 'B.md' does not match '^[a-z]+\\.md$'"}));
  ExpectSameAsFresh(report);
}

// ---- Early cutoff ----------------------------------------------------------

TEST_F(IncrementalTest, PrerequisiteWithAnUnchangedResultLeavesItsDependentCached) {
  fake_.Add("a.txt", "fine\n");
  fake_.Add("b.md", "b\n");
  UseRules(R"(
- {id: A, check: {kind: forbid_regex, files: a.txt, pattern: TODO}}
- {id: B, depends_on: [A], check: {kind: forbid_regex, files: '*.md', pattern: TODO}}
)");
  Run();
  EXPECT_EQ(counters_.ran, V({"A", "B"}));

  // A reruns and passes again: B stays cached.
  fake_.Add("a.txt", "still fine\n");
  RunReport report = Run();
  EXPECT_EQ(counters_.ran, V({"A"}));
  EXPECT_FALSE(Get(report, "A").cached);
  EXPECT_TRUE(Get(report, "B").cached);
  EXPECT_EQ(fake_.files_read_, V({"a.txt"}));

  // A's result changes: B's changes with it (it is skipped, naming A).
  fake_.Add("a.txt", "TODO\n");
  report = Run();
  EXPECT_EQ(counters_.ran, V({"A"}));
  EXPECT_EQ(Get(report, "A").status, RuleStatus::kFail);
  EXPECT_EQ(Get(report, "B").status, RuleStatus::kSkipped);
  EXPECT_EQ(Get(report, "B").reason, "prerequisite A did not pass (fail)");
  ExpectSameAsFresh(report);

  // A passes again with a content never seen: every pass digests alike, so
  // B's key is the one it had and B comes back from the cache.
  fake_.Add("a.txt", "fine at last\n");
  report = Run();
  EXPECT_EQ(counters_.ran, V({"A"}));
  EXPECT_TRUE(Get(report, "B").cached);
  EXPECT_EQ(Get(report, "B").status, RuleStatus::kPass);

  // B's own input changes: B reruns, A stays cached.
  fake_.Add("b.md", "TODO\n");
  report = Run();
  EXPECT_EQ(counters_.ran, V({"B"}));
  EXPECT_EQ(Get(report, "B").status, RuleStatus::kFail);
  ExpectSameAsFresh(report);
}

// ---- Definition changes ----------------------------------------------------

class IncrementalDefinitionTest : public IncrementalTest {
 protected:
  void SetUp() override {
    fake_.Add("a.py", "x = 1\n");
    fake_.Add("b.py", "y = 2\n");
    fake_.Add("docs/c.md", "c\n");
  }
  static std::string Rules(const std::string& r2_pattern, const std::string& r1_pattern = "TODO") {
    return R"(
- id: R1
  title: No TODO
  check:
    kind: forbid_regex
    files: '**/*.py'
    pattern: )" +
           r1_pattern + R"(
- id: R2
  title: Names
  check:
    kind: path_name
    files: '**/*.py'
    pattern: ')" +
           r2_pattern + R"('
- id: R3
  depends_on: [R2]
  check:
    kind: max_size
    files: '**'
    lines: 100
- id: R4
  check:
    kind: dir_count
    parents: ['.']
    entries: dirs
    max: 3
)";
  }
};

TEST_F(IncrementalDefinitionTest, ChangedCheckRerunsOnlyThatRule) {
  UseRules(Rules("^[a-z]+\\.py$"));
  Run();
  EXPECT_EQ(SetOf(counters_.ran), (S{"R1", "R2", "R3", "R4"}));

  // R2's definition changes, its result does not: R3 (after it) stays cached.
  UseRules(Rules("^[a-z.]+$"));
  RunReport report = Run();
  EXPECT_EQ(counters_.ran, V({"R2"}));
  EXPECT_EQ(counters_.files_checked, 2u);
  EXPECT_EQ(fake_.files_read_, V{});
  EXPECT_TRUE(Get(report, "R3").cached);

  // R2's result changes too: R3 follows (skipped).
  UseRules(Rules("^[A-Z]"));
  report = Run();
  EXPECT_EQ(counters_.ran, V({"R2"}));
  EXPECT_EQ(Get(report, "R2").status, RuleStatus::kFail);
  EXPECT_EQ(Get(report, "R3").status, RuleStatus::kSkipped);
  ExpectSameAsFresh(report);

  // A content rule's definition: every file it matches is judged again.
  UseRules(Rules("^[a-z.]+$", "'y = '"));
  report = Run();
  EXPECT_EQ(counters_.ran, V({"R1"}));
  EXPECT_EQ(fake_.files_read_, V({"a.py", "b.py"}));
  EXPECT_EQ(Show(Get(report, "R1").findings), V({"b.py:1:1: forbidden pattern 'y = '"}));
  ExpectSameAsFresh(report);
}

TEST_F(IncrementalDefinitionTest, TitleDescriptionSeverityAndLayoutRerunNothing) {
  UseRules(Rules("^[a-z]+\\.py$"));
  RunReport first = Run();
  // The same checks written differently: other titles, a description,
  // tags, a severity, rules in another order, flow style, keys reordered.
  UseRules(R"(
- id: R4
  title: Few top-level folders
  description: Keep the root tidy.
  tags: [structure]
  check: {max: 3, entries: dirs, parents: ['.'], kind: dir_count}
- {id: R3, depends_on: [R2], severity: warning, check: {lines: 100, files: '**', kind: max_size}}
- id: R2
  title: Lower-case module names
  check: {pattern: '^[a-z]+\.py$', kind: path_name, files: '**/*.py'}
- id: R1
  description: Say it in an issue instead.
  check:
    pattern: TODO
    files: '**/*.py'
    kind: forbid_regex
)");
  RunReport report = Run();
  EXPECT_EQ(counters_.ran, V{});
  EXPECT_EQ(fake_.files_read_, V{});
  for (const RuleResult& r : report.results) EXPECT_TRUE(r.cached) << r.id;
  EXPECT_EQ(Get(report, "R3").severity, Severity::kWarning);
  ExpectSameAsFresh(report);
}

TEST_F(IncrementalDefinitionTest, CommandRulesWithTheSameCheckDoNotShareResults) {
  // One script, told which rule it serves by SOTINC_RULE: equal checks,
  // different results.
  UseRules(R"(
- {id: P1, check: {kind: command, run: [policy]}}
- {id: P2, check: {kind: command, run: [policy]}}
- {id: P3, check: {kind: command, run: [policy], files: '*.py', per_file: true}}
- {id: P4, check: {kind: command, run: [policy], files: '*.py', per_file: true}}
)");
  processes_.SetScript([](const ProcessSpec& spec) {
    for (const auto& [name, value] : spec.env) {
      if (name == "SOTINC_RULE" && (value == "P2" || value == "P4")) {
        return FakeProcessRunner::Exited(1, "x:1: not allowed for " + value + "\n");
      }
    }
    return FakeProcessRunner::Exited(0);
  });
  RunReport report = Run();
  EXPECT_EQ(SetOf(counters_.ran), (S{"P1", "P2", "P3", "P4"}));
  EXPECT_EQ(Get(report, "P1").status, RuleStatus::kPass);
  EXPECT_EQ(Get(report, "P2").status, RuleStatus::kFail);
  EXPECT_EQ(Get(report, "P3").status, RuleStatus::kPass);
  EXPECT_EQ(Get(report, "P4").status, RuleStatus::kFail);
  report = Run();
  EXPECT_EQ(counters_.ran, V{});
  ExpectSameAsFresh(report);
}

// ---- --no-cache ------------------------------------------------------------

TEST_F(IncrementalRepoTest, NoCacheRunsEverythingAndStoresFreshResults) {
  RunReport report = Run(/*read_cache=*/false);
  EXPECT_EQ(Ran(), kAll);
  for (const RuleResult& r : report.results) EXPECT_FALSE(r.cached) << r.id;
  EXPECT_EQ(counters_.rule_hits, 0u);
  EXPECT_EQ(counters_.file_hits, 0u);
  ExpectSameResults(report, first_);

  report = Run();
  EXPECT_EQ(counters_.ran, V{});
  EXPECT_EQ(fake_.files_read_, V{});
  for (const RuleResult& r : report.results) EXPECT_TRUE(r.cached) << r.id;
}

TEST_F(IncrementalTest, NoCacheOnAnEmptyCacheFillsIt) {
  fake_.Add("a.py", "TODO\n");
  fake_.Add("b.py", "ok\n");
  UseRules(R"(
- {id: T, check: {kind: forbid_regex, files: '*.py', pattern: TODO}}
- {id: C, check: {kind: command, run: [lint], files: '*.py'}}
)");
  RunReport report = Run(/*read_cache=*/false);
  EXPECT_EQ(counters_.ran, V({"C", "T"}));
  // Fresh results were stored even though none were read: changing one file
  // now re-judges that file only.
  fake_.Add("b.py", "ok!\n");
  report = Run();
  EXPECT_EQ(counters_.ran, V({"C", "T"}));
  EXPECT_EQ(fake_.files_read_, V({"b.py"}));
  EXPECT_EQ(counters_.files_checked, 1u);
  report = Run();
  EXPECT_EQ(counters_.ran, V{});
  ExpectSameAsFresh(report);
}

// ---- Errors are never cached -----------------------------------------------

TEST_F(IncrementalTest, TimedOutCommandIsNotCached) {
  fake_.Add("a.py", "a\n");
  UseRules(R"(
- {id: SLOW, check: {kind: command, run: [slow], files: '*.py'}}
- {id: AFTER, depends_on: [SLOW], check: {kind: path_name, files: '*.py', pattern: '^a'}}
)");
  ProcessOutcome timeout;
  timeout.timed_out = true;
  processes_.SetOutcome("slow", timeout);
  RunReport report = Run();
  EXPECT_EQ(Get(report, "SLOW").status, RuleStatus::kError);
  EXPECT_EQ(Get(report, "SLOW").reason, "timed out after 60s");
  EXPECT_EQ(Get(report, "AFTER").status, RuleStatus::kSkipped);

  report = Run();
  EXPECT_EQ(counters_.ran, V({"SLOW"}));
  EXPECT_EQ(Commands(), V({"slow a.py"}));
  EXPECT_EQ(Get(report, "SLOW").status, RuleStatus::kError);
  EXPECT_FALSE(Get(report, "SLOW").cached);

  processes_.SetOutcome("slow", FakeProcessRunner::Exited(0));
  report = Run();
  EXPECT_EQ(counters_.ran, V({"SLOW", "AFTER"}));
  EXPECT_EQ(Get(report, "AFTER").status, RuleStatus::kPass);
  report = Run();
  EXPECT_EQ(counters_.ran, V{});
  EXPECT_EQ(Commands(), V{});
}

TEST_F(IncrementalTest, PerFileCommandKeepsTheFilesJudgedBeforeAnError) {
  for (const char* p : {"a.py", "b.py", "c.py"}) fake_.Add(p, "x\n");
  UseRules("- {id: FMT, check: {kind: command, run: [fmt], files: '*.py', per_file: true}}\n");
  bool hang = true;
  processes_.SetScript([&hang](const ProcessSpec& spec) {
    ProcessOutcome o;
    o.exit_code = 0;
    o.timed_out = hang && spec.argv.back() == "b.py";
    return o;
  });
  RunReport report = Run();
  EXPECT_EQ(Get(report, "FMT").status, RuleStatus::kError);
  // Each file is a job of its own here (a command's first guess is 20 ms a
  // file), so the files around b.py are judged and kept.
  EXPECT_EQ(Commands(), V({"fmt a.py", "fmt b.py", "fmt c.py"}));

  hang = false;
  report = Run();
  EXPECT_EQ(Get(report, "FMT").status, RuleStatus::kPass);
  EXPECT_EQ(Commands(), V({"fmt b.py"}));  // a.py and c.py were judged and kept
  report = Run();
  EXPECT_EQ(Commands(), V{});
  EXPECT_TRUE(Get(report, "FMT").cached);
}

// ---- A file that changes between listing and reading -------------------------

TEST_F(IncrementalTest, FileChangedAfterListingIsNotCachedUnderTheListedKey) {
  RacingSource racing(&fake_);
  source_ = &racing;
  fake_.Add("a.txt", "clean\n");
  fake_.Add("b.txt", "fine\n");
  fake_.Add("a.yaml", "id: 1\n");
  fake_.Add("b.yaml", "id: 2\n");
  UseRules(R"(
- {id: R, check: {kind: forbid_regex, files: '*.txt', pattern: TODO}}
- {id: U, check: {kind: unique, files: '*.yaml', key: id}}
)");
  racing.ChangeDuringRead("a.txt", "TODO: more\n");
  racing.ChangeDuringRead("b.yaml", "id: 1 \n");
  RunReport report = Run();
  // This run judged what it read.
  EXPECT_EQ(Get(report, "R").status, RuleStatus::kFail);
  EXPECT_EQ(Get(report, "U").status, RuleStatus::kFail);
  // ... and says so, so that no run memo is written for it.
  EXPECT_EQ(counters_.unstable, 2u);

  // The listing is as before; what was read then must not be served now.
  report = Run();
  EXPECT_EQ(Ran(), S({"R", "U"}));
  EXPECT_EQ(counters_.files_checked, 1u);  // a.txt: b.txt's findings were sound
  EXPECT_EQ(Get(report, "R").status, RuleStatus::kPass);
  EXPECT_EQ(Get(report, "U").status, RuleStatus::kPass);
  ExpectSameAsFresh(report);
  EXPECT_EQ(counters_.unstable, 0u);
  report = Run();
  EXPECT_EQ(counters_.ran, V{});
}

TEST_F(IncrementalTest, HashedFileChangedAfterHashingIsNotCached) {
  RacingSource racing(&stat_);
  source_ = &racing;
  stat_.Write("a.txt", "clean!\n");
  stat_.Write("b.txt", "fine\n");
  UseRules("- {id: R, check: {kind: forbid_regex, files: '*.txt', pattern: TODO}}\n");
  // Same size, so only the content id can tell: hashed as listed, then read
  // changed by the check.
  racing.ChangeDuringRead("a.txt", "TODO!!\n", /*skip=*/1);
  RunReport report = Run();
  EXPECT_EQ(Get(report, "R").status, RuleStatus::kFail);

  report = Run();
  EXPECT_EQ(counters_.ran, V({"R"}));
  EXPECT_EQ(counters_.files_hashed, 0u);  // the hash of the listed content was sound
  EXPECT_EQ(stat_.files_read_, V({"a.txt"}));
  EXPECT_EQ(Get(report, "R").status, RuleStatus::kPass);
  ExpectSameAsFresh(report);
  report = Run();
  EXPECT_EQ(counters_.ran, V{});
}

// ---- --explain -------------------------------------------------------------

TEST_F(IncrementalTest, ExplainSaysWhyEachRuleRan) {
  fake_.Add("x.py", "x\n");
  fake_.Add("docs/a.md", "a\n");
  const std::string rules = R"(
- {id: A, check: {kind: forbid_regex, files: '*.py', pattern: TODO}}
- {id: B, depends_on: [A], check: {kind: path_name, files: 'docs/*', pattern: '^[a-z]'}}
- {id: D, check: {kind: dir_count, parents: [docs], entries: files, max: 1}}
)";
  UseRules(rules);
  RunReport report = Run(true, /*explain=*/true);
  for (const char* id : {"A", "B", "D"}) EXPECT_EQ(Get(report, id).explain, "no cached result");

  fake_.Add("x.py", "y\n");
  report = Run(true, true);
  EXPECT_EQ(counters_.ran, V({"A"}));
  EXPECT_EQ(Get(report, "A").explain, "input x.py changed");
  EXPECT_EQ(Get(report, "B").explain, "");  // cached

  fake_.Add("y.py", "y\n");
  fake_.Add("docs/b.md", "b\n");
  report = Run(true, true);
  EXPECT_EQ(Ran(), S({"A", "B", "D"}));
  EXPECT_EQ(Get(report, "A").explain, "input y.py added");
  EXPECT_EQ(Get(report, "B").explain, "input docs/b.md added");
  EXPECT_EQ(Get(report, "D").explain, "directory structure changed");

  fake_.Remove("x.py");
  report = Run(true, true);
  EXPECT_EQ(counters_.ran, V{});  // put together from y.py's cached findings
  EXPECT_EQ(Get(report, "A").explain, "input x.py removed");

  UseRules(R"(
- {id: A, check: {kind: forbid_regex, files: '*.py', pattern: FIXME}}
- {id: B, check: {kind: path_name, files: 'docs/*', pattern: '^[a-z]'}}
- {id: D, check: {kind: dir_count, parents: [docs], entries: files, max: 1}}
)");
  report = Run(true, true);
  // B's key changed with its depends_on; its files' findings did not.
  EXPECT_EQ(counters_.ran, V({"A"}));
  EXPECT_EQ(Get(report, "A").explain, "definition changed");
  EXPECT_EQ(Get(report, "B").explain, "dependency A removed");
  EXPECT_TRUE(Get(report, "B").cached);

  UseRules(rules);
  report = Run(true, true);
  // Both come back from the cache of the first runs.
  EXPECT_EQ(counters_.ran, V{});

  report = Run(/*read_cache=*/false, true);
  EXPECT_EQ(Get(report, "A").explain, "--no-cache: every rule runs fresh");
}

// Counts the bytes written to the rule space, and can forget the per-file
// records (as `cache gc` may evict them).
class WriteCountingCache : public MemoryCache {
 public:
  bool Put(CacheSpace space, std::string_view key, const std::string& rule_id,
           std::string_view value) override {
    if (space == CacheSpace::kRule) rule_bytes_ += value.size();
    return MemoryCache::Put(space, key, rule_id, value);
  }
  std::optional<std::string> Get(CacheSpace space, std::string_view key) override {
    if (space == CacheSpace::kFile && forget_records_) return std::nullopt;
    return MemoryCache::Get(space, key);
  }
  size_t rule_bytes_ = 0;
  bool forget_records_ = false;
};

// A per-file rule's manifest names its record groups rather than listing
// its inputs: a one-file change writes about the same few bytes whatever
// the number of files, and --explain still names the file, read back from
// the per-file records.
TEST_F(IncrementalTest, PerFileManifestPointsAtItsRecords) {
  for (const char* dir : {"alpha", "beta", "gamma", "delta"}) {
    for (int i = 0; i < 50; ++i) {
      fake_.Add(std::string(dir) + "/tools/python/package/module_" + std::to_string(i) + ".py",
                "x = " + std::to_string(i) + "\n");
    }
  }
  UseRules("- {id: A, check: {kind: forbid_regex, files: '**/*.py', pattern: TODO}}\n");
  WriteCountingCache cache;
  auto run = [&] {
    cache.rule_bytes_ = 0;
    Result<Snapshot> snapshot = Snapshot::Build(*source_, config_->ignore_globs);
    EXPECT_TRUE(snapshot.ok());
    Runner runner(graph_.get(), source_, &processes_, &clock_);
    RunReport report = runner.Run(*snapshot, Request(&cache, true, /*explain=*/true));
    counters_ = runner.counters();
    return report;
  };
  RunReport report = run();
  // 200 paths of over 30 bytes each: a listing manifest would be over 6 KB.
  EXPECT_LT(cache.rule_bytes_, 400u);

  fake_.Add("gamma/tools/python/package/module_7.py", "x = 'TODO'\n");
  report = run();
  EXPECT_EQ(counters_.files_checked, 1u);
  EXPECT_EQ(Get(report, "A").explain, "input gamma/tools/python/package/module_7.py changed");
  EXPECT_LT(cache.rule_bytes_, 600u);
  EXPECT_EQ(Get(report, "A").findings.size(), 1u);

  fake_.Remove("beta/tools/python/package/module_3.py");
  report = run();
  EXPECT_EQ(Get(report, "A").explain, "input beta/tools/python/package/module_3.py removed");

  // Without the records the rule runs over every file again, and says so.
  cache.forget_records_ = true;
  fake_.Add("alpha/tools/python/package/module_0.py", "x = 100\n");
  report = run();
  EXPECT_EQ(counters_.files_checked, 199u);
  EXPECT_EQ(Get(report, "A").explain, "no cached result (its per-file records were evicted)");
}

// A per-file rule writes a group's record as soon as the last of its files
// is back, not when the rule's last job ends: a rule over every file holds
// the verdicts of a few groups at a time. The records written early are
// whole: the next run after a one-file change judges that file only.
TEST_F(IncrementalTest, PerFileRecordsAreWrittenAsTheirGroupsEnd) {
  for (const char* dir : {"alpha", "beta", "delta", "gamma"}) {
    for (int i = 0; i < 50; ++i) {
      fake_.Add(std::string(dir) + "/module_" + std::to_string(100 + i) + ".py",
                "x = " + std::to_string(i) + "\n");
    }
  }
  UseRules("- {id: A, check: {kind: forbid_regex, files: '**/*.py', pattern: TODO}}\n");
  class PutCountingCache : public MemoryCache {
   public:
    bool Put(CacheSpace space, std::string_view key, const std::string& rule_id,
             std::string_view value) override {
      if (space == CacheSpace::kFile) ++file_puts_;
      return MemoryCache::Put(space, key, rule_id, value);
    }
    int file_puts_ = 0;
  } cache;
  struct : RunObserver {
    void JobEnded(const Job& job, const Rule& rule, const JobOutcome& outcome) override {
      (void)rule;
      (void)outcome;
      files.push_back(job.files.size());
      puts_before.push_back(cache->file_puts_);
    }
    void RuleEnded(const RuleResult& result) override {
      (void)result;
      puts_at_end = cache->file_puts_;
    }
    PutCountingCache* cache = nullptr;
    std::vector<size_t> files;
    std::vector<int> puts_before;  // file records written before each job ended
    int puts_at_end = -1;
  } observer;
  observer.cache = &cache;
  CostModel costs;
  costs.per_file["A"] = 1.0;  // 200 ms of files: four chunks for one slot
  auto run = [&] {
    Result<Snapshot> snapshot = Snapshot::Build(*source_, config_->ignore_globs);
    EXPECT_TRUE(snapshot.ok());
    Runner runner(graph_.get(), source_, &processes_, &clock_);
    RunRequest request = Request(&cache, true, false);
    request.costs = &costs;
    request.observer = &observer;
    RunReport report = runner.Run(*snapshot, request);
    counters_ = runner.counters();
    return report;
  };
  run();
  // One chunk per group, in order: each group's record is written when its
  // chunk ends, before the next chunk does; once each.
  EXPECT_EQ(observer.files, (std::vector<size_t>{50, 50, 50, 50}));
  EXPECT_EQ(observer.puts_before, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(observer.puts_at_end, 4);
  EXPECT_EQ(counters_.files_checked, 200u);

  fake_.Add("beta/module_107.py", "x = 'TODO'\n");
  observer.files.clear();
  observer.puts_before.clear();
  cache.file_puts_ = 0;
  RunReport report = run();
  EXPECT_EQ(counters_.files_checked, 1u);
  EXPECT_EQ(counters_.file_hits, 199u);
  EXPECT_EQ(cache.file_puts_, 1) << "only beta's record is rewritten";
  ASSERT_EQ(Get(report, "A").findings.size(), 1u);
  EXPECT_EQ(Get(report, "A").findings[0].path, "beta/module_107.py");
}

// A dependent runs only when its prerequisites pass, and every pass has one
// digest, so the runner cannot show this case; the words are still right.
TEST(IncrementalExplainTest, NamesTheDependencyWhoseResultChanged) {
  RunManifest before;
  before.definition_digest = "d";
  before.deps = {{"Y", "1"}, {"Z", "1"}};
  RunManifest now;
  now.definition_digest = "d";
  now.deps = {{"Y", "2"}, {"Z", "1"}};
  EXPECT_EQ(ExplainDifference(before, now), "dependency Y result changed");
  now.definition_digest = "e";
  now.inputs.files = {{"a/b.py", "1"}};
  EXPECT_EQ(ExplainDifference(before, now),
            "definition changed; dependency Y result changed; input a/b.py added");
  EXPECT_EQ(ExplainDifference(before, before),
            "no cached result (evicted, or the last run was interrupted)");
}

TEST(IncrementalExplainTest, ManifestRoundTrips) {
  RunManifest m;
  m.definition_digest = std::string("\0\1def", 5);
  m.deps = {{"A", "x"}};
  m.inputs.files = {{"a:b", "id:1"},
                    {"a:bc/d", m.inputs.Own(std::string(40, '0'))},
                    {"a:bc/e", "x:ffffffffffffffffffffffffffffffff"},
                    {"c", ""},
                    {"", "size:3"}};
  m.inputs.facts_digest = "facts";
  RunManifest back;
  const std::string bytes = m.Encode();
  ASSERT_TRUE(RunManifest::Decode(bytes, &back));
  EXPECT_EQ(back.definition_digest, m.definition_digest);
  EXPECT_EQ(back.deps, m.deps);
  EXPECT_EQ(back.inputs.files, m.inputs.files);
  EXPECT_EQ(back.inputs.facts_digest, m.inputs.facts_digest);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(RunManifest::Decode(bytes.substr(0, n), &back)) << "truncated to " << n;
  }
  EXPECT_FALSE(RunManifest::Decode(bytes + "x", &back));

  RunManifest grouped;
  grouped.definition_digest = "d";
  grouped.inputs.facts_digest = "facts";
  grouped.files_in_records = true;
  grouped.record_groups = {"", "a", "b/c"};
  const std::string grouped_bytes = grouped.Encode();
  ASSERT_TRUE(RunManifest::Decode(grouped_bytes, &back));
  EXPECT_TRUE(back.files_in_records);
  EXPECT_EQ(back.record_groups, grouped.record_groups);
  EXPECT_TRUE(back.inputs.files.empty());
  EXPECT_EQ(back.inputs.facts_digest, "facts");
  for (size_t n = 0; n < grouped_bytes.size(); ++n) {
    EXPECT_FALSE(RunManifest::Decode(grouped_bytes.substr(0, n), &back)) << "truncated to " << n;
  }
  EXPECT_FALSE(RunManifest::Decode(grouped_bytes + "x", &back));
}

}  // namespace
}  // namespace sotinc

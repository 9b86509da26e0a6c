// Tests of FindAffected (engine/affected.cc), which narrows `--since` and
// `--staged` to the rules a change can affect: base and now are two
// in-memory snapshots, base and now configs are loaded the way the CLI
// loads them. Each test asserts the exact affected set, and that deciding
// it read no file content (both sides list content ids).

#include "engine/affected.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/inputs.h"
#include "engine/runner.h"
#include "rules/config.h"
#include "tests/testing/fake_file_source.h"
#include "tests/testing/mem_config_files.h"

namespace sotinc {
namespace {

using testing::FakeFileSource;
using S = std::set<std::string>;

using testing::MemConfigFiles;

std::unique_ptr<Config> LoadRules(const std::string& rules) {
  MemConfigFiles files;
  files.files["sotinc.yaml"] = "version: 1\nrules:\n" + rules;
  ConfigError error;
  Result<Config> loaded = LoadConfig("sotinc.yaml", files, &error);
  EXPECT_TRUE(loaded.ok()) << error.Text();
  if (!loaded.ok()) return std::make_unique<Config>();
  return std::make_unique<Config>(std::move(*loaded));
}

// Rule set shared by most tests. CMD declares no files; NONE, DEP and DEP2
// match nothing on either side; DEP -> MD and DEP2 -> DEP are depends_on.
const char* kRules = R"(
- {id: PY, check: {kind: forbid_regex, files: 'src/**/*.py', pattern: TODO}}
- {id: LIB, check: {kind: forbid_regex, files: 'lib/**', pattern: TODO}}
- {id: MD, check: {kind: path_name, files: 'docs/*.md', pattern: '^[a-z]+\.md$'}}
- {id: YML, check: {kind: yaml, files: 'cfg/*.yaml', require: [port]}}
- {id: DIRS, check: {kind: dir_count, parents: [src], entries: files, max: 5}}
- {id: REQ, check: {kind: required_files, dirs: [src], files: [a.py]}}
- {id: CMD, check: {kind: command, run: [lint]}}
- {id: CMDF, check: {kind: command, run: [lint], files: 'cfg/*'}}
- {id: NONE, allow_empty: true, check: {kind: forbid_regex, files: 'vendor/**', pattern: x}}
- {id: DEP, depends_on: [MD], allow_empty: true,
   check: {kind: max_size, files: 'none/**', bytes: 10}}
- {id: DEP2, depends_on: [DEP], allow_empty: true,
   check: {kind: path_name, files: 'none/**', pattern: x}}
)";

// `text` with its first `from` replaced by `to`.
std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

class AffectedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (FakeFileSource* s : {&base_, &now_}) {
      s->Add("src/a.py", "a = 1\n");
      s->Add("src/b.py", "b = 2\n");
      s->Add("docs/x.md", "x\n");
      s->Add("cfg/app.yaml", "port: 1\n");
    }
    Configs(kRules, kRules);
  }

  void Configs(const std::string& now_rules, const std::string& base_rules) {
    now_config_ = LoadRules(now_rules);
    base_config_ = LoadRules(base_rules);
    graph_ = std::make_unique<RuleGraph>(now_config_->rules);
  }

  // The enabled rules with their (enabled) prerequisites, as `check` selects.
  std::vector<const Rule*> Selected() const {
    std::vector<const Rule*> out;
    for (const Rule* r : graph_->rules()) {
      if (r->enabled) out.push_back(r);
    }
    return out;
  }

  S Affected() { return Affected(Selected()); }

  S Affected(const std::vector<const Rule*>& selected) {
    Snapshot base = std::move(*Snapshot::Build(base_, base_config_->ignore_globs));
    Snapshot now = std::move(*Snapshot::Build(now_, now_config_->ignore_globs));
    ContentIds base_ids(&base_, nullptr);
    ContentIds now_ids(&now_, nullptr);
    BaseSide described = DescribeBase(base_config_->rules, base_config_->settings, base, &base_ids);
    AffectedQuery q;
    q.graph = graph_.get();
    q.selected = selected;
    q.settings = now_config_->settings;
    q.base = &described;
    q.now = &now;
    q.now_ids = &now_ids;
    S affected = FindAffected(q);
    EXPECT_TRUE(base_.files_read_.empty());
    EXPECT_TRUE(now_.files_read_.empty());
    // The base as the cache keeps it gives the same answer.
    BaseRecord record;
    record.side = described;
    Result<BaseRecord> decoded = DecodeBaseRecord(EncodeBaseRecord(record));
    EXPECT_TRUE(decoded.ok()) << decoded.error();
    if (decoded.ok()) {
      q.base = &decoded->side;
      EXPECT_EQ(FindAffected(q), affected);
    }
    return affected;
  }

  FakeFileSource base_;
  FakeFileSource now_;
  std::unique_ptr<Config> now_config_;
  std::unique_ptr<Config> base_config_;
  std::unique_ptr<RuleGraph> graph_;
};

// FindAffected compares streamed digests of the inputs; they must tell two
// snapshots apart exactly when the rule's manifests (what keys are made
// of) do.
TEST_F(AffectedTest, InputDigestsAgreeWithManifests) {
  now_.Add("src/a.py", "a = 1  # TODO\n");  // content
  now_.Add("src/c.py", "c = 3\n");          // a new file
  now_.Add("docs/Y.md", "y\n");             // a new name
  Snapshot base = std::move(*Snapshot::Build(base_, base_config_->ignore_globs));
  Snapshot now = std::move(*Snapshot::Build(now_, now_config_->ignore_globs));
  ContentIds base_ids(&base_, nullptr);
  ContentIds now_ids(&now_, nullptr);
  std::set<std::string> differ;
  for (const Rule& rule : now_config_->rules) {
    for (const Snapshot* other : {&base, &now}) {
      ContentIds* other_ids = other == &base ? &base_ids : &now_ids;
      bool manifests_equal = CollectInputs(rule, now, &now_ids, 1 << 20).Digest() ==
                             CollectInputs(rule, *other, other_ids, 1 << 20).Digest();
      bool digests_equal = DigestInputs(rule, now, &now_ids, 1 << 20).digest ==
                           DigestInputs(rule, *other, other_ids, 1 << 20).digest;
      EXPECT_EQ(digests_equal, manifests_equal) << rule.id;
      if (!manifests_equal) differ.insert(rule.id);
    }
  }
  EXPECT_EQ(differ, (S{"MD", "PY"}));  // DIRS fingerprints only whether the count is in bounds
}

TEST_F(AffectedTest, NothingChangedAffectsOnlyTheRuleWithoutDeclaredInputs) {
  EXPECT_EQ(Affected(), (S{"CMD"}));
}

TEST_F(AffectedTest, ModifiedFileAffectsExactlyTheRulesMatchingIt) {
  now_.Add("src/a.py", "a = 1  # TODO\n");
  EXPECT_EQ(Affected(), (S{"CMD", "PY"}));
}

TEST_F(AffectedTest, ModifiedConfigFileAffectsItsContentRulesAndCommand) {
  now_.Add("cfg/app.yaml", "port: 2\n");
  EXPECT_EQ(Affected(), (S{"CMD", "CMDF", "YML"}));
}

TEST_F(AffectedTest, SameSizeEditDoesNotAffectAPathRule) {
  // path_name judges the path only; nothing else matches docs/.
  now_.Add("docs/x.md", "y\n");
  EXPECT_EQ(Affected(), (S{"CMD"}));
}

TEST_F(AffectedTest, DeletedFileAffectsTheRulesThatMatchedIt) {
  now_.Remove("src/a.py");
  // REQ now misses src/a.py; DIRS still counts at most 5 files.
  EXPECT_EQ(Affected(), (S{"CMD", "PY", "REQ"}));
}

TEST_F(AffectedTest, AddedFileAffectsTheRulesThatMatchIt) {
  now_.Add("src/deep/c.py", "c\n");
  EXPECT_EQ(Affected(), (S{"CMD", "PY"}));
  now_.Add("vendor/v.txt", "x\n");  // NONE matches something now
  EXPECT_EQ(Affected(), (S{"CMD", "NONE", "PY"}));
}

TEST_F(AffectedTest, RenamedFileAffectsTheRulesOfBothSides) {
  now_.Remove("src/b.py");
  now_.Add("lib/b.py", "b = 2\n");
  EXPECT_EQ(Affected(), (S{"CMD", "LIB", "PY"}));
}

TEST_F(AffectedTest, DependentsAreClosedOver) {
  now_.Remove("docs/x.md");
  now_.Add("docs/Y.md", "x\n");
  EXPECT_EQ(Affected(), (S{"CMD", "DEP", "DEP2", "MD"}));
  // ... within the selection only.
  EXPECT_EQ(Affected({graph_->Find("MD"), graph_->Find("DEP")}), (S{"DEP", "MD"}));
}

TEST_F(AffectedTest, FileOutsideEveryRuleAffectsNothingMore) {
  now_.Add("notes/todo.txt", "TODO\n");
  EXPECT_EQ(Affected(), (S{"CMD"}));
}

TEST_F(AffectedTest, ChangedDefinitionAffectsTheRuleAndItsDependents) {
  Configs(Replace(kRules, "pattern: '^[a-z]+", "pattern: '^[a-z0-9]+"), kRules);
  EXPECT_EQ(Affected(), (S{"CMD", "DEP", "DEP2", "MD"}));
}

TEST_F(AffectedTest, NewRuleIsAffected) {
  Configs(std::string(kRules) + "- {id: NEW, check: {kind: dir_count, parents: [src], max: 9}}\n",
          kRules);
  EXPECT_EQ(Affected(), (S{"CMD", "NEW"}));
}

TEST_F(AffectedTest, TitleAndSeverityDoNotAffect) {
  Configs(Replace(kRules, "{id: PY,", "{id: PY, title: Other, severity: info,"), kRules);
  EXPECT_EQ(Affected(), (S{"CMD"}));
}

TEST_F(AffectedTest, ChangedDependsOnAffectsTheRule) {
  // YML gains a prerequisite: its result now hangs on PY's.
  std::string now = Replace(kRules, "{id: YML,", "{id: YML, depends_on: [PY],");
  Configs(now, kRules);
  EXPECT_EQ(Affected(), (S{"CMD", "YML"}));
  // ... or loses one.
  Configs(kRules, now);
  EXPECT_EQ(Affected(), (S{"CMD", "YML"}));
}

TEST_F(AffectedTest, EnablingOrDisablingAPrerequisiteAffectsItsDependents) {
  std::string disabled = Replace(kRules, "{id: MD,", "{id: MD, enabled: false,");
  // MD is disabled now: DEP is skipped now, so its result changed.
  Configs(disabled, kRules);
  EXPECT_EQ(Affected(), (S{"CMD", "DEP", "DEP2"}));
  // MD was disabled at the base: MD runs now, and DEP after it.
  Configs(kRules, disabled);
  EXPECT_EQ(Affected(), (S{"CMD", "DEP", "DEP2", "MD"}));
}

TEST_F(AffectedTest, EachSideIsListedWithItsOwnConfigsIgnore) {
  // Ignoring src/b.py from now on takes it out of PY's inputs.
  Configs(std::string(kRules), kRules);
  MemConfigFiles files;
  files.files["sotinc.yaml"] = std::string("version: 1\nignore: ['src/b.py']\nrules:\n") + kRules;
  ConfigError error;
  Result<Config> loaded = LoadConfig("sotinc.yaml", files, &error);
  ASSERT_TRUE(loaded.ok()) << error.Text();
  now_config_ = std::make_unique<Config>(std::move(*loaded));
  graph_ = std::make_unique<RuleGraph>(now_config_->rules);
  EXPECT_EQ(Affected(), (S{"CMD", "PY"}));
}

TEST(BaseRecordTest, RoundTripsAndRejectsEveryDamage) {
  BaseRecord record;
  record.disk_files = {{"/etc/sotinc/main.yaml", std::string(16, 'd')}};
  record.side.definitions = {{"A", std::string(16, 'a')}, {"B", std::string(16, 'b')}};
  record.side.inputs = {{"A", {std::string(16, 'x'), ""}}, {"B", {"", "cannot read b.py"}}};
  const std::string bytes = EncodeBaseRecord(record);
  Result<BaseRecord> back = DecodeBaseRecord(bytes);
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->disk_files, record.disk_files);
  EXPECT_EQ(back->side.definitions, record.side.definitions);
  ASSERT_EQ(back->side.inputs.size(), 2u);
  EXPECT_EQ(back->side.inputs.at("A").digest, std::string(16, 'x'));
  EXPECT_EQ(back->side.inputs.at("B").error, "cannot read b.py");
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(DecodeBaseRecord(bytes.substr(0, cut)).ok()) << "truncated at " << cut;
  }
  EXPECT_FALSE(DecodeBaseRecord(bytes + "x").ok()) << "trailing bytes";
  std::string other_version = bytes;
  other_version[0] = 2;
  EXPECT_FALSE(DecodeBaseRecord(other_version).ok());
}

}  // namespace
}  // namespace sotinc

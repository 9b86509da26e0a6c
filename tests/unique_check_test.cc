#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/testing/check_harness.h"
#include "tests/testing/parse_check.h"

namespace sotinc {
namespace {

using Lines = std::vector<std::string>;

class UniqueCheckTest : public testing::CheckHarnessTest {};

const char kShardRule[] =
    "{kind: unique, files: '*/shards/*/chart.yaml', key: annotations.shard_id}";

TEST_F(UniqueCheckTest, IsAWholeRuleContentKind) {
  std::vector<std::string> errors;
  std::unique_ptr<Check> check = testing::ParseCheck(kShardRule, &errors);
  ASSERT_NE(nullptr, check.get());
  EXPECT_STREQ("unique", check->kind());
  EXPECT_FALSE(check->per_file());
  EXPECT_TRUE(check->reads_content());
  ASSERT_NE(nullptr, check->file_globs());
  EXPECT_EQ((Lines{"*/shards/*/chart.yaml"}), check->file_globs()->patterns());
}

TEST_F(UniqueCheckTest, LaterDuplicatesNameTheFirstFile) {
  Add("03_x/shards/a/chart.yaml", "annotations:\n  shard_id: 03_x\n");
  Add("03_x/shards/b/chart.yaml", "name: b\nannotations:\n  shard_id: 03_x\n");
  Add("04_y/shards/a/chart.yaml", "annotations: {shard_id: '03_x'}\n");
  Add("04_y/shards/b/chart.yaml", "annotations:\n  shard_id: 04_y\n");
  Add("05_z/shards/a/chart.yaml", "annotations: {}\n");  // no key: ignored
  EXPECT_EQ((Lines{"03_x/shards/b/chart.yaml:3:13: duplicate value '03_x' of "
                   "annotations.shard_id; first in 03_x/shards/a/chart.yaml",
                   "04_y/shards/a/chart.yaml:1:25: duplicate value '03_x' of "
                   "annotations.shard_id; first in 03_x/shards/a/chart.yaml"}),
            Run(kShardRule));
}

TEST_F(UniqueCheckTest, ValuesCompareTyped) {
  Add("a/shards/1/chart.yaml", "annotations: {shard_id: 1}\n");
  Add("a/shards/2/chart.yaml", "annotations: {shard_id: '1'}\n");  // a string: different
  Add("a/shards/3/chart.yaml", "annotations: {shard_id: 1.0}\n");  // the number 1 again
  Add("a/shards/4/chart.yaml", "annotations: {shard_id: on}\n");
  Add("a/shards/5/chart.yaml", "annotations: {shard_id: 'on'}\n");  // `on` is a string
  EXPECT_EQ((Lines{"a/shards/3/chart.yaml:1:25: duplicate value 1.0 of annotations.shard_id; "
                   "first in a/shards/1/chart.yaml",
                   "a/shards/5/chart.yaml:1:25: duplicate value 'on' of annotations.shard_id; "
                   "first in a/shards/4/chart.yaml"}),
            Run(kShardRule));
}

TEST_F(UniqueCheckTest, EveryValueAtAnEachPathCounts) {
  Add("a.yaml", "ports:\n  - port: 80\n  - port: 443\n  - port: 80\n");  // repeats within
  Add("b.yaml", "ports:\n  - port: 8080\n  - port: 443\n");
  Add("c.yaml", "---\nports: [{port: 9000}]\n---\nports: [{port: 8080}]\n");
  EXPECT_EQ((Lines{"b.yaml:3:11: duplicate value 443 of ports[1].port; first in a.yaml",
                   "c.yaml:4:16: duplicate value 8080 of ports[0].port; first in b.yaml"}),
            Run("{kind: unique, files: '*.yaml', key: 'ports[*].port'}"));
}

TEST_F(UniqueCheckTest, UnparsableAndBinaryFilesAreFindings) {
  Add("a.yaml", "id: 1\n");
  Add("b.yaml", "id: [1\n");
  Add("c.yaml", std::string("id: 1\0", 6));
  Add("d.json", "{\"id\": 1}");
  EXPECT_EQ((Lines{"b.yaml:2:1: invalid YAML: end of sequence flow not found",
                   "c.yaml:0:0: binary file, not YAML",
                   "d.json:1:8: duplicate value 1 of id; first in a.yaml"}),
            Run("{kind: unique, files: ['*.yaml', '*.json'], key: id}"));
}

TEST_F(UniqueCheckTest, DeadGlobAndAllowEmpty) {
  Add("a.yaml", "id: 1\n");
  EXPECT_EQ((Lines{":0:0: glob 'x/*.yaml' matched nothing"}),
            Run("{kind: unique, files: ['x/*.yaml', '*.yaml'], key: id}"));
  set_allow_empty(true);
  EXPECT_EQ(Lines{}, Run("{kind: unique, files: ['x/*.yaml', '*.yaml'], key: id}"));
}

TEST_F(UniqueCheckTest, FileOverMaxFileBytesIsAFinding) {
  Add("a.yaml", "id: 1\n");
  Add("b.yaml", "id: 1 # and a long comment\n");
  Add("c.yaml", "id: 1\n");
  set_max_file_bytes(10);
  EXPECT_EQ((Lines{"b.yaml:0:0: file is 27 bytes, over max_file_bytes (10); not checked",
                   "c.yaml:1:5: duplicate value 1 of id; first in a.yaml"}),
            Run("{kind: unique, files: '*.yaml', key: id}"));
  EXPECT_EQ((Lines{"a.yaml", "c.yaml"}), files_read());
}

TEST_F(UniqueCheckTest, AliasBombIsOneFinding) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'h'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? ", *" : "*") + static_cast<char>(c - 1);
    bomb += "]\n";
  }
  Add("bomb.yaml", bomb);
  std::string visits = std::to_string(1000000 + 8 * bomb.size());
  EXPECT_EQ((Lines{"bomb.yaml:1:1: not checked: checking it needs more than " + visits +
                   " node visits (aliases that expand exponentially, a 'billion laughs'?)"}),
            Run("{kind: unique, files: '*.yaml', key: h}"));
}

TEST_F(UniqueCheckTest, ConfigErrors) {
  EXPECT_EQ((Lines{"sotinc.yaml:1:1: rule T001: the check needs 'key' (the key path whose "
                   "value must be unique)"}),
            Errors("{kind: unique, files: '*.yaml'}"));
  EXPECT_EQ((Lines{"sotinc.yaml:1:38: rule T001: invalid key path 'a..b' in 'key': column 3: "
                   "empty key (quote it as \"\" if you mean one)"}),
            Errors("{kind: unique, files: '*.yaml', key: a..b}"));
  EXPECT_EQ((Lines{"sotinc.yaml:1:38: rule T001: 'key' needs a key path (a string), not a list"}),
            Errors("{kind: unique, files: '*.yaml', key: [a, b]}"));
}

}  // namespace
}  // namespace sotinc

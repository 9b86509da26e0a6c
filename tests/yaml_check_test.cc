#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rules/yaml_value.h"
#include "tests/testing/check_harness.h"
#include "tests/testing/parse_check.h"

namespace sotinc {
namespace {

using Lines = std::vector<std::string>;

class YamlCheckTest : public testing::CheckHarnessTest {};

TEST_F(YamlCheckTest, IsAPerFileContentKind) {
  std::vector<std::string> errors;
  std::unique_ptr<Check> check =
      testing::ParseCheck("{kind: yaml, files: ['a/*.yaml', '!a/x.yaml'], require: [a]}", &errors);
  ASSERT_NE(nullptr, check.get());
  EXPECT_STREQ("yaml", check->kind());
  EXPECT_TRUE(check->per_file());
  EXPECT_TRUE(check->reads_content());
  ASSERT_NE(nullptr, check->file_globs());
  EXPECT_EQ((Lines{"a/*.yaml", "!a/x.yaml"}), check->file_globs()->patterns());
}

TEST_F(YamlCheckTest, RequireReportsMissingKeysAtTheNearestParent) {
  Add("a/chart.yaml", "name: x\nannotations:\n  shard_id: 1\n");
  Add("b/chart.yaml", "annotations:\n  owner: me\n");
  Add("c/chart.yaml", "name: y\nannotations:\n  owner: ~\n");  // null is present
  EXPECT_EQ((Lines{"a/chart.yaml:3:3: missing required key 'annotations.owner'",
                   "b/chart.yaml:1:1: missing required key 'name'"}),
            Run("{kind: yaml, files: '*/chart.yaml', require: [name, annotations.owner]}"));
}

TEST_F(YamlCheckTest, RequireEachItemOfAList) {
  Add("a.yaml", "items:\n  - name: a\n  - {}\n  - id: 3\n");
  Add("empty.yaml", "items: []\n");
  Add("missing.yaml", "other: 1\n");
  Add("map.yaml", "items:\n  a: 1\n");
  Add("scalar.yaml", "items: none\n");
  EXPECT_EQ((Lines{"a.yaml:3:5: missing required key 'items[1].name'",
                   "a.yaml:4:5: missing required key 'items[2].name'",
                   "map.yaml:2:3: missing required key 'items[*].name': 'items' is a map, "
                   "not a list",
                   "missing.yaml:1:1: missing required key 'items[*].name'",
                   "scalar.yaml:1:8: missing required key 'items[*].name': 'items' is a "
                   "string, not a list"}),
            Run("{kind: yaml, files: '*.yaml', require: ['items[*].name']}"));
}

TEST_F(YamlCheckTest, RequireOnAnEmptyFile) {
  Add("empty.yaml", "");
  Add("comment.yaml", "# nothing here\n");
  EXPECT_EQ((Lines{"comment.yaml:1:1: missing required key 'a': the document is empty, not a map",
                   "empty.yaml:1:1: missing required key 'a': the document is empty, not a map"}),
            Run("{kind: yaml, files: '*.yaml', require: a}"));
}

TEST_F(YamlCheckTest, ForbidReportsTheKey) {
  Add("a.yaml", "spec:\n  secret: x\nitems:\n  - password: p\n  - user: u\n");
  Add("b.yaml", "spec: {}\nitems: plain\n");
  EXPECT_EQ((Lines{"a.yaml:2:3: forbidden key 'spec.secret' is present",
                   "a.yaml:4:5: forbidden key 'items[0].password' is present"}),
            Run("{kind: yaml, files: '*.yaml', forbid: [spec.secret, 'items[*].password']}"));
}

TEST_F(YamlCheckTest, EqualsSubstitutesCaptures) {
  Add("03_x/shards/a/chart.yaml", "annotations:\n  shard_id: 03_x\n");
  Add("04_y/shards/a/chart.yaml", "annotations:\n  shard_id: 03_x\n");
  Add("04_y/shards/b/chart.yaml", "annotations: {}\n");  // absent: not judged
  EXPECT_EQ((Lines{"04_y/shards/a/chart.yaml:2:13: annotations.shard_id is '03_x', expected "
                   "'04_y'"}),
            Run("{kind: yaml, files: '<root>/shards/<shard>/chart.yaml',\n"
                " equals: {annotations.shard_id: <root>, annotations.path: '<root>/<shard>'}}"));
}

TEST_F(YamlCheckTest, SubstitutedPlainValuesAreRetyped) {
  // `<n>` written plain types like the text put in its place: "04" is the
  // number 4. Quoted, it stays a string.
  Add("04/a.yaml", "num: 4\nstr: '04'\n");
  Add("05/a.yaml", "num: '05'\nstr: 5\n");
  EXPECT_EQ((Lines{"05/a.yaml:1:6: num is the string '05', expected the number 05",
                   "05/a.yaml:2:6: str is the number 5, expected the string '05'"}),
            Run("{kind: yaml, files: '<n>/a.yaml', equals: {num: <n>, str: \"<n>\"}}"));
}

TEST_F(YamlCheckTest, EqualsComparesTypedValues) {
  Add("good.yaml",
      "version: 1.0\nenabled: True\nname: on\nratio: 5e-1\nmeta: {b: [x, y], a: 0x1}\n");
  Add("bad.yaml",
      "version: \"1\"\nenabled: yes\nname: 'on'\nratio: .5\nmeta:\n  a: 1\n  b: [y, x]\n");
  EXPECT_EQ((Lines{"bad.yaml:1:10: version is the string '1', expected the number 1",
                   "bad.yaml:2:10: enabled is the string 'yes', expected the bool true",
                   "bad.yaml:6:3: meta is {a: 1, b: ['y', 'x']}, expected {a: 1, b: ['x', 'y']}"}),
            Run("{kind: yaml, files: '*.yaml',\n"
                " equals: {version: 1, enabled: true, name: on, ratio: 0.5,\n"
                "          meta: {a: 1, b: [x, y]}}}"));
}

TEST_F(YamlCheckTest, EqualsNullAndSpecialNumbers) {
  Add("a.yaml", "a: ~\nb: .NaN\nc: -.inf\nd: 0o17\ne: null\n");
  EXPECT_EQ((Lines{"a.yaml:5:1: e is null, expected the string 'null'"}),
            Run("{kind: yaml, files: a.yaml,\n"
                " equals: {a: null, b: .nan, c: -.Inf, d: 15, e: 'null'}}"));
}

TEST_F(YamlCheckTest, EnumComparesTheSameWay) {
  Add("a.yaml", "level: medium\n");
  Add("b.yaml", "level: 3.0\n");
  Add("c.yaml", "level: '3'\n");
  Add("d.yaml", "level: HIGH\n");
  EXPECT_EQ((Lines{"a.yaml:1:8: level is 'medium', expected one of 'low', 'high', 3",
                   "c.yaml:1:8: level is '3', expected one of 'low', 'high', 3",
                   "d.yaml:1:8: level is 'HIGH', expected one of 'low', 'high', 3"}),
            Run("{kind: yaml, files: '*.yaml', enum: {level: [low, high, 3]}}"));
}

TEST_F(YamlCheckTest, MatchAppliesToTheWrittenForm) {
  Add("a.yaml",
      "image: docker.io/nginx\nversion: 1.0\nspec: {a: 1}\ncount: 1.0\nnone: ~\n"
      "flag: yes\n");
  EXPECT_EQ((Lines{"a.yaml:1:8: image is 'docker.io/nginx', which does not match "
                   "'^registry\\.example\\.com/'",
                   "a.yaml:2:10: version is 1.0, which does not match '^v?[0-9]+$'",
                   "a.yaml:3:7: spec is a map, expected a scalar matching 'x'"}),
            Run("kind: yaml\n"
                "files: a.yaml\n"
                "match:\n"
                "  image: '^registry\\.example\\.com/'\n"
                "  version: '^v?[0-9]+$'\n"
                "  spec: x\n"
                "  count: '^1\\.0$'\n"
                "  none: '^~$'\n"
                "  flag: 'e'\n"
                "  absent: x\n"));
}

TEST_F(YamlCheckTest, TypeUsesYaml12) {
  Add("a.yaml",
      "name: 3\nreplicas: '3'\nitems:\n  - name: a\n  - name: 2\n  - name:\n"
      "tags: {}\non: yes\noff: no\nx: 0x1F\n");
  EXPECT_EQ((Lines{"a.yaml:1:7: name: type is number, expected string",
                   "a.yaml:2:11: replicas: type is string, expected number",
                   "a.yaml:5:11: items[1].name: type is number, expected string or null",
                   "a.yaml:7:7: tags: type is map, expected list"}),
            Run("{kind: yaml, files: a.yaml, type: {name: string, replicas: number,\n"
                " 'items[*].name': [string, null], tags: list, on: string, off: string,\n"
                " x: number}}"));
}

TEST_F(YamlCheckTest, ChecksEveryDocument) {
  Add("a.yaml", "kind: A\n---\nname: b\n---\nkind: C\n");
  Add("b.yaml", "---\nkind: A\n---\n");  // a stray empty document is skipped
  EXPECT_EQ((Lines{"a.yaml:3:1: missing required key 'kind'"}),
            Run("{kind: yaml, files: '*.yaml', require: [kind]}"));
}

TEST_F(YamlCheckTest, ParsesJsonWithTabs) {
  Add("a.json", "{\n\t\"a\": {\n\t\t\"b\": 2\n\t},\n\t\"c\": [1,\t2]\n}\n");
  Add("b.JSON", "{\"a\":{\"b\":1},\"c\":[],\"e\":\"\\ud83d\\ude00\"}");
  Add("c.json", "[\n\t1\n]\n");
  EXPECT_EQ((Lines{"a.json:3:8: a.b is 2, expected 1",
                   "c.json:1:1: missing required key 'a.b': the document is a list, not a map"}),
            Run("{kind: yaml, files: ['*.json', '*.JSON'], require: [a.b], equals: {a.b: 1}, "
                "type: {c: list}}"));
}

TEST_F(YamlCheckTest, JsonSurrogatePairsKeepColumns) {
  // yaml-cpp rejects "\ud83d\ude00"; the JSON pre-pass rewrites it and the
  // columns after it on the same line still count the original bytes.
  Add("a.json", "{\"e\": \"\\ud83d\\ude00\", \"x\": 5}\n");
  Add("b.json", "{\"e\": \"\\ud83d\", \"x\": 4}\n");  // a lone surrogate is U+FFFD
  EXPECT_EQ((Lines{"a.json:1:28: x is 5, expected 4",
                   "b.json:1:7: e is '\xEF\xBF\xBD', expected '\xF0\x9F\x98\x80'"}),
            Run("{kind: yaml, files: '*.json', equals: {x: 4, e: \"\\U0001F600\"}}"));
}

TEST_F(YamlCheckTest, ParseErrorIsOneLocatedFinding) {
  Add("a.yaml", "a: [1, 2\nb: 3\n");
  Add("b.yaml", "ok: 1\nx: b: c\n");
  Add("c.json", "{\"a\": 1,\n  \"b\" 2}\n");
  Add("d.yaml", "a: 1\n---\nb: [x\n");
  EXPECT_EQ((Lines{"a.yaml:2:2: invalid YAML: end of sequence flow not found",
                   "b.yaml:2:5: invalid YAML: illegal map value",
                   "c.json:2:7: invalid JSON: end of map flow not found",
                   "d.yaml:4:1: invalid YAML: end of sequence flow not found"}),
            Run("{kind: yaml, files: ['*.yaml', '*.json'], require: [a]}"));
}

// yaml-cpp 0.7 loops forever (growing without bound) on a ',' that
// starts a token outside any flow collection; found by
// tests/fuzz/yaml_check_fuzzer (corpus/yaml_check/crash-stray-comma-*).
// rules/yaml_load.h stops it: each such file is one located finding.
TEST_F(YamlCheckTest, StrayCommaIsAFindingNotAHang) {
  Add("a.json", "{\"id\": 1}, \"\nrre\n");
  Add("b.yaml", "[a]\n,\n");
  Add("c.yaml", ",a: 1\n");
  Add("d.yaml", "a: 1\n---\n{}, x\n");
  Add("e.yaml", "a: [1, 2], b\n");  // inside a map: yaml-cpp reports it itself
  Add("ok.yaml", "a: x, y\nb: [1, 2]\nc: {d: 1, e: 2}\n");
  EXPECT_EQ((Lines{"a.json:1:10: invalid JSON: a ',' outside of any '[...]' or '{...}'",
                   "b.yaml:2:1: invalid YAML: a ',' outside of any '[...]' or '{...}'",
                   "c.yaml:1:1: invalid YAML: a ',' outside of any '[...]' or '{...}'",
                   "d.yaml:3:3: invalid YAML: a ',' outside of any '[...]' or '{...}'",
                   "e.yaml:1:10: invalid YAML: end of map not found"}),
            Run("{kind: yaml, files: ['*.yaml', '*.json'], require: [a]}"));
}

// A JSON document (one flow collection) skips the stray-comma pre-pass;
// the shortcut must not let a stray ',' or a bad bracket through.
TEST_F(YamlCheckTest, JsonDocumentsParseOnceAndStrayCommasAreStillFound) {
  Add("f.json", "{\"a\": \"x,]}\\\"[\", \"b\": [1, {\"c\": 2}], \"d\": \"'#\"}\n");
  Add("g.json", "{\"a\": 1]\n");
  Add("h.json", "{\"a\": 1}\n, x\n");
  Add("i.json", "[{\"a\": 1}], [2]\n");
  Lines got = Run("{kind: yaml, files: '*.json', require: [a]}");
  ASSERT_EQ(got.size(), 3u) << testing::JoinLines(got);
  EXPECT_EQ(got[0].rfind("g.json:1:", 0), 0u) << got[0];
  EXPECT_EQ(got[1], "h.json:2:1: invalid JSON: a ',' outside of any '[...]' or '{...}'");
  EXPECT_EQ(got[2], "i.json:1:11: invalid JSON: a ',' outside of any '[...]' or '{...}'");
}

TEST_F(YamlCheckTest, ByteOrderMarkCountsInColumns) {
  Add("a.yaml", "\xEF\xBB\xBFv: 2\nw: 3\n");
  EXPECT_EQ((Lines{"a.yaml:1:7: v is 2, expected 1", "a.yaml:2:4: w is 3, expected 1"}),
            Run("{kind: yaml, files: a.yaml, equals: {v: 1, w: 1}}"));
}

TEST_F(YamlCheckTest, BinaryFileIsAFinding) {
  Add("a.yaml", std::string("a: 1\n\0\x01\x02", 8));
  EXPECT_EQ((Lines{"a.yaml:0:0: binary file, not YAML"}),
            Run("{kind: yaml, files: a.yaml, require: [a]}"));
}

TEST_F(YamlCheckTest, DeadGlobIsAFindingUnlessAllowEmpty) {
  Add("a.yaml", "a: 1\n");
  EXPECT_EQ((Lines{":0:0: glob 'conf/*.yaml' matched nothing"}),
            Run("{kind: yaml, files: ['conf/*.yaml', a.yaml], require: [a]}"));
  set_allow_empty(true);
  EXPECT_EQ(Lines{}, Run("{kind: yaml, files: ['conf/*.yaml', a.yaml], require: [a]}"));
}

TEST_F(YamlCheckTest, FileOverMaxFileBytesIsNotRead) {
  Add("big.yaml", "a: 12345678901234567890\n");
  Add("small.yaml", "b: 1\n");
  set_max_file_bytes(10);
  EXPECT_EQ((Lines{"big.yaml:0:0: file is 24 bytes, over max_file_bytes (10); not checked",
                   "small.yaml:1:1: missing required key 'a'"}),
            Run("{kind: yaml, files: '*.yaml', require: [a]}"));
  EXPECT_EQ((Lines{"small.yaml"}), files_read());
}

TEST_F(YamlCheckTest, UnreadableFileIsAnError) {
  Add("a.yaml", "a: 1\n");
  source().FailReads("a.yaml", "permission denied");
  std::vector<std::string> errors;
  std::unique_ptr<Check> check =
      testing::ParseCheck("{kind: yaml, files: a.yaml, require: [a]}", &errors);
  ASSERT_NE(nullptr, check.get());
  std::vector<Finding> findings;
  Status status = check->Run(Context(), &findings);
  EXPECT_EQ("cannot read a.yaml: permission denied", status.message());
}

std::string BillionLaughs() {
  std::string yaml = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (char c = 'b'; c <= 'i'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    yaml += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) yaml += (i ? ", *" : "*") + prev;
    yaml += "]\n";
  }
  return yaml;
}

TEST_F(YamlCheckTest, AliasBombsRunOutOfBudgetNotTime) {
  std::string bomb = BillionLaughs();
  Add("bomb.yaml", bomb);
  Add("cycle.yaml", "a: &x [1, *x]\n");
  std::string visits = std::to_string(NodeBudget::kDefaultVisits + 8 * bomb.size());
  EXPECT_EQ((Lines{"bomb.yaml:1:1: not checked: checking it needs more than " + visits +
                       " node visits (aliases that expand exponentially, a 'billion laughs'?)",
                   "cycle.yaml:1:1: not checked: values nest more than 512 levels deep (an "
                   "alias that contains itself?)"}),
            Run("{kind: yaml, files: '*.yaml', equals: {i: 1, a: 1}, "
                "forbid: ['i[*][*][*][*][*][*][*][*].x']}"));
}

TEST_F(YamlCheckTest, ConfigErrors) {
  EXPECT_EQ((Lines{"sotinc.yaml:4:6: rule T001: invalid regular expression '(x': missing ): (x"}),
            Errors("kind: yaml\nfiles: a.yaml\nmatch:\n  a: '(x'\n"));
  EXPECT_EQ((Lines{"sotinc.yaml:3:13: rule T001: 'equals' value for 'a' uses <shard>, but the "
                   "glob '<root>/c.yaml' binds no capture of that name (it binds <root>)"}),
            Errors("kind: yaml\nfiles: <root>/c.yaml\nequals: {a: '<shard>-<root>'}\n"));
  EXPECT_EQ((Lines{}), Errors("{kind: yaml, files: a.yaml}"));  // parses, nothing more
  EXPECT_EQ((Lines{"sotinc.yaml:1:29: rule T001: a yaml check's criteria are all empty: give "
                   "require, forbid, equals, enum, match or type at least one entry, or leave "
                   "them all out to check only that the files parse"}),
            Errors("{kind: yaml, files: a.yaml, require: []}"));
  EXPECT_EQ((Lines{"sotinc.yaml:1:37: rule T001: 'equals' must be a mapping of key path to "
                   "value, not a list"}),
            Errors("{kind: yaml, files: a.yaml, equals: [a, b]}"));
  EXPECT_EQ((Lines{"sotinc.yaml:1:39: rule T001: invalid key path 'a[' in 'require': column 2: "
                   "unclosed '['"}),
            Errors("{kind: yaml, files: a.yaml, require: ['a[']}"));
  EXPECT_EQ((Lines{"sotinc.yaml:1:39: rule T001: unknown type 'strng' for 'a' (did you mean "
                   "'string'?); use string, number, bool, map, list or null"}),
            Errors("{kind: yaml, files: a.yaml, type: {a: strng}}"));
  EXPECT_EQ((Lines{"sotinc.yaml:1:39: rule T001: 'enum' for 'a' must be a non-empty list of "
                   "allowed values, not a string"}),
            Errors("{kind: yaml, files: a.yaml, enum: {a: b}}"));
  EXPECT_EQ((Lines{"sotinc.yaml:1:40: rule T001: 'match' for 'a' must be a regular expression "
                   "(a string), not a list"}),
            Errors("{kind: yaml, files: a.yaml, match: {a: [b]}}"));
  EXPECT_EQ((Lines{"sotinc.yaml:1:44: rule T001: 'a' appears twice in 'equals'"}),
            Errors("{kind: yaml, files: a.yaml, equals: {a: 1, a: 2}}"));
  EXPECT_EQ((Lines{"sotinc.yaml:1:1: rule T001: the check needs 'files'"}),
            Errors("{kind: yaml, require: [a]}"));
  EXPECT_EQ((Lines{"sotinc.yaml:1:29: rule T001: unknown key 'requre' in check (did you mean "
                   "'require'?)"}),
            Errors("{kind: yaml, files: a.yaml, requre: [a], forbid: [b]}"));
}

TEST(YamlValueTest, TypesScalarsAsYaml12Core) {
  struct Case {
    const char* text;
    const char* tag;
    ValueType type;
  };
  const Case cases[] = {
      {"true", "?", ValueType::kBool},
      {"False", "?", ValueType::kBool},
      {"TRUE", "?", ValueType::kBool},
      {"tRUE", "?", ValueType::kString},
      {"yes", "?", ValueType::kString},
      {"on", "?", ValueType::kString},
      {"off", "?", ValueType::kString},
      {"no", "?", ValueType::kString},
      {"~", "?", ValueType::kNull},
      {"NULL", "?", ValueType::kNull},
      {"", "?", ValueType::kNull},
      {"0", "?", ValueType::kNumber},
      {"-12", "?", ValueType::kNumber},
      {"+12", "?", ValueType::kNumber},
      {"0x1F", "?", ValueType::kNumber},
      {"0o17", "?", ValueType::kNumber},
      {"0b1", "?", ValueType::kString},
      {"-0x1", "?", ValueType::kString},
      {"1.", "?", ValueType::kNumber},
      {".5", "?", ValueType::kNumber},
      {"1e3", "?", ValueType::kNumber},
      {"1e", "?", ValueType::kString},
      {".inf", "?", ValueType::kNumber},
      {"-.Inf", "?", ValueType::kNumber},
      {".NaN", "?", ValueType::kNumber},
      {"-.nan", "?", ValueType::kString},
      {"1_000", "?", ValueType::kString},
      {"12:30", "?", ValueType::kString},
      {"1", "!", ValueType::kString},
      {"true", "!", ValueType::kString},
      {"1", "tag:yaml.org,2002:str", ValueType::kString},
      {"1", "tag:yaml.org,2002:int", ValueType::kNumber},
      {"yes", "tag:yaml.org,2002:bool", ValueType::kString},
      {"x", "!custom", ValueType::kString},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ValueTypeName(c.type), std::string(ValueTypeName(ScalarType(c.text, c.tag))))
        << "'" << c.text << "' tagged " << c.tag;
  }
}

TEST(YamlValueTest, CanonicalFormsCompareByValue) {
  auto canonical = [](const std::string& yaml) {
    NodeBudget budget;
    Value v;
    YAML::Node node = YAML::Load(yaml);
    EXPECT_TRUE(ToValue(node, &budget, &v));
    // Canonical of a Value (config side) and of a node (file side) agree.
    std::string direct;
    EXPECT_TRUE(CanonicalOf(node, &budget, &direct));
    EXPECT_EQ(Canonical(v), direct) << yaml;
    return direct;
  };
  EXPECT_EQ(canonical("1"), canonical("1.0"));
  EXPECT_EQ(canonical("1"), canonical("0x1"));
  EXPECT_EQ(canonical("1000"), canonical("1e3"));
  EXPECT_EQ(canonical(".nan"), canonical(".NAN"));
  EXPECT_EQ(canonical("0"), canonical("-0.0"));
  EXPECT_EQ(canonical("99999999999999999999"), canonical("1e20"));
  EXPECT_NE(canonical("9007199254740993"), canonical("9007199254740992"));
  EXPECT_NE(canonical("1"), canonical("'1'"));
  EXPECT_NE(canonical("true"), canonical("'true'"));
  EXPECT_EQ(canonical("{a: 1, b: [x]}"), canonical("{b: [x], a: 1.0}"));
  EXPECT_NE(canonical("[1, 2]"), canonical("[2, 1]"));
  EXPECT_NE(canonical("['a,b']"), canonical("[a, b]"));
  EXPECT_EQ(canonical("~"), canonical(""));
}

TEST(YamlValueTest, RenderIsShortAndQuoted) {
  Value s;
  s.type = ValueType::kString;
  s.text = "it's\nlong";
  EXPECT_EQ("'it''s\\nlong'", Render(s));
  s.text = std::string(100, 'x');
  EXPECT_EQ("'" + std::string(19, 'x') + "...", Render(s, 20));
}

}  // namespace
}  // namespace sotinc

#include "rules/key_path.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sotinc {
namespace {

std::string ParseError(const std::string& text) {
  Result<KeyPath> path = KeyPath::Parse(text);
  return path.ok() ? "(ok)" : path.error();
}

std::string RoundTrip(const std::string& text) {
  Result<KeyPath> path = KeyPath::Parse(text);
  return path.ok() ? FormatKeyPath(path->segments()) : "error: " + path.error();
}

// Resolves `path` in `yaml` and shows each hit as
// "found|missing path @line:col[: reason]" (1-based positions).
std::vector<std::string> Resolve(const std::string& yaml, const std::string& text,
                                 NodeBudget* budget = nullptr) {
  NodeBudget own;
  Result<KeyPath> path = KeyPath::Parse(text);
  EXPECT_TRUE(path.ok()) << path.error();
  std::vector<std::string> out;
  bool ok =
      ResolveKeyPath(YAML::Load(yaml), *path, budget ? budget : &own, [&](const KeyPathHit& hit) {
        out.push_back(std::string(hit.found ? "found " : "missing ") + hit.path() + " @" +
                      std::to_string(hit.mark.line + 1) + ":" +
                      std::to_string(hit.mark.column + 1) +
                      (hit.reason().empty() ? "" : ": " + hit.reason()));
        return true;
      });
  if (!ok) out.push_back("(stopped)");
  return out;
}

TEST(KeyPathTest, ParsesAndFormatsSegments) {
  Result<KeyPath> path = KeyPath::Parse("items[*].env[0].name");
  ASSERT_TRUE(path.ok()) << path.error();
  const std::vector<KeyPathSegment>& s = path->segments();
  ASSERT_EQ(5u, s.size());
  EXPECT_EQ(KeyPathSegment::kKey, s[0].kind);
  EXPECT_EQ("items", s[0].key);
  EXPECT_EQ(KeyPathSegment::kEach, s[1].kind);
  EXPECT_EQ("env", s[2].key);
  EXPECT_EQ(KeyPathSegment::kIndex, s[3].kind);
  EXPECT_EQ(0, s[3].index);
  EXPECT_EQ("name", s[4].key);
  EXPECT_EQ("items[*].env[0].name", path->text());

  EXPECT_EQ("metadata.shard_id", RoundTrip("metadata.shard_id"));
  EXPECT_EQ("[*].id", RoundTrip("[*].id"));
  EXPECT_EQ("a[-1][*]", RoundTrip("a[-1][*]"));
  EXPECT_EQ("my key.x", RoundTrip("my key.x"));
}

TEST(KeyPathTest, QuotedKeysHoldDotsAndBrackets) {
  Result<KeyPath> path = KeyPath::Parse("labels.\"app.kubernetes.io/name\"");
  ASSERT_TRUE(path.ok()) << path.error();
  ASSERT_EQ(2u, path->segments().size());
  EXPECT_EQ("app.kubernetes.io/name", path->segments()[1].key);
  EXPECT_EQ("labels.\"app.kubernetes.io/name\"", FormatKeyPath(path->segments()));

  EXPECT_EQ("a.\"x[1]\"", RoundTrip("a.'x[1]'"));
  EXPECT_EQ("it's", RoundTrip("'it''s'"));
  EXPECT_EQ("say \"hi\"", RoundTrip("\"say \\\"hi\\\"\""));
  EXPECT_EQ("\"\\\"q\"", RoundTrip("'\"q'"));
  EXPECT_EQ("\"\".a", RoundTrip("\"\".a"));
  EXPECT_EQ("\"a.b\"[2]", RoundTrip("\"a.b\"[2]"));
}

TEST(KeyPathTest, ReportsErrorsWithColumns) {
  EXPECT_EQ("empty key path", ParseError(""));
  EXPECT_EQ("column 1: empty key (quote it as \"\" if you mean one)", ParseError(".a"));
  EXPECT_EQ("column 3: empty key (quote it as \"\" if you mean one)", ParseError("a..b"));
  EXPECT_EQ("column 2: key path ends with '.'", ParseError("a."));
  EXPECT_EQ("column 2: unclosed '['", ParseError("a[*"));
  EXPECT_EQ("column 3: expected '*' or an index between '[' and ']'", ParseError("a[x]"));
  EXPECT_EQ("column 3: expected '*' or an index between '[' and ']'", ParseError("a[]"));
  EXPECT_EQ("column 2: ']' without '['", ParseError("a]"));
  EXPECT_EQ("column 3: unclosed \"", ParseError("a.\"b"));
  EXPECT_EQ("column 4: expected '.' or '[' after a key", ParseError("\"a\"b"));
  EXPECT_EQ("column 5: expected '.' or '[' after a key", ParseError("a[0]b"));
}

TEST(KeyPathTest, ResolvesKeysAndReportsTheNearestParent) {
  const std::string yaml = "metadata:\n  name: x\n  labels:\n    app: web\n";
  EXPECT_EQ((std::vector<std::string>{"found metadata.labels.app @4:10"}),
            Resolve(yaml, "metadata.labels.app"));
  // The missing key is reported at the map that should hold it.
  EXPECT_EQ((std::vector<std::string>{"missing metadata.labels.team @4:5"}),
            Resolve(yaml, "metadata.labels.team"));
  EXPECT_EQ((std::vector<std::string>{"missing metadata.owner.name @2:3"}),
            Resolve(yaml, "metadata.owner.name"));
  EXPECT_EQ((std::vector<std::string>{
                "missing metadata.name.first @2:9: 'metadata.name' is a string, not a map"}),
            Resolve(yaml, "metadata.name.first"));
  EXPECT_EQ((std::vector<std::string>{"missing metadata[*] @2:3: 'metadata' is a map, not a list"}),
            Resolve(yaml, "metadata[*]"));
}

TEST(KeyPathTest, EachAndIndexFanOutOverLists) {
  const std::string yaml = "items:\n  - name: a\n  - id: 2\n  - name: c\n";
  EXPECT_EQ((std::vector<std::string>{"found items[0].name @2:11", "missing items[1].name @3:5",
                                      "found items[2].name @4:11"}),
            Resolve(yaml, "items[*].name"));
  EXPECT_EQ((std::vector<std::string>{"found items[2].name @4:11"}),
            Resolve(yaml, "items[-1].name"));
  EXPECT_EQ((std::vector<std::string>{"missing items[3].name @2:3: 'items' is a list of 3 items"}),
            Resolve(yaml, "items[3].name"));
  // An empty list has no items to judge; a missing list is a miss.
  EXPECT_EQ((std::vector<std::string>{}), Resolve("items: []\n", "items[*].name"));
  EXPECT_EQ((std::vector<std::string>{"missing items[*].name @1:1"}),
            Resolve("other: 1\n", "items[*].name"));
  // A top-level list.
  EXPECT_EQ((std::vector<std::string>{"found [0].id @1:8", "found [1].id @2:8"}),
            Resolve("- {id: 1}\n- {id: 2}\n", "[*].id"));
}

TEST(KeyPathTest, KeysMatchByTextAndTheFirstDuplicateWins) {
  EXPECT_EQ((std::vector<std::string>{"found ports.80 @1:13"}),
            Resolve("ports: {80: http, \"81\": x}", "ports.80"));
  EXPECT_EQ((std::vector<std::string>{"found ports.81 @1:25"}),
            Resolve("ports: {80: http, \"81\": x}", "ports.81"));
  EXPECT_EQ((std::vector<std::string>{"found a @1:4"}), Resolve("a: 1\na: 2\n", "a"));
  EXPECT_EQ((std::vector<std::string>{"found \"a.b\" @1:6"}), Resolve("a.b: 1\n", "\"a.b\""));
}

TEST(KeyPathTest, EmptyValuesAndAliasesPointAtTheirKey) {
  // An empty value's own mark is the next token; an alias's is its anchor.
  EXPECT_EQ((std::vector<std::string>{"found b @2:1"}), Resolve("a: 1\nb:\nc: 2\n", "b"));
  EXPECT_EQ((std::vector<std::string>{"found b @2:1"}), Resolve("a: &x 1\nb: *x\n", "b"));
  EXPECT_EQ((std::vector<std::string>{"missing b.c @2:1: 'b' is null, not a map"}),
            Resolve("a: 1\nb:\n", "b.c"));
  EXPECT_EQ((std::vector<std::string>{"missing a @1:1: the document is a list, not a map"}),
            Resolve("- 1\n", "a"));
}

TEST(KeyPathTest, StopsWhenTheBudgetRunsOut) {
  NodeBudget budget(3);
  EXPECT_EQ((std::vector<std::string>{"found a[0] @1:5", "found a[1] @1:8", "(stopped)"}),
            Resolve("a: [1, 2, 3, 4, 5, 6]", "a[*]", &budget));
  EXPECT_TRUE(budget.exceeded());
}

}  // namespace
}  // namespace sotinc

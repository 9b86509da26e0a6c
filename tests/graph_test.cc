// Tests of RuleGraph (engine/graph.cc): deterministic topological order,
// prerequisites and dependents.

#include "engine/graph.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace sotinc {
namespace {

using V = std::vector<std::string>;

// Rules from "id:dep1,dep2" specs (no checks: the graph never looks).
std::vector<Rule> MakeRules(const V& specs) {
  std::vector<Rule> rules;
  for (const std::string& spec : specs) {
    Rule r;
    size_t colon = spec.find(':');
    r.id = spec.substr(0, colon);
    if (colon != std::string::npos) {
      std::string deps = spec.substr(colon + 1);
      size_t start = 0;
      while (start <= deps.size()) {
        size_t comma = deps.find(',', start);
        if (comma == std::string::npos) comma = deps.size();
        if (comma > start) r.depends_on.push_back(deps.substr(start, comma - start));
        start = comma + 1;
      }
    }
    rules.push_back(std::move(r));
  }
  return rules;
}

V Ids(const std::vector<const Rule*>& rules) {
  V ids;
  for (const Rule* r : rules) ids.push_back(r->id);
  return ids;
}

std::vector<const Rule*> Pick(const RuleGraph& g, const V& ids) {
  std::vector<const Rule*> out;
  for (const std::string& id : ids) {
    const Rule* r = g.Find(id);
    EXPECT_NE(r, nullptr) << id;
    if (r) out.push_back(r);
  }
  return out;
}

//   A <- B <- D
//   A <- C <- D      E alone      z <- a (an id order the edges contradict)
const V kSpecs = {"C:A", "D:B,C", "B:A", "A", "E", "a:z", "z"};

TEST(GraphTest, RulesAndFind) {
  std::vector<Rule> rules = MakeRules(kSpecs);
  RuleGraph g(rules);
  EXPECT_EQ(Ids(g.rules()), V({"A", "B", "C", "D", "E", "a", "z"}));
  ASSERT_NE(g.Find("D"), nullptr);
  EXPECT_EQ(g.Find("D")->depends_on, V({"B", "C"}));
  EXPECT_EQ(g.Find("nope"), nullptr);
}

TEST(GraphTest, TopologicalOrderIsDeterministic) {
  std::vector<Rule> rules = MakeRules(kSpecs);
  RuleGraph g(rules);
  const V expected = {"A", "B", "C", "D", "E", "z", "a"};
  EXPECT_EQ(Ids(g.TopologicalOrder(g.rules())), expected);
  // The order of the subset given, and of the rules in the config, does
  // not change the result.
  std::vector<const Rule*> shuffled = g.rules();
  std::reverse(shuffled.begin(), shuffled.end());
  EXPECT_EQ(Ids(g.TopologicalOrder(shuffled)), expected);
  V reversed_specs(kSpecs.rbegin(), kSpecs.rend());
  std::vector<Rule> rules2 = MakeRules(reversed_specs);
  RuleGraph g2(rules2);
  EXPECT_EQ(Ids(g2.TopologicalOrder(g2.rules())), expected);
}

TEST(GraphTest, TopologicalOrderPutsPrerequisitesFirst) {
  std::vector<Rule> rules = MakeRules({"r1:r3", "r2:r1", "r3", "r0:r2"});
  RuleGraph g(rules);
  EXPECT_EQ(Ids(g.TopologicalOrder(g.rules())), V({"r3", "r1", "r2", "r0"}));
}

TEST(GraphTest, TopologicalOrderOfASubsetIgnoresEdgesLeavingIt) {
  std::vector<Rule> rules = MakeRules(kSpecs);
  RuleGraph g(rules);
  EXPECT_EQ(Ids(g.TopologicalOrder(Pick(g, {"D", "C", "a"}))), V({"C", "D", "a"}));
  EXPECT_EQ(Ids(g.TopologicalOrder({})), V());
}

TEST(GraphTest, WithPrerequisitesIsTransitive) {
  std::vector<Rule> rules = MakeRules(kSpecs);
  RuleGraph g(rules);
  EXPECT_EQ(Ids(g.WithPrerequisites(Pick(g, {"D"}))), V({"A", "B", "C", "D"}));
  EXPECT_EQ(Ids(g.WithPrerequisites(Pick(g, {"a", "C"}))), V({"A", "C", "a", "z"}));
  EXPECT_EQ(Ids(g.WithPrerequisites(Pick(g, {"E", "E"}))), V({"E"}));
  EXPECT_EQ(Ids(g.WithPrerequisites({})), V());
}

TEST(GraphTest, Dependents) {
  std::vector<Rule> rules = MakeRules(kSpecs);
  RuleGraph g(rules);
  EXPECT_EQ(Ids(g.Dependents("A")), V({"B", "C"}));
  EXPECT_EQ(Ids(g.Dependents("C")), V({"D"}));
  EXPECT_EQ(Ids(g.Dependents("D")), V());
  EXPECT_EQ(Ids(g.Dependents("unknown")), V());
}

TEST(GraphTest, UnknownPrerequisiteIsIgnored) {
  // The config loader rejects these; the graph must still not crash.
  std::vector<Rule> rules = MakeRules({"x:missing", "y:x"});
  RuleGraph g(rules);
  EXPECT_EQ(Ids(g.TopologicalOrder(g.rules())), V({"x", "y"}));
  EXPECT_EQ(Ids(g.WithPrerequisites(Pick(g, {"y"}))), V({"x", "y"}));
}

}  // namespace
}  // namespace sotinc

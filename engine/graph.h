// The rule graph: rules as nodes, `depends_on` as edges.
//
// The graph borrows the rules (owned by the Config) and must not outlive
// them. The config loader has already rejected unknown targets and cycles,
// so the graph is a DAG. Immutable after construction; thread-safe to read.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/rule.h"

namespace sotinc {

class RuleGraph {
 public:
  explicit RuleGraph(const std::vector<Rule>& rules);

  const Rule* Find(const std::string& id) const;
  const std::vector<const Rule*>& rules() const { return rules_; }  // by id

  // `subset` plus everything it depends on, transitively; by id.
  std::vector<const Rule*> WithPrerequisites(const std::vector<const Rule*>& subset) const;
  // `subset` in an order where every rule comes after its prerequisites
  // (Kahn's algorithm; ties broken by id, so the order is deterministic).
  std::vector<const Rule*> TopologicalOrder(const std::vector<const Rule*>& subset) const;
  // Rules that name `id` in depends_on, by id.
  const std::vector<const Rule*>& Dependents(const std::string& id) const;

 private:
  std::vector<const Rule*> rules_;
  std::map<std::string, const Rule*> by_id_;
  std::map<std::string, std::vector<const Rule*>> dependents_;
  std::vector<const Rule*> none_;
};

}  // namespace sotinc

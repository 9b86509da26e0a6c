#include "engine/graph.h"

#include <queue>
#include <set>

namespace sotinc {

RuleGraph::RuleGraph(const std::vector<Rule>& rules) {
  for (const Rule& r : rules) by_id_.emplace(r.id, &r);
  for (const auto& [id, r] : by_id_) {
    rules_.push_back(r);
    for (const std::string& dep : r->depends_on) dependents_[dep].push_back(r);
  }
}

const Rule* RuleGraph::Find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

const std::vector<const Rule*>& RuleGraph::Dependents(const std::string& id) const {
  auto it = dependents_.find(id);
  return it == dependents_.end() ? none_ : it->second;
}

std::vector<const Rule*> RuleGraph::WithPrerequisites(
    const std::vector<const Rule*>& subset) const {
  std::set<std::string> seen;
  std::vector<const Rule*> stack(subset.begin(), subset.end());
  while (!stack.empty()) {
    const Rule* r = stack.back();
    stack.pop_back();
    if (!seen.insert(r->id).second) continue;
    for (const std::string& dep : r->depends_on) {
      if (const Rule* d = Find(dep)) stack.push_back(d);
    }
  }
  std::vector<const Rule*> out;
  for (const std::string& id : seen) out.push_back(Find(id));
  return out;
}

std::vector<const Rule*> RuleGraph::TopologicalOrder(const std::vector<const Rule*>& subset) const {
  std::map<std::string, const Rule*> in_subset;
  for (const Rule* r : subset) in_subset.emplace(r->id, r);
  std::map<std::string, int> pending;  // prerequisites not yet ordered
  for (const auto& [id, r] : in_subset) {
    int n = 0;
    for (const std::string& dep : r->depends_on) n += in_subset.count(dep) ? 1 : 0;
    pending[id] = n;
  }
  std::priority_queue<std::string, std::vector<std::string>, std::greater<std::string>> ready;
  for (const auto& [id, n] : pending) {
    if (n == 0) ready.push(id);
  }
  std::vector<const Rule*> order;
  while (!ready.empty()) {
    std::string id = ready.top();
    ready.pop();
    order.push_back(in_subset[id]);
    for (const Rule* d : Dependents(id)) {
      auto it = pending.find(d->id);
      if (it != pending.end() && --it->second == 0) ready.push(d->id);
    }
  }
  return order;
}

}  // namespace sotinc

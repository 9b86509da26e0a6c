#include "engine/scheduler.h"

#include <algorithm>
#include <set>

namespace sotinc {
namespace {

// First guesses, in milliseconds, for rules never seen. Rough by design:
// one run replaces them with measurements.
constexpr double kCommandRuleMs = 100;
constexpr double kCommandFileMs = 20;
constexpr double kContentRuleMs = 5;
constexpr double kStructureRuleMs = 0.1;
constexpr double kContentFileMs = 0.02;
constexpr double kContentBytesPerMs = 200.0 * 1024;  // about 200 MB/s

bool IsCommand(const Rule& rule) {
  return rule.check && std::string(rule.check->kind()) == "command";
}

}  // namespace

std::string PerFileCostKey(const std::string& rule_id) { return rule_id + "#file"; }

double CostModel::ExpectRule(const Rule& r) const {
  auto it = rule.find(r.id);
  if (it != rule.end()) return it->second;
  if (IsCommand(r)) return kCommandRuleMs;
  return r.check && r.check->reads_content() ? kContentRuleMs : kStructureRuleMs;
}

double CostModel::ExpectFile(const Rule& r, const FileEntry& file) const {
  auto it = per_file.find(r.id);
  if (it != per_file.end()) return it->second;
  if (IsCommand(r)) return kCommandFileMs;
  bool loads = r.check && r.check->loads_file_content();
  return kContentFileMs + (loads ? static_cast<double>(file.size) / kContentBytesPerMs : 0);
}

std::map<std::string, double> CriticalPaths(const RuleGraph& graph,
                                            const std::vector<const Rule*>& rules,
                                            const std::function<double(const Rule&)>& expected) {
  std::set<std::string> in_run;
  for (const Rule* r : rules) in_run.insert(r->id);
  std::vector<const Rule*> order = graph.TopologicalOrder(rules);
  std::map<std::string, double> priority;
  // Dependents come after their prerequisites, so walk backwards.
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Rule* r = *it;
    double below = 0;
    for (const Rule* d : graph.Dependents(r->id)) {
      if (in_run.count(d->id)) below = std::max(below, priority[d->id]);
    }
    priority[r->id] = expected(*r) + below;
  }
  return priority;
}

std::vector<std::pair<size_t, size_t>> PlanChunks(const std::vector<double>& costs, int slots,
                                                  double min_chunk_ms) {
  std::vector<std::pair<size_t, size_t>> chunks;
  if (costs.empty()) return chunks;
  double total = 0;
  for (double c : costs) total += c;
  double target = std::max(min_chunk_ms, total / (4.0 * std::max(1, slots)));
  size_t begin = 0;
  double sum = 0;
  for (size_t i = 0; i < costs.size(); ++i) {
    sum += costs[i];
    if (sum >= target) {
      chunks.emplace_back(begin, i + 1);
      begin = i + 1;
      sum = 0;
    }
  }
  if (begin < costs.size()) chunks.emplace_back(begin, costs.size());
  return chunks;
}

}  // namespace sotinc

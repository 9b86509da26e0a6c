// What to run first: expected durations and critical-path priorities.
//
// A rule's priority is the longest chain of expected durations from it to
// the end of the run: its own expected duration plus the largest priority
// among the rules that depend on it. Starting the longest chain first is
// what keeps a run from ending with one long rule started last while the
// other workers sit idle. Jobs of equal priority go largest first.
//
// Expected durations are learned (CostModel: the running means the store
// keeps with Welford's method, engine/../store/store.h); a rule never
// seen gets a first guess from its kind and its inputs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/file_source.h"
#include "engine/graph.h"
#include "engine/rule.h"

namespace sotinc {

class CostModel {
 public:
  // Learned means in milliseconds: `rule` for a rule's whole evaluation,
  // `per_file` for one file of a per-file rule (both keyed by rule id).
  std::map<std::string, double> rule;
  std::map<std::string, double> per_file;

  // A whole rule, before its inputs are known.
  double ExpectRule(const Rule& rule) const;
  // One file of a per-file rule.
  double ExpectFile(const Rule& rule, const FileEntry& file) const;
};

// The store key of a per-file mean: "ID#file".
std::string PerFileCostKey(const std::string& rule_id);

// priority[id] = expected(id) + max(priority of its dependents in `rules`).
std::map<std::string, double> CriticalPaths(const RuleGraph& graph,
                                            const std::vector<const Rule*>& rules,
                                            const std::function<double(const Rule&)>& expected);

// Splits files of the given expected costs, in order, into consecutive
// chunks [begin, end) of about equal cost: enough chunks that `slots`
// workers stay busy (about four per worker), none cheaper than
// `min_chunk_ms` so that dispatch stays a small part of the work.
std::vector<std::pair<size_t, size_t>> PlanChunks(const std::vector<double>& costs, int slots,
                                                  double min_chunk_ms);

}  // namespace sotinc

// Evaluates rules over a snapshot in dependency order (SPEC section 4).
//
// A rule runs only when every prerequisite passed; otherwise it is
// `skipped` and its reason names the prerequisite. A check that returns a
// non-OK status ends as `error` with that status as its reason. The runner
// borrows everything it is given; it reads contents only through the
// FileSource, and counts what it read so tests can assert on it.
// One Runner serves one run on one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/file_source.h"
#include "engine/graph.h"
#include "engine/process.h"
#include "engine/result.h"
#include "engine/rule.h"
#include "engine/snapshot.h"

namespace sotinc {

struct RunSummary {
  int rules = 0;
  int passed = 0;
  int failed = 0;
  int errors = 0;
  int skipped = 0;
  int cached = 0;
  int ran = 0;
  int unaffected = 0;
  double duration_ms = 0;
};

struct RunReport {
  std::vector<RuleResult> results;  // by id
  RunSummary summary;
};

struct RunRequest {
  std::vector<const Rule*> rules;  // what to evaluate, prerequisites included
  Settings settings;
  // Where `command` rules run: a directory holding the snapshot's files.
  std::string workdir;
};

class Runner {
 public:
  Runner(const RuleGraph* graph, FileSource* source, ProcessRunner* processes, Clock* clock)
      : graph_(graph), source_(source), processes_(processes), clock_(clock) {}

  RunReport Run(const Snapshot& snapshot, const RunRequest& request);

  uint64_t files_read() const { return files_read_; }
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  RuleResult Evaluate(const Rule& rule, const Snapshot& snapshot, const RunRequest& request);

  const RuleGraph* graph_;
  FileSource* source_;
  ProcessRunner* processes_;
  Clock* clock_;
  uint64_t files_read_ = 0;
  uint64_t bytes_read_ = 0;
};

// Counts the summary of `results` (unaffected is left for the caller).
RunSummary Summarize(const std::vector<RuleResult>& results);

}  // namespace sotinc

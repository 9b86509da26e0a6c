// Evaluates rules over a snapshot in dependency order (SPEC section 4),
// reusing cached results by content key.
//
// A rule runs only when every prerequisite passed; otherwise it is
// `skipped` and its reason names the prerequisite. A check that returns a
// non-OK status ends as `error` with that status as its reason; `error`
// results are never cached.
//
// Keys (engine/keys.h): a rule's key covers the engine version, the rule's
// canonical definition, max_file_bytes, its inputs (Check::Fingerprint:
// matched paths and, for content kinds, content ids) and the result
// digests of its prerequisites, so a prerequisite that reran with the same
// result leaves its dependents cached (early cutoff). Per-file rules also
// cache each file's findings under (definition, path, content id), so a
// rule over 10,000 files re-judges only the files that changed.
//
// Scheduling (engine/scheduler.h): a rule starts as soon as its own
// prerequisites are done, with no barrier between "levels". The runner
// computes keys and consults the cache itself, in this process; what is
// left to evaluate becomes jobs (a whole rule, or chunks of the uncached
// files of a per-file rule) that an Executor runs, highest critical-path
// priority first: inline (tests), or in the worker pool (engine/
// worker_pool.h). Results do not depend on the executor, the number of
// workers or the order in which jobs end.
//
// The runner borrows everything it is given and reads contents only
// through the FileSource; it counts what it read and ran so tests can
// assert incrementality. One Runner serves one run on one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/executor.h"
#include "engine/interrupt.h"
#include "engine/job.h"
#include "engine/scheduler.h"
#include "engine/file_source.h"
#include "engine/graph.h"
#include "engine/process.h"
#include "engine/result.h"
#include "engine/result_cache.h"
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

// A measured duration for the store's running means (CostModel keys).
struct CostSample {
  std::string key;  // rule id, or PerFileCostKey(rule id)
  double ms = 0;
};

struct RunReport {
  std::vector<RuleResult> results;  // by id; only the rules that finished
  RunSummary summary;
  int interrupted = 0;              // the signal that stopped the run, or 0
  std::vector<CostSample> costs;    // what the jobs of this run took
};

// Told what happens during a run (progress line, trace file). Called on the
// runner's thread.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void JobStarted(const Job& job, const Rule& rule) {
    (void)job;
    (void)rule;
  }
  virtual void JobEnded(const Job& job, const Rule& rule, const JobOutcome& outcome) {
    (void)job;
    (void)rule;
    (void)outcome;
  }
  virtual void RuleEnded(const RuleResult& result) { (void)result; }
};

struct RunRequest {
  std::vector<const Rule*> rules;  // what to evaluate, prerequisites included
  Settings settings;
  // Where `command` rules run: a directory holding the snapshot's files.
  // Empty when the snapshot is not on disk (index, commit): each command
  // rule then runs in a temporary copy of its input files.
  std::string workdir;
  ResultCache* cache = nullptr;  // null: nothing cached or reused
  bool read_cache = true;        // false (--no-cache): run fresh, still store
  bool explain = false;          // fill RuleResult::explain
  std::function<void(const RuleResult&)> on_result;  // called as each rule ends
  // Where jobs run; null runs them inline, one at a time. Started on the
  // first job, so a run that needs no job starts no worker; or, with
  // start_early, before the first key: a worker then decodes the run's
  // start message while the parent computes keys, instead of after.
  // `check --staged`/`--since` set it: the rules they hand over are the
  // affected ones, which nearly always have a job.
  Executor* executor = nullptr;
  bool start_early = false;
  // How many rules may be keyed and waiting for their jobs at once. The
  // parent computes keys while the workers run jobs, but each rule it has
  // keyed holds its inputs and its planned jobs until its last job ends
  // (and its files' verdicts until their group's files are all back): a
  // cold run at L (1,940 rules) keyed all of them before the first ended.
  // 64 rules' jobs keep any pool busy.
  size_t max_rules_in_progress = 64;
  const CostModel* costs = nullptr;              // null: first guesses only
  const InterruptWatch* interrupts = nullptr;    // stop early on SIGINT/SIGTERM
  RunObserver* observer = nullptr;
};

// What a run did, for tests and `cache stats`.
struct RunCounters {
  uint64_t files_read = 0;     // contents read (to check or to hash)
  uint64_t bytes_read = 0;
  uint64_t files_hashed = 0;   // content ids computed by hashing
  uint64_t rules_ran = 0;      // rules whose check ran, wholly or in part
  uint64_t files_checked = 0;  // files judged fresh by per-file rules
  uint64_t rule_hits = 0;
  uint64_t rule_misses = 0;
  uint64_t file_hits = 0;
  uint64_t jobs = 0;           // jobs handed to the executor
  uint64_t unstable = 0;       // results not cached: an input changed while it was read
  std::set<std::string> used_cache;  // rules that took a cached rule or file result
  std::vector<std::string> ran;  // ids of the rules that ran, in the order they ended
};

class Runner {
 public:
  Runner(const RuleGraph* graph, FileSource* source, ProcessRunner* processes, Clock* clock)
      : graph_(graph), source_(source), processes_(processes), clock_(clock) {}

  RunReport Run(const Snapshot& snapshot, const RunRequest& request);

  // `sotinc explain ID`: whether rule `id` would run now and why, without
  // running anything. Prerequisites are looked up in the cache the same
  // way; one that would run itself is named, since the rule's key depends
  // on its result. Uses request.rules' settings, cache and read_cache.
  Result<std::string> Explain(const Snapshot& snapshot, const RunRequest& request,
                              const std::string& id);

  const RunCounters& counters() const { return counters_; }
  uint64_t files_read() const { return counters_.files_read; }
  uint64_t bytes_read() const { return counters_.bytes_read; }

 private:
  class Evaluation;

  const RuleGraph* graph_;
  FileSource* source_;
  ProcessRunner* processes_;
  Clock* clock_;
  RunCounters counters_;
};

// Counts the summary of `results` (unaffected is left for the caller).
RunSummary Summarize(const std::vector<RuleResult>& results);

// The digest of a rule's definition as the cache sees it.
std::string DefinitionDigest(const Rule& rule, const Settings& settings);

}  // namespace sotinc

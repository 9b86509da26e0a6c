// What `sotinc check` shows while it runs, and the trace it can write.
//
// ProgressLine: on a terminal (stderr), one line redrawn at most ten times
// a second: rules done/total, cached, failures so far, elapsed time and the
// rules running now. Cleared before the report is printed.
//
// TraceRecorder: `--trace FILE`, Chrome's trace event format (JSON), which
// Perfetto and chrome://tracing open: one track per worker with a slice per
// job (rule id, files, ran), and a track for the scheduler itself, where
// each rule's key and cache lookup show as a slice (cached or not).
#pragma once

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/runner.h"

namespace sotinc {

class ProgressLine : public RunObserver {
 public:
  ProgressLine(FILE* out, Clock* clock, int total_rules);
  ~ProgressLine() override;

  void JobStarted(const Job& job, const Rule& rule) override;
  void JobEnded(const Job& job, const Rule& rule, const JobOutcome& outcome) override;
  void RuleEnded(const RuleResult& result) override;
  // Erases the line (before the report goes to the same terminal).
  void Clear();

 private:
  void Draw(bool force);

  FILE* out_;
  Clock* clock_;
  double start_ms_;
  double last_draw_ms_ = -1e9;
  int total_;
  int done_ = 0;
  int cached_ = 0;
  int failed_ = 0;
  std::map<std::string, int> running_;  // rule id -> jobs in flight
  bool drawn_ = false;
};

class TraceRecorder : public RunObserver {
 public:
  explicit TraceRecorder(Clock* clock) : clock_(clock), start_ms_(clock->NowMs()) {}

  void JobEnded(const Job& job, const Rule& rule, const JobOutcome& outcome) override;
  void RuleEnded(const RuleResult& result) override;
  // A phase of the run (category "phase", on the scheduler's track), from
  // `start_ms` to `end_ms` on the recorder's clock.
  void Phase(const std::string& name, double start_ms, double end_ms);

  // The whole trace as JSON.
  std::string Json() const;

 private:
  struct Slice {
    std::string name;
    std::string category;  // "job", "cached", "skipped", ...
    int track = 0;         // 0 = the scheduler, k = worker k-1
    double start_ms = 0;
    double duration_ms = 0;
    std::string args;      // JSON object members, without braces
  };
  Clock* clock_;
  double start_ms_;
  std::vector<Slice> slices_;
  std::set<int> tracks_;
};

// Fans one run's events out to several observers.
class ObserverList : public RunObserver {
 public:
  void Add(RunObserver* o) { list_.push_back(o); }
  void JobStarted(const Job& job, const Rule& rule) override;
  void JobEnded(const Job& job, const Rule& rule, const JobOutcome& outcome) override;
  void RuleEnded(const RuleResult& result) override;

 private:
  std::vector<RunObserver*> list_;
};

}  // namespace sotinc

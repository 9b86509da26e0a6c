// Where jobs run. The runner (engine/runner.h) decides what runs and in
// what order; an Executor only runs what it is given and says when each
// job ended. Two implementations: InlineExecutor runs a job at once in
// this process (tests on fakes), and the worker pool (engine/worker_pool.h)
// runs jobs in worker processes, which is what `sotinc check` uses for
// every -j, including -j 1.
#pragma once

#include <memory>
#include <vector>

#include "engine/clock.h"
#include "engine/job.h"
#include "engine/status.h"

namespace sotinc {

class Executor {
 public:
  virtual ~Executor() = default;

  // How many jobs may be in flight at once.
  virtual int slots() const = 0;
  // Prepares to run jobs over `env` (the pool forks its workers here).
  // Called at most once, before the first Submit(); `env` must outlive
  // the executor.
  virtual Status Start(const JobEnv& env) = 0;
  // Starts `job`; requires in_flight() < slots().
  virtual void Submit(const Job& job) = 0;
  // What a job submitted now costs before it can start (ms): 0, or for the
  // pool, while only workers that have not had this run's first job are
  // idle, what one of them takes to start (the runner then holds small
  // jobs for a busy started worker a while, see Runner).
  virtual double StartCostMs() const { return 0; }
  virtual int in_flight() const = 0;
  // Blocks until at least one submitted job has ended and returns those
  // that have. Returns nothing once the run was interrupted (see
  // interrupted()); jobs still in flight then never end.
  virtual std::vector<JobOutcome> Wait() = 0;
  // Wait(), but returns after about `max_ms` even when nothing ended.
  virtual std::vector<JobOutcome> WaitFor(double max_ms) {
    (void)max_ms;
    return Wait();
  }
  // True when jobs run while the caller goes on (worker processes): the
  // runner then hands a freed slot its next job before it files the results
  // that came back. False when Submit() runs the job itself.
  virtual bool asynchronous() const { return true; }
  // The signal (SIGINT, SIGTERM) that interrupted the run, or 0.
  virtual int interrupted() const { return 0; }
  // Ends the workers and whatever they started. Idempotent.
  virtual void Stop() {}
};

// Runs each job to completion inside Submit(), in this process, as slot 0.
class InlineExecutor : public Executor {
 public:
  explicit InlineExecutor(Clock* clock) : clock_(clock) {}

  int slots() const override { return 1; }
  bool asynchronous() const override { return false; }
  Status Start(const JobEnv& env) override {
    env_ = &env;
    return Status::Ok();
  }
  void Submit(const Job& job) override;
  int in_flight() const override { return static_cast<int>(done_.size()); }
  std::vector<JobOutcome> Wait() override;

 private:
  Clock* clock_;
  const JobEnv* env_ = nullptr;
  std::vector<JobOutcome> done_;
};

}  // namespace sotinc

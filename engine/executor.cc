#include "engine/executor.h"

namespace sotinc {

void InlineExecutor::Submit(const Job& job) {
  double start = clock_->NowMs();
  JobOutcome outcome = ExecuteJob(*env_, job, nullptr);
  outcome.worker = 0;
  outcome.start_ms = start;
  outcome.end_ms = clock_->NowMs();
  outcome.run_ms = outcome.end_ms - start;
  done_.push_back(std::move(outcome));
}

std::vector<JobOutcome> InlineExecutor::Wait() {
  std::vector<JobOutcome> out;
  out.swap(done_);
  return out;
}

}  // namespace sotinc

// FakeProcessRunner: a ProcessRunner for tests that launches nothing.
//
// It records every ProcessSpec it is asked to run, in order, in
// commands_ran_ (so a test can assert that a second, unchanged run executed
// no command), and answers with scripted outcomes:
//   1. the function given to SetScript(), if any, decides every outcome;
//   2. otherwise an outcome set with SetOutcome() for the spec's argv[0];
//   3. otherwise exit 0 with empty output.
// Run() locks, so a fake may be shared by a worker pool; read commands_ran_
// only once the code under test has stopped running commands.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/process.h"

namespace sotinc::testing {

class FakeProcessRunner : public ProcessRunner {
 public:
  using Script = std::function<ProcessOutcome(const ProcessSpec&)>;

  ProcessOutcome Run(const ProcessSpec& spec) override {
    std::lock_guard<std::mutex> lock(mu_);
    commands_ran_.push_back(spec);
    if (script_) return script_(spec);
    if (!spec.argv.empty()) {
      auto it = outcomes_.find(spec.argv[0]);
      if (it != outcomes_.end()) return it->second;
    }
    ProcessOutcome ok;
    ok.exit_code = 0;
    return ok;
  }

  // Every later run of `program` (matched against argv[0]) returns `outcome`.
  void SetOutcome(const std::string& program, ProcessOutcome outcome) {
    std::lock_guard<std::mutex> lock(mu_);
    outcomes_[program] = std::move(outcome);
  }

  // `script` decides every later outcome; it overrides SetOutcome().
  void SetScript(Script script) {
    std::lock_guard<std::mutex> lock(mu_);
    script_ = std::move(script);
  }

  // Convenience for the common case: exit with `code` after printing `output`.
  static ProcessOutcome Exited(int code, std::string output = "") {
    ProcessOutcome outcome;
    outcome.exit_code = code;
    outcome.output = std::move(output);
    return outcome;
  }

  std::vector<ProcessSpec> commands_ran_;

 private:
  std::mutex mu_;
  std::map<std::string, ProcessOutcome> outcomes_;
  Script script_;
};

}  // namespace sotinc::testing

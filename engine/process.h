// Launching external processes (the `command` check kind).
//
// ProcessRunner is the seam: SubprocessRunner forks and execs for real;
// tests use a fake that records the commands it was asked to run.
// A runner may be used from one thread at a time. (The real runner keeps no
// state between runs, so separate instances may run in parallel threads.)
// Run() never throws for a failing command: everything, including "command
// not found", comes back in the ProcessOutcome.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/status.h"

namespace sotinc {

struct ProcessSpec {
  // argv[0] is looked up in the PATH of `env` if it sets one, else in the
  // PATH of this process; a name containing '/' is used as is (relative to cwd).
  std::vector<std::string> argv;
  std::string cwd;                // working directory; must exist
  // Environment of the child: exactly these variables (the caller decides
  // what to pass through; nothing is inherited implicitly).
  std::vector<std::pair<std::string, std::string>> env;
  int64_t timeout_ms = 60000;      // the whole process group is killed after this;
                                   // <= 0 means no limit
  size_t output_cap = 1 << 20;     // bytes kept of the merged stdout+stderr
};

struct ProcessOutcome {
  int exit_code = -1;   // valid when signal == 0 and !timed_out
  int signal = 0;       // the signal that ended the child, or 0
  bool timed_out = false;
  bool spawn_failed = false;  // exec failed (e.g. command not found); output says why
  std::string output;   // merged stdout and stderr; head and tail if over the cap
  uint64_t dropped_bytes = 0;  // how much of the middle was dropped
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  virtual ProcessOutcome Run(const ProcessSpec& spec) = 0;
  // Called with the process group of each child as soon as it exists, and
  // with 0 once it is gone: the worker pool publishes it so that it can
  // kill a command's whole group when it kills a worker. Runners that
  // start no real process ignore it.
  virtual void set_spawn_observer(std::function<void(int pgid)> observer) { (void)observer; }
};

// The real runner: fork + execvp in a new process group, stdin from
// /dev/null, stdout and stderr into one pipe, timeout enforced with kill(-pgid).
// When the command exits, whatever it left running in its process group is
// killed (after at most a short grace period for their output), so Run()
// never waits on a background child that holds the pipe open.
std::unique_ptr<ProcessRunner> NewSubprocessRunner();

}  // namespace sotinc

// SIGINT and SIGTERM during a run. While an InterruptWatch lives, either
// signal is recorded (the first one wins) and a byte is written to a pipe
// that the worker pool polls, so a run stops promptly: the pool kills its
// workers and their commands, the runner keeps every result already
// finished, and the command line exits 130.
//
// One watch at a time per process; the previous dispositions come back
// when it is destroyed. The handler is async-signal-safe (a flag and one
// write()).
#pragma once

#include <memory>

#include "engine/status.h"

namespace sotinc {

class InterruptWatch {
 public:
  static Result<std::unique_ptr<InterruptWatch>> Install();
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

  // Readable once a signal arrived.
  int fd() const;
  // The signal that arrived, or 0.
  int signal() const;

 private:
  InterruptWatch() = default;
};

}  // namespace sotinc

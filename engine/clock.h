// The clock seam: the engine measures durations through Clock so tests can
// use a fake one and assert on timings without sleeping.
#pragma once

#include <chrono>
#include <memory>

namespace sotinc {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds on a monotonic scale (only differences mean anything).
  virtual double NowMs() = 0;
};

class SteadyClock : public Clock {
 public:
  double NowMs() override {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
  }
};

}  // namespace sotinc

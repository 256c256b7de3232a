#pragma once
// Time enters the system only through a Clock, so the simulator and tests can drive it.
// The scheduling core never sees a Clock: callers read "now" once per pass and pass it in.
#include <cstdint>

namespace suanli {

// Milliseconds since the Unix epoch (server) or since the start of a trace (simulator).
using TimeMs = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs NowMs() const = 0;
};

// The wall clock (system_clock.cc). Only adapters (server, agent, CLI) use it.
class SystemClock : public Clock {
 public:
  TimeMs NowMs() const override;
  static SystemClock* Get();
};

// A clock tests move by hand.
class FakeClock : public Clock {
 public:
  explicit FakeClock(TimeMs start = 0) : now_(start) {}
  TimeMs NowMs() const override { return now_; }
  void Set(TimeMs t) { now_ = t; }
  void Advance(TimeMs d) { now_ += d; }

 private:
  TimeMs now_;
};

}  // namespace suanli

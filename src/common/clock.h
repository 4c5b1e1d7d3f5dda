// Clock: the one source of time. Production code never reads a clock directly; it is handed a
// Clock, so tests can drive time with FakeClock (test/unit/common/fake_clock.h).
#pragma once

#include <chrono>

namespace ingress {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for timestamps that users see (created_at, JWT exp).
  virtual std::chrono::system_clock::time_point now() const = 0;
  // Monotonic time, for deadlines and durations.
  virtual std::chrono::steady_clock::time_point monotonicNow() const = 0;
  // Blocks the calling thread for `d` (a fake clock advances instead).
  virtual void sleepFor(std::chrono::nanoseconds d) = 0;
};

// The real clock. Thread-safe. Created only in src/exe (and in integration tests).
class ClockImpl final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override;
  std::chrono::steady_clock::time_point monotonicNow() const override;
  void sleepFor(std::chrono::nanoseconds d) override;
};

}  // namespace ingress

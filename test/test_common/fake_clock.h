// A settable Clock for unit tests: time moves only when told (advance, or sleepFor). Thread-safe.
#pragma once

#include <atomic>
#include <chrono>

#include "common/clock.h"

namespace ingress::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point now) : now_(now.time_since_epoch()) {}
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point(now_.load());
  }
  std::chrono::steady_clock::time_point monotonicNow() const override {
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(now_.load()));
  }
  void sleepFor(std::chrono::nanoseconds d) override { advance(d); }
  void advance(std::chrono::nanoseconds d) {
    now_ = now_.load() + std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
  }

 private:
  std::atomic<std::chrono::system_clock::duration> now_;
};

}  // namespace ingress::testing

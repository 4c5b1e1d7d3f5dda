// Unit tests of Reconciler: a fake sleeper the test lets through one wait at a time (advancing a
// fake clock), and the real CondVarSleeper for stopping promptly.
#include "instances/reconciler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "unit/ingress/fakes.h"

namespace ingress::instances {
namespace {

using ingress::testing::FakeClock;
using namespace std::chrono_literals;

// Each sleepFor() records its duration and blocks until the test release()s it; then it
// advances the fake clock by that duration. Thread-safe.
class FakeSleeper final : public IntervalSleeper {
 public:
  explicit FakeSleeper(FakeClock& clock) : clock_(clock) {}
  bool sleepFor(std::chrono::nanoseconds d) override {
    std::unique_lock lock(mu_);
    waits_.push_back(d);
    cv_.notify_all();
    cv_.wait(lock, [&] { return interrupted_ || permits_ > 0; });
    if (interrupted_) return false;
    --permits_;
    clock_.advance(d);
    return true;
  }
  void interrupt() override {
    std::lock_guard lock(mu_);
    interrupted_ = true;
    cv_.notify_all();
  }
  void release(int n) {
    std::lock_guard lock(mu_);
    permits_ += n;
    cv_.notify_all();
  }
  // Waits (up to 10 s) until `n` waits have begun; returns their durations.
  std::vector<std::chrono::nanoseconds> waitForWaits(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 10s, [&] { return waits_.size() >= n; });
    return waits_;
  }

 private:
  FakeClock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::chrono::nanoseconds> waits_;
  int permits_ = 0;
  bool interrupted_ = false;
};

struct Fixture {
  FakeClock clock{std::chrono::system_clock::time_point{} + 1000h};
  FakeSleeper* sleeper = nullptr;  // owned by the reconciler
  std::unique_ptr<Reconciler> make(std::chrono::milliseconds interval, std::function<Status()> fn) {
    auto s = std::make_unique<FakeSleeper>(clock);
    sleeper = s.get();
    return std::make_unique<Reconciler>(clock, interval, std::move(fn), std::move(s));
  }
};

TEST(ReconcilerTest, CallsOncePerIntervalStartingOneIntervalAfterStart) {
  Fixture f;
  std::atomic<int> calls{0};
  const auto start = f.clock.monotonicNow();
  std::vector<std::chrono::steady_clock::duration> call_times;
  std::mutex mu;
  auto r = f.make(10s, [&] {
    std::lock_guard lock(mu);
    call_times.push_back(f.clock.monotonicNow() - start);
    ++calls;
    return okStatus();
  });
  r->start();
  EXPECT_TRUE(r->running());
  ASSERT_EQ(f.sleeper->waitForWaits(1).size(), 1u);
  EXPECT_EQ(calls.load(), 0);  // nothing before the first interval has passed
  f.sleeper->release(3);
  auto waits = f.sleeper->waitForWaits(4);
  ASSERT_EQ(waits.size(), 4u);
  for (auto w : waits) EXPECT_EQ(w, 10s);
  r->stop();
  EXPECT_FALSE(r->running());
  std::lock_guard lock(mu);
  ASSERT_EQ(call_times.size(), 3u);
  EXPECT_EQ(call_times[0], 10s);
  EXPECT_EQ(call_times[1], 20s);
  EXPECT_EQ(call_times[2], 30s);
}

TEST(ReconcilerTest, GoesOnAfterAFailingOrThrowingCall) {
  Fixture f;
  std::atomic<int> calls{0};
  auto r = f.make(1s, [&]() -> Status {
    int n = ++calls;
    if (n == 1) return unavailable("hypeman API lookup failed");
    if (n == 2) throw std::runtime_error("boom");
    return okStatus();
  });
  r->start();
  f.sleeper->release(3);
  ASSERT_EQ(f.sleeper->waitForWaits(4).size(), 4u);  // waiting again after the third call
  EXPECT_EQ(calls.load(), 3);
  r->stop();
}

TEST(ReconcilerTest, IntervalZeroNeverStarts) {
  Fixture f;
  std::atomic<int> calls{0};
  auto r = f.make(0s, [&] {
    ++calls;
    return okStatus();
  });
  r->start();
  EXPECT_FALSE(r->running());
  r->stop();
  EXPECT_EQ(calls.load(), 0);
}

TEST(ReconcilerTest, StopEndsALongWaitAtOnceWithTheRealSleeper) {
  ClockImpl clock;
  std::atomic<int> calls{0};
  Reconciler r(clock, std::chrono::hours(1), [&] {
    ++calls;
    return okStatus();
  });
  r.start();
  const auto before = std::chrono::steady_clock::now();
  r.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
  EXPECT_FALSE(r.running());
  EXPECT_EQ(calls.load(), 0);
}

TEST(CondVarSleeperTest, SleepsTheWholeDurationUnlessInterrupted) {
  CondVarSleeper sleeper;
  const auto before = std::chrono::steady_clock::now();
  EXPECT_TRUE(sleeper.sleepFor(20ms));
  EXPECT_GE(std::chrono::steady_clock::now() - before, 20ms);
  sleeper.interrupt();
  EXPECT_FALSE(sleeper.sleepFor(std::chrono::hours(1)));  // an earlier interrupt is not lost
}

}  // namespace
}  // namespace ingress::instances

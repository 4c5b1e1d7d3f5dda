// Reconciler: calls a function every `interval` on its own thread, until stopped. serve uses it
// to re-resolve every rule target (Manager::reconcileInstances), so an instance that moved or
// vanished inside hypeman is noticed without any API call here.
//
//   Reconciler reconciler(clock, settings.instance_reconcile_interval,
//                         [&] { return manager.reconcileInstances(); });
//   reconciler.start();
//   ...
//   reconciler.stop();  // also done by the destructor
//
// The interval runs from the end of one call to the start of the next, so a slow call never
// makes calls back-to-back; the first call comes one interval after start(). A failing call (an
// error Status or an exception) is logged and the loop goes on. An interval of 0 disables it:
// start() does nothing. stop() wakes the wait at once and returns when a call in progress has
// finished.
//
// The wait between calls is an IntervalSleeper: CondVarSleeper (the default) waits in real time;
// tests inject one driven by a fake clock. Call start() at most once and stop() from the same
// thread; the function runs on the reconciler's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/status.h"

namespace ingress::instances {

// A wait that can be cut short. Thread-safe.
class IntervalSleeper {
 public:
  virtual ~IntervalSleeper() = default;
  // Blocks for `d`; false when interrupt() was called (before or during the wait).
  virtual bool sleepFor(std::chrono::nanoseconds d) = 0;
  // Makes the current and every later sleepFor() return false at once.
  virtual void interrupt() = 0;
};

class CondVarSleeper final : public IntervalSleeper {
 public:
  bool sleepFor(std::chrono::nanoseconds d) override;
  void interrupt() override;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool interrupted_ = false;  // guarded by mu_
};

class Reconciler {
 public:
  // `clock` (borrowed, must outlive this) times each call for the log.
  Reconciler(Clock& clock, std::chrono::milliseconds interval, std::function<Status()> fn,
             std::unique_ptr<IntervalSleeper> sleeper = std::make_unique<CondVarSleeper>());
  ~Reconciler();
  Reconciler(const Reconciler&) = delete;
  Reconciler& operator=(const Reconciler&) = delete;

  void start();
  void stop();
  bool running() const { return thread_.joinable(); }

 private:
  void loop();
  void runOnce();

  Clock& clock_;
  const std::chrono::milliseconds interval_;
  const std::function<Status()> fn_;
  const std::unique_ptr<IntervalSleeper> sleeper_;
  std::thread thread_;
};

}  // namespace ingress::instances

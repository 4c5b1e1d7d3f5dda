// Watchdog: serve's thread that keeps a supervisor and Envoy running (issue 9). Every
// `timings.poll` it probes (is the envoy-supervisor alive, does Envoy's admin answer LIVE), asks
// WatchdogCore what to do, and when the supervisor is gone runs `recover` — in serve: start a new
// supervisor (EnvoyDaemon::recover) and re-apply the current configuration — reporting the
// outcome back to the core, which backs off on repeated failures. Every transition is logged.
//
//   Watchdog dog(clock, WatchdogTimings{}, {.probe = [&] { return WatchdogProbe{...}; },
//                                           .recover = [&] { return daemon.recover(); }});
//   dog.start();  ...  dog.stop();
//
// status() is thread-safe (readiness and /metrics read it from handler threads); start() and
// stop() are called by one thread; the hooks run on the watchdog's thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "envoy/watchdog_core.h"

namespace ingress::envoy {

struct WatchdogHooks {
  std::function<WatchdogProbe()> probe;
  std::function<Status()> recover;
};

struct WatchdogStatus {
  WatchdogState state = WatchdogState::kHealthy;
  WatchdogCounters counters;
  bool running = false;  // the watchdog thread runs
};

class Watchdog {
 public:
  // `clock` is borrowed and must outlive this.
  Watchdog(Clock& clock, WatchdogTimings timings, WatchdogHooks hooks);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void start();
  // Wakes the loop and joins it; a recovery in progress finishes first.
  void stop();
  WatchdogStatus status() const;

 private:
  void loop();
  void publish();
  // Waits `d` of real time; false when stop() was called.
  bool waitFor(std::chrono::milliseconds d);

  Clock& clock_;
  WatchdogCore core_;  // watchdog thread only
  WatchdogHooks hooks_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;      // guarded by mu_
  WatchdogStatus status_;  // guarded by mu_: a copy of the core's state
  std::thread thread_;
};

}  // namespace ingress::envoy

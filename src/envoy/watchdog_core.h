// WatchdogCore: the decisions of serve's supervisor watchdog, free of I/O so they are unit tested
// with a fake clock. The I/O loop (watchdog.h) probes every ~200 ms whether the envoy-supervisor
// is alive and whether Envoy's admin answers LIVE, feeds the result to observe(), and executes
// what it returns: nothing, or "recover" (start a new supervisor, which re-adopts or restarts
// Envoy, then re-apply the current configuration), reporting the outcome with recovered() or
// recoveryFailed().
//
//   WatchdogCore core(WatchdogTimings{});
//   if (core.observe({.supervisor_alive = false, .envoy_live = false}, now) ==
//       WatchdogCore::Action::kRecover) { ... core.recovered(now); }
//
// Policy:
//  - A dead supervisor is replaced at once the first time.
//  - A recovery that fails, or a replacement that dies again before `stable_after`, backs off:
//    step, 2×step, 4×step … capped at backoff_max, so a supervisor that cannot start never
//    makes a tight crash loop.
//  - A live supervisor whose Envoy is not LIVE is the supervisor's business (it restarts Envoy
//    with its own backoff); the watchdog only reports it (state kEnvoyDown).
// Not thread-safe: owned by the watchdog thread; the I/O shell publishes copies of its state.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ingress::envoy {

using WatchdogTime = std::chrono::steady_clock::time_point;

struct WatchdogTimings {
  std::chrono::milliseconds poll{200};
  std::chrono::milliseconds backoff_step{1000};
  std::chrono::milliseconds backoff_max{30000};
  std::chrono::milliseconds stable_after{30000};  // a replacement that lived this long resets it
};

struct WatchdogProbe {
  bool supervisor_alive = false;
  bool envoy_live = false;
};

enum class WatchdogState {
  kHealthy,     // supervisor alive, Envoy LIVE
  kEnvoyDown,   // supervisor alive, Envoy not LIVE (the supervisor is restarting it)
  kRecovering,  // supervisor dead: a recovery is due now or running
  kBackoff,     // supervisor dead, the last recovery failed (or died young): waiting to retry
};
std::string_view watchdogStateName(WatchdogState state);  // "healthy", "envoy_down", ...

struct WatchdogCounters {
  uint64_t supervisor_restarts = 0;  // successful recoveries
  uint64_t recovery_failures = 0;
  std::string last_error;
};

class WatchdogCore {
 public:
  enum class Action { kNone, kRecover };

  explicit WatchdogCore(WatchdogTimings timings) : timings_(timings) {}

  Action observe(const WatchdogProbe& probe, WatchdogTime now);
  // Outcome of a kRecover: a supervisor runs, Envoy is LIVE and the configuration re-applied.
  void recovered(WatchdogTime now);
  void recoveryFailed(const std::string& error, WatchdogTime now);

  WatchdogState state() const { return state_; }
  const WatchdogCounters& counters() const { return counters_; }
  // When the next recovery may start (set while in kBackoff).
  std::optional<WatchdogTime> retryAt() const { return retry_at_; }
  const WatchdogTimings& timings() const { return timings_; }

 private:
  std::chrono::milliseconds backoff() const;

  WatchdogTimings timings_;
  WatchdogState state_ = WatchdogState::kHealthy;
  std::optional<WatchdogTime> retry_at_;
  std::optional<WatchdogTime> recovered_at_;  // of the last successful recovery
  int quick_failures_ = 0;                    // failed or short-lived recoveries in a row
  WatchdogCounters counters_;
};

}  // namespace ingress::envoy

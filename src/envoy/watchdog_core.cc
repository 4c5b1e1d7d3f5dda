#include "envoy/watchdog_core.h"

#include <algorithm>

namespace ingress::envoy {

std::string_view watchdogStateName(WatchdogState state) {
  switch (state) {
    case WatchdogState::kHealthy: return "healthy";
    case WatchdogState::kEnvoyDown: return "envoy_down";
    case WatchdogState::kRecovering: return "recovering";
    case WatchdogState::kBackoff: return "backoff";
  }
  return "unknown";
}

std::chrono::milliseconds WatchdogCore::backoff() const {
  if (quick_failures_ <= 0) return std::chrono::milliseconds(0);
  return std::min(timings_.backoff_max,
                  timings_.backoff_step * (1 << std::min(quick_failures_ - 1, 10)));
}

WatchdogCore::Action WatchdogCore::observe(const WatchdogProbe& probe, WatchdogTime now) {
  switch (state_) {
    case WatchdogState::kHealthy:
    case WatchdogState::kEnvoyDown:
      if (probe.supervisor_alive) {
        state_ = probe.envoy_live ? WatchdogState::kHealthy : WatchdogState::kEnvoyDown;
        return Action::kNone;
      }
      // The supervisor died. A replacement of ours that died young counts as a failure.
      if (recovered_at_ && now - *recovered_at_ < timings_.stable_after) {
        ++quick_failures_;
      } else {
        quick_failures_ = 0;
      }
      if (backoff().count() > 0) {
        state_ = WatchdogState::kBackoff;
        retry_at_ = now + backoff();
        return Action::kNone;
      }
      state_ = WatchdogState::kRecovering;
      return Action::kRecover;
    case WatchdogState::kBackoff:
      if (retry_at_ && now < *retry_at_) return Action::kNone;
      state_ = WatchdogState::kRecovering;
      retry_at_.reset();
      return Action::kRecover;
    case WatchdogState::kRecovering: return Action::kRecover;
  }
  return Action::kNone;
}

void WatchdogCore::recovered(WatchdogTime now) {
  state_ = WatchdogState::kHealthy;
  retry_at_.reset();
  recovered_at_ = now;
  ++counters_.supervisor_restarts;
}

void WatchdogCore::recoveryFailed(const std::string& error, WatchdogTime now) {
  ++counters_.recovery_failures;
  counters_.last_error = error;
  ++quick_failures_;
  state_ = WatchdogState::kBackoff;
  retry_at_ = now + backoff();
}

}  // namespace ingress::envoy

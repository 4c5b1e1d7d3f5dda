#include "envoy/watchdog.h"

#include <exception>

#include "common/log.h"

namespace ingress::envoy {

Watchdog::Watchdog(Clock& clock, WatchdogTimings timings, WatchdogHooks hooks)
    : clock_(clock), core_(timings), hooks_(std::move(hooks)) {}

Watchdog::~Watchdog() { stop(); }

void Watchdog::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = false;
    status_.running = true;
  }
  thread_ = std::thread([this] { loop(); });
}

void Watchdog::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  status_.running = false;
}

WatchdogStatus Watchdog::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void Watchdog::publish() {
  std::lock_guard lock(mu_);
  status_.state = core_.state();
  status_.counters = core_.counters();
}

bool Watchdog::waitFor(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stop_; });
}

void Watchdog::loop() {
  while (waitFor(core_.timings().poll)) {
    const WatchdogProbe probe = hooks_.probe();
    const WatchdogState before = core_.state();
    const auto action = core_.observe(probe, clock_.monotonicNow());
    if (core_.state() != before) {
      log::warn("watchdog state changed", {{"from", std::string(watchdogStateName(before))},
                                           {"to", std::string(watchdogStateName(core_.state()))},
                                           {"supervisor_alive", probe.supervisor_alive},
                                           {"envoy_live", probe.envoy_live}});
    }
    publish();
    if (action != WatchdogCore::Action::kRecover) continue;
    log::warn("envoy-supervisor is gone; starting a new one",
              {{"attempt", core_.counters().recovery_failures + 1}});
    const auto started = clock_.monotonicNow();
    Status st;
    try {
      st = hooks_.recover();
    } catch (const std::exception& e) {
      st = internalError(std::string("recovery threw: ") + e.what());
    }
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_.monotonicNow() - started)
            .count();
    if (st.ok()) {
      core_.recovered(clock_.monotonicNow());
      log::info("recovered: a new envoy-supervisor serves",
                {{"ms", ms}, {"supervisor_restarts", core_.counters().supervisor_restarts}});
    } else {
      core_.recoveryFailed(st.message(), clock_.monotonicNow());
      const auto retry = core_.retryAt() ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                               *core_.retryAt() - clock_.monotonicNow())
                                               .count()
                                         : 0;
      log::error("recovery failed; backing off",
                 {{"error", st.message()}, {"ms", ms}, {"retry_in_ms", retry}});
    }
    publish();
  }
}

}  // namespace ingress::envoy

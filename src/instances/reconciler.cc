// Reconciler: see reconciler.h.
#include "instances/reconciler.h"

#include <exception>
#include <utility>

#include "common/log.h"

namespace ingress::instances {

bool CondVarSleeper::sleepFor(std::chrono::nanoseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return interrupted_; });
}

void CondVarSleeper::interrupt() {
  {
    std::lock_guard lock(mu_);
    interrupted_ = true;
  }
  cv_.notify_all();
}

Reconciler::Reconciler(Clock& clock, std::chrono::milliseconds interval, std::function<Status()> fn,
                       std::unique_ptr<IntervalSleeper> sleeper)
    : clock_(clock), interval_(interval), fn_(std::move(fn)), sleeper_(std::move(sleeper)) {}

Reconciler::~Reconciler() { stop(); }

void Reconciler::start() {
  if (interval_.count() <= 0 || thread_.joinable()) return;
  thread_ = std::thread([this] { loop(); });
}

void Reconciler::stop() {
  sleeper_->interrupt();
  if (thread_.joinable()) thread_.join();
}

void Reconciler::loop() {
  while (sleeper_->sleepFor(interval_)) runOnce();
}

void Reconciler::runOnce() {
  const auto started = clock_.monotonicNow();
  Status st;
  try {
    st = fn_();
  } catch (const std::exception& e) {
    st = internalError(std::string("reconcile threw: ") + e.what());
  } catch (...) {
    st = internalError("reconcile threw");
  }
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.monotonicNow() - started);
  if (st.ok()) {
    log::debug("instance reconcile done", {{"took_ms", took.count()}});
  } else {
    log::warn("instance reconcile failed; retrying at the next interval",
              {{"error", st.toString()}, {"took_ms", took.count()}});
  }
}

}  // namespace ingress::instances

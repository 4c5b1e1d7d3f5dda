// RoutePublisher: build from the snapshot, apply, report to the metrics hook and the log.
#include "envoy/route_publisher.h"

#include "common/log.h"

namespace ingress::envoy {
namespace {

// What a failed apply means for the caller, said exactly. A publish that fails vetoes the change
// (ConfigPublisher's contract: nothing is stored), and the applier has rolled Envoy back to the
// last good files; whether Envoy confirmed that rollback is `restored`.
Status explainFailure(const Status& st, std::chrono::milliseconds timeout, bool restored) {
  if (st.code() != StatusCode::kDeadlineExceeded) return st;
  std::string detail = st.message();
  const std::string within =
      " within ENVOY_APPLY_TIMEOUT (" + std::to_string((timeout.count() + 999) / 1000) + " s)";
  if (const std::string suffix = " in time"; detail.ends_with(suffix)) {
    detail = detail.substr(0, detail.size() - suffix.size()) + within;
  } else {
    detail += " (ENVOY_APPLY_TIMEOUT is " + std::to_string((timeout.count() + 999) / 1000) + " s)";
  }
  detail += restored ? "; nothing was stored and the previous configuration was restored"
                     : "; nothing was stored; the previous configuration was written back but "
                       "Envoy has not confirmed it yet (the next change rewrites every file)";
  return deadlineExceeded(std::move(detail), st.reason());
}

}  // namespace

RoutePublisher::RoutePublisher(XdsApplier& applier, BuilderSettings settings,
                               std::chrono::milliseconds apply_timeout)
    : applier_(applier), builder_(std::move(settings)), apply_timeout_(apply_timeout) {}

Status RoutePublisher::publish(const domain::SnapshotPtr& next) {
  std::lock_guard lock(mu_);
  const auto build_started = std::chrono::steady_clock::now();
  XdsConfig config = builder_.build(next);
  return applyLocked(config, next->ingresses().size(), build_started);
}

Status RoutePublisher::applyLocked(const XdsConfig& config, size_t ingresses,
                                   std::chrono::steady_clock::time_point build_started) {
  const auto started = std::chrono::steady_clock::now();
  const auto build_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(started - build_started).count();
  Status st = applier_.apply(config, apply_timeout_);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  if (observer_) observer_(st, elapsed);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  if (!st.ok()) {
    st = explainFailure(st, apply_timeout_, applier_.inSync());
    log::warn("envoy configuration not applied",
              {{"version", config.version}, {"error", st.message()}, {"ms", ms}});
    return st;
  }
  log::debug("envoy configuration applied", {{"version", config.version},
                                             {"ingresses", ingresses},
                                             {"unresolved_rules", config.unresolved.size()},
                                             {"ms", ms},
                                             {"build_ms", build_ms}});
  return okStatus();
}

Status RoutePublisher::reapplyCurrent() {
  std::lock_guard lock(mu_);
  const XdsConfig current = applier_.current();
  applier_.forgetRejectCounters();  // a restarted Envoy counts from 0 again
  return applier_.apply(current, apply_timeout_);
}

Status RoutePublisher::writeInitial(const domain::SnapshotPtr& snapshot) {
  std::lock_guard lock(mu_);
  return applier_.writeAll(builder_.build(snapshot));
}

}  // namespace ingress::envoy

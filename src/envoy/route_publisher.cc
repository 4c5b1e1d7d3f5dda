#include "envoy/route_publisher.h"

#include "common/log.h"

namespace ingress::envoy {

RoutePublisher::RoutePublisher(XdsApplier& applier, instances::InstanceResolver& resolver,
                               BuilderSettings settings, std::chrono::milliseconds apply_timeout)
    : applier_(applier), resolver_(resolver), settings_(std::move(settings)),
      apply_timeout_(apply_timeout) {}

XdsConfig RoutePublisher::build(const std::vector<domain::Ingress>& all_ingresses) {
  return buildXds(
      all_ingresses,
      [&](const std::string& instance) -> Resolution {
        auto ip = resolver_.resolve(instance);
        if (ip.ok()) return {*ip, ""};
        return {std::nullopt, ip.status().message()};
      },
      settings_);
}

namespace {

XdsConfig buildFromSnapshot(const domain::SnapshotPtr& next, const BuilderSettings& settings,
                            size_t* ingress_count) {
  std::vector<domain::Ingress> all_ingresses;
  std::map<std::string, Resolution> resolved;
  for (const auto& e : next->ingresses()) {
    all_ingresses.push_back(e->ingress);
    for (size_t i = 0; i < e->rules.size(); ++i) {
      const auto& r = e->rules[i];
      resolved[e->ingress.rules[i].target.instance] =
          r.active() ? Resolution{r.ip, ""} : Resolution{std::nullopt, r.status.reason};
    }
  }
  *ingress_count = all_ingresses.size();
  return buildXds(
      all_ingresses, [&](const std::string& instance) { return resolved.at(instance); },
      settings);
}

}  // namespace

Status RoutePublisher::publish(const domain::SnapshotPtr& next) {
  std::lock_guard lock(mu_);
  const auto build_started = std::chrono::steady_clock::now();
  size_t count = 0;
  XdsConfig config = buildFromSnapshot(next, settings_, &count);
  return applyLocked(config, count, build_started);
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
    log::warn("envoy configuration not applied",
              {{"version", config.version}, {"error", st.message()}, {"ms", ms}});
    return st;
  }
  log::debug("envoy configuration applied",
             {{"version", config.version}, {"ingresses", ingresses},
              {"unresolved_rules", config.unresolved.size()}, {"ms", ms},
              {"build_ms", build_ms}});
  return okStatus();
}

Status RoutePublisher::writeInitial(const domain::SnapshotPtr& snapshot) {
  std::lock_guard lock(mu_);
  size_t count = 0;
  return applier_.writeAll(buildFromSnapshot(snapshot, settings_, &count));
}

}  // namespace ingress::envoy

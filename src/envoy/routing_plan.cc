// planRouting: the snapshot's active rules grouped by port and hostname.
#include "envoy/routing_plan.h"

#include <algorithm>

namespace ingress::envoy {

std::string targetName(const std::string& ip, uint16_t port) {
  std::string safe = ip;
  std::replace(safe.begin(), safe.end(), ':', '-');
  return "target_" + safe + "_" + std::to_string(port);
}

std::vector<RuleRouting> planIngress(const domain::ResolvedIngress& entry) {
  const auto& ing = entry.ingress;
  std::vector<RuleRouting> out(ing.rules.size());
  for (size_t i = 0; i < ing.rules.size(); ++i) {
    const auto& rule = ing.rules[i];
    RuleRouting& r = out[i];
    r.rule_index = i;
    const domain::RuleResolution* res = i < entry.rules.size() ? &entry.rules[i] : nullptr;
    if (res == nullptr || !res->active() || res->ip.empty()) {
      r.unresolved = {ing.id, i, res == nullptr ? "not resolved" : res->status.reason};
      continue;
    }
    r.routed = true;
    r.port = rule.match.port;
    r.target = {targetName(res->ip, rule.target.port), res->ip, rule.target.port};
    r.host = {rule.match.hostname, {PlannedRoute{"/", r.target.name}}};
    r.label = "ingress \"" + ing.name + "\" rules[" + std::to_string(i) + "]";
  }
  return out;
}

RoutingPlan planRouting(const domain::ConfigSnapshot& snapshot) {
  RoutingPlan plan;
  // port → hostname → routes (a map keeps hostnames sorted).
  std::map<uint16_t, std::map<std::string, std::vector<PlannedRoute>>> hosts;
  for (const auto& entry : snapshot.ingresses()) {
    for (RuleRouting& r : planIngress(*entry)) {
      if (!r.routed) {
        plan.unresolved.push_back(std::move(r.unresolved));
        continue;
      }
      // The snapshot holds each hostname:port once; should two rules claim one anyway, the
      // later one wins (as Envoy would reject a duplicate domain).
      hosts[r.port][r.host.hostname] = std::move(r.host.routes);
      plan.port_rules[r.port].push_back(std::move(r.label));
      plan.targets.emplace(r.target.name, std::move(r.target));
    }
  }
  for (auto& [port, by_host] : hosts) {
    auto& vhosts = plan.ports[port];
    for (auto& [hostname, routes] : by_host) vhosts.push_back({hostname, std::move(routes)});
  }
  return plan;
}

}  // namespace ingress::envoy

// planRouting: the snapshot's active rules grouped by port and hostname.
#include "envoy/routing_plan.h"

#include <algorithm>

namespace ingress::envoy {

std::string targetName(const std::string& ip, uint16_t port) {
  std::string safe = ip;
  std::replace(safe.begin(), safe.end(), ':', '-');
  return "target_" + safe + "_" + std::to_string(port);
}

RoutingPlan planRouting(const domain::ConfigSnapshot& snapshot) {
  RoutingPlan plan;
  // port → hostname → routes (a map keeps hostnames sorted).
  std::map<uint16_t, std::map<std::string, std::vector<PlannedRoute>>> hosts;
  for (const auto& entry : snapshot.ingresses()) {
    const auto& ing = entry->ingress;
    for (size_t i = 0; i < ing.rules.size(); ++i) {
      const auto& rule = ing.rules[i];
      const domain::RuleResolution* res = i < entry->rules.size() ? &entry->rules[i] : nullptr;
      if (res == nullptr || !res->active() || res->ip.empty()) {
        plan.unresolved.push_back(
            {ing.id, i, res == nullptr ? "not resolved" : res->status.reason});
        continue;
      }
      NamedTarget target{targetName(res->ip, rule.target.port), res->ip, rule.target.port};
      // The snapshot holds each hostname:port once; should two rules claim one anyway, the
      // later one wins (as Envoy would reject a duplicate domain).
      hosts[rule.match.port][rule.match.hostname] = {PlannedRoute{"/", target.name}};
      plan.port_rules[rule.match.port].push_back("ingress \"" + ing.name + "\" rules[" +
                                                 std::to_string(i) + "]");
      plan.targets.emplace(target.name, std::move(target));
    }
  }
  for (auto& [port, by_host] : hosts) {
    auto& vhosts = plan.ports[port];
    for (auto& [hostname, routes] : by_host) vhosts.push_back({hostname, std::move(routes)});
  }
  return plan;
}

}  // namespace ingress::envoy

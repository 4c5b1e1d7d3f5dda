// RoutingPlan: what Envoy must do for one snapshot, before it is Envoy JSON. The builders of
// each resource kind (clusters, listeners, routes) read this plan, never the snapshot itself.
//
//   port → virtual hosts (sorted by hostname) → ORDERED routes → a named target
//
// A named target is what a route sends traffic to; it becomes one Envoy cluster. Today a target
// is one endpoint (ip, port) with the global cluster settings, so it is named after that
// endpoint (`target_<ip>_<port>`, the cluster names Envoy's stats already carry) and rules with
// the same endpoint share it. When rules get their own settings (health checks, timeouts,
// several endpoints), targetName() folds those in; routes refer to targets only by name.
//
//   RoutingPlan plan = planRouting(*snapshot);
//
// Pure and deterministic. A rule whose target did not resolve is left out and listed in
// `unresolved`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ingress/snapshot.h"

namespace ingress::envoy {

struct NamedTarget {
  std::string name;
  std::string ip;
  uint16_t port = 0;
};

struct PlannedRoute {
  std::string prefix = "/";
  std::string target;  // a key of RoutingPlan::targets
};

struct PlannedVirtualHost {
  std::string hostname;
  std::vector<PlannedRoute> routes;  // first match wins
};

struct UnresolvedRule {
  std::string ingress_id;
  size_t rule_index = 0;
  std::string reason;
};

struct RoutingPlan {
  std::map<std::string, NamedTarget> targets;                 // by name
  std::map<uint16_t, std::vector<PlannedVirtualHost>> ports;  // only ports with a route
  std::vector<UnresolvedRule> unresolved;                     // snapshot order
  // For messages about a port: the routed rules on it, `ingress "web" rules[0]`, snapshot order.
  std::map<uint16_t, std::vector<std::string>> port_rules;
};

// What one ingress contributes to a plan, rule by rule (rule order): a routed rule gives its
// port, virtual host, target and label; a rule that did not resolve, its UnresolvedRule.
// planRouting() folds these over the snapshot; the incremental builder (xds_builder.h) applies
// them by difference. The one place that turns a rule into routing.
struct RuleRouting {
  size_t rule_index = 0;
  bool routed = false;
  uint16_t port = 0;
  PlannedVirtualHost host;    // when routed
  NamedTarget target;         // when routed
  std::string label;          // `ingress "web" rules[0]`, when routed
  UnresolvedRule unresolved;  // when not routed
};
std::vector<RuleRouting> planIngress(const domain::ResolvedIngress& entry);

RoutingPlan planRouting(const domain::ConfigSnapshot& snapshot);

std::string targetName(const std::string& ip, uint16_t port);
// The cluster of a target (the same name).
inline std::string clusterName(const std::string& ip, uint16_t port) {
  return targetName(ip, port);
}

}  // namespace ingress::envoy

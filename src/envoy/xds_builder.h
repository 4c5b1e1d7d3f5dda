// The config builder: a pure, deterministic function from (snapshot, settings) to the contents
// of Envoy's xDS files. Identical input gives identical bytes. It plans the routing once
// (routing_plan.h) and hands the plan to one builder per resource kind:
//
//   cds.json        clusters (cluster_builder.h): one STATIC cluster per named target
//   lds.json        listeners (listener_builder.h): `ingress_<port>` per port with a route
//   rds_<port>/routes.json routes (route_builder.h): RouteConfiguration `ingress_<port>`
//
//   XdsConfig config = buildXds(snapshot, settings);
//
// Every target is already resolved in the snapshot; nothing here resolves an instance. A rule
// that is not active is left out, and reported in `unresolved`.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/json.h"
#include "envoy/builder_settings.h"
#include "envoy/routing_plan.h"
#include "ingress/snapshot.h"

namespace ingress::envoy {

struct XdsConfig {
  std::string version;              // content hash, identical for identical output
  Json clusters;                    // array of Cluster resources, sorted by name
  Json listeners;                   // array of Listener resources, sorted by port
  std::map<uint16_t, Json> routes;  // port → RouteConfiguration
  std::vector<UnresolvedRule> unresolved;
  std::map<uint16_t, std::vector<std::string>> port_rules;  // RoutingPlan::port_rules
};

XdsConfig buildXds(const domain::ConfigSnapshot& snapshot, const BuilderSettings& settings);
inline XdsConfig buildXds(const domain::SnapshotPtr& snapshot, const BuilderSettings& settings) {
  return buildXds(*snapshot, settings);
}

// File contents (DiscoveryResponse JSON) for one resource list and version.
std::string discoveryFile(const std::string& version, const Json& resources);

}  // namespace ingress::envoy

// buildXds: the plan, the three resource builders, and a content hash as the version.
#include "envoy/xds_builder.h"

#include "common/sha256.h"
#include "envoy/cluster_builder.h"
#include "envoy/listener_builder.h"
#include "envoy/route_builder.h"

namespace ingress::envoy {

std::string listenerName(uint16_t port) { return "ingress_" + std::to_string(port); }
std::string rdsDirName(uint16_t port) { return "rds_" + std::to_string(port); }
std::string rdsFileName(uint16_t port) { return rdsDirName(port) + "/" + kRdsFileInDir; }

std::string discoveryFile(const std::string& version, const Json& resources) {
  return dumpJson(Json{{"version_info", version}, {"resources", resources}}, 1) + "\n";
}

XdsConfig buildXds(const domain::ConfigSnapshot& snapshot, const BuilderSettings& settings) {
  RoutingPlan plan = planRouting(snapshot);
  XdsConfig out;
  out.clusters = buildClusters(plan, settings);
  out.listeners = buildListeners(plan, settings);
  out.routes = buildRouteConfigs(plan, settings);
  out.unresolved = std::move(plan.unresolved);
  out.port_rules = std::move(plan.port_rules);
  std::string all = dumpJson(out.clusters) + dumpJson(out.listeners);
  for (const auto& [port, r] : out.routes) all += dumpJson(r);
  out.version = sha256Hex(all).substr(0, 16);
  return out;
}

}  // namespace ingress::envoy

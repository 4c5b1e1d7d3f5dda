// Cluster resources (envoy.config.cluster.v3.Cluster) of the named targets.
#include "envoy/cluster_builder.h"

#include <cstdio>

namespace ingress::envoy {
namespace {

constexpr char kClusterType[] = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

// A google.protobuf.Duration in its JSON form ("5s", "0.250s").
std::string durationString(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03llds", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return buf;
}

Json cluster(const NamedTarget& t, const BuilderSettings& s) {
  return {
      {"@type", kClusterType},
      {"name", t.name},
      {"type", "STATIC"},
      {"connect_timeout", durationString(s.connect_timeout)},
      {"lb_policy", "ROUND_ROBIN"},
      // Envoy's edge best practice: bound what one upstream connection may buffer (as on the
      // listeners), so a slow reader cannot make Envoy hold a large response.
      {"per_connection_buffer_limit_bytes", s.edge.per_connection_buffer_limit_bytes},
      // No traffic to a host known to be unhealthy, even when it is the only one.
      {"common_lb_config", {{"healthy_panic_threshold", {{"value", 0}}}}},
      {"load_assignment",
       {{"cluster_name", t.name},
        {"endpoints",
         {{{"lb_endpoints",
            {{{"endpoint",
               {{"address",
                 {{"socket_address", {{"address", t.ip}, {"port_value", t.port}}}}}}}}}}}}}}},
  };
}

}  // namespace

Json buildClusters(const RoutingPlan& plan, const BuilderSettings& settings) {
  Json out = Json::array();
  for (const auto& [name, target] : plan.targets) out.push_back(cluster(target, settings));
  return out;
}

}  // namespace ingress::envoy

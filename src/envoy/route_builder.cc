// RouteConfiguration resources (envoy.config.route.v3.RouteConfiguration), one per port.
#include "envoy/route_builder.h"

namespace ingress::envoy {
namespace {

constexpr char kRouteType[] = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

Json notFoundHost() {
  return {
      {"name", "no_ingress"},
      {"domains", {"*"}},
      {"routes",
       {{{"match", {{"prefix", "/"}}},
         {"direct_response", {{"status", 404}, {"body", {{"inline_string", kNotFoundBody}}}}}}}}};
}

Json virtualHost(const PlannedVirtualHost& vh) {
  Json routes = Json::array();
  for (const auto& r : vh.routes) {
    // timeout 0s: no limit on the whole response (long polls, streams, websockets).
    routes.push_back(
        {{"match", {{"prefix", r.prefix}}}, {"route", {{"cluster", r.target}, {"timeout", "0s"}}}});
  }
  return {{"name", "host_" + vh.hostname}, {"domains", {vh.hostname}}, {"routes", routes}};
}

}  // namespace

std::map<uint16_t, Json> buildRouteConfigs(const RoutingPlan& plan, const BuilderSettings&) {
  std::map<uint16_t, Json> out;
  for (const auto& [port, vhosts] : plan.ports) {
    Json hosts = Json::array();
    for (const auto& vh : vhosts) hosts.push_back(virtualHost(vh));
    hosts.push_back(notFoundHost());
    out[port] = {{"@type", kRouteType},
                 {"name", listenerName(port)},
                 {"ignore_port_in_host_matching", true},
                 {"virtual_hosts", hosts}};
  }
  return out;
}

}  // namespace ingress::envoy

// RouteConfiguration resources (envoy.config.route.v3.RouteConfiguration), one per port, encoded
// as JSON text assembled from per-host fragments.
#include "envoy/route_builder.h"

#include "common/sha256.h"

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

const std::string& notFoundHostText() {
  static const std::string text = dumpJson(notFoundHost());
  return text;
}

}  // namespace

std::string encodeVirtualHost(const PlannedVirtualHost& vh) {
  Json routes = Json::array();
  for (const auto& r : vh.routes) {
    // timeout 0s: no limit on the whole response (long polls, streams, websockets).
    routes.push_back(
        {{"match", {{"prefix", r.prefix}}}, {"route", {{"cluster", r.target}, {"timeout", "0s"}}}});
  }
  return dumpJson(
      Json{{"name", "host_" + vh.hostname}, {"domains", {vh.hostname}}, {"routes", routes}});
}

RouteTablePtr assembleRouteTable(uint16_t port,
                                 const std::vector<std::string_view>& encoded_hosts) {
  auto t = std::make_shared<RouteTable>();
  t->port = port;
  t->virtual_hosts = encoded_hosts.size();
  // The keys in the order dumpJson writes them (sorted), so a table reads back identically.
  const std::string head = dumpJson(Json{
      {"@type", kRouteType}, {"ignore_port_in_host_matching", true}, {"name", listenerName(port)}});
  size_t size = head.size() + notFoundHostText().size() + 32;
  for (const auto& h : encoded_hosts) size += h.size() + 1;
  std::string& out = t->resource;
  out.reserve(size);
  out.append(head, 0, head.size() - 1);  // without the closing brace
  out += ",\"virtual_hosts\":[";
  for (const auto& h : encoded_hosts) {
    out += h;
    out += ',';
  }
  out += notFoundHostText();
  out += "]}";
  t->version = sha256Hex(out).substr(0, 16);
  return t;
}

Json RouteTable::json() const {
  auto j = parseJsonStrict(resource, 64);
  return j.ok() ? *j : Json();
}

std::string routeFileContent(const RouteTable& table) {
  std::string out = "{\"version_info\":" + dumpJson(table.version) + ",\"resources\":[";
  out += table.resource;
  out += "]}\n";
  return out;
}

StatusOr<RouteTablePtr> parseRouteFile(uint16_t port, const std::string& content) {
  auto j = parseJsonStrict(content, 64);
  if (!j.ok()) return j.status();
  if (!j->is_object() || !(*j)["resources"].is_array() || (*j)["resources"].size() != 1 ||
      !(*j)["version_info"].is_string()) {
    return invalidArgument("not a route file of one RouteConfiguration");
  }
  auto t = std::make_shared<RouteTable>();
  t->port = port;
  t->version = (*j)["version_info"].get<std::string>();
  const Json& r = (*j)["resources"][0];
  t->resource = dumpJson(r);
  if (r.contains("virtual_hosts") && r["virtual_hosts"].is_array() && !r["virtual_hosts"].empty()) {
    t->virtual_hosts = r["virtual_hosts"].size() - 1;
  }
  return RouteTablePtr(std::move(t));
}

std::map<uint16_t, RouteTablePtr> buildRouteTables(const RoutingPlan& plan) {
  std::map<uint16_t, RouteTablePtr> out;
  for (const auto& [port, vhosts] : plan.ports) {
    std::vector<std::string> encoded;
    encoded.reserve(vhosts.size());
    for (const auto& vh : vhosts) encoded.push_back(encodeVirtualHost(vh));
    out[port] = assembleRouteTable(port, {encoded.begin(), encoded.end()});
  }
  return out;
}

}  // namespace ingress::envoy

#include "envoy/xds_builder.h"

#include <algorithm>
#include <set>

#include "common/filesystem.h"
#include "common/sha256.h"

namespace ingress::envoy {
namespace {

constexpr char kClusterType[] = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
constexpr char kListenerType[] = "type.googleapis.com/envoy.config.listener.v3.Listener";
constexpr char kRouteType[] = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
constexpr char kHcmType[] =
    "type.googleapis.com/"
    "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
constexpr char kRouterType[] =
    "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";

std::string durationString(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03llds", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return buf;
}

Json cluster(const std::string& ip, uint16_t port, const BuilderSettings& s) {
  const std::string name = clusterName(ip, port);
  return {
      {"@type", kClusterType},
      {"name", name},
      {"type", "STATIC"},
      {"connect_timeout", durationString(s.connect_timeout)},
      {"lb_policy", "ROUND_ROBIN"},
      // No traffic to a host known to be unhealthy, even when it is the only one.
      {"common_lb_config", {{"healthy_panic_threshold", {{"value", 0}}}}},
      {"load_assignment",
       {{"cluster_name", name},
        {"endpoints",
         {{{"lb_endpoints",
            {{{"endpoint",
               {{"address",
                 {{"socket_address", {{"address", ip}, {"port_value", port}}}}}}}}}}}}}}},
  };
}

Json listener(uint16_t port, const BuilderSettings& s) {
  const std::string name = listenerName(port);
  Json hcm = {
      {"@type", kHcmType},
      {"stat_prefix", name},
      {"rds",
       {{"route_config_name", name},
        {"config_source",
         {{"resource_api_version", "V3"},
          {"path_config_source",
           {{"path", joinPath(s.xds_dir, rdsFileName(port))},
            {"watched_directory", {{"path", s.xds_dir}}}}}}}}},
      {"http_filters", {{{"name", "envoy.filters.http.router"},
                         {"typed_config", {{"@type", kRouterType}}}}}},
      {"upgrade_configs", {{{"upgrade_type", "websocket"}}}},
      // X-Forwarded-For gets the real client address; X-Forwarded-Proto the real scheme.
      {"use_remote_address", true},
      {"normalize_path", true},
      {"merge_slashes", true},
      {"path_with_escaped_slashes_action", "KEEP_UNCHANGED"},
  };
  return {
      {"@type", kListenerType},
      {"name", name},
      {"address", {{"socket_address", {{"address", s.listen_address}, {"port_value", port}}}}},
      {"filter_chains",
       {{{"filters",
          {{{"name", "envoy.filters.network.http_connection_manager"}, {"typed_config", hcm}}}}}}},
  };
}

Json notFoundHost() {
  return {{"name", "no_ingress"},
          {"domains", {"*"}},
          {"routes",
           {{{"match", {{"prefix", "/"}}},
             {"direct_response", {{"status", 404}, {"body", {{"inline_string", kNotFoundBody}}}}}}}}};
}

Json virtualHost(const std::string& hostname, const std::string& cluster_name, bool reject) {
  Json route = {{"cluster", cluster_name}, {"timeout", "0s"}};
  if (reject) route["timeout"] = "-1s";  // test fault: Envoy refuses negative durations
  return {{"name", "host_" + hostname},
          {"domains", {hostname}},
          {"routes", {{{"match", {{"prefix", "/"}}}, {"route", route}}}}};
}

}  // namespace

std::string clusterName(const std::string& ip, uint16_t port) {
  std::string safe = ip;
  std::replace(safe.begin(), safe.end(), ':', '-');
  return "target_" + safe + "_" + std::to_string(port);
}

std::string listenerName(uint16_t port) { return "ingress_" + std::to_string(port); }
std::string rdsFileName(uint16_t port) { return "rds_" + std::to_string(port) + ".json"; }

std::string discoveryFile(const std::string& version, const Json& resources) {
  return dumpJson(Json{{"version_info", version}, {"resources", resources}}, 1) + "\n";
}

XdsConfig buildXds(const std::vector<domain::Ingress>& ingresses, const ResolveFn& resolve,
                   const BuilderSettings& settings) {
  XdsConfig out;
  std::map<std::string, Resolution> cache;
  std::set<std::pair<std::string, uint16_t>> targets;
  // port → hostname → cluster
  std::map<uint16_t, std::map<std::string, std::string>> hosts;

  for (const auto& ing : ingresses) {
    for (size_t i = 0; i < ing.rules.size(); ++i) {
      const auto& rule = ing.rules[i];
      auto it = cache.find(rule.target.instance);
      if (it == cache.end()) it = cache.emplace(rule.target.instance, resolve(rule.target.instance)).first;
      if (!it->second.ip) {
        out.unresolved.push_back({ing.id, i, it->second.reason});
        continue;
      }
      targets.emplace(*it->second.ip, rule.target.port);
      hosts[rule.match.port][rule.match.hostname] = clusterName(*it->second.ip, rule.target.port);
    }
  }

  out.clusters = Json::array();
  std::vector<std::pair<std::string, Json>> clusters;
  for (const auto& [ip, port] : targets) clusters.emplace_back(clusterName(ip, port), cluster(ip, port, settings));
  std::sort(clusters.begin(), clusters.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [name, c] : clusters) out.clusters.push_back(std::move(c));

  out.listeners = Json::array();
  for (const auto& [port, by_host] : hosts) {
    out.listeners.push_back(listener(port, settings));
    Json vhosts = Json::array();
    for (const auto& [hostname, cluster_name] : by_host) {
      vhosts.push_back(virtualHost(hostname, cluster_name, hostname == settings.reject_hostname));
    }
    vhosts.push_back(notFoundHost());
    out.routes[port] = {{"@type", kRouteType},
                        {"name", listenerName(port)},
                        {"ignore_port_in_host_matching", true},
                        {"virtual_hosts", vhosts}};
  }

  std::string all = dumpJson(out.clusters) + dumpJson(out.listeners);
  for (const auto& [port, r] : out.routes) all += dumpJson(r);
  out.version = sha256Hex(all).substr(0, 16);
  return out;
}

}  // namespace ingress::envoy

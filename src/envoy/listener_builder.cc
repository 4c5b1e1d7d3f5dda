// Listener resources (envoy.config.listener.v3.Listener) with an HTTP connection manager each.
#include "envoy/listener_builder.h"

#include "common/filesystem.h"

namespace ingress::envoy {
namespace {

constexpr char kListenerType[] = "type.googleapis.com/envoy.config.listener.v3.Listener";
constexpr char kHcmType[] =
    "type.googleapis.com/"
    "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
constexpr char kRouterType[] = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";

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
      {"http_filters",
       {{{"name", "envoy.filters.http.router"}, {"typed_config", {{"@type", kRouterType}}}}}},
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
      // No SO_REUSEPORT: with it, another process could bind the same port (and Envoy bind a
      // port another process holds) and the kernel would share connections between them.
      {"enable_reuse_port", false},
      {"filter_chains",
       {{{"filters",
          {{{"name", "envoy.filters.network.http_connection_manager"}, {"typed_config", hcm}}}}}}},
  };
}

}  // namespace

Json buildListeners(const RoutingPlan& plan, const BuilderSettings& settings) {
  Json out = Json::array();
  for (const auto& [port, vhosts] : plan.ports) out.push_back(listener(port, settings));
  return out;
}

}  // namespace ingress::envoy

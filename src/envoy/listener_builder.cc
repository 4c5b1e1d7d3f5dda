// Listener resources (envoy.config.listener.v3.Listener) with an HTTP connection manager each.
#include "envoy/listener_builder.h"

#include <chrono>
#include <string>

#include "common/filesystem.h"

namespace ingress::envoy {
namespace {

constexpr char kListenerType[] = "type.googleapis.com/envoy.config.listener.v3.Listener";
constexpr char kHcmType[] =
    "type.googleapis.com/"
    "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
constexpr char kRouterType[] = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";
constexpr char kConnectionLimitType[] =
    "type.googleapis.com/envoy.extensions.filters.network.connection_limit.v3.ConnectionLimit";

std::string durationText(std::chrono::seconds d) { return std::to_string(d.count()) + "s"; }

// The connection limit of one listener: connections beyond it are closed at once (no delay, so
// a flood does not hold descriptors), counted in `connection_limit.<listener>.limited_connections`.
Json connectionLimitFilter(const std::string& name, const EdgeLimits& e) {
  return {{"name", "envoy.filters.network.connection_limit"},
          {"typed_config",
           {{"@type", kConnectionLimitType},
            {"stat_prefix", name},
            {"max_connections", e.max_connections_per_listener}}}};
}

Json listener(uint16_t port, const BuilderSettings& s) {
  const std::string name = listenerName(port);
  const EdgeLimits& e = s.edge;
  Json hcm = {
      {"@type", kHcmType},
      {"stat_prefix", name},
      {"rds",
       {{"route_config_name", name},
        {"config_source",
         {{"resource_api_version", "V3"},
          {"path_config_source",
           {{"path", joinPath(s.xds_dir, rdsFileName(port))},
            {"watched_directory", {{"path", joinPath(s.xds_dir, rdsDirName(port))}}}}}}}}},
      {"http_filters",
       {{{"name", "envoy.filters.http.router"}, {"typed_config", {{"@type", kRouterType}}}}}},
      {"upgrade_configs", {{{"upgrade_type", "websocket"}}}},
      // X-Forwarded-For gets the real client address; X-Forwarded-Proto the real scheme.
      {"use_remote_address", true},
      {"normalize_path", true},
      {"merge_slashes", true},
      // Envoy's edge page suggests UNESCAPE_AND_REDIRECT for proxies that make path-based
      // decisions; ours route by host only (prefix "/"), so %2F reaches the VM unchanged.
      {"path_with_escaped_slashes_action", "KEEP_UNCHANGED"},
      // `Host: a.example.com.` (and `a.example.com.:8080`) matches `a.example.com`.
      {"strip_trailing_host_dot", true},
      // Edge limits (EdgeLimits): slow or silent clients and oversized headers are cut.
      {"request_headers_timeout", durationText(e.request_headers_timeout)},
      {"stream_idle_timeout", durationText(e.stream_idle_timeout)},
      {"request_timeout", durationText(e.request_timeout)},
      {"max_request_headers_kb", e.max_request_headers_kb},
      {"common_http_protocol_options",
       {{"idle_timeout", durationText(e.idle_timeout)},
        {"max_headers_count", e.max_headers_count},
        // Upstreams that treat '_' and '-' alike cannot be fooled by `x_user` against `x-user`.
        {"headers_with_underscores_action", "REJECT_REQUEST"}}},
      {"http2_protocol_options",
       {{"max_concurrent_streams", 100},
        {"initial_stream_window_size", 65536},
        {"initial_connection_window_size", 1048576}}},
  };
  return {
      {"@type", kListenerType},
      {"name", name},
      {"address", {{"socket_address", {{"address", s.listen_address}, {"port_value", port}}}}},
      // No SO_REUSEPORT: with it, another process could bind the same port (and Envoy bind a
      // port another process holds) and the kernel would share connections between them.
      {"enable_reuse_port", false},
      {"per_connection_buffer_limit_bytes", e.per_connection_buffer_limit_bytes},
      {"filter_chains",
       {{{"filters",
          {connectionLimitFilter(name, e),
           {{"name", "envoy.filters.network.http_connection_manager"}, {"typed_config", hcm}}}}}}},
  };
}

}  // namespace

Json buildListeners(const RoutingPlan& plan, const BuilderSettings& settings) {
  Json out = Json::array();
  for (const auto& [port, vhosts] : plan.ports) out.push_back(listener(port, settings));
  return out;
}

}  // namespace ingress::envoy

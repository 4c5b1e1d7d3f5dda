// Listener resources (envoy.config.listener.v3.Listener) with an HTTP connection manager each.
#include "envoy/listener_builder.h"

#include <chrono>
#include <string>

#include "common/filesystem.h"
#include "envoy/sds_builder.h"

namespace ingress::envoy {
namespace {

constexpr char kListenerType[] = "type.googleapis.com/envoy.config.listener.v3.Listener";
constexpr char kHcmType[] =
    "type.googleapis.com/"
    "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
constexpr char kRouterType[] = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";
constexpr char kConnectionLimitType[] =
    "type.googleapis.com/envoy.extensions.filters.network.connection_limit.v3.ConnectionLimit";
constexpr char kTlsInspectorType[] =
    "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector";
constexpr char kDownstreamTlsType[] =
    "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
constexpr char kEarlyHeaderMutationType[] =
    "type.googleapis.com/"
    "envoy.extensions.http.early_header_mutation.header_mutation.v3.HeaderMutation";

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

// What a filter chain's connection manager does with kChainHeader before routing (early header
// mutation: before the route is chosen, so the 421 route of routing_plan.h sees it).
enum class ChainHeader { kNone, kSet, kRemove };

// The connection manager of a port; on a TLS port `chain` is the certificate id of its chain.
Json connectionManager(uint16_t port, const BuilderSettings& s, ChainHeader header,
                       const std::string& chain) {
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
  // On http_port the Host's port is dropped before routing, so a redirect to https on 443 has
  // no port in its Location (Envoy keeps any port but the scheme's default, and `a.test:8080`
  // is what a client sends to a non-default http_port).
  if (port == s.tls.http_port) hcm["strip_any_host_port"] = true;
  if (header != ChainHeader::kNone) {
    Json mutation = header == ChainHeader::kSet
                        ? Json{{"append",
                                {{"header", {{"key", kChainHeader}, {"value", chain}}},
                                 {"append_action", "OVERWRITE_IF_EXISTS_OR_ADD"}}}}
                        : Json{{"remove", kChainHeader}};
    hcm["early_header_mutation_extensions"] = {
        {{"name", "ingress.chain_header"},
         {"typed_config",
          {{"@type", kEarlyHeaderMutationType}, {"mutations", Json::array({mutation})}}}}};
  }
  return {{"name", "envoy.filters.network.http_connection_manager"}, {"typed_config", hcm}};
}

// A DownstreamTlsContext whose certificate is the SDS secret `id` (sds_builder.h: its file).
Json tlsSocket(const std::string& id, const BuilderSettings& s) {
  const Json sds_config = {{"path_config_source", {{"path", sdsPath(s.sds_dir, id)}}},
                           {"resource_api_version", "V3"}};
  const Json common = {{"tls_params", {{"tls_minimum_protocol_version", "TLSv1_2"}}},
                       {"alpn_protocols", Json::array({"h2", "http/1.1"})},
                       {"tls_certificate_sds_secret_configs",
                        Json::array({Json{{"name", id}, {"sds_config", sds_config}}})}};
  return {{"name", "envoy.transport_sockets.tls"},
          {"typed_config", {{"@type", kDownstreamTlsType}, {"common_tls_context", common}}}};
}

Json listener(uint16_t port, const PlannedPort& planned, const BuilderSettings& s) {
  const std::string name = listenerName(port);
  const EdgeLimits& e = s.edge;
  Json l = {
      {"@type", kListenerType},
      {"name", name},
      {"address", {{"socket_address", {{"address", s.listen_address}, {"port_value", port}}}}},
      // No SO_REUSEPORT: with it, another process could bind the same port (and Envoy bind a
      // port another process holds) and the kernel would share connections between them.
      {"enable_reuse_port", false},
      {"per_connection_buffer_limit_bytes", e.per_connection_buffer_limit_bytes},
  };
  if (!planned.tls) {
    l["filter_chains"] = {
        {{"filters",
          {connectionLimitFilter(name, e), connectionManager(port, s, ChainHeader::kNone, "")}}}};
    return l;
  }
  // TLS: SNI picks a chain per certificate; clients without SNI or with a name no chain has get
  // the default certificate instead of a reset. Nothing here depends on the hosts except the
  // chains, so adding a host is a filter-chain-only update (Envoy drains only changed chains).
  l["listener_filters"] = {{{"name", "envoy.filters.listener.tls_inspector"},
                            {"typed_config", {{"@type", kTlsInspectorType}}}}};
  Json chains = Json::array();
  for (const PlannedChain& c : planned.chains) {
    chains.push_back({{"name", c.certificate},
                      {"filter_chain_match", {{"server_names", c.server_names}}},
                      {"transport_socket", tlsSocket(c.certificate, s)},
                      {"filters",
                       {connectionLimitFilter(name, e),
                        connectionManager(port, s, ChainHeader::kSet, c.certificate)}}});
  }
  l["filter_chains"] = std::move(chains);
  l["default_filter_chain"] = {
      {"name", kDefaultSecret},
      {"transport_socket", tlsSocket(kDefaultSecret, s)},
      {"filters",
       {connectionLimitFilter(name, e), connectionManager(port, s, ChainHeader::kRemove, "")}}};
  return l;
}

}  // namespace

Json buildListeners(const RoutingPlan& plan, const BuilderSettings& settings) {
  Json out = Json::array();
  for (const auto& [port, planned] : plan.ports) out.push_back(listener(port, planned, settings));
  return out;
}

}  // namespace ingress::envoy

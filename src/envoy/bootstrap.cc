#include "envoy/bootstrap.h"

#include <algorithm>

#include "common/filesystem.h"

namespace ingress::envoy {
namespace {

Json pathConfigSource(const std::string& xds_dir, const std::string& file) {
  return {{"resource_api_version", "V3"},
          {"path_config_source",
           {{"path", joinPath(xds_dir, file)}, {"watched_directory", {{"path", xds_dir}}}}}};
}

Json otelCluster(const OtelOptions& o) {
  return {
      {"name", kOtelClusterName},
      {"type", "STRICT_DNS"},
      {"connect_timeout", "2s"},
      {"typed_extension_protocol_options",
       {{"envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
         {{"@type", "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions"},
          {"explicit_http_config", {{"http2_protocol_options", Json::object()}}}}}}},
      {"load_assignment",
       {{"cluster_name", kOtelClusterName},
        {"endpoints",
         {{{"lb_endpoints",
            {{{"endpoint",
               {{"address",
                 {{"socket_address",
                   {{"address", o.collector_host}, {"port_value", o.collector_port}}}}}}}}}}}}}}},
  };
}

Json otelSink(const OtelOptions& o) {
  Json attributes = {{"service.name", o.service_name + "-envoy"},
                     {"service.instance.id", o.service_instance_id}};
  if (!o.environment.empty()) attributes["deployment.environment.name"] = o.environment;
  return {
      {"name", "envoy.stat_sinks.open_telemetry"},
      {"typed_config",
       {{"@type", "type.googleapis.com/envoy.extensions.stat_sinks.open_telemetry.v3.SinkConfig"},
        {"grpc_service", {{"envoy_grpc", {{"cluster_name", kOtelClusterName}}}, {"timeout", "5s"}}},
        {"resource_detectors",
         {{{"name", "envoy.tracers.opentelemetry.resource_detectors.static_config"},
           {"typed_config",
            {{"@type",
              "type.googleapis.com/"
              "envoy.extensions.tracers.opentelemetry.resource_detectors.v3."
              "StaticConfigResourceDetectorConfig"},
             {"attributes", attributes}}}}}},
        {"emit_tags_as_attributes", true},
        {"use_tag_extracted_name", true},
        {"prefix", "envoy"}}},
  };
}

Json threshold(const char* monitor, double value) {
  return Json::array({{{"name", monitor}, {"threshold", {{"value", value}}}}});
}

Json overloadManager(const OverloadOptions& o) {
  constexpr char kHeap[] = "envoy.resource_monitors.fixed_heap";
  constexpr char kConnections[] = "envoy.resource_monitors.global_downstream_max_connections";
  return {
      {"refresh_interval", "0.25s"},
      {"resource_monitors",
       {{{"name", kHeap},
         {"typed_config",
          {{"@type",
            "type.googleapis.com/envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig"},
           {"max_heap_size_bytes", o.max_heap_bytes}}}},
        {{"name", kConnections},
         {"typed_config",
          {{"@type",
            "type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3."
            "DownstreamConnectionsConfig"},
           {"max_active_downstream_connections", o.max_downstream_connections}}}}}},
      {"actions",
       {{{"name", "envoy.overload_actions.shrink_heap"},
         {"triggers", threshold(kHeap, o.shrink_heap_threshold)}},
        {{"name", "envoy.overload_actions.disable_http_keepalive"},
         {"triggers", threshold(kHeap, o.shrink_heap_threshold)}},
        {{"name", "envoy.overload_actions.stop_accepting_requests"},
         {"triggers", threshold(kHeap, o.stop_accepting_requests_threshold)}}}},
      {"loadshed_points",
       {{{"name", "envoy.load_shed_points.tcp_listener_accept"},
         {"triggers", threshold(kHeap, o.stop_accepting_requests_threshold)}}}},
  };
}

}  // namespace

uint64_t defaultMaxDownstreamConnections(uint64_t envoy_fd_limit) {
  return std::clamp<uint64_t>(envoy_fd_limit / 2, 1, 50000);
}

Json renderBootstrap(const BootstrapOptions& o) {
  Json b = {
      {"node", {{"id", o.node_id}, {"cluster", "ingressd"}}},
      {"admin",
       {{"address",
         {{"socket_address", {{"address", o.admin_address}, {"port_value", o.admin_port}}}}},
        // ingressd's probes and changes must reach Envoy even at the connection cap.
        {"ignore_global_conn_limit", true}}},
      {"dynamic_resources",
       {{"lds_config", pathConfigSource(o.xds_dir, "lds.json")},
        {"cds_config", pathConfigSource(o.xds_dir, "cds.json")}}},
      {"overload_manager", overloadManager(o.overload)},
  };
  if (o.otel.enabled) {
    b["stats_flush_interval"] = std::to_string(o.otel.flush_interval_s) + "s";
    b["stats_sinks"] = Json::array({otelSink(o.otel)});
    b["static_resources"] = {{"clusters", Json::array({otelCluster(o.otel)})}};
  }
  return b;
}

std::string renderBootstrapText(const BootstrapOptions& options) {
  return dumpJson(renderBootstrap(options), 2) + "\n";
}

std::string emptyDiscoveryResponse() {
  return dumpJson(Json{{"version_info", "0"}, {"resources", Json::array()}}, 2) + "\n";
}

}  // namespace ingress::envoy

// Renders Envoy's bootstrap: node, admin, and file-based LDS/CDS from {DATA_DIR}/envoy/xds2/.
// Pure and deterministic: the same options give the same bytes, so a changed bootstrap (which
// needs a hot restart) is detected by comparing hashes.
#pragma once

#include <cstdint>
#include <string>

#include "common/json.h"

namespace ingress::envoy {

// Envoy's aggregate metrics pushed to an OpenTelemetry collector over OTLP/gRPC. Only the stats
// sink: no tracer and no access-log export, so nothing per request leaves the host.
struct OtelOptions {
  bool enabled = false;
  std::string collector_host = "127.0.0.1";  // IP literal or DNS name
  uint16_t collector_port = 4317;
  std::string service_name = "hypeman";  // Envoy reports `<service_name>-envoy`
  std::string service_instance_id;       // e.g. the host name
  std::string environment;               // deployment.environment.name; empty → omitted
  int flush_interval_s = 10;
  bool operator==(const OtelOptions&) const = default;
};

// Envoy's overload manager, after Envoy's edge best practices: a global cap on downstream
// connections (every listener; not the admin, so ingressd can still probe Envoy at the cap) and a
// heap budget at which Envoy sheds load instead of growing until the kernel kills it.
struct OverloadOptions {
  // Connections beyond it are closed at accept (`downstream_global_cx_overflow`).
  uint64_t max_downstream_connections = 50000;
  uint64_t max_heap_bytes = 1ull << 30;
  // Fractions of max_heap_bytes: release free memory to the OS and drain HTTP keep-alive
  // connections; then answer new requests 503 and refuse new connections.
  double shrink_heap_threshold = 0.95;
  double stop_accepting_requests_threshold = 0.98;
  bool operator==(const OverloadOptions&) const = default;
};

struct BootstrapOptions {
  std::string node_id = "ingressd";
  std::string admin_address = "127.0.0.1";
  uint16_t admin_port = 9901;
  std::string xds_dir;  // watched directory holding lds.json, cds.json and rds_<port>/routes.pb
  OtelOptions otel;
  OverloadOptions overload;
};

// The global connection cap when none is set: half of Envoy's descriptor limit (the other half
// is for upstream connections, files and the admin), at most 50000 (Envoy's edge example), at
// least 1.
uint64_t defaultMaxDownstreamConnections(uint64_t envoy_fd_limit);

Json renderBootstrap(const BootstrapOptions& options);
// The bootstrap as written to disk (pretty JSON, trailing newline).
std::string renderBootstrapText(const BootstrapOptions& options);

// An empty xDS file (a DiscoveryResponse with no resources).
std::string emptyDiscoveryResponse();

inline constexpr char kOtelClusterName[] = "ingressd_otel_collector";

}  // namespace ingress::envoy

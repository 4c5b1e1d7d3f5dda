// What the Envoy builders need besides the snapshot, and the names they share: listener and
// route configuration names, route file names. Included by every builder and by the applier.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ingress::envoy {

inline constexpr char kNotFoundBody[] = "No ingress found for this hostname";

// Limits of every ingress listener and its HTTP connection manager, after Envoy's "Configuring
// Envoy as an edge proxy" best practices. Each is a setting of `ingressd serve` (README); a
// zero duration disables that timeout where Envoy allows it.
struct EdgeLimits {
  // A client must send its complete request headers within this time of the first byte; a
  // half-open (slowloris) connection is closed after it.
  std::chrono::seconds request_headers_timeout{10};
  // A downstream connection with no active request is closed after this (also a connection that
  // never sends a byte).
  std::chrono::seconds idle_timeout{300};
  // A request (stream) with no activity in either direction is reset after this. 0: off.
  std::chrono::seconds stream_idle_timeout{300};
  // The whole request must be received within this. 0: off (the default: uploads and
  // WebSockets to VMs may take long; headers and idleness are bounded by the timeouts above).
  std::chrono::seconds request_timeout{0};
  uint32_t max_request_headers_kb = 60;           // larger headers: 431 (Envoy allows 1..8192)
  uint32_t max_headers_count = 100;               // more headers: 431
  uint64_t max_connections_per_listener = 10000;  // the connection_limit network filter
  uint32_t per_connection_buffer_limit_bytes = 32768;
  bool operator==(const EdgeLimits&) const = default;
};

// HTTPS: what the builders need besides the snapshot's rules and certificates.
struct TlsSettings {
  // The plain HTTP port: where redirect_http answers and ACME's HTTP-01 challenges arrive.
  uint16_t http_port = 80;
  // When set, the daemon answers ACME HTTP-01 challenges on 127.0.0.1:<this port>: every
  // virtual host of http_port (and its `*` fallback) routes /.well-known/acme-challenge/ there
  // before anything else, and http_port has a listener whenever any rule has tls.
  uint16_t acme_http01_port = 0;
  // The certificate of the default filter chain of every TLS listener (clients without SNI or
  // with an unknown name): self-signed, generated once and kept by serve. PEM.
  std::string default_chain_pem;
  std::string default_key_pem;
  bool operator==(const TlsSettings&) const = default;
};

struct BuilderSettings {
  std::string listen_address = "0.0.0.0";
  std::string xds_dir;  // holds rds_<port>/routes.pb (Envoy watches each rds_<port> folder)
  // Holds the SDS files (one Secret per certificate); not the xDS directory, so a certificate
  // rotation wakes no listener, cluster or route subscription.
  std::string sds_dir;
  TlsSettings tls;
  std::chrono::milliseconds connect_timeout{5000};
  EdgeLimits edge;
};

std::string listenerName(uint16_t port);  // also the route configuration's name
// The version of a file's content (its version_info): 16 hex digits of its sha256, so identical
// content has one version and a confirmation never matches a file Envoy has not read.
std::string contentVersion(const std::string& content);
// The route table of a port lives in a folder of its own, which its RDS subscription watches: a
// rename into place wakes only that subscription (with one shared folder, every rename made
// every route subscription re-read its file, so an apply cost grew with the number of ports).
// Binary protobuf (route_builder.h): Envoy picks the parser by the extension.
inline constexpr const char* kRdsFileInDir = "routes.pb";
std::string rdsDirName(uint16_t port);   // "rds_<port>", relative to the xDS directory
std::string rdsFileName(uint16_t port);  // "rds_<port>/routes.pb", relative to it

}  // namespace ingress::envoy

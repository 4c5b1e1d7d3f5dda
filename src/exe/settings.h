// Settings of `ingressd serve`, from the environment. Every variable is validated; an invalid
// value is an error naming the variable, never silently replaced by a default.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/host_port.h"
#include "common/status.h"

namespace ingress::exe {

struct Settings {
  std::string data_dir = "/var/lib/hypeman";             // DATA_DIR (absolute)
  std::string envoy_listen_address = "0.0.0.0";          // ENVOY_LISTEN_ADDRESS (IP literal)
  std::string envoy_admin_address = "127.0.0.1";         // ENVOY_ADMIN_ADDRESS (IP literal)
  uint16_t envoy_admin_port = 9901;                      // ENVOY_ADMIN_PORT
  bool envoy_admin_allow_non_loopback = false;           // ENVOY_ADMIN_ALLOW_NON_LOOPBACK
  bool envoy_stop_on_shutdown = false;                   // ENVOY_STOP_ON_SHUTDOWN
  std::string envoy_binary;                              // ENVOY_BINARY (empty: the embedded Envoy)
  int envoy_drain_time_s = 5;                            // ENVOY_DRAIN_TIME_S
  int envoy_parent_shutdown_time_s = 10;                 // ENVOY_PARENT_SHUTDOWN_TIME_S (> drain)
  std::string envoy_log_level = "info";                  // ENVOY_LOG_LEVEL
  uint64_t envoy_log_max_bytes = 64ull << 20;            // ENVOY_LOG_MAX_BYTES (rotation threshold)
  std::chrono::milliseconds envoy_ready_timeout{30000};  // ENVOY_READY_TIMEOUT (seconds)
  std::chrono::milliseconds envoy_apply_timeout{10000};  // ENVOY_APPLY_TIMEOUT (seconds)
  std::string api_listen = "127.0.0.1:8080";             // API_LISTEN (host:port)
  std::string metrics_listen = "127.0.0.1:9464";      // METRICS_LISTEN (IP:port, like API_LISTEN)
  std::string jwt_secret;                             // JWT_SECRET (empty: {DATA_DIR}/api-secret)
  std::string log_level = "info";                     // LOG_LEVEL
  std::string hypeman_api_url;                        // HYPEMAN_API_URL (empty: built-in registry)
  std::string hypeman_api_token;                      // HYPEMAN_API_TOKEN
  std::chrono::milliseconds hypeman_cache_ttl{5000};  // HYPEMAN_CACHE_TTL (seconds, 0: off)
  // INSTANCE_RECONCILE_INTERVAL (seconds, 0: off)
  std::chrono::milliseconds instance_reconcile_interval{10000};
  bool otel_enabled = false;                      // OTEL_ENABLED
  std::string otel_endpoint = "127.0.0.1:4317";   // OTEL_ENDPOINT (host:port, [v6]:port)
  std::string otel_collector_host = "127.0.0.1";  // parsed from OTEL_ENDPOINT
  uint16_t otel_collector_port = 4317;
  std::string otel_service_name = "hypeman";  // OTEL_SERVICE_NAME
  std::string otel_service_instance_id;       // OTEL_SERVICE_INSTANCE_ID (default: host name)
  std::string deployment_environment;         // ENV
  int otel_flush_interval_s = 10;             // OTEL_FLUSH_INTERVAL_S
  // TOKEN_MAX_LIFETIME (seconds, 60..31622400): longest exp - iat (or exp - now) of an API
  // token; the default is auth::kDefaultTokenMaxLifetime (30 days). No "unlimited": every token
  // must expire.
  std::chrono::seconds token_max_lifetime{30LL * 24 * 3600};
  // API connection caps, timeouts and sizes; caps on stored ingresses.
  size_t api_max_connections = 1024;            // API_MAX_CONNECTIONS (1..1000000)
  size_t api_max_connections_per_client = 256;  // API_MAX_CONNECTIONS_PER_CLIENT (≤ above)
  std::chrono::milliseconds api_request_timeout{10000};  // API_REQUEST_TIMEOUT (seconds, 1..3600)
  std::chrono::milliseconds api_idle_timeout{60000};     // API_IDLE_TIMEOUT (seconds, 1..3600)
  size_t api_max_body_bytes = 1 << 20;                   // API_MAX_BODY_BYTES (1 KiB..64 MiB)
  size_t api_max_header_bytes = 16 << 10;                // API_MAX_HEADER_BYTES (1 KiB..1 MiB)
  size_t max_ingresses = 20000;                          // MAX_INGRESSES (1..1000000)
  size_t max_rules_per_ingress = 100;                    // MAX_RULES_PER_INGRESS (1..100)
  // MAX_LISTENER_PORTS (1..1024): distinct match ports over all ingresses. Each costs Envoy an
  // inotify instance (its route subscription); serve checks the budget at start (inotify_budget).
  size_t max_listener_ports = 32;
  // TARGET_DENY_CIDRS (comma-separated CIDRs; "": none): addresses no target may resolve to.
  // Default: domain::kDefaultTargetDenyCidrs. The daemon's own sockets are refused regardless.
  std::string target_deny_cidrs_text;
  std::vector<Cidr> target_deny_cidrs;
  // Envoy as an edge proxy: limits of every ingress listener (seconds; 0 turns off where noted).
  std::chrono::seconds envoy_request_headers_timeout{10};  // ENVOY_REQUEST_HEADERS_TIMEOUT (1..)
  std::chrono::seconds envoy_idle_timeout{300};            // ENVOY_IDLE_TIMEOUT (1..)
  std::chrono::seconds envoy_stream_idle_timeout{300};     // ENVOY_STREAM_IDLE_TIMEOUT (0: off)
  std::chrono::seconds envoy_request_timeout{0};           // ENVOY_REQUEST_TIMEOUT (0: off)
  uint32_t envoy_max_request_headers_kb = 60;              // ENVOY_MAX_REQUEST_HEADERS_KB
  uint32_t envoy_max_headers_count = 100;                  // ENVOY_MAX_HEADERS_COUNT
  uint64_t envoy_max_connections_per_listener = 10000;     // ENVOY_MAX_CONNECTIONS_PER_LISTENER
  // ENVOY_MAX_DOWNSTREAM_CONNECTIONS; unset (0): half of Envoy's descriptor limit, at most 50000.
  uint64_t envoy_max_downstream_connections = 0;
  uint64_t envoy_max_heap_bytes = 1ull << 30;  // ENVOY_MAX_HEAP_BYTES (64 MiB..)

  // HTTPS (README "HTTPS"). ACME is on when ACME_EMAIL or ACME_DIRECTORY_URL is set.
  bool acme_enabled = false;
  std::string acme_email;  // ACME_EMAIL
  std::string acme_directory_url =
      "https://acme-v02.api.letsencrypt.org/directory";  // ACME_DIRECTORY_URL
  std::string acme_ca_bundle;        // ACME_CA_BUNDLE (PEM file trusted for the ACME server)
  std::string acme_dns_provider;     // ACME_DNS_PROVIDER: "" (none), cloudflare, exec
  std::string cloudflare_api_token;  // CLOUDFLARE_API_TOKEN (cloudflare)
  std::string acme_dns_hook;         // ACME_DNS_HOOK (exec: an absolute path)
  std::chrono::seconds dns_propagation_timeout{120};  // DNS_PROPAGATION_TIMEOUT (seconds)
  std::vector<std::string> dns_resolvers;             // DNS_RESOLVERS (ip[:port], comma-separated)
  std::string tls_allowed_domains;                    // TLS_ALLOWED_DOMAINS ("": none)
  uint16_t http_port = 80;                            // HTTP_PORT (redirects, HTTP-01)
  std::chrono::seconds acme_retry_initial{60};        // ACME_RETRY_INITIAL (seconds, 1..86400)
  // MAX_CERTIFICATES (1..10000): certificates in use at most; each costs Envoy an inotify
  // instance (its SDS subscription), counted by the inotify budget check with the ports.
  size_t max_certificates = 24;
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Reads the process environment.
EnvLookup processEnvironment();

StatusOr<Settings> loadSettings(const EnvLookup& env);

bool isLoopbackAddress(std::string_view ip);

}  // namespace ingress::exe

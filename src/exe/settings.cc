#include "exe/settings.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "common/host_port.h"
#include "ingress/target_policy.h"

namespace ingress::exe {
namespace {

Status bad(std::string_view var, const std::string& value, std::string_view expected) {
  return invalidArgument(std::string(var) + "=\"" + value + "\" is invalid: expected " +
                         std::string(expected));
}

StatusOr<bool> parseBool(std::string_view var, const std::string& v) {
  std::string s = v;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "true" || s == "1" || s == "yes") return true;
  if (s == "false" || s == "0" || s == "no") return false;
  return bad(var, v, "true or false");
}

StatusOr<long> parseInt(std::string_view var, const std::string& v, long lo, long hi) {
  if (v.empty() || v.size() > 12 || !std::all_of(v.begin(), v.end(), ::isdigit)) {
    return bad(var, v, "an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  long n = std::stol(v);
  if (n < lo || n > hi) {
    return bad(var, v, "an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return n;
}

// A listen address: IP:port (IPv6 in brackets), port 0..65535 (0: any free port).
Status checkListenAddress(std::string_view var, const std::string& v) {
  StatusOr<HostPort> hp = parseHostPort(v, {.allow_port_zero = true});
  if (!hp.ok()) {
    return invalidArgument(std::string(var) + "=\"" + v +
                           "\" is invalid: " + std::string(hp.status().message()));
  }
  return okStatus();
}

// Envoy's edge limits (see EdgeLimits and OverloadOptions in src/envoy).
template <typename Get>
Status loadEdgeLimits(const Get& get, Settings& s) {
  auto secs = [&](std::string_view var, long lo, long hi, std::chrono::seconds& out) -> Status {
    if (auto v = get(var)) {
      INGRESS_ASSIGN_OR_RETURN(long n, parseInt(var, *v, lo, hi));
      out = std::chrono::seconds(n);
    }
    return okStatus();
  };
  INGRESS_RETURN_IF_ERROR(
      secs("ENVOY_REQUEST_HEADERS_TIMEOUT", 1, 3600, s.envoy_request_headers_timeout));
  INGRESS_RETURN_IF_ERROR(secs("ENVOY_IDLE_TIMEOUT", 1, 86400, s.envoy_idle_timeout));
  INGRESS_RETURN_IF_ERROR(secs("ENVOY_STREAM_IDLE_TIMEOUT", 0, 86400, s.envoy_stream_idle_timeout));
  INGRESS_RETURN_IF_ERROR(secs("ENVOY_REQUEST_TIMEOUT", 0, 86400, s.envoy_request_timeout));
  if (auto v = get("ENVOY_MAX_REQUEST_HEADERS_KB")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("ENVOY_MAX_REQUEST_HEADERS_KB", *v, 1, 8192));
    s.envoy_max_request_headers_kb = static_cast<uint32_t>(n);
  }
  if (auto v = get("ENVOY_MAX_HEADERS_COUNT")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("ENVOY_MAX_HEADERS_COUNT", *v, 1, 10000));
    s.envoy_max_headers_count = static_cast<uint32_t>(n);
  }
  if (auto v = get("ENVOY_MAX_CONNECTIONS_PER_LISTENER")) {
    INGRESS_ASSIGN_OR_RETURN(long n,
                             parseInt("ENVOY_MAX_CONNECTIONS_PER_LISTENER", *v, 1, 10'000'000));
    s.envoy_max_connections_per_listener = static_cast<uint64_t>(n);
  }
  if (auto v = get("ENVOY_MAX_DOWNSTREAM_CONNECTIONS")) {
    INGRESS_ASSIGN_OR_RETURN(long n,
                             parseInt("ENVOY_MAX_DOWNSTREAM_CONNECTIONS", *v, 1, 10'000'000));
    s.envoy_max_downstream_connections = static_cast<uint64_t>(n);
  }
  if (auto v = get("ENVOY_MAX_HEAP_BYTES")) {
    INGRESS_ASSIGN_OR_RETURN(long n,
                             parseInt("ENVOY_MAX_HEAP_BYTES", *v, 64L << 20, 999'999'999'999L));
    s.envoy_max_heap_bytes = static_cast<uint64_t>(n);
  }
  return okStatus();
}

}  // namespace

bool isLoopbackAddress(std::string_view ip) {
  std::string s(ip);
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

EnvLookup processEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

// HTTPS settings (README "HTTPS").
template <typename Get>
Status loadTlsSettings(const Get& get, Settings& s) {
  if (auto v = get("ACME_EMAIL")) {
    if (!v->empty() && (v->find('@') == std::string::npos || v->find(' ') != std::string::npos)) {
      return bad("ACME_EMAIL", *v, "an email address");
    }
    s.acme_email = *v;
    s.acme_enabled = s.acme_enabled || !v->empty();
  }
  if (auto v = get("ACME_DIRECTORY_URL")) {
    if (v->rfind("https://", 0) != 0 && v->rfind("http://", 0) != 0) {
      return bad("ACME_DIRECTORY_URL", *v, "an https:// URL");
    }
    s.acme_directory_url = *v;
    s.acme_enabled = true;
  }
  if (auto v = get("ACME_CA_BUNDLE")) {
    if (!v->empty() && v->front() != '/') return bad("ACME_CA_BUNDLE", *v, "an absolute path");
    s.acme_ca_bundle = *v;
  }
  if (auto v = get("ACME_DNS_PROVIDER")) {
    if (*v != "" && *v != "cloudflare" && *v != "exec") {
      return bad("ACME_DNS_PROVIDER", *v, "cloudflare or exec (or empty: no DNS-01)");
    }
    s.acme_dns_provider = *v;
  }
  if (auto v = get("CLOUDFLARE_API_TOKEN")) s.cloudflare_api_token = *v;
  if (auto v = get("ACME_DNS_HOOK")) {
    if (!v->empty() && v->front() != '/') return bad("ACME_DNS_HOOK", *v, "an absolute path");
    s.acme_dns_hook = *v;
  }
  if (s.acme_dns_provider == "cloudflare" && s.cloudflare_api_token.empty()) {
    return invalidArgument("ACME_DNS_PROVIDER=cloudflare needs CLOUDFLARE_API_TOKEN");
  }
  if (s.acme_dns_provider == "exec" && s.acme_dns_hook.empty()) {
    return invalidArgument(
        "ACME_DNS_PROVIDER=exec needs ACME_DNS_HOOK (an executable called as "
        "`present|cleanup <fqdn> <value>`)");
  }
  if (auto v = get("DNS_PROPAGATION_TIMEOUT")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("DNS_PROPAGATION_TIMEOUT", *v, 0, 3600));
    s.dns_propagation_timeout = std::chrono::seconds(n);
  }
  if (auto v = get("DNS_RESOLVERS")) {
    size_t start = 0;
    while (start <= v->size()) {
      size_t comma = v->find(',', start);
      if (comma == std::string::npos) comma = v->size();
      std::string entry = v->substr(start, comma - start);
      start = comma + 1;
      entry.erase(0, entry.find_first_not_of(" \t"));
      entry.erase(entry.find_last_not_of(" \t") + 1);
      if (entry.empty()) continue;
      StatusOr<HostPort> hp = parseHostPort(entry, 53);  // ip, or ip:port
      if (!hp.ok()) {
        return invalidArgument("DNS_RESOLVERS entry \"" + entry +
                               "\" is invalid: " + std::string(hp.status().message()));
      }
      s.dns_resolvers.push_back(entry);
    }
  }
  if (auto v = get("TLS_ALLOWED_DOMAINS")) s.tls_allowed_domains = *v;
  if (auto v = get("HTTP_PORT")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("HTTP_PORT", *v, 1, 65535));
    s.http_port = static_cast<uint16_t>(n);
  }
  if (auto v = get("MAX_CERTIFICATES")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("MAX_CERTIFICATES", *v, 1, 10000));
    s.max_certificates = static_cast<size_t>(n);
  }
  if (auto v = get("ACME_RETRY_INITIAL")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("ACME_RETRY_INITIAL", *v, 1, 86400));
    s.acme_retry_initial = std::chrono::seconds(n);
  }
  return okStatus();
}

StatusOr<Settings> loadSettings(const EnvLookup& env) {
  Settings s;
  auto get = [&](std::string_view name) { return env(name); };

  if (auto v = get("DATA_DIR")) {
    if (v->empty() || v->front() != '/') return bad("DATA_DIR", *v, "an absolute path");
    s.data_dir = *v;
    while (s.data_dir.size() > 1 && s.data_dir.back() == '/') s.data_dir.pop_back();
  }
  if (auto v = get("ENVOY_LISTEN_ADDRESS")) {
    if (!isIpLiteral(*v)) return bad("ENVOY_LISTEN_ADDRESS", *v, "an IPv4 or IPv6 address");
    s.envoy_listen_address = *v;
  }
  if (auto v = get("ENVOY_ADMIN_ADDRESS")) {
    if (!isIpLiteral(*v)) return bad("ENVOY_ADMIN_ADDRESS", *v, "an IPv4 or IPv6 address");
    s.envoy_admin_address = *v;
  }
  if (auto v = get("ENVOY_ADMIN_PORT")) {
    INGRESS_ASSIGN_OR_RETURN(long p, parseInt("ENVOY_ADMIN_PORT", *v, 1, 65535));
    s.envoy_admin_port = static_cast<uint16_t>(p);
  }
  if (auto v = get("ENVOY_ADMIN_ALLOW_NON_LOOPBACK")) {
    INGRESS_ASSIGN_OR_RETURN(s.envoy_admin_allow_non_loopback,
                             parseBool("ENVOY_ADMIN_ALLOW_NON_LOOPBACK", *v));
  }
  if (!isLoopbackAddress(s.envoy_admin_address) && !s.envoy_admin_allow_non_loopback) {
    return invalidArgument("ENVOY_ADMIN_ADDRESS=\"" + s.envoy_admin_address +
                           "\" is not a loopback address; Envoy's admin API controls the proxy, "
                           "so set ENVOY_ADMIN_ALLOW_NON_LOOPBACK=true to expose it on purpose");
  }
  if (auto v = get("ENVOY_STOP_ON_SHUTDOWN")) {
    INGRESS_ASSIGN_OR_RETURN(s.envoy_stop_on_shutdown, parseBool("ENVOY_STOP_ON_SHUTDOWN", *v));
  }
  if (auto v = get("ENVOY_BINARY")) {
    if (v->empty() || v->front() != '/') return bad("ENVOY_BINARY", *v, "an absolute path");
    s.envoy_binary = *v;
  }
  if (auto v = get("ENVOY_DRAIN_TIME_S")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("ENVOY_DRAIN_TIME_S", *v, 0, 3600));
    s.envoy_drain_time_s = static_cast<int>(n);
    s.envoy_parent_shutdown_time_s = s.envoy_drain_time_s + 5;
  }
  if (auto v = get("ENVOY_PARENT_SHUTDOWN_TIME_S")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("ENVOY_PARENT_SHUTDOWN_TIME_S", *v, 1, 7200));
    s.envoy_parent_shutdown_time_s = static_cast<int>(n);
  }
  if (s.envoy_parent_shutdown_time_s <= s.envoy_drain_time_s) {
    return invalidArgument(
        "ENVOY_PARENT_SHUTDOWN_TIME_S (" + std::to_string(s.envoy_parent_shutdown_time_s) +
        ") must be greater than ENVOY_DRAIN_TIME_S (" + std::to_string(s.envoy_drain_time_s) + ")");
  }
  if (auto v = get("ENVOY_LOG_LEVEL")) {
    static const char* kLevels[] = {"trace", "debug",    "info", "warning",
                                    "error", "critical", "off"};
    if (std::find(std::begin(kLevels), std::end(kLevels), *v) == std::end(kLevels)) {
      return bad("ENVOY_LOG_LEVEL", *v, "trace, debug, info, warning, error, critical or off");
    }
    s.envoy_log_level = *v;
  }
  if (auto v = get("ENVOY_LOG_MAX_BYTES")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("ENVOY_LOG_MAX_BYTES", *v, 4096, 999'999'999'999L));
    s.envoy_log_max_bytes = static_cast<uint64_t>(n);
  }
  if (auto v = get("ENVOY_READY_TIMEOUT")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("ENVOY_READY_TIMEOUT", *v, 1, 3600));
    s.envoy_ready_timeout = std::chrono::seconds(n);
  }
  if (auto v = get("ENVOY_APPLY_TIMEOUT")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("ENVOY_APPLY_TIMEOUT", *v, 1, 3600));
    s.envoy_apply_timeout = std::chrono::seconds(n);
  }
  if (auto v = get("API_LISTEN")) {
    INGRESS_RETURN_IF_ERROR(checkListenAddress("API_LISTEN", *v));
    s.api_listen = *v;
  }
  if (auto v = get("METRICS_LISTEN")) {
    INGRESS_RETURN_IF_ERROR(checkListenAddress("METRICS_LISTEN", *v));
    s.metrics_listen = *v;
  }
  // --- end metrics ---
  if (auto v = get("JWT_SECRET")) {
    if (v->size() < 16) return bad("JWT_SECRET", "<hidden>", "at least 16 characters");
    s.jwt_secret = *v;
  }
  if (auto v = get("TOKEN_MAX_LIFETIME")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("TOKEN_MAX_LIFETIME", *v, 60, 366L * 24 * 3600));
    s.token_max_lifetime = std::chrono::seconds(n);
  }
  if (auto v = get("LOG_LEVEL")) {
    static const char* kLevels[] = {"debug", "info", "warn", "error"};
    if (std::find(std::begin(kLevels), std::end(kLevels), *v) == std::end(kLevels)) {
      return bad("LOG_LEVEL", *v, "debug, info, warn or error");
    }
    s.log_level = *v;
  }
  if (auto v = get("HYPEMAN_API_URL")) {
    if (!v->empty() && v->rfind("http://", 0) != 0 && v->rfind("https://", 0) != 0) {
      return bad("HYPEMAN_API_URL", *v, "an http:// or https:// URL");
    }
    s.hypeman_api_url = *v;
  }
  if (auto v = get("HYPEMAN_API_TOKEN")) s.hypeman_api_token = *v;
  if (auto v = get("HYPEMAN_CACHE_TTL")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("HYPEMAN_CACHE_TTL", *v, 0, 3600));
    s.hypeman_cache_ttl = std::chrono::seconds(n);
  }
  if (auto v = get("INSTANCE_RECONCILE_INTERVAL")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("INSTANCE_RECONCILE_INTERVAL", *v, 0, 86400));
    s.instance_reconcile_interval = std::chrono::seconds(n);
  }
  if (auto v = get("OTEL_ENABLED")) {
    INGRESS_ASSIGN_OR_RETURN(s.otel_enabled, parseBool("OTEL_ENABLED", *v));
  }
  if (auto v = get("OTEL_ENDPOINT")) {
    // Accept a bare host:port, or the http:// form collectors are often given as.
    std::string e = *v;
    for (const char* scheme : {"http://", "https://"}) {
      if (e.rfind(scheme, 0) == 0) e = e.substr(std::string(scheme).size());
    }
    if (!e.empty() && e.back() == '/') e.pop_back();
    StatusOr<HostPort> hp = parseHostPort(e, {.allow_hostname = true});
    if (!hp.ok()) {
      return invalidArgument("OTEL_ENDPOINT=\"" + *v +
                             "\" is invalid: " + std::string(hp.status().message()));
    }
    s.otel_endpoint = *v;
    s.otel_collector_host = hp->host;
    s.otel_collector_port = hp->port;
  }
  if (auto v = get("OTEL_SERVICE_NAME")) {
    if (v->empty() || v->size() > 128) return bad("OTEL_SERVICE_NAME", *v, "1 to 128 characters");
    s.otel_service_name = *v;
  }
  if (auto v = get("OTEL_SERVICE_INSTANCE_ID")) s.otel_service_instance_id = *v;
  if (s.otel_service_instance_id.empty()) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0) s.otel_service_instance_id = host;
  }
  if (auto v = get("ENV")) s.deployment_environment = *v;
  if (auto v = get("OTEL_FLUSH_INTERVAL_S")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("OTEL_FLUSH_INTERVAL_S", *v, 1, 3600));
    s.otel_flush_interval_s = static_cast<int>(n);
  }
  // API connection caps, timeouts and sizes; caps on stored ingresses.
  if (auto v = get("API_MAX_CONNECTIONS")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("API_MAX_CONNECTIONS", *v, 1, 1'000'000));
    s.api_max_connections = static_cast<size_t>(n);
  }
  if (auto v = get("API_MAX_CONNECTIONS_PER_CLIENT")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("API_MAX_CONNECTIONS_PER_CLIENT", *v, 1, 1'000'000));
    s.api_max_connections_per_client = static_cast<size_t>(n);
  } else {
    s.api_max_connections_per_client =
        std::min(s.api_max_connections_per_client, s.api_max_connections);
  }
  if (s.api_max_connections_per_client > s.api_max_connections) {
    return invalidArgument(
        "API_MAX_CONNECTIONS_PER_CLIENT (" + std::to_string(s.api_max_connections_per_client) +
        ") must not exceed API_MAX_CONNECTIONS (" + std::to_string(s.api_max_connections) + ")");
  }
  if (auto v = get("API_REQUEST_TIMEOUT")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("API_REQUEST_TIMEOUT", *v, 1, 3600));
    s.api_request_timeout = std::chrono::seconds(n);
  }
  if (auto v = get("API_IDLE_TIMEOUT")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("API_IDLE_TIMEOUT", *v, 1, 3600));
    s.api_idle_timeout = std::chrono::seconds(n);
  }
  if (auto v = get("API_MAX_BODY_BYTES")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("API_MAX_BODY_BYTES", *v, 1024, 64L << 20));
    s.api_max_body_bytes = static_cast<size_t>(n);
  }
  if (auto v = get("API_MAX_HEADER_BYTES")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("API_MAX_HEADER_BYTES", *v, 1024, 1L << 20));
    s.api_max_header_bytes = static_cast<size_t>(n);
  }
  if (auto v = get("MAX_INGRESSES")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("MAX_INGRESSES", *v, 1, 1'000'000));
    s.max_ingresses = static_cast<size_t>(n);
  }
  if (auto v = get("MAX_LISTENER_PORTS")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("MAX_LISTENER_PORTS", *v, 1, 1024));
    s.max_listener_ports = static_cast<size_t>(n);
  }
  if (auto v = get("MAX_RULES_PER_INGRESS")) {
    INGRESS_ASSIGN_OR_RETURN(long n, parseInt("MAX_RULES_PER_INGRESS", *v, 1, 100));
    s.max_rules_per_ingress = static_cast<size_t>(n);
  }
  s.target_deny_cidrs_text = std::string(domain::kDefaultTargetDenyCidrs);
  if (auto v = get("TARGET_DENY_CIDRS")) s.target_deny_cidrs_text = *v;
  {
    auto cidrs = parseCidrList(s.target_deny_cidrs_text);
    if (!cidrs.ok()) {
      return invalidArgument("TARGET_DENY_CIDRS=\"" + s.target_deny_cidrs_text +
                             "\" is invalid: " + cidrs.status().message());
    }
    s.target_deny_cidrs = std::move(*cidrs);
  }
  INGRESS_RETURN_IF_ERROR(loadEdgeLimits(get, s));
  INGRESS_RETURN_IF_ERROR(loadTlsSettings(get, s));
  return s;
}

}  // namespace ingress::exe

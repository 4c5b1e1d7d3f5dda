#include "telemetry/ingressd_metrics.h"

#include <array>

namespace ingress::telemetry {
namespace {

constexpr const char* kApplies = "ingressd_config_applies_total";
constexpr const char* kAppliesHelp = "Envoy configuration applies, by result.";
constexpr const char* kApplyDuration = "ingressd_config_apply_duration_seconds";
constexpr const char* kApplyDurationHelp =
    "Time from handing a configuration to Envoy until it was confirmed or refused.";
constexpr const char* kApiRequests = "ingressd_api_requests_total";
constexpr const char* kApiRequestsHelp =
    "REST API requests answered, by route template, method and status code.";
constexpr const char* kApiDuration = "ingressd_api_request_duration_seconds";
constexpr const char* kApiDurationHelp = "REST API request handling time, by route template.";
constexpr const char* kIngresses = "ingressd_ingresses";
constexpr const char* kIngressesHelp = "Ingresses stored.";
constexpr const char* kRules = "ingressd_rules";
constexpr const char* kRulesHelp = "Ingress rules, by status.";
constexpr const char* kRestarts = "ingressd_envoy_restarts_total";
constexpr const char* kRestartsHelp = "Envoy restarts by the supervisor after Envoy exited.";
constexpr const char* kHotRestarts = "ingressd_envoy_hot_restarts_total";
constexpr const char* kHotRestartsHelp = "Envoy hot restarts (bootstrap changes).";
constexpr const char* kReady = "ingressd_envoy_ready";
constexpr const char* kReadyHelp = "1 when Envoy's admin /ready answers 200, else 0.";
constexpr const char* kSupervisorRestarts = "ingressd_supervisor_restarts_total";
constexpr const char* kSupervisorRestartsHelp =
    "envoy-supervisor processes replaced by serve's watchdog after the previous one died.";
constexpr const char* kRecoveryFailures = "ingressd_supervisor_recovery_failures_total";
constexpr const char* kRecoveryFailuresHelp =
    "Watchdog recoveries that failed (retried with backoff).";
constexpr const char* kWatchdogState = "ingressd_watchdog_state";
constexpr const char* kWatchdogStateHelp =
    "1 for the watchdog's current state (healthy, envoy_down, recovering, backoff), else 0.";
constexpr const char* kBinaryPresent = "ingressd_envoy_binary_present";
constexpr const char* kBinaryPresentHelp =
    "1 when the Envoy binary the supervisor spawns exists, else 0 (re-extracted before a spawn).";
constexpr const char* kPending = "ingressd_pending_mutations";
constexpr const char* kPendingHelp = "Mutations accepted and queued, not yet committed.";
constexpr const char* kTlsRules = "ingressd_tls_rules";
constexpr const char* kTlsRulesHelp =
    "TLS rules by the state of their certificate (pending, active, renewing, failed).";
constexpr const char* kAcmeOrders = "ingressd_acme_orders_total";
constexpr const char* kAcmeOrdersHelp = "ACME orders created (each one certificate request).";
constexpr const char* kCertExpiry = "ingressd_certificate_expiry_seconds";
constexpr const char* kCertExpiryHelp =
    "Seconds until the soonest expiry of a certificate serving a TLS rule.";
constexpr std::string_view kCertificateStates[] = {"pending", "active", "renewing", "failed"};
constexpr const char* kShadowed = "ingressd_shadowed_ingresses";
constexpr const char* kShadowedHelp =
    "Stored ingresses not served because they conflict with an older one (see the log).";

constexpr std::array<std::string_view, 4> kResults = {"ok", "rejected", "timeout", "error"};

bool isSingleSegment(std::string_view rest) {
  return !rest.empty() && rest.find('/') == std::string_view::npos;
}

}  // namespace

std::string_view applyResult(const Status& status) {
  if (status.ok()) return "ok";
  switch (status.code()) {
    case StatusCode::kAborted:        // Envoy refused it (config_rejected)
    case StatusCode::kAlreadyExists:  // refused before Envoy saw it (port_in_use)
      return "rejected";
    case StatusCode::kDeadlineExceeded: return "timeout";
    default: return "error";
  }
}

std::string_view routeTemplate(std::string_view target) {
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  if (path == "/health") return "/health";
  if (path == "/ready") return "/ready";
  if (path == "/openapi.yaml") return "/openapi.yaml";
  if (path == "/ingresses") return "/ingresses";
  if (path == "/instances") return "/instances";
  if (path == "/certificates") return "/certificates";
  if (path.starts_with("/certificates/") && isSingleSegment(path.substr(14))) {
    return "/certificates/{name}";
  }
  if (path.starts_with("/ingresses/") && isSingleSegment(path.substr(11))) return "/ingresses/{id}";
  if (path.starts_with("/instances/") && isSingleSegment(path.substr(11))) {
    return "/instances/{name}";
  }
  return "other";
}

std::string_view methodLabel(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kMethods = {"GET",    "HEAD",  "POST",   "PUT",
                                                               "DELETE", "PATCH", "OPTIONS"};
  for (std::string_view m : kMethods) {
    if (m == method) return m;
  }
  return "other";
}

IngressdMetrics::IngressdMetrics(Registry& registry, MetricSources sources)
    : registry_(registry), sources_(std::move(sources)) {
  for (std::string_view r : kResults) {
    registry_.counter(kApplies, kAppliesHelp, {{"result", std::string(r)}});
  }
  registry_.histogram(kApplyDuration, kApplyDurationHelp, defaultLatencyBuckets());
  registry_.gauge(kIngresses, kIngressesHelp);
  registry_.gauge(kRules, kRulesHelp, {{"status", "active"}});
  registry_.gauge(kRules, kRulesHelp, {{"status", "unresolved"}});
  registry_.counter(kRestarts, kRestartsHelp);
  registry_.counter(kHotRestarts, kHotRestartsHelp);
  registry_.gauge(kReady, kReadyHelp);
  registry_.counter(kSupervisorRestarts, kSupervisorRestartsHelp);
  registry_.counter(kRecoveryFailures, kRecoveryFailuresHelp);
  for (std::string_view s : kWatchdogStates) {
    registry_.gauge(kWatchdogState, kWatchdogStateHelp, {{"state", std::string(s)}});
  }
  registry_.gauge(kBinaryPresent, kBinaryPresentHelp);
  registry_.gauge(kPending, kPendingHelp);
  registry_.gauge(kShadowed, kShadowedHelp);
  for (std::string_view st : kCertificateStates) {
    registry_.gauge(kTlsRules, kTlsRulesHelp, {{"state", std::string(st)}});
  }
  registry_.counter(kAcmeOrders, kAcmeOrdersHelp);
  registry_.addCollector([this](Registry& r) { collect(r); });
}

void IngressdMetrics::recordApply(const Status& result, std::chrono::nanoseconds elapsed) {
  registry_.counter(kApplies, kAppliesHelp, {{"result", std::string(applyResult(result))}}).inc();
  registry_.histogram(kApplyDuration, kApplyDurationHelp, defaultLatencyBuckets())
      .observe(std::chrono::duration<double>(elapsed).count());
}

void IngressdMetrics::recordApiRequest(std::string_view method, std::string_view target, int status,
                                       std::chrono::nanoseconds elapsed) {
  const std::string route(routeTemplate(target));
  const std::string code = status >= 100 && status <= 599 ? std::to_string(status) : "other";
  registry_
      .counter(kApiRequests, kApiRequestsHelp,
               {{"route", route}, {"method", std::string(methodLabel(method))}, {"code", code}})
      .inc();
  registry_.histogram(kApiDuration, kApiDurationHelp, defaultLatencyBuckets(), {{"route", route}})
      .observe(std::chrono::duration<double>(elapsed).count());
}

void IngressdMetrics::collect(Registry& r) {
  if (sources_.rules) {
    RuleCounts c = sources_.rules();
    r.gauge(kIngresses, kIngressesHelp).set(static_cast<double>(c.ingresses));
    r.gauge(kRules, kRulesHelp, {{"status", "active"}}).set(static_cast<double>(c.active));
    r.gauge(kRules, kRulesHelp, {{"status", "unresolved"}}).set(static_cast<double>(c.unresolved));
    r.gauge(kShadowed, kShadowedHelp).set(static_cast<double>(c.shadowed));
  }
  if (sources_.pending_mutations) {
    r.gauge(kPending, kPendingHelp).set(static_cast<double>(sources_.pending_mutations()));
  }
  if (sources_.envoy_counts) {
    if (auto c = sources_.envoy_counts()) {
      r.counter(kRestarts, kRestartsHelp).set(static_cast<double>(restarts_.observe(c->restarts)));
      r.counter(kHotRestarts, kHotRestartsHelp)
          .set(static_cast<double>(hot_restarts_.observe(c->hot_restarts)));
    }
  }
  if (sources_.envoy_ready) r.gauge(kReady, kReadyHelp).set(sources_.envoy_ready() ? 1 : 0);
  if (sources_.watchdog) {
    const WatchdogCounts w = sources_.watchdog();
    r.counter(kSupervisorRestarts, kSupervisorRestartsHelp)
        .set(static_cast<double>(w.supervisor_restarts));
    r.counter(kRecoveryFailures, kRecoveryFailuresHelp)
        .set(static_cast<double>(w.recovery_failures));
    for (std::string_view s : kWatchdogStates) {
      r.gauge(kWatchdogState, kWatchdogStateHelp, {{"state", std::string(s)}})
          .set(s == w.state ? 1 : 0);
    }
    r.gauge(kBinaryPresent, kBinaryPresentHelp).set(w.binary_present ? 1 : 0);
  }
  if (sources_.certificates) {
    const CertificateCounts c = sources_.certificates();
    const uint64_t by_state[] = {c.pending, c.active, c.renewing, c.failed};
    for (size_t i = 0; i < std::size(kCertificateStates); ++i) {
      r.gauge(kTlsRules, kTlsRulesHelp, {{"state", std::string(kCertificateStates[i])}})
          .set(static_cast<double>(by_state[i]));
    }
    r.counter(kAcmeOrders, kAcmeOrdersHelp).set(static_cast<double>(c.acme_orders));
    if (c.soonest_expiry_seconds) {
      r.gauge(kCertExpiry, kCertExpiryHelp).set(*c.soonest_expiry_seconds);
    }
  }
}

}  // namespace ingress::telemetry

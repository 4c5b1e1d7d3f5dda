// IngressdMetrics: the metrics of `ingressd serve`, on a Registry. Event hooks (config applies,
// API requests) are called by the code that observes them; everything else is read from
// `Sources` at scrape time.
//
//   ingressd_ingresses                              gauge
//   ingressd_rules{status="active|unresolved"}     gauge
//   ingressd_config_applies_total{result="ok|rejected|timeout|error"}
//   ingressd_config_apply_duration_seconds          histogram
//   ingressd_api_requests_total{route,method,code}
//   ingressd_api_request_duration_seconds{route}    histogram
//   ingressd_envoy_restarts_total, ingressd_envoy_hot_restarts_total   (supervisor state file)
//   ingressd_envoy_ready                            gauge 0/1 (admin /ready)
//   ingressd_supervisor_restarts_total              counter (watchdog: supervisor replaced)
//   ingressd_supervisor_recovery_failures_total     counter (watchdog: a replacement failed)
//   ingressd_watchdog_state{state=healthy|envoy_down|recovering|backoff}   gauge, 1 for the current
//   ingressd_envoy_binary_present                   gauge 0/1 (the Envoy binary to spawn exists)
//   ingressd_pending_mutations                      gauge
//   ingressd_shadowed_ingresses                     gauge (stored but not served)
//   ingressd_tls_rules{state=pending|active|renewing|failed}   gauge (each TLS rule's certificate)
//   ingressd_acme_orders_total                      counter (ACME orders created)
//   ingressd_certificate_expiry_seconds             gauge: the soonest expiry of a certificate
//                                                   serving a TLS rule, seconds from now (alert
//                                                   on it; absent value: none)
//
// No label ever carries tenant data: routes are templates ("/ingresses/{id}"), methods and codes
// are folded into fixed sets ("other" for anything else).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "telemetry/registry.h"

namespace ingress::telemetry {

struct RuleCounts {
  uint64_t ingresses = 0;
  uint64_t active = 0;
  uint64_t unresolved = 0;
  uint64_t shadowed = 0;  // stored ingresses not served (conflict with an older one at load)
};

// The supervisor's own counts (its state file). A supervisor replaced by the watchdog starts
// again from 0; IngressdMetrics adds what the previous one had counted, so the counters stay
// monotonic for as long as this `serve` runs.
struct EnvoyCounts {
  uint64_t restarts = 0;
  uint64_t hot_restarts = 0;
};

// A counter fed from a source that may restart from 0: a value below the last one is taken as
// a reset, and the count reached before it is kept as a base.
class RebasedCount {
 public:
  uint64_t observe(uint64_t raw) {
    if (raw < last_) base_ += last_;
    last_ = raw;
    return base_ + raw;
  }

 private:
  uint64_t base_ = 0;
  uint64_t last_ = 0;
};

// serve's watchdog (envoy/watchdog.h), as plain values.
struct WatchdogCounts {
  uint64_t supervisor_restarts = 0;
  uint64_t recovery_failures = 0;
  std::string state;  // one of kWatchdogStates
  bool binary_present = true;
};
inline constexpr std::string_view kWatchdogStates[] = {"healthy", "envoy_down", "recovering",
                                                       "backoff"};

// The TLS rules by certificate state, and the ACME work.
struct CertificateCounts {
  uint64_t pending = 0, active = 0, renewing = 0, failed = 0;
  uint64_t acme_orders = 0;
  std::optional<double> soonest_expiry_seconds;
};

// Each source may be empty (the metric then keeps its last value).
struct MetricSources {
  std::function<RuleCounts()> rules;
  std::function<size_t()> pending_mutations;
  std::function<std::optional<EnvoyCounts>()> envoy_counts;  // nullopt: unreadable right now
  std::function<bool()> envoy_ready;
  std::function<WatchdogCounts()> watchdog;
  std::function<CertificateCounts()> certificates;
};

class IngressdMetrics {
 public:
  // Registers every metric (so all appear from the first scrape) and a scrape-time collector.
  IngressdMetrics(Registry& registry, MetricSources sources);

  // Result of one configuration apply (RoutePublisher::publish).
  void recordApply(const Status& result, std::chrono::nanoseconds elapsed);
  // One API answer. `target` is the raw request target; only its route template is kept.
  void recordApiRequest(std::string_view method, std::string_view target, int status,
                        std::chrono::nanoseconds elapsed);

 private:
  void collect(Registry& registry);

  Registry& registry_;
  MetricSources sources_;
  // Only touched by collect(), which the registry runs under its collector lock.
  RebasedCount restarts_;
  RebasedCount hot_restarts_;
};

// "ok", "rejected" (kAborted: config_rejected; kAlreadyExists: port_in_use), "timeout"
// (kDeadlineExceeded) or "error".
std::string_view applyResult(const Status& status);
// The route template of a request target: "/health", "/openapi.yaml", "/ingresses",
// "/ingresses/{id}", "/instances", "/instances/{name}", "/certificates",
// "/certificates/{name}", or "other".
std::string_view routeTemplate(std::string_view target);
// GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, or "other".
std::string_view methodLabel(std::string_view method);

}  // namespace ingress::telemetry

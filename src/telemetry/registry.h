// Registry: a small, thread-safe metrics registry with Prometheus text exposition (format
// version 0.0.4). Counters, gauges and histograms with fixed buckets; label sets are fixed at
// registration time by the caller (never put tenant data — hostnames, paths, addresses — into a
// label value: use route templates, status codes and result names).
//
//   Registry r;
//   Counter& ok = r.counter("ingressd_config_applies_total", "Applies.", {{"result", "ok"}});
//   ok.inc();
//   Histogram& h = r.histogram("ingressd_config_apply_duration_seconds", "Apply latency.",
//                              {0.01, 0.1, 1});
//   h.observe(0.05);
//   r.addCollector([&](Registry& reg) { reg.gauge("x", "X.").set(readIt()); });  // scrape time
//   std::string text = r.render();  // runs the collectors, then renders every family
//
// Thread-safety: every method may be called from any thread. Series references stay valid for
// the registry's lifetime. Registering the same name with another type, help text or bucket
// layout, or an invalid metric or label name, is a programming error: std::invalid_argument.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ingress::telemetry {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(double by = 1.0);  // negative or NaN increments are ignored (counters only grow)
  // Mirrors a count kept elsewhere (e.g. a state file): sets the value as read.
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void inc(double by = 1.0) { value_.fetch_add(by, std::memory_order_relaxed); }
  void dec(double by = 1.0) { value_.fetch_sub(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  // `bounds`: finite, strictly increasing upper bounds; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);  // NaN is ignored

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, then one more for +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot snapshot() const;

 private:
  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<uint64_t> counts_;  // guarded by mu_: per bucket (non-cumulative), last is +Inf
  double sum_ = 0;                // guarded by mu_
  uint64_t count_ = 0;            // guarded by mu_
};

// Default latency buckets, in seconds.
std::vector<double> defaultLatencyBuckets();

class Registry {
 public:
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help,
                       const std::vector<double>& bounds, const Labels& labels = {});

  // Called (serially, in registration order) at the start of every render(), to refresh values
  // read at scrape time. A collector must not call render().
  void addCollector(std::function<void(Registry&)> collector);

  // The Prometheus text exposition (0.0.4) of every family, sorted by name, series sorted by
  // labels. Runs the collectors first.
  std::string render();

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family {
    Type type;
    std::string help;
    std::vector<double> bounds;  // histograms
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Gauge>> gauges;
    std::map<Labels, std::unique_ptr<Histogram>> histograms;
  };
  Family& family(const std::string& name, const std::string& help, Type type, const Labels& labels,
                 const std::vector<double>& bounds);

  std::mutex collect_mu_;  // serializes render() (collectors run under it)
  std::vector<std::function<void(Registry&)>> collectors_;  // guarded by collect_mu_
  std::mutex mu_;
  std::map<std::string, Family> families_;  // guarded by mu_
};

// Exposition helpers (exposed for tests).
std::string escapeHelp(std::string_view help);         // \ and newline
std::string escapeLabelValue(std::string_view value);  // \, " and newline
std::string formatValue(double value);                 // shortest round-trip; +Inf/-Inf/NaN
bool isValidMetricName(std::string_view name);
bool isValidLabelName(std::string_view name);

}  // namespace ingress::telemetry

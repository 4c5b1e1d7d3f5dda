// ConfigSnapshot: the whole configuration as of one commit, every target resolved once.
//
// The use cases (Manager) build one snapshot per committed batch: the ingresses in list order,
// each with the resolution of each of its rules. Everything downstream reads that same object:
// the Envoy builders, the API views (`status`, `reason`) and /metrics. Nothing below the use
// cases resolves an instance, so what the API says and what Envoy serves cannot disagree.
//
//   SnapshotPtr s = ConfigSnapshot::make(generation, std::move(entries));
//   for (const auto& e : s->ingresses()) for (size_t i = 0; i < e->rules.size(); ++i) ...
//
// Immutable after make(); shared by pointer (entries too: a new snapshot that changes one
// ingress shares every other entry with the previous one). Thread-safe to read.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ingress/model.h"

namespace ingress::domain {

// How one rule's target resolved when the snapshot was made.
struct RuleResolution {
  RuleStatus status;  // active, or unresolved with a reason
  std::string ip;     // the instance's IP literal (canonical) when active; empty otherwise
  bool active() const { return status.state == RuleStatus::State::kActive; }
  bool operator==(const RuleResolution& o) const {
    return status.state == o.status.state && status.reason == o.status.reason && ip == o.ip;
  }
};

// One ingress and the resolution of each rule (same length and order as ingress.rules).
struct ResolvedIngress {
  Ingress ingress;
  std::vector<RuleResolution> rules;
  // The API view: the stored ingress and each rule's status.
  IngressView view() const;
};
using ResolvedIngressPtr = std::shared_ptr<const ResolvedIngress>;

// A stored ingress that is not served, e.g. a file that claims a hostname:port an older
// ingress already holds (found when the store is loaded).
struct ShadowedIngress {
  std::string id;
  std::string name;
  std::string reason;
};

// A certificate Envoy can serve, with its key: uploaded by a user or issued by ACME. The
// snapshot holds every certificate that is ready; which one serves a hostname is decided here
// (certificateFor), once, for the builders and the API alike.
struct ServedCertificate {
  enum class Source { kUser, kAcme };
  // Stable and unique, [a-z0-9_.-]: `user.<name>` or `acme.<hash of its names>`. Envoy's SDS
  // secret and the TLS filter chain are named after it.
  std::string id;
  Source source = Source::kAcme;
  std::vector<std::string> names;  // the DNS names its SANs cover, lowercase, sorted
  std::string chain_pem;           // leaf first
  std::string key_pem;
  std::string serial;  // lowercase hex without separators (as Envoy's /certs shows it)
  std::chrono::system_clock::time_point not_after;
};
using ServedCertificatePtr = std::shared_ptr<const ServedCertificate>;

// True when a certificate name (`api.example.com` or `*.example.com`) covers `hostname` (a
// rule's hostname, possibly itself a wildcard): exact names match exactly; `*.example.com`
// covers exactly one label under example.com (not the apex, not two labels) and the rule
// hostname `*.example.com` itself.
bool certificateNameCovers(const std::string& cert_name, const std::string& hostname);

class ConfigSnapshot;
using SnapshotPtr = std::shared_ptr<const ConfigSnapshot>;

class ConfigSnapshot {
 public:
  // `ingresses` must be sorted by (created_at, id). `generation` grows with every commit.
  // `certificates`: every certificate ready to serve (any order; kept sorted by id).
  static SnapshotPtr make(uint64_t generation, std::vector<ResolvedIngressPtr> ingresses,
                          std::vector<ShadowedIngress> shadowed = {},
                          std::vector<ServedCertificatePtr> certificates = {});
  static SnapshotPtr empty() { return make(0, {}); }

  uint64_t generation() const { return generation_; }
  const std::vector<ResolvedIngressPtr>& ingresses() const { return ingresses_; }
  const std::vector<ShadowedIngress>& shadowed() const { return shadowed_; }
  size_t activeRules() const { return active_rules_; }
  size_t unresolvedRules() const { return unresolved_rules_; }
  // Sorted by id.
  const std::vector<ServedCertificatePtr>& certificates() const { return certificates_; }
  // The certificate that serves `hostname` (a TLS rule's hostname), or null while none covers
  // it. Preference: a user's certificate over ACME's; among equals, the later not_after, then
  // the smaller id. Deterministic.
  const ServedCertificate* certificateFor(const std::string& hostname) const;

 private:
  ConfigSnapshot() = default;
  uint64_t generation_ = 0;
  std::vector<ResolvedIngressPtr> ingresses_;
  std::vector<ShadowedIngress> shadowed_;
  std::vector<ServedCertificatePtr> certificates_;
  // Name → certificates listing it, for certificateFor.
  std::map<std::string, std::vector<const ServedCertificate*>> by_name_;
  size_t active_rules_ = 0;
  size_t unresolved_rules_ = 0;
};

}  // namespace ingress::domain

#include "ingress/snapshot.h"

#include <algorithm>
#include <tuple>
#include <utility>

namespace ingress::domain {

IngressView ResolvedIngress::view() const {
  IngressView v{ingress, {}};
  v.rule_status.reserve(rules.size());
  for (const RuleResolution& r : rules) v.rule_status.push_back(r.status);
  return v;
}

bool certificateNameCovers(const std::string& cert_name, const std::string& hostname) {
  if (cert_name == hostname) return true;
  if (cert_name.size() < 3 || cert_name.compare(0, 2, "*.") != 0) return false;
  // *.example.com covers x.example.com: one non-empty, non-wildcard label before the suffix.
  const std::string_view suffix = std::string_view(cert_name).substr(1);  // ".example.com"
  if (hostname.size() <= suffix.size()) return false;
  if (std::string_view(hostname).substr(hostname.size() - suffix.size()) != suffix) return false;
  const std::string_view label =
      std::string_view(hostname).substr(0, hostname.size() - suffix.size());
  return !label.empty() && label.find('.') == std::string_view::npos && label != "*";
}

SnapshotPtr ConfigSnapshot::make(uint64_t generation, std::vector<ResolvedIngressPtr> ingresses,
                                 std::vector<ShadowedIngress> shadowed,
                                 std::vector<ServedCertificatePtr> certificates) {
  auto s = std::shared_ptr<ConfigSnapshot>(new ConfigSnapshot());
  s->generation_ = generation;
  s->ingresses_ = std::move(ingresses);
  s->shadowed_ = std::move(shadowed);
  std::sort(
      certificates.begin(), certificates.end(),
      [](const ServedCertificatePtr& a, const ServedCertificatePtr& b) { return a->id < b->id; });
  s->certificates_ = std::move(certificates);
  for (const auto& c : s->certificates_) {
    for (const auto& n : c->names) s->by_name_[n].push_back(c.get());
  }
  for (const auto& e : s->ingresses_) {
    for (const RuleResolution& r : e->rules)
      ++(r.active() ? s->active_rules_ : s->unresolved_rules_);
  }
  return s;
}

const ServedCertificate* ConfigSnapshot::certificateFor(const std::string& hostname) const {
  const ServedCertificate* best = nullptr;
  auto better = [](const ServedCertificate* a, const ServedCertificate* b) {
    // a user's over ACME's, then the later expiry, then the smaller id
    auto key = [](const ServedCertificate* c) {
      return std::make_tuple(c->source == ServedCertificate::Source::kUser ? 0 : 1,
                             -c->not_after.time_since_epoch().count(), std::cref(c->id));
    };
    return key(a) < key(b);
  };
  auto consider = [&](const std::string& name) {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) return;
    for (const ServedCertificate* c : it->second) {
      if (certificateNameCovers(name, hostname) && (best == nullptr || better(c, best))) best = c;
    }
  };
  consider(hostname);
  // A wildcard certificate for the parent: `a.example.com` → `*.example.com`.
  if (hostname.compare(0, 2, "*.") != 0) {
    const size_t dot = hostname.find('.');
    if (dot != std::string::npos) consider("*" + hostname.substr(dot));
  }
  return best;
}

}  // namespace ingress::domain

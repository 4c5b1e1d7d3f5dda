// snapshotOf: a ConfigSnapshot for tests, resolving each rule's instance through a plain map
// (instance name → IP), the way the use cases would. A missing instance leaves the rule
// unresolved with the reason `instance "<name>" not found`.
//
//   auto snap = snapshotOf({ingressOf("i1", {rule("a.example.com", 8080, "vm-a", 80)})},
//                          {{"vm-a", "127.0.0.2"}});
#pragma once

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ingress/snapshot.h"

namespace ingress::testing {

inline domain::SnapshotPtr snapshotOf(const std::vector<domain::Ingress>& ingresses,
                                      const std::map<std::string, std::string>& instances,
                                      uint64_t generation = 1) {
  std::vector<domain::ResolvedIngressPtr> entries;
  for (const auto& ing : ingresses) {
    auto e = std::make_shared<domain::ResolvedIngress>();
    e->ingress = ing;
    for (const auto& rule : ing.rules) {
      domain::RuleResolution r;
      auto it = instances.find(rule.target.instance);
      if (it == instances.end()) {
        r.status.state = domain::RuleStatus::State::kUnresolved;
        r.status.reason = "instance \"" + rule.target.instance + "\" not found";
      } else {
        r.ip = it->second;
      }
      e->rules.push_back(std::move(r));
    }
    entries.push_back(std::move(e));
  }
  return domain::ConfigSnapshot::make(generation, std::move(entries));
}

// The same snapshot with `certificates` ready to serve.
inline domain::SnapshotPtr withCertificates(
    const domain::SnapshotPtr& s, std::vector<domain::ServedCertificatePtr> certificates) {
  return domain::ConfigSnapshot::make(s->generation(), s->ingresses(), s->shadowed(),
                                      std::move(certificates));
}

// A certificate for tests; its PEM fields are placeholders unless given (golden cases replace
// them with generated ones when Envoy loads them: test_certificates.h).
inline domain::ServedCertificatePtr certificateOf(
    const std::string& id, std::vector<std::string> names,
    domain::ServedCertificate::Source source = domain::ServedCertificate::Source::kAcme,
    int not_after_days = 90, std::string serial = "") {
  auto c = std::make_shared<domain::ServedCertificate>();
  c->id = id;
  c->source = source;
  std::sort(names.begin(), names.end());
  c->names = std::move(names);
  c->chain_pem = "CHAIN OF " + id;
  c->key_pem = "KEY OF " + id;
  c->serial = serial.empty() ? "5e7" + std::to_string(id.size()) : std::move(serial);
  c->not_after = std::chrono::system_clock::time_point(std::chrono::hours(24 * 20000)) +
                 std::chrono::hours(24 * not_after_days);
  return c;
}

inline domain::Ingress ingressOf(const std::string& id, std::vector<domain::Rule> rules) {
  domain::Ingress ing;
  ing.id = id;
  ing.name = id;
  ing.rules = std::move(rules);
  return ing;
}

inline domain::Rule rule(const std::string& host, int port, const std::string& instance,
                         int target_port) {
  domain::Rule r;
  r.match.hostname = host;
  r.match.port = static_cast<uint16_t>(port);
  r.target.instance = instance;
  r.target.port = static_cast<uint16_t>(target_port);
  return r;
}

// A rule with tls (and, with `redirect`, redirect_http).
inline domain::Rule tlsRule(const std::string& host, int port, const std::string& instance,
                            int target_port, bool redirect = false) {
  domain::Rule r = rule(host, port, instance, target_port);
  r.tls = true;
  r.redirect_http = redirect;
  return r;
}

}  // namespace ingress::testing

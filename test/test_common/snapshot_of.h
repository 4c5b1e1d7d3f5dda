// snapshotOf: a ConfigSnapshot for tests, resolving each rule's instance through a plain map
// (instance name → IP), the way the use cases would. A missing instance leaves the rule
// unresolved with the reason `instance "<name>" not found`.
//
//   auto snap = snapshotOf({ingressOf("i1", {rule("a.example.com", 8080, "vm-a", 80)})},
//                          {{"vm-a", "127.0.0.2"}});
#pragma once

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

}  // namespace ingress::testing

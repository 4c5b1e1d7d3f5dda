#include "ingress/snapshot.h"

#include <utility>

namespace ingress::domain {

IngressView ResolvedIngress::view() const {
  IngressView v{ingress, {}};
  v.rule_status.reserve(rules.size());
  for (const RuleResolution& r : rules) v.rule_status.push_back(r.status);
  return v;
}

SnapshotPtr ConfigSnapshot::make(uint64_t generation, std::vector<ResolvedIngressPtr> ingresses,
                                 std::vector<ShadowedIngress> shadowed) {
  auto s = std::shared_ptr<ConfigSnapshot>(new ConfigSnapshot());
  s->generation_ = generation;
  s->ingresses_ = std::move(ingresses);
  s->shadowed_ = std::move(shadowed);
  for (const auto& e : s->ingresses_) {
    for (const RuleResolution& r : e->rules)
      ++(r.active() ? s->active_rules_ : s->unresolved_rules_);
  }
  return s;
}

}  // namespace ingress::domain

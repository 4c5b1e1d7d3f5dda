#include "ingress/target_resolution.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "ingress/validation.h"

namespace ingress::domain {
namespace {

std::string deniedReason(const Rule& rule, const std::string& why) {
  return "instance \"" + rule.target.instance + "\" resolves to a denied target: " + why;
}

bool targetsAny(const Ingress& ing, const SnapshotChange& change) {
  if (change.all_instances) return true;
  for (const Rule& r : ing.rules) {
    if (change.instances.count(r.target.instance) != 0) return true;
  }
  return false;
}

}  // namespace

bool ListenerPorts::contains(uint16_t port) {
  if (!ports_) {
    ports_.emplace();
    if (fill_) fill_(*ports_);
  }
  return ports_->count(port) != 0;
}

std::string TargetResolution::refusal(const Rule& rule, const std::string& ip,
                                      ListenerPorts& listeners) const {
  if (policy_ == nullptr) return "";
  return policy_->refusal(ip, rule.target.port, listeners.predicate());
}

RuleResolution TargetResolution::toResolution(const Rule& rule, const StatusOr<std::string>& ip,
                                              ListenerPorts& listeners) const {
  RuleResolution r;
  if (!ip.ok()) {
    r.status.state = RuleStatus::State::kUnresolved;
    r.status.reason = ip.status().message();
  } else if (std::string why = refusal(rule, *ip, listeners); !why.empty()) {
    r.status.state = RuleStatus::State::kUnresolved;
    r.status.reason = deniedReason(rule, why);
  } else {
    r.ip = *ip;
  }
  return r;
}

void addListenerPorts(const Ingress& ing, std::set<uint16_t>& ports) {
  for (const Rule& r : ing.rules) ports.insert(r.match.port);
}

bool listOrder(const ResolvedIngressPtr& a, const ResolvedIngressPtr& b) {
  if (a->ingress.created_at != b->ingress.created_at) {
    return a->ingress.created_at < b->ingress.created_at;
  }
  return a->ingress.id < b->ingress.id;
}

const StatusOr<std::string>& TargetResolution::lookup(const std::string& instance,
                                                      ResolutionCache& cache) {
  auto it = cache.find(instance);
  if (it != cache.end()) return it->second;
  return cache.emplace(instance, ask(instance, /*fresh=*/false)).first->second;
}

StatusOr<std::string> TargetResolution::ask(const std::string& instance, bool fresh) {
  try {
    return fresh ? resolver_.resolveFresh(instance) : resolver_.resolve(instance);
  } catch (const std::exception& e) {
    return internalError(std::string("instance lookup failed: ") + e.what());
  }
}

std::vector<RuleResolution> TargetResolution::resolutions(const Ingress& ing,
                                                          ResolutionCache& cache,
                                                          ListenerPorts& listeners) {
  std::vector<RuleResolution> out;
  out.reserve(ing.rules.size());
  for (const Rule& rule : ing.rules) {
    out.push_back(toResolution(rule, lookup(rule.target.instance, cache), listeners));
  }
  return out;
}

StatusOr<ResolvedIngressPtr> TargetResolution::admit(const Ingress& ing, ResolutionCache& cache,
                                                     ListenerPorts& listeners) {
  for (size_t i = 0; i < ing.rules.size(); ++i) {
    const std::string& instance = ing.rules[i].target.instance;
    const StatusOr<std::string>& ip = lookup(instance, cache);
    if (ip.ok()) {
      if (std::string why = refusal(ing.rules[i], *ip, listeners); !why.empty()) {
        return invalidArgument(rulePath(i) + ".target.instance: " + deniedReason(ing.rules[i], why),
                               "target_denied");
      }
      continue;
    }
    if (ip.status().code() == StatusCode::kFailedPrecondition) continue;
    if (ip.status().code() == StatusCode::kNotFound) {
      return invalidArgument(
          rulePath(i) + ".target.instance: instance \"" + instance + "\" not found",
          "instance_not_found");
    }
    return ip.status().withContext(rulePath(i) + ".target.instance");
  }
  return resolve(ing, cache, listeners);
}

Status TargetResolution::recheck(const ResolvedIngress& e, ListenerPorts& listeners) const {
  for (size_t i = 0; i < e.rules.size() && i < e.ingress.rules.size(); ++i) {
    if (!e.rules[i].active()) continue;
    const Rule& rule = e.ingress.rules[i];
    if (std::string why = refusal(rule, e.rules[i].ip, listeners); !why.empty()) {
      return invalidArgument(rulePath(i) + ".target.instance: " + deniedReason(rule, why),
                             "target_denied");
    }
  }
  return okStatus();
}

std::string TargetResolution::capturedBy(const ResolvedIngress& e, uint16_t port) const {
  if (policy_ == nullptr) return "";
  for (size_t i = 0; i < e.rules.size() && i < e.ingress.rules.size(); ++i) {
    const Rule& rule = e.ingress.rules[i];
    if (!e.rules[i].active() || rule.target.port != port) continue;
    if (!policy_->refusal(e.rules[i].ip, port, [port](uint16_t p) { return p == port; }).empty()) {
      return rulePath(i);
    }
  }
  return "";
}

ResolvedIngressPtr TargetResolution::reresolve(const ResolvedIngressPtr& e, ResolutionCache& cache,
                                               ListenerPorts& listeners) {
  std::vector<RuleResolution> now = resolutions(e->ingress, cache, listeners);
  if (now == e->rules) return e;
  auto fresh = std::make_shared<ResolvedIngress>();
  fresh->ingress = e->ingress;
  fresh->rules = std::move(now);
  return fresh;
}

ResolvedIngressPtr TargetResolution::resolve(const Ingress& ing, ResolutionCache& cache,
                                             ListenerPorts& listeners) {
  auto e = std::make_shared<ResolvedIngress>();
  e->ingress = ing;
  e->rules = resolutions(ing, cache, listeners);
  return e;
}

void TargetResolution::refresh(const ConfigSnapshot& prev, const SnapshotChange& change,
                               ResolutionCache& cache) {
  std::set<std::string, std::less<>> names = change.instances;
  if (change.all_instances) {
    for (const ResolvedIngressPtr& e : prev.ingresses()) {
      for (const Rule& r : e->ingress.rules) names.insert(r.target.instance);
    }
    for (const SnapshotChange::Added& a : change.added) {
      for (const Rule& r : a.entry->ingress.rules) names.insert(r.target.instance);
    }
  }
  for (const std::string& instance : names) {
    cache.insert_or_assign(instance, ask(instance, /*fresh=*/true));
  }
}

SnapshotUpdate TargetResolution::next(const ConfigSnapshot& prev, const SnapshotChange& change,
                                      uint64_t generation, ResolutionCache& cache) {
  SnapshotUpdate u;
  u.changed_any = !change.removed.empty() || !change.added.empty();
  const bool retarget = change.all_instances || !change.instances.empty();
  // Instances that changed (or all, for a reconcile) are asked past any resolver cache.
  if (retarget) refresh(prev, change, cache);
  // Envoy's listener ports after this change (a removed ingress's ports too: conservative).
  ListenerPorts listeners([&](std::set<uint16_t>& ports) {
    for (const ResolvedIngressPtr& e : prev.ingresses()) addListenerPorts(e->ingress, ports);
    for (const SnapshotChange::Added& a : change.added) addListenerPorts(a.entry->ingress, ports);
  });
  std::vector<ResolvedIngressPtr> kept;
  kept.reserve(prev.ingresses().size());
  for (const ResolvedIngressPtr& e : prev.ingresses()) {
    if (change.removed.count(e->ingress.id) != 0) continue;
    if (retarget && targetsAny(e->ingress, change)) {
      ResolvedIngressPtr now = reresolve(e, cache, listeners);
      if (now != e) {
        kept.push_back(now);
        u.changed.push_back(std::move(now));
        u.changed_any = true;
        continue;
      }
    }
    kept.push_back(e);
  }
  std::vector<ResolvedIngressPtr> added;
  for (const SnapshotChange::Added& a : change.added) {
    if (change.removed.count(a.entry->ingress.id) != 0) continue;  // created and deleted
    ResolvedIngressPtr e = a.entry;
    if (a.stale || (retarget && targetsAny(e->ingress, change))) e = reresolve(e, cache, listeners);
    added.push_back(e);
    u.changed.push_back(std::move(e));
  }
  std::sort(added.begin(), added.end(), listOrder);
  std::vector<ResolvedIngressPtr> all;
  all.reserve(kept.size() + added.size());
  std::merge(kept.begin(), kept.end(), added.begin(), added.end(), std::back_inserter(all),
             listOrder);
  std::vector<ServedCertificatePtr> certificates = prev.certificates();
  if (change.certificates) {
    std::vector<ServedCertificatePtr> next = *change.certificates;
    std::sort(next.begin(), next.end(), [](const auto& a, const auto& b) { return a->id < b->id; });
    if (next != certificates) u.changed_any = true;  // same pointers: same certificates
    certificates = std::move(next);
  }
  u.snapshot =
      ConfigSnapshot::make(generation, std::move(all), prev.shadowed(), std::move(certificates));
  return u;
}

}  // namespace ingress::domain

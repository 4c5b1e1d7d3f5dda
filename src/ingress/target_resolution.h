// TargetResolution: turns ingresses into ConfigSnapshot entries by asking the InstanceResolver
// where each rule's target is — once per distinct instance per commit (a ResolutionCache) — and
// derives the next snapshot from the previous one, re-resolving only what a batch touched.
//
//   ResolutionCache cache;
//   auto entry = resolution.admit(ingress, cache);   // instance_not_found etc. before queueing
//   SnapshotUpdate u = resolution.next(*prev, change, generation, cache);
//
// Unchanged entries are shared by pointer with the previous snapshot; an entry is rebuilt only
// when it is new or one of its rules resolves differently now.
//
// With a TargetPolicy, every resolved IP:port is checked against it: admit() refuses a denied
// target (400 target_denied), and a rule whose instance resolves to a denied target later is
// unresolved with the policy's reason, so Envoy never routes it.
//
// Thread-safe as far as the resolver is (it keeps no state); a ResolutionCache is not.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "ingress/snapshot.h"
#include "ingress/target_policy.h"
#include "instances/resolver.h"

namespace ingress::domain {

// One resolver answer per instance name (for one commit or one admission).
using ResolutionCache = std::map<std::string, StatusOr<std::string>, std::less<>>;

// What a batch changes: ingresses removed (ids) and added (entries), and which instances must be
// looked up again (their rules re-resolved).
struct SnapshotChange {
  std::set<std::string, std::less<>> removed;
  // Added entries; `stale` ones are re-resolved (an instance may have changed since admission).
  struct Added {
    ResolvedIngressPtr entry;
    bool stale = false;
  };
  std::vector<Added> added;
  std::set<std::string, std::less<>> instances;
  bool all_instances = false;  // a reconcile: every rule is re-resolved
  // The certificates of the next snapshot, when they are to change (else the previous ones).
  std::optional<std::vector<ServedCertificatePtr>> certificates;
};

struct SnapshotUpdate {
  SnapshotPtr snapshot;
  std::vector<ResolvedIngressPtr> changed;  // entries of `snapshot` that are not in the previous
  bool changed_any = false;                 // false: `snapshot` equals the previous one
};

// The match ports (Envoy's ingress listener ports) of some set of ingresses, computed by `fill`
// on first use: most targets are nowhere near a listener address, so most commits never pay.
// Not thread-safe.
class ListenerPorts {
 public:
  explicit ListenerPorts(std::function<void(std::set<uint16_t>&)> fill) : fill_(std::move(fill)) {}
  bool contains(uint16_t port);
  // A predicate for TargetPolicy::refusal, valid while this object lives.
  std::function<bool(uint16_t)> predicate() {
    return [this](uint16_t port) { return contains(port); };
  }

 private:
  std::function<void(std::set<uint16_t>&)> fill_;
  std::optional<std::set<uint16_t>> ports_;
};

class TargetResolution {
 public:
  // `policy` may be null (no target is refused); it must outlive this object.
  explicit TargetResolution(instances::InstanceResolver& resolver,
                            const TargetPolicy* policy = nullptr)
      : resolver_(resolver), policy_(policy) {}

  // Resolves every rule of a new ingress. Refuses targets that do not exist:
  // kInvalidArgument/"instance_not_found" naming the rule, or the resolver's own error (with the
  // rule as context) when it could not tell; and targets the policy denies:
  // kInvalidArgument/"target_denied" naming the rule, the address and the reason. `listeners`
  // are Envoy's listener ports with this ingress. An instance without an address yet exists:
  // its rule is unresolved. Exceptions from the resolver become kInternal.
  StatusOr<ResolvedIngressPtr> admit(const Ingress& ing, ResolutionCache& cache,
                                     ListenerPorts& listeners);
  // Admission's second look (serialized, against the pending state): each active rule of `e`
  // checked again with `listeners` = the pending ingresses' ports and its own, since another
  // create may have opened a listener on its target's port meanwhile. kInvalidArgument /
  // "target_denied" naming the rule, as admit().
  Status recheck(const ResolvedIngress& e, ListenerPorts& listeners) const;
  // The first active rule of `e` whose target would be one of Envoy's listeners once `port`
  // opens (a local address, that port), as "rules[j]"; "" when none.
  std::string capturedBy(const ResolvedIngress& e, uint16_t port) const;
  // The entry for `ing` with every rule resolved (through `cache`) and checked.
  ResolvedIngressPtr resolve(const Ingress& ing, ResolutionCache& cache, ListenerPorts& listeners);
  // The snapshot after `change`, sorted by (created_at, id), with `prev`'s shadowed list.
  SnapshotUpdate next(const ConfigSnapshot& prev, const SnapshotChange& change, uint64_t generation,
                      ResolutionCache& cache);

 private:
  const StatusOr<std::string>& lookup(const std::string& instance, ResolutionCache& cache);
  // One resolver call (resolveFresh when `fresh`); an exception becomes kInternal.
  StatusOr<std::string> ask(const std::string& instance, bool fresh);
  std::vector<RuleResolution> resolutions(const Ingress& ing, ResolutionCache& cache,
                                          ListenerPorts& listeners);
  // The resolution of `rule` given its instance's answer: unresolved when the policy denies it.
  RuleResolution toResolution(const Rule& rule, const StatusOr<std::string>& ip,
                              ListenerPorts& listeners) const;
  // Why the policy refuses `ip`:`rule.target.port`, or "".
  std::string refusal(const Rule& rule, const std::string& ip, ListenerPorts& listeners) const;
  // `e` itself when its rules resolve as before, else a new entry with the new resolutions.
  ResolvedIngressPtr reresolve(const ResolvedIngressPtr& e, ResolutionCache& cache,
                               ListenerPorts& listeners);
  // Puts fresh answers (InstanceResolver::resolveFresh) for the instances `change` retargets
  // into `cache`, replacing earlier ones.
  void refresh(const ConfigSnapshot& prev, const SnapshotChange& change, ResolutionCache& cache);

  instances::InstanceResolver& resolver_;
  const TargetPolicy* policy_;
};

// Adds the match ports of `ing` (the listener ports it needs) to `ports`.
void addListenerPorts(const Ingress& ing, std::set<uint16_t>& ports);

// (created_at, id): the order of the API list and of every snapshot.
bool listOrder(const ResolvedIngressPtr& a, const ResolvedIngressPtr& b);

}  // namespace ingress::domain

// Manager: the real IngressService — the ingress and instance use cases over one CommitQueue.
//
//   Manager m(ingress_store, instance_store, resolver, clock, ids, &publisher);
//   auto view = m.createIngress(spec);
//
// Where each part lives:
//   manager.cc            ingress use cases (admission against the pending IngressIndex) and the
//                         reads, which come from the committed ConfigSnapshot, never the resolver
//   manager_instances.cc  instance use cases and reconcileInstances(), queued like ingress changes
//   manager_commit.cc     the committer: one batch → one snapshot → one publish → store → swap
//   ingress_index.h       uniqueness (id, name, hostname:port)
//   target_resolution.h   targets → snapshot entries (once per instance per commit)
//   commit_queue.h        group commit
//
// Group commit. A mutation is validated (uniqueness, targets) against the *pending* state: the
// committed state plus every mutation queued before it, so conflicts are decided in arrival
// order. Its targets are resolved once, at admission. One committer takes everything queued
// (ingress changes, instance changes, reconciles), builds the next snapshot — re-resolving only
// the rules whose instance the batch changed — publishes it once, writes the store (one
// directory fsync for the batch), swaps the committed snapshot and answers every caller. If a
// batch's publish fails, its operations are retried one by one, so one bad request cannot fail
// its neighbours. A mutation whose publish or store write fails leaves memory and disk as they
// were; a later mutation of the same batch that depended on it fails too (never acknowledged
// without being in memory, on disk and in the proxy); after a store failure the committed set
// is published again, best effort.
//
// Ids and names: an ingress is found by exact id first, then by exact name. Arguments that are
// neither a valid id nor a valid name are kNotFound without any lookup. A new ingress may not be
// named like an existing id (already_exists), and new ids never equal an existing id or name.
//
// Thread-safety: all methods may be called concurrently. Reads take state_mu_ shared, which the
// committer holds exclusively only for the final swap. No lock that admission needs is held
// across a publish, an fsync or a resolver call of the committer.
//
// Ownership: every collaborator is borrowed and must outlive the Manager. The stores must be
// loaded before construction; the constructor indexes their contents and resolves every target.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "ingress/certificate_catalog.h"
#include "ingress/commit_queue.h"
#include "ingress/ids.h"
#include "ingress/ingress_index.h"
#include "ingress/publisher.h"
#include "ingress/service.h"
#include "ingress/snapshot.h"
#include "ingress/target_resolution.h"
#include "ingress/validation.h"
#include "instances/resolver.h"
#include "store/ingress_store.h"
#include "store/instance_store.h"

namespace ingress::domain {

// Caps on what clients may store. Exceeding max_ingresses, or max_listener_ports distinct match
// ports over all ingresses (each one an Envoy listener and its route subscription, which costs an
// inotify instance), is kResourceExhausted / "limit_exceeded" (409 in the API); more rules than
// max_rules_per_ingress is kInvalidArgument / "bad_request" naming `rules` (400), like every other
// field error.
struct ManagerLimits {
  size_t max_ingresses = 20000;
  size_t max_listener_ports = 32;
  size_t max_rules_per_ingress = kMaxRules;  // at most kMaxRules
};

class Manager final : public IngressService {
 public:
  // `target_policy` (may be null: every target allowed) is checked for every resolved target.
  // `certificates` (may be null: no certificate source, a TLS rule is refused) admits TLS rules,
  // supplies the certificates of each snapshot and the certificate status of views.
  Manager(store::IngressStore& ingresses, store::InstanceStore& instances,
          instances::InstanceResolver& resolver, Clock& clock, IdGenerator& ids,
          ConfigPublisher* publisher = nullptr, ManagerLimits limits = {},
          const TargetPolicy* target_policy = nullptr,
          const CertificateCatalog* certificates = nullptr);

  StatusOr<IngressView> createIngress(const IngressSpec& spec) override;
  std::vector<IngressView> listIngresses() const override;
  StatusOr<IngressView> getIngress(std::string_view id_or_name) const override;
  Status deleteIngress(std::string_view id_or_name) override;

  StatusOr<Instance> putInstance(const Instance& instance) override;
  std::vector<Instance> listInstances() const override;
  StatusOr<Instance> getInstance(std::string_view name) const override;
  Status deleteInstance(std::string_view name) override;

  // Re-resolves every rule's target (instances may move or vanish outside this process, e.g. in
  // hypeman) and commits a new snapshot only when some resolution changed. Queued like any
  // mutation; returns the publisher's Status when the proxy refused the new snapshot.
  Status reconcileInstances();
  // Commits a snapshot with the catalog's current certificates (one was issued, renewed,
  // uploaded or removed), queued like any mutation; returns once Envoy serves it, or the
  // publisher's Status when the proxy refused it. Ok without a publish when nothing changed.
  Status refreshCertificates();

  // The committed configuration: what Envoy was last given (at start: the loaded set, with the
  // stored ingresses that conflict with older ones in shadowed()). serve publishes this at start.
  SnapshotPtr current() const;
  // Mutations accepted and queued, not yet committed (a gauge for metrics and tests).
  size_t pendingMutations() const;

 private:
  struct Op;
  using OpPtr = std::shared_ptr<Op>;
  struct Attempt;

  // Admission (under the queue's lock): validates `op` against pending_ and applies it there.
  Status admit(Op& op);
  // Admission's checks of a created entry's targets against the pending listener ports.
  Status admitListenerTargets(const ResolvedIngress& created);
  std::string newUniqueId() const;
  // The commit hook and its steps (manager_commit.cc).
  bool commitBatch(const std::vector<CommitQueue::OpPtr>& batch);
  // One try at committing `ops`; false when something failed (`refused`: the publish).
  bool attempt(const std::vector<Op*>& ops, bool trust_admission, bool& refused);
  void writeInstances(Attempt& a);
  void undoInstances(Attempt& a);
  void persistIngresses(Attempt& a);
  void swapIn(const SnapshotUpdate& update, const Attempt& a);
  Status publish(const SnapshotPtr& s);
  Status submitInstanceOp(const OpPtr& op);
  IngressView viewOf(const ResolvedIngress& entry, const ConfigSnapshot& snapshot) const;
  // Validates one ingress change against `index` (the state it must apply to).
  static Status validateAgainst(Op& op, const IngressIndex& index);
  static void applyTo(const Op& op, IngressIndex& index);

  store::IngressStore& ingresses_;
  store::InstanceStore& instances_;
  TargetResolution resolution_;
  Clock& clock_;
  IdGenerator& ids_;
  ConfigPublisher* publisher_;
  const ManagerLimits limits_;
  const CertificateCatalog* certificates_;

  IngressIndex pending_;  // guarded by the queue's lock: committed + queued mutations
  // Bumped whenever the instance registry changes, so resolutions taken at admission before the
  // change are redone at commit.
  std::atomic<uint64_t> instance_epoch_{0};
  uint64_t generation_ = 0;  // written by the committer only

  mutable std::shared_mutex state_mu_;
  IngressIndex committed_;  // guarded by state_mu_ (written by the committer)
  SnapshotPtr current_;     // guarded by state_mu_ (written by the committer)

  CommitQueue queue_;  // last: its hooks use everything above
};

}  // namespace ingress::domain

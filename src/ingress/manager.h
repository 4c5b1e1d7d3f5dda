// Manager: the real IngressService. Validates requests, keeps the uniqueness indexes (id, name,
// hostname:port), asks the InstanceResolver whether targets exist and whether rules resolve,
// hands every change to the ConfigPublisher, and writes it to the stores.
//
//   Manager m(ingress_store, instance_store, resolver, clock, ids, &publisher);
//   auto view = m.createIngress(spec);
//
// Group commit. A mutation is validated (uniqueness, targets) against the *pending* state: the
// committed state plus every mutation queued before it, so conflicts are decided in arrival
// order. It then joins a queue. One caller at a time is the committer: it takes everything
// queued, publishes the resulting set once (one Envoy apply for the whole batch), writes each
// mutation to the store, swaps the committed state and answers every caller in the batch.
// Mutations arriving meanwhile form the next batch, so throughput grows with concurrency. If a
// batch's publish fails, its mutations are retried one by one, so one bad request cannot fail
// its neighbours; a mutation whose publish or store write fails leaves memory and disk as they
// were (after a store failure the previous set is published again, best effort).
//
// Ids and names: an ingress is found by exact id first, then by exact name. Arguments that are
// neither a valid id nor a valid name are kNotFound without any lookup. A new ingress may not be
// named like an existing id (already_exists), and new ids never equal an existing id or name.
//
// Thread-safety: all methods may be called concurrently. Mutations are serialized by
// mutation_mu_; reads take state_mu_ shared, which mutations hold exclusively only for the final
// swap, so slow publishes do not block reads. Instance resolution (maybe HTTP) happens outside
// state_mu_.
//
// Ownership: every collaborator is borrowed and must outlive the Manager. The stores must be
// loaded before construction; the constructor indexes their contents.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "ingress/ids.h"
#include "ingress/publisher.h"
#include "ingress/service.h"
#include "ingress/snapshot.h"
#include "instances/resolver.h"
#include "store/ingress_store.h"
#include "store/instance_store.h"

namespace ingress::domain {

class Manager final : public IngressService {
 public:
  Manager(store::IngressStore& ingresses, store::InstanceStore& instances,
          instances::InstanceResolver& resolver, Clock& clock, IdGenerator& ids,
          ConfigPublisher* publisher = nullptr);

  StatusOr<IngressView> createIngress(const IngressSpec& spec) override;
  std::vector<IngressView> listIngresses() const override;
  StatusOr<IngressView> getIngress(std::string_view id_or_name) const override;
  Status deleteIngress(std::string_view id_or_name) override;

  StatusOr<Instance> putInstance(const Instance& instance) override;
  std::vector<Instance> listInstances() const override;
  StatusOr<Instance> getInstance(std::string_view name) const override;
  Status deleteInstance(std::string_view name) override;

  // All ingresses in list order, without rule status (for the config builder at start).
  std::vector<Ingress> snapshot() const;
  // The committed configuration: what Envoy was last given (at start: the loaded set, without
  // the stored ingresses that conflict with older ones). serve publishes this at startup.
  SnapshotPtr current() const;
  // Mutations accepted and queued, not yet committed (a gauge for metrics and tests).
  size_t pendingMutations() const;

 private:
  using HostPort = std::pair<std::string, uint16_t>;

  // The indexed set of ingresses. Copied, changed and swapped in by mutations.
  struct State {
    std::map<std::string, Ingress, std::less<>> by_id;
    std::map<std::string, std::string, std::less<>> id_by_name;
    std::map<HostPort, std::string> id_by_host;
    // Adds `ing` unless its name or one of its hostname:port pairs is taken; returns why not.
    Status add(const Ingress& ing);
    void remove(const std::string& id);
    std::vector<Ingress> sorted() const;
    const Ingress* find(std::string_view id_or_name) const;
  };

  // One queued mutation.
  struct Op {
    std::function<Status(State&)> apply;  // validates against and changes a state
    std::function<Status()> persist;      // the durable store write
    Status result;
    bool done = false;  // guarded by mutation_mu_
  };
  using OpPtr = std::shared_ptr<Op>;

  StatusOr<Ingress> buildIngress(IngressSpec spec, const State& state);
  Status checkTargets(const Ingress& ing);
  std::string newUniqueId(const State& state);
  // Applies `op` to the pending state, queues it and waits until a committer has committed or
  // refused it (possibly committing other callers' batches on the way).
  Status submit(const OpPtr& op, std::unique_lock<std::mutex>& lock);
  // Publishes and persists one batch whose combined state is `target`, setting each op's
  // result. Called by the committer without mutation_mu_; returns false when the pending state
  // must be rebuilt (something in the batch failed).
  bool commitBatch(std::vector<OpPtr>& batch, State target);
  // After a failure: pending := committed + replay of the still-queued mutations.
  void rebuildPending();
  // Waits (holding `lock` on mutation_mu_) until no batch is queued or committing.
  void waitIdle(std::unique_lock<std::mutex>& lock);
  // After an instance change: publishes the unchanged ingress set when one of them targets
  // `instance`, so the proxy picks up the new address. Caller holds mutation_mu_.
  Status republishIfTargeted(const std::string& instance);
  // Resolves every rule of `s` (transitional: the snapshot redesign moves this into the commit).
  SnapshotPtr makeSnapshot(const State& s) const;
  IngressView viewOf(const Ingress& ing, std::map<std::string, RuleStatus>& cache) const;

  store::IngressStore& ingresses_;
  store::InstanceStore& instances_;
  instances::InstanceResolver& resolver_;
  Clock& clock_;
  IdGenerator& ids_;
  ConfigPublisher* publisher_;

  mutable std::mutex mutation_mu_;  // guards the queue, pending_ and committer state
  std::condition_variable queue_cv_;
  std::deque<OpPtr> queue_;         // guarded by mutation_mu_
  State pending_;                   // guarded by mutation_mu_: state_ + queued mutations
  bool committing_ = false;         // guarded by mutation_mu_: a committer is at work
  mutable std::shared_mutex state_mu_;
  State state_;                     // committed; guarded by state_mu_ (written by the committer)
  mutable std::atomic<uint64_t> generation_{0};
};

}  // namespace ingress::domain

// Manager: the real IngressService. Validates requests, keeps the uniqueness indexes (id, name,
// hostname:port), asks the InstanceResolver whether targets exist and whether rules resolve,
// hands every change to the ConfigPublisher, and writes it to the stores.
//
//   Manager m(ingress_store, instance_store, resolver, clock, ids, &publisher);
//   auto view = m.createIngress(spec);
//
// Order of one mutation, all under the mutation lock: validate -> check uniqueness and targets
// -> publisher->publish(all ingresses after the change) -> store write -> swap the in-memory
// state. A publish or store failure leaves memory and disk as they were (after a store failure
// the previous set is published again, best effort).
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

#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "ingress/ids.h"
#include "ingress/publisher.h"
#include "ingress/service.h"
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

  StatusOr<Ingress> buildIngress(IngressSpec spec, const State& state);
  Status checkTargets(const Ingress& ing);
  std::string newUniqueId(const State& state);
  // Publishes `next`, writes with `persist`, then swaps it in. Caller holds mutation_mu_.
  template <typename Persist>
  Status commit(State next, Persist&& persist);
  // After an instance change: publishes the unchanged ingress set when one of them targets
  // `instance`, so the proxy picks up the new address. Caller holds mutation_mu_.
  Status republishIfTargeted(const std::string& instance);
  IngressView viewOf(const Ingress& ing, std::map<std::string, RuleStatus>& cache) const;

  store::IngressStore& ingresses_;
  store::InstanceStore& instances_;
  instances::InstanceResolver& resolver_;
  Clock& clock_;
  IdGenerator& ids_;
  ConfigPublisher* publisher_;

  std::mutex mutation_mu_;          // serializes mutations (ingresses and instances)
  mutable std::shared_mutex state_mu_;
  State state_;                     // guarded by state_mu_ (written only under both locks)
};

}  // namespace ingress::domain

// Manager: the built-in instance registry use cases (see manager.h).
//
// Instance changes do not join the ingress queue: each waits until no batch is queued or
// committing, then runs alone under mutation_mu_. Unlike ingress mutations, an instance change is written to the store *before* it is
// published: the config builder resolves addresses through the resolver, which reads the
// registry, so it must see the new address. If the publish fails, the store write is undone
// and the publisher's Status is returned. Only changes to instances that some ingress targets
// are published. Deleting an instance never touches ingresses; their rules become unresolved.
#include "ingress/manager.h"

#include <optional>

#include "common/log.h"
#include "ingress/validation.h"

namespace ingress::domain {
namespace {

Status instanceNotFound(std::string_view name) {
  return notFound("instance \"" + std::string(name) + "\" not found", "not_found");
}

// Undoes a registry write: puts `old` back, or removes `name` when there was none.
void restoreInstance(store::InstanceStore& store, const std::string& name,
                     const std::optional<Instance>& old) {
  Status st = old ? store.put(*old) : store.remove(name);
  if (!st.ok()) {
    log::error("could not undo an instance change after a failed publish",
               {{"instance", name}, {"error", st.toString()}});
  }
}

}  // namespace

StatusOr<Instance> Manager::putInstance(const Instance& request) {
  Instance instance = request;
  INGRESS_RETURN_IF_ERROR(validateInstance(instance));
  std::unique_lock mutation(mutation_mu_);
  waitIdle(mutation);  // no ingress batch may publish an older view meanwhile
  const std::optional<Instance> old = instances_.get(instance.name);
  if (old && *old == instance) return instance;
  INGRESS_RETURN_IF_ERROR(instances_.put(instance));
  Status st = republishIfTargeted(instance.name);
  if (!st.ok()) {
    restoreInstance(instances_, instance.name, old);
    return st;
  }
  log::info("instance stored", {{"instance", instance.name}, {"ip", instance.ip}});
  return instance;
}

std::vector<Instance> Manager::listInstances() const { return instances_.all(); }

StatusOr<Instance> Manager::getInstance(std::string_view name) const {
  if (!isValidName(name)) return notFound("instance not found", "not_found");
  auto instance = instances_.get(name);
  if (!instance) return instanceNotFound(name);
  return *instance;
}

Status Manager::deleteInstance(std::string_view name) {
  if (!isValidName(name)) return notFound("instance not found", "not_found");
  std::unique_lock mutation(mutation_mu_);
  waitIdle(mutation);
  const std::optional<Instance> old = instances_.get(name);
  if (!old) return instanceNotFound(name);
  INGRESS_RETURN_IF_ERROR(instances_.remove(name));
  Status st = republishIfTargeted(old->name);
  if (!st.ok()) {
    restoreInstance(instances_, old->name, old);
    return st;
  }
  log::info("instance deleted", {{"instance", old->name}});
  return okStatus();
}

Status Manager::republishIfTargeted(const std::string& instance) {
  if (publisher_ == nullptr) return okStatus();
  bool targeted = false;
  for (const auto& [id, ing] : state_.by_id) {
    for (const Rule& r : ing.rules) targeted = targeted || r.target.instance == instance;
  }
  if (!targeted) return okStatus();
  return publisher_->publish(makeSnapshot(state_));
}

}  // namespace ingress::domain

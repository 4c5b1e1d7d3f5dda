#include "store/instance_store.h"

#include <mutex>

#include "ingress/codec.h"
#include "ingress/validation.h"

namespace ingress::store {

InstanceStore::InstanceStore(Filesystem& fs, Clock& clock, std::string_view data_dir)
    : dir_(fs, clock, joinPath(data_dir, "instances"), "instance",
           [](std::string_view key) { return domain::isValidName(key); }) {}

Status InstanceStore::load() {
  std::unique_lock lock(mu_);
  by_name_.clear();
  return dir_.load([this](const std::string& key, const Json& doc) -> Status {
    INGRESS_ASSIGN_OR_RETURN(domain::Instance instance, domain::decodeStoredInstance(doc));
    if (instance.name != key) {
      return invalidArgument("name \"" + instance.name + "\" does not match the file name");
    }
    by_name_.emplace(key, std::move(instance));
    return okStatus();
  });
}

std::vector<domain::Instance> InstanceStore::all() const {
  std::shared_lock lock(mu_);
  std::vector<domain::Instance> out;
  out.reserve(by_name_.size());
  for (const auto& [name, instance] : by_name_) out.push_back(instance);
  return out;
}

std::optional<domain::Instance> InstanceStore::get(std::string_view name) const {
  std::shared_lock lock(mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

Status InstanceStore::put(const domain::Instance& instance) {
  if (!domain::isValidName(instance.name)) {
    return invalidArgument("invalid instance name", "bad_request");
  }
  const Json doc = domain::encodeStoredInstance(instance);
  // What we write must load back as the same object, or a restart would quarantine or alter it.
  auto reloaded = domain::decodeStoredInstance(doc);
  if (!reloaded.ok()) return reloaded.status().withContext("refusing to store instance");
  if (!(*reloaded == instance)) {
    return invalidArgument("refusing to store instance: not in canonical form", "bad_request");
  }
  std::unique_lock lock(mu_);
  INGRESS_RETURN_IF_ERROR(dir_.write(instance.name, doc));
  by_name_.insert_or_assign(instance.name, instance);
  return okStatus();
}

Status InstanceStore::remove(std::string_view name) {
  std::unique_lock lock(mu_);
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return notFound("instance not found", "not_found");
  INGRESS_RETURN_IF_ERROR(dir_.remove(name));
  by_name_.erase(it);
  return okStatus();
}

}  // namespace ingress::store

#include "store/ingress_store.h"

#include <algorithm>
#include <mutex>

#include "ingress/codec.h"
#include "ingress/ids.h"

namespace ingress::store {

IngressStore::IngressStore(Filesystem& fs, Clock& clock, std::string_view data_dir)
    : dir_(fs, clock, joinPath(data_dir, "ingresses"), "ingress",
           [](std::string_view key) { return domain::isValidId(key); }) {}

Status IngressStore::load() {
  std::unique_lock lock(mu_);
  by_id_.clear();
  return dir_.load([this](const std::string& key, const Json& doc) -> Status {
    INGRESS_ASSIGN_OR_RETURN(domain::Ingress ingress, domain::decodeStoredIngress(doc));
    if (ingress.id != key) {
      return invalidArgument("id \"" + ingress.id + "\" does not match the file name");
    }
    by_id_.emplace(key, std::move(ingress));
    return okStatus();
  });
}

std::vector<domain::Ingress> IngressStore::all() const {
  std::shared_lock lock(mu_);
  std::vector<domain::Ingress> out;
  out.reserve(by_id_.size());
  for (const auto& [id, ingress] : by_id_) out.push_back(ingress);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.created_at < b.created_at;  // ties keep id order (map order)
  });
  return out;
}

std::optional<domain::Ingress> IngressStore::get(std::string_view id) const {
  std::shared_lock lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

size_t IngressStore::size() const {
  std::shared_lock lock(mu_);
  return by_id_.size();
}

Status IngressStore::put(const domain::Ingress& ingress) { return putImpl(ingress, true); }
Status IngressStore::putUnsynced(const domain::Ingress& ingress) { return putImpl(ingress, false); }
Status IngressStore::remove(std::string_view id) { return removeImpl(id, true); }
Status IngressStore::removeUnsynced(std::string_view id) { return removeImpl(id, false); }

Status IngressStore::sync() {
  std::unique_lock lock(mu_);
  return dir_.sync();
}

Status IngressStore::putImpl(const domain::Ingress& ingress, bool sync) {
  if (!domain::isValidId(ingress.id)) return invalidArgument("invalid ingress id", "bad_request");
  const Json doc = domain::encodeStoredIngress(ingress);
  // What we write must load back as the same object, or a restart would quarantine or alter it.
  auto reloaded = domain::decodeStoredIngress(doc);
  if (!reloaded.ok()) return reloaded.status().withContext("refusing to store ingress");
  if (!(*reloaded == ingress)) {
    return invalidArgument("refusing to store ingress: not in canonical form", "bad_request");
  }
  std::unique_lock lock(mu_);
  INGRESS_RETURN_IF_ERROR(sync ? dir_.write(ingress.id, doc) : dir_.writeUnsynced(ingress.id, doc));
  by_id_.insert_or_assign(ingress.id, ingress);
  return okStatus();
}

Status IngressStore::removeImpl(std::string_view id, bool sync) {
  std::unique_lock lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return notFound("ingress not found", "not_found");
  INGRESS_RETURN_IF_ERROR(sync ? dir_.remove(id) : dir_.removeUnsynced(id));
  by_id_.erase(it);
  return okStatus();
}

}  // namespace ingress::store

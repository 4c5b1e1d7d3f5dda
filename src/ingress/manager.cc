#include "ingress/manager.h"

#include <algorithm>

#include "common/log.h"
#include "ingress/timestamp.h"
#include "ingress/validation.h"

namespace ingress::domain {
namespace {

constexpr int kIdAttempts = 16;

Status ingressNotFound(std::string_view id_or_name) {
  return notFound("ingress \"" + std::string(id_or_name) + "\" not found", "not_found");
}

bool isValidIdOrName(std::string_view s) { return isValidId(s) || isValidName(s); }

std::string hostPortText(const Match& m) {
  return m.hostname + ":" + std::to_string(m.port);
}

}  // namespace

Status Manager::State::add(const Ingress& ing) {
  if (id_by_name.count(ing.name) != 0) {
    return alreadyExists("name: an ingress named \"" + ing.name + "\" already exists",
                         "already_exists");
  }
  if (by_id.count(ing.name) != 0) {
    return alreadyExists("name: \"" + ing.name + "\" is the id of another ingress",
                         "already_exists");
  }
  for (size_t i = 0; i < ing.rules.size(); ++i) {
    const Match& m = ing.rules[i].match;
    auto it = id_by_host.find({m.hostname, m.port});
    if (it != id_by_host.end()) {
      return alreadyExists(rulePath(i) + ".match: " + hostPortText(m) +
                               " is already used by ingress \"" + by_id.at(it->second).name +
                               "\"",
                           "hostname_in_use");
    }
  }
  for (const Rule& r : ing.rules) {
    id_by_host.emplace(HostPort{r.match.hostname, r.match.port}, ing.id);
  }
  id_by_name.emplace(ing.name, ing.id);
  by_id.emplace(ing.id, ing);
  return okStatus();
}

void Manager::State::remove(const std::string& id) {
  auto it = by_id.find(id);
  if (it == by_id.end()) return;
  for (const Rule& r : it->second.rules) id_by_host.erase({r.match.hostname, r.match.port});
  id_by_name.erase(it->second.name);
  by_id.erase(it);
}

std::vector<Ingress> Manager::State::sorted() const {
  std::vector<Ingress> out;
  out.reserve(by_id.size());
  for (const auto& [id, ing] : by_id) out.push_back(ing);
  // by_id iterates in id order, so a stable sort by time gives (created_at, id).
  std::stable_sort(out.begin(), out.end(),
                   [](const Ingress& a, const Ingress& b) { return a.created_at < b.created_at; });
  return out;
}

const Ingress* Manager::State::find(std::string_view id_or_name) const {
  if (auto it = by_id.find(id_or_name); it != by_id.end()) return &it->second;
  if (auto it = id_by_name.find(id_or_name); it != id_by_name.end()) return &by_id.at(it->second);
  return nullptr;
}

Manager::Manager(store::IngressStore& ingresses, store::InstanceStore& instances,
                 instances::InstanceResolver& resolver, Clock& clock, IdGenerator& ids,
                 ConfigPublisher* publisher)
    : ingresses_(ingresses),
      instances_(instances),
      resolver_(resolver),
      clock_(clock),
      ids_(ids),
      publisher_(publisher) {
  // Oldest first, so that of two conflicting files the older one keeps its claim.
  for (const Ingress& ing : ingresses_.all()) {
    Status st = state_.add(ing);
    if (!st.ok()) {
      log::warn("stored ingress conflicts with an older one; not serving it",
                {{"ingress_id", ing.id}, {"name", ing.name}, {"error", st.message()}});
    }
  }
  pending_ = state_;
}

std::string Manager::newUniqueId(const State& state) {
  for (int i = 0; i < kIdAttempts; ++i) {
    std::string id = ids_.newId();
    if (isValidId(id) && state.by_id.count(id) == 0 && state.id_by_name.count(id) == 0) return id;
  }
  return {};
}

Status Manager::checkTargets(const Ingress& ing) {
  for (size_t i = 0; i < ing.rules.size(); ++i) {
    const std::string& instance = ing.rules[i].target.instance;
    auto ip = resolver_.resolve(instance);
    if (ip.ok() || ip.status().code() == StatusCode::kFailedPrecondition) continue;
    if (ip.status().code() == StatusCode::kNotFound) {
      return invalidArgument(rulePath(i) + ".target.instance: instance \"" + instance +
                                 "\" not found",
                             "instance_not_found");
    }
    return ip.status().withContext(rulePath(i) + ".target.instance");
  }
  return okStatus();
}

StatusOr<IngressView> Manager::createIngress(const IngressSpec& request) {
  IngressSpec spec = request;
  INGRESS_RETURN_IF_ERROR(validateIngressSpec(spec));
  auto ing = std::make_shared<Ingress>();
  ing->name = std::move(spec.name);
  ing->rules = std::move(spec.rules);
  // The resolver may be remote (hypeman): ask before taking any lock.
  INGRESS_RETURN_IF_ERROR(checkTargets(*ing));
  auto op = std::make_shared<Op>();
  op->apply = [ing](State& s) { return s.add(*ing); };
  op->persist = [this, ing] { return ingresses_.put(*ing); };
  {
    std::unique_lock lock(mutation_mu_);
    ing->created_at = truncateToMillis(clock_.now());
    ing->id = newUniqueId(pending_);
    if (ing->id.empty()) return internalError("could not generate a unique ingress id");
    INGRESS_RETURN_IF_ERROR(submit(op, lock));
  }
  log::info("ingress created", {{"ingress_id", ing->id}, {"name", ing->name}});
  std::map<std::string, RuleStatus> cache;
  return viewOf(*ing, cache);
}

Status Manager::deleteIngress(std::string_view id_or_name) {
  if (!isValidIdOrName(id_or_name)) return notFound("ingress not found", "not_found");
  auto removed = std::make_shared<Ingress>();
  auto op = std::make_shared<Op>();
  op->apply = [key = std::string(id_or_name), removed](State& s) -> Status {
    const Ingress* found = s.find(key);
    if (found == nullptr) return ingressNotFound(key);
    *removed = *found;
    s.remove(removed->id);
    return okStatus();
  };
  op->persist = [this, removed] { return ingresses_.remove(removed->id); };
  {
    std::unique_lock lock(mutation_mu_);
    INGRESS_RETURN_IF_ERROR(submit(op, lock));
  }
  log::info("ingress deleted", {{"ingress_id", removed->id}, {"name", removed->name}});
  return okStatus();
}

IngressView Manager::viewOf(const Ingress& ing, std::map<std::string, RuleStatus>& cache) const {
  IngressView view{ing, {}};
  for (const Rule& rule : ing.rules) {
    auto it = cache.find(rule.target.instance);
    if (it == cache.end()) {
      RuleStatus status;
      auto ip = resolver_.resolve(rule.target.instance);
      if (!ip.ok()) {
        status.state = RuleStatus::State::kUnresolved;
        status.reason = ip.status().message();
      }
      it = cache.emplace(rule.target.instance, std::move(status)).first;
    }
    view.rule_status.push_back(it->second);
  }
  return view;
}

SnapshotPtr Manager::makeSnapshot(const State& s) const {
  std::map<std::string, RuleResolution> cache;
  std::vector<ResolvedIngressPtr> entries;
  for (Ingress& ing : s.sorted()) {
    auto e = std::make_shared<ResolvedIngress>();
    for (const Rule& rule : ing.rules) {
      auto it = cache.find(rule.target.instance);
      if (it == cache.end()) {
        RuleResolution r;
        auto ip = resolver_.resolve(rule.target.instance);
        if (ip.ok()) {
          r.ip = *ip;
        } else {
          r.status.state = RuleStatus::State::kUnresolved;
          r.status.reason = ip.status().message();
        }
        it = cache.emplace(rule.target.instance, std::move(r)).first;
      }
      e->rules.push_back(it->second);
    }
    e->ingress = std::move(ing);
    entries.push_back(std::move(e));
  }
  return ConfigSnapshot::make(++generation_, std::move(entries));
}

SnapshotPtr Manager::current() const {
  std::shared_lock lock(state_mu_);
  return makeSnapshot(state_);
}

std::vector<Ingress> Manager::snapshot() const {
  std::shared_lock lock(state_mu_);
  return state_.sorted();
}

std::vector<IngressView> Manager::listIngresses() const {
  std::vector<Ingress> all = snapshot();
  std::map<std::string, RuleStatus> cache;  // one resolution per instance per listing
  std::vector<IngressView> out;
  out.reserve(all.size());
  for (const Ingress& ing : all) out.push_back(viewOf(ing, cache));
  return out;
}

StatusOr<IngressView> Manager::getIngress(std::string_view id_or_name) const {
  if (!isValidIdOrName(id_or_name)) return notFound("ingress not found", "not_found");
  Ingress copy;
  {
    std::shared_lock lock(state_mu_);
    const Ingress* found = state_.find(id_or_name);
    if (found == nullptr) return ingressNotFound(id_or_name);
    copy = *found;
  }
  std::map<std::string, RuleStatus> cache;
  return viewOf(copy, cache);
}

}  // namespace ingress::domain

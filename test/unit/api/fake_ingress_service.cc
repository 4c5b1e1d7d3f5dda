#include "fake_ingress_service.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace ingress::api::testing {
namespace {

domain::IngressView view(const domain::Ingress& ing) {
  domain::IngressView v;
  v.ingress = ing;
  v.rule_status.resize(ing.rules.size());
  return v;
}

}  // namespace

std::optional<Status> FakeIngressService::enter(std::string_view key) const {
  std::unique_lock lock(mu_);
  ++calls_started_;
  last_key_ = std::string(key);
  cv_.notify_all();
  cv_.wait(lock, [&] { return !held_; });
  std::optional<Status> failure = std::move(next_failure_);
  next_failure_.reset();
  return failure;
}

void FakeIngressService::failNext(Status status) {
  std::lock_guard lock(mu_);
  next_failure_ = std::move(status);
}

void FakeIngressService::holdCalls() {
  std::lock_guard lock(mu_);
  held_ = true;
}

void FakeIngressService::releaseCalls() {
  std::lock_guard lock(mu_);
  held_ = false;
  cv_.notify_all();
}

int FakeIngressService::callsStarted() const {
  std::lock_guard lock(mu_);
  return calls_started_;
}

std::string FakeIngressService::lastKey() const {
  std::lock_guard lock(mu_);
  return last_key_;
}

StatusOr<domain::IngressView> FakeIngressService::createIngress(const domain::IngressSpec& spec) {
  if (auto f = enter(spec.name)) return *f;
  std::lock_guard lock(mu_);
  if (spec.name.empty()) return invalidArgument("name: is required", "bad_request");
  for (const auto& ing : ingresses_) {
    if (ing.name == spec.name) {
      return alreadyExists("an ingress named \"" + spec.name + "\" exists", "already_exists");
    }
  }
  for (const auto& rule : spec.rules) {
    if (instances_.count(rule.target.instance) == 0) {
      return invalidArgument("instance \"" + rule.target.instance + "\" not found",
                             "instance_not_found");
    }
  }
  domain::Ingress ing;
  char id[32];
  std::snprintf(id, sizeof(id), "a%023d", next_id_++);
  ing.id = id;
  ing.name = spec.name;
  ing.rules = spec.rules;
  ing.created_at =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));
  ingresses_.push_back(ing);
  return view(ing);
}

std::vector<domain::IngressView> FakeIngressService::listIngresses() const {
  enter("");
  std::lock_guard lock(mu_);
  std::vector<domain::IngressView> out;
  for (const auto& ing : ingresses_) out.push_back(view(ing));
  return out;
}

StatusOr<domain::IngressView> FakeIngressService::getIngress(std::string_view id_or_name) const {
  if (auto f = enter(id_or_name)) return *f;
  std::lock_guard lock(mu_);
  for (const auto& ing : ingresses_) {
    if (ing.id == id_or_name) return view(ing);
  }
  for (const auto& ing : ingresses_) {
    if (ing.name == id_or_name) return view(ing);
  }
  return notFound("ingress \"" + std::string(id_or_name) + "\" not found", "not_found");
}

Status FakeIngressService::deleteIngress(std::string_view id_or_name) {
  if (auto f = enter(id_or_name)) return *f;
  std::lock_guard lock(mu_);
  auto it = std::find_if(ingresses_.begin(), ingresses_.end(), [&](const domain::Ingress& i) {
    return i.id == id_or_name || i.name == id_or_name;
  });
  if (it == ingresses_.end()) {
    return notFound("ingress \"" + std::string(id_or_name) + "\" not found", "not_found");
  }
  ingresses_.erase(it);
  return okStatus();
}

StatusOr<domain::Instance> FakeIngressService::putInstance(const domain::Instance& instance) {
  if (auto f = enter(instance.name)) return *f;
  std::lock_guard lock(mu_);
  instances_[instance.name] = instance;
  return instance;
}

std::vector<domain::Instance> FakeIngressService::listInstances() const {
  enter("");
  std::lock_guard lock(mu_);
  std::vector<domain::Instance> out;
  for (const auto& [name, inst] : instances_) out.push_back(inst);
  return out;
}

StatusOr<domain::Instance> FakeIngressService::getInstance(std::string_view name) const {
  if (auto f = enter(name)) return *f;
  std::lock_guard lock(mu_);
  auto it = instances_.find(std::string(name));
  if (it == instances_.end()) return notFound("instance not found", "not_found");
  return it->second;
}

Status FakeIngressService::deleteInstance(std::string_view name) {
  if (auto f = enter(name)) return *f;
  std::lock_guard lock(mu_);
  if (instances_.erase(std::string(name)) == 0) return notFound("instance not found", "not_found");
  return okStatus();
}

}  // namespace ingress::api::testing

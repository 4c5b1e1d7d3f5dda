// FakeIngressService: an in-memory IngressService for api/ tests. Enough behaviour to exercise
// every route (create/get/list/delete by id or name, name conflicts, instance registry), plus
// knobs: failNext() makes the next call fail with a given Status, and holdCalls() blocks every
// call until releaseCalls() (for graceful-stop tests). Thread-safe.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ingress/service.h"

namespace ingress::api::testing {

class FakeIngressService final : public domain::IngressService {
 public:
  StatusOr<domain::IngressView> createIngress(const domain::IngressSpec& spec) override;
  std::vector<domain::IngressView> listIngresses() const override;
  StatusOr<domain::IngressView> getIngress(std::string_view id_or_name) const override;
  Status deleteIngress(std::string_view id_or_name) override;
  StatusOr<domain::Instance> putInstance(const domain::Instance& instance) override;
  std::vector<domain::Instance> listInstances() const override;
  StatusOr<domain::Instance> getInstance(std::string_view name) const override;
  Status deleteInstance(std::string_view name) override;

  void failNext(Status status);
  // Every call blocks (after counting itself in callsStarted()) until releaseCalls().
  void holdCalls();
  void releaseCalls();
  int callsStarted() const;
  // The last id_or_name / name any lookup received.
  std::string lastKey() const;

 private:
  // Counts the call, waits while held, and returns the injected failure if any.
  std::optional<Status> enter(std::string_view key) const;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable int calls_started_ = 0;
  mutable std::string last_key_;
  mutable std::optional<Status> next_failure_;
  bool held_ = false;
  int next_id_ = 1;
  std::vector<domain::Ingress> ingresses_;             // creation order
  std::map<std::string, domain::Instance> instances_;  // by name
};

}  // namespace ingress::api::testing

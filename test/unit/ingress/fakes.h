// Test doubles for the Manager's collaborators: a settable clock, predictable ids, a resolver
// driven by a table, and a publisher that records calls and can be told to refuse.
// All are thread-safe, because the concurrency tests share them between threads.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "ingress/ids.h"
#include "ingress/publisher.h"
#include "instances/resolver.h"
#include "test_common/fake_clock.h"

namespace ingress::testing {

// Hands out `queued` ids first, then "id000000000000000000000N"-style ones.
class SequenceIdGenerator final : public domain::IdGenerator {
 public:
  std::string newId() override {
    std::lock_guard lock(mu_);
    if (!queued_.empty()) {
      std::string id = queued_.front();
      queued_.erase(queued_.begin());
      return id;
    }
    std::string n = std::to_string(++next_);
    return "id" + std::string(22 - n.size(), '0') + n;
  }
  void queue(std::string id) {
    std::lock_guard lock(mu_);
    queued_.push_back(std::move(id));
  }

 private:
  std::mutex mu_;
  std::vector<std::string> queued_;
  int next_ = 0;
};

class FakeResolver final : public instances::InstanceResolver {
 public:
  void set(const std::string& name, std::string ip) {
    std::lock_guard lock(mu_);
    table_.insert_or_assign(name, StatusOr<std::string>(std::move(ip)));
  }
  void setError(const std::string& name, Status st) {
    std::lock_guard lock(mu_);
    table_.insert_or_assign(name, StatusOr<std::string>(std::move(st)));
  }
  void erase(const std::string& name) {
    std::lock_guard lock(mu_);
    table_.erase(name);
  }
  bool exists(std::string_view name) override {
    auto r = resolve(name);
    return r.ok() || r.status().code() == StatusCode::kFailedPrecondition;
  }
  StatusOr<std::string> resolve(std::string_view name) override {
    std::lock_guard lock(mu_);
    auto it = table_.find(std::string(name));
    if (it == table_.end()) {
      return notFound("instance \"" + std::string(name) + "\" not found", "instance_not_found");
    }
    return it->second;
  }

 private:
  std::mutex mu_;
  std::map<std::string, StatusOr<std::string>> table_;
};

class RecordingPublisher final : public domain::ConfigPublisher {
 public:
  Status publish(const domain::SnapshotPtr& next) override {
    std::vector<domain::Ingress> all;
    for (const auto& e : next->ingresses()) all.push_back(e->ingress);
    std::lock_guard lock(mu_);
    calls_.push_back(all);
    if (fail_next_ > 0) {
      --fail_next_;
      return aborted("envoy rejected the configuration", "config_rejected");
    }
    return okStatus();
  }
  void failNext(int n = 1) {
    std::lock_guard lock(mu_);
    fail_next_ = n;
  }
  std::vector<std::vector<domain::Ingress>> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::vector<domain::Ingress>> calls_;
  int fail_next_ = 0;
};

}  // namespace ingress::testing

// The Manager under test, wired to real stores in a temporary directory (through a
// FaultyFilesystem), a fake clock, predictable ids, a table-driven resolver (or the registry
// resolver) and a recording publisher. reopen() simulates a process restart.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "common/filesystem.h"
#include "ingress/manager.h"
#include "instances/registry_resolver.h"
#include "test_common/test_env.h"
#include "unit/ingress/fakes.h"
#include "unit/ingress/status_matchers.h"
#include "unit/store/faulty_filesystem.h"

namespace ingress::domain {

using namespace std::chrono_literals;

class ManagerTest : public ::testing::Test {
 protected:
  // 2026-11-28T03:04:05.123456Z: sub-millisecond digits that created_at must drop.
  static constexpr auto kStart = std::chrono::system_clock::time_point{} + 1795835045123456us;

  ManagerTest() : fs_(real_fs_), clock_(kStart) {}

  void SetUp() override {
    resolver_table_.set("vm", "10.0.0.1");
    resolver_table_.set("vm2", "10.0.0.2");
    reopen();
  }

  // Drops the Manager and the stores and builds them again from disk.
  void reopen() {
    manager_.reset();
    registry_.reset();
    ingress_store_ = std::make_unique<store::IngressStore>(fs_, clock_, dir_.path());
    instance_store_ = std::make_unique<store::InstanceStore>(fs_, clock_, dir_.path());
    ASSERT_TRUE(ingress_store_->load().ok());
    ASSERT_TRUE(instance_store_->load().ok());
    registry_ = std::make_unique<instances::RegistryResolver>(*instance_store_);
    instances::InstanceResolver& resolver =
        use_registry_ ? static_cast<instances::InstanceResolver&>(*registry_) : resolver_table_;
    manager_ = std::make_unique<Manager>(*ingress_store_, *instance_store_, resolver, clock_, ids_,
                                         &publisher_, limits_, target_policy_, catalog_);
  }

  static IngressSpec spec(std::string name, std::string hostname, uint16_t port = 80,
                          std::string instance = "vm", uint16_t target_port = 8080) {
    return IngressSpec{std::move(name),
                       {Rule{{std::move(hostname), port}, {std::move(instance), target_port}}}};
  }

  StatusOr<IngressView> create(std::string name, std::string hostname, uint16_t port = 80) {
    return manager_->createIngress(spec(std::move(name), std::move(hostname), port));
  }

  // The .json files in the ingress store directory.
  std::vector<std::string> ingressFiles() {
    auto names = real_fs_.listDir(dir_.file("ingresses"));
    std::vector<std::string> out;
    if (!names.ok()) return out;
    for (const auto& n : *names) {
      if (n.size() > 5 && n.ends_with(".json")) out.push_back(n);
    }
    return out;
  }

  ingress::testing::TempDir dir_;
  FilesystemImpl real_fs_;
  ingress::testing::FaultyFilesystem fs_;
  ingress::testing::FakeClock clock_;
  ingress::testing::SequenceIdGenerator ids_;
  ingress::testing::FakeResolver resolver_table_;
  ingress::testing::RecordingPublisher publisher_;
  bool use_registry_ = false;
  std::unique_ptr<store::IngressStore> ingress_store_;
  std::unique_ptr<store::InstanceStore> instance_store_;
  std::unique_ptr<instances::RegistryResolver> registry_;
  std::unique_ptr<Manager> manager_;
  ManagerLimits limits_;                         // set, then reopen(), to test the caps
  const TargetPolicy* target_policy_ = nullptr;  // set, then reopen(), to check targets
  const CertificateCatalog* catalog_ = nullptr;  // set, then reopen(), for TLS rules
};

}  // namespace ingress::domain

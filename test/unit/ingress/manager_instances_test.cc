#include <gtest/gtest.h>

#include "unit/ingress/manager_test_fixture.h"

namespace ingress::domain {
namespace {

using ingress::testing::expectBadRequest;
using ingress::testing::expectStatus;

// These tests resolve targets through the built-in registry.
class ManagerInstancesTest : public ManagerTest {
 protected:
  void SetUp() override {
    use_registry_ = true;
    reopen();
  }
};

TEST_F(ManagerInstancesTest, PutGetListDelete) {
  auto put = manager_->putInstance(Instance{"vm-b", "2001:DB8::0:7"});
  ASSERT_TRUE(put.ok()) << put.status().toString();
  EXPECT_EQ(*put, (Instance{"vm-b", "2001:db8::7"}));
  ASSERT_TRUE(manager_->putInstance(Instance{"vm-a", "10.0.0.1"}).ok());
  EXPECT_EQ(manager_->listInstances(),
            (std::vector<Instance>{{"vm-a", "10.0.0.1"}, {"vm-b", "2001:db8::7"}}));
  // Replace.
  ASSERT_TRUE(manager_->putInstance(Instance{"vm-a", "10.0.0.9"}).ok());
  EXPECT_EQ(manager_->getInstance("vm-a")->ip, "10.0.0.9");
  reopen();
  EXPECT_EQ(manager_->getInstance("vm-a")->ip, "10.0.0.9");
  ASSERT_TRUE(manager_->deleteInstance("vm-a").ok());
  expectStatus(manager_->getInstance("vm-a").status(), StatusCode::kNotFound, "not_found",
               "instance \"vm-a\" not found");
  expectStatus(manager_->deleteInstance("vm-a"), StatusCode::kNotFound, "not_found",
               "instance \"vm-a\" not found");
}

TEST_F(ManagerInstancesTest, InvalidInputIsRejectedBeforeAnyPathUse) {
  expectBadRequest(manager_->putInstance(Instance{"../etc", "10.0.0.1"}).status(),
                   "name: must consist of lowercase letters, digits and '-', and start and end "
                   "with a letter or digit");
  expectBadRequest(manager_->putInstance(Instance{"vm", "10.0.0.300"}).status(),
                   "ip: must be an IPv4 or IPv6 address");
  for (std::string_view bad : {"", "../etc", "VM", "a/b"}) {
    expectStatus(manager_->getInstance(bad).status(), StatusCode::kNotFound, "not_found",
                 "instance not found");
    expectStatus(manager_->deleteInstance(bad), StatusCode::kNotFound, "not_found",
                 "instance not found");
  }
  EXPECT_EQ(fs_.writes(), 0);
}

TEST_F(ManagerInstancesTest, IngressTargetsMustBeRegistered) {
  expectStatus(create("web", "a.example.com").status(), StatusCode::kInvalidArgument,
               "instance_not_found", "rules[0].target.instance: instance \"vm\" not found");
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "10.0.0.1"}).ok());
  EXPECT_TRUE(create("web", "a.example.com").ok());
}

TEST_F(ManagerInstancesTest, DeletingAnInstanceLeavesIngressesWithUnresolvedRules) {
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "10.0.0.1"}).ok());
  ASSERT_TRUE(create("web", "a.example.com").ok());
  ASSERT_TRUE(manager_->deleteInstance("vm").ok());
  auto got = manager_->getIngress("web");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->rule_status[0].state, RuleStatus::State::kUnresolved);
  EXPECT_EQ(got->rule_status[0].reason, "instance \"vm\" not found");
  // Coming back makes the rule active again.
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "10.0.0.2"}).ok());
  EXPECT_EQ(manager_->getIngress("web")->rule_status[0].state, RuleStatus::State::kActive);
}

TEST_F(ManagerInstancesTest, ChangesToTargetedInstancesArePublished) {
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "10.0.0.1"}).ok());
  ASSERT_TRUE(manager_->putInstance(Instance{"spare", "10.0.0.5"}).ok());
  EXPECT_TRUE(publisher_.calls().empty());  // nothing targets them yet
  ASSERT_TRUE(create("web", "a.example.com").ok());
  ASSERT_EQ(publisher_.calls().size(), 1u);
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "10.0.0.2"}).ok());
  EXPECT_EQ(publisher_.calls().size(), 2u);
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "10.0.0.2"}).ok());  // no change
  ASSERT_TRUE(manager_->deleteInstance("spare").ok());                  // not targeted
  EXPECT_EQ(publisher_.calls().size(), 2u);
}

TEST_F(ManagerInstancesTest, PublishFailureUndoesTheInstanceChange) {
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "10.0.0.1"}).ok());
  ASSERT_TRUE(create("web", "a.example.com").ok());
  publisher_.failNext();
  expectStatus(manager_->putInstance(Instance{"vm", "10.0.0.2"}).status(), StatusCode::kAborted,
               "config_rejected", "envoy rejected the configuration");
  EXPECT_EQ(manager_->getInstance("vm")->ip, "10.0.0.1");
  publisher_.failNext();
  expectStatus(manager_->deleteInstance("vm"), StatusCode::kAborted, "config_rejected",
               "envoy rejected the configuration");
  reopen();
  EXPECT_EQ(manager_->getInstance("vm")->ip, "10.0.0.1");
}

TEST_F(ManagerInstancesTest, StoreFailureOnPutLeavesTheOldInstance) {
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "10.0.0.1"}).ok());
  fs_.failNthWrite(1);
  EXPECT_EQ(manager_->putInstance(Instance{"vm", "10.0.0.2"}).status().code(),
            StatusCode::kInternal);
  EXPECT_EQ(manager_->getInstance("vm")->ip, "10.0.0.1");
  reopen();
  EXPECT_EQ(manager_->getInstance("vm")->ip, "10.0.0.1");
}

}  // namespace
}  // namespace ingress::domain

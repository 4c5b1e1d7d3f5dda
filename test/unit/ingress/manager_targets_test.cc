// The Manager with a TargetPolicy: denied targets are refused at create (400 target_denied naming
// the field, nothing stored or published) and make rules unresolved when an instance moves to
// one later.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "unit/ingress/manager_test_fixture.h"

namespace ingress::domain {
namespace {

using ingress::testing::expectStatus;
using ::testing::HasSubstr;

std::vector<Cidr> cidrs(std::string_view text) { return *parseCidrList(text); }

class ManagerTargetsTest : public ManagerTest {
 protected:
  void SetUp() override {
    use_registry_ = true;
    target_policy_ = &policy_;
    reopen();
  }

  void expectDenied(const Status& st, const std::string& message) {
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.toString();
    EXPECT_EQ(st.reason(), "target_denied") << st.toString();
    EXPECT_EQ(st.message(), message);
    EXPECT_TRUE(ingressFiles().empty());
    EXPECT_TRUE(publisher_.calls().empty());
    EXPECT_TRUE(manager_->listIngresses().empty());
  }

  TargetPolicy policy_{cidrs(kDefaultTargetDenyCidrs)};
};

TEST_F(ManagerTargetsTest, CreateToLoopbackIsRefusedWithTheDefaultDenyList) {
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "127.0.0.1"}).ok());
  expectDenied(create("web", "a.example.com").status(),
               "rules[0].target.instance: instance \"vm\" resolves to a denied target: "
               "127.0.0.1 is in TARGET_DENY_CIDRS (127.0.0.0/8)");
}

TEST_F(ManagerTargetsTest, TheErrorNamesTheRuleThatIsDenied) {
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "10.0.0.1"}).ok());
  ASSERT_TRUE(manager_->putInstance(Instance{"meta", "169.254.169.254"}).ok());
  IngressSpec s = spec("web", "a.example.com");
  s.rules.push_back(Rule{{"b.example.com", 80}, {"meta", 80}});
  expectDenied(manager_->createIngress(s).status(),
               "rules[1].target.instance: instance \"meta\" resolves to a denied target: "
               "169.254.169.254 is in TARGET_DENY_CIDRS (169.254.0.0/16)");
}

TEST_F(ManagerTargetsTest, MappedIpv6IsCheckedAsIpv4) {
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "::ffff:127.0.0.1"}).ok());
  const std::string ip = manager_->getInstance("vm")->ip;  // canonical form, still mapped
  expectDenied(create("web", "a.example.com").status(),
               "rules[0].target.instance: instance \"vm\" resolves to a denied target: " + ip +
                   " is in TARGET_DENY_CIDRS (127.0.0.0/8)");
}

TEST_F(ManagerTargetsTest, OwnSocketsAreRefusedWithAnEmptyDenyList) {
  TargetPolicy open_policy({});
  open_policy.addOwnSocket(
      {ownSocketAddresses(*parseIpAddress("127.0.0.1"), {}), 9901, "Envoy admin"});
  target_policy_ = &open_policy;
  reopen();
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "127.0.0.1"}).ok());
  expectDenied(manager_->createIngress(spec("web", "a.example.com", 80, "vm", 9901)).status(),
               "rules[0].target.instance: instance \"vm\" resolves to a denied target: "
               "127.0.0.1:9901 is this daemon's Envoy admin");
  // Another port of loopback is fine with this deny list.
  EXPECT_TRUE(manager_->createIngress(spec("web", "a.example.com", 80, "vm", 8080)).ok());
}

TEST_F(ManagerTargetsTest, EnvoyListenerPortsAreRefusedAtLocalAddresses) {
  TargetPolicy open_policy({});
  open_policy.setListenerAddresses(
      ownSocketAddresses(*parseIpAddress("0.0.0.0"), cidrs("127.0.0.0/8")));
  target_policy_ = &open_policy;
  reopen();
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "127.0.0.1"}).ok());
  ASSERT_TRUE(manager_->createIngress(spec("one", "a.example.com", 8081, "vm", 9000)).ok());
  // Port 8081 is a listener now; so is the new ingress's own port.
  expectStatus(manager_->createIngress(spec("two", "b.example.com", 80, "vm", 8081)).status(),
               StatusCode::kInvalidArgument, "target_denied",
               "rules[0].target.instance: instance \"vm\" resolves to a denied target: "
               "127.0.0.1:8081 is one of this daemon's Envoy ingress listeners");
  expectStatus(manager_->createIngress(spec("three", "c.example.com", 8082, "vm", 8082)).status(),
               StatusCode::kInvalidArgument, "target_denied",
               "rules[0].target.instance: instance \"vm\" resolves to a denied target: "
               "127.0.0.1:8082 is one of this daemon's Envoy ingress listeners");
  EXPECT_EQ(manager_->listIngresses().size(), 1u);
}

TEST_F(ManagerTargetsTest, OpeningThePortAnotherIngressTargetsOnThisHostIsRefused) {
  TargetPolicy open_policy({});
  open_policy.setListenerAddresses(
      ownSocketAddresses(*parseIpAddress("0.0.0.0"), cidrs("127.0.0.0/8")));
  target_policy_ = &open_policy;
  reopen();
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "127.0.0.1"}).ok());
  // A service on this host's port 8085 is a fine target while Envoy does not listen there.
  ASSERT_TRUE(manager_->createIngress(spec("svc", "a.example.com", 80, "vm", 8085)).ok());
  const size_t published = publisher_.calls().size();
  // Opening 8085 as a listener would turn that rule into a loop through Envoy.
  expectStatus(manager_->createIngress(spec("two", "b.example.com", 8085, "vm", 9000)).status(),
               StatusCode::kAlreadyExists, "port_in_use",
               "rules[0].match.port: port 8085 is where the target of ingress \"svc\" rules[0] "
               "listens on this host; as an Envoy listener port it would route that rule into "
               "Envoy itself");
  EXPECT_EQ(manager_->listIngresses().size(), 1u);
  EXPECT_EQ(publisher_.calls().size(), published);
  EXPECT_EQ(manager_->getIngress("svc")->rule_status[0].state, RuleStatus::State::kActive);
  // A port no target is on opens as usual.
  EXPECT_TRUE(manager_->createIngress(spec("three", "c.example.com", 8086, "vm", 9000)).ok());
}

TEST_F(ManagerTargetsTest, ConcurrentCreatesNeverLeaveAnActiveRuleTargetingAListener) {
  // Half the creates open port 8100+k, the other half target 127.0.0.1:8100+k, all at once:
  // whichever is admitted second is refused, so no active rule ever targets a listener.
  TargetPolicy open_policy({});
  open_policy.setListenerAddresses(
      ownSocketAddresses(*parseIpAddress("0.0.0.0"), cidrs("127.0.0.0/8")));
  target_policy_ = &open_policy;
  reopen();
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "127.0.0.1"}).ok());
  constexpr int kPairs = 24;
  std::vector<std::thread> threads;
  for (int k = 0; k < kPairs; ++k) {
    const auto port = static_cast<uint16_t>(8100 + k);
    threads.emplace_back([&, k, port] {
      (void)manager_->createIngress(spec(
          "open" + std::to_string(k), "o" + std::to_string(k) + ".example.com", port, "vm", 9000));
    });
    threads.emplace_back([&, k, port] {
      (void)manager_->createIngress(spec("aim" + std::to_string(k),
                                         "t" + std::to_string(k) + ".example.com", 80, "vm", port));
    });
  }
  for (auto& t : threads) t.join();
  std::set<uint16_t> listeners;
  const SnapshotPtr s = manager_->current();
  for (const auto& e : s->ingresses()) {
    for (const auto& r : e->ingress.rules) listeners.insert(r.match.port);
  }
  size_t created = 0;
  for (const auto& e : s->ingresses()) {
    ++created;
    for (size_t i = 0; i < e->rules.size(); ++i) {
      if (!e->rules[i].active()) continue;
      EXPECT_EQ(listeners.count(e->ingress.rules[i].target.port), 0u)
          << e->ingress.name << " targets listener port " << e->ingress.rules[i].target.port;
    }
  }
  EXPECT_EQ(created, static_cast<size_t>(kPairs)) << "one of each pair";
}

TEST_F(ManagerTargetsTest, InstanceMovedToADeniedAddressBecomesUnresolved) {
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "10.0.0.1"}).ok());
  ASSERT_TRUE(create("web", "a.example.com").ok());
  ASSERT_EQ(publisher_.calls().size(), 1u);
  // The instance itself may move (it exists); its rules stop routing.
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "169.254.169.254"}).ok());
  auto got = manager_->getIngress("web");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->rule_status[0].state, RuleStatus::State::kUnresolved);
  EXPECT_EQ(got->rule_status[0].reason,
            "instance \"vm\" resolves to a denied target: 169.254.169.254 is in "
            "TARGET_DENY_CIDRS (169.254.0.0/16)");
  // What Envoy is given: the rule without an address, so no cluster routes to it.
  EXPECT_EQ(publisher_.calls().size(), 2u);
  const SnapshotPtr s = manager_->current();
  ASSERT_EQ(s->ingresses().size(), 1u);
  EXPECT_FALSE(s->ingresses()[0]->rules[0].active());
  EXPECT_EQ(s->ingresses()[0]->rules[0].ip, "");
  EXPECT_EQ(s->unresolvedRules(), 1u);
  // Back to an allowed address: active again.
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "10.0.0.2"}).ok());
  EXPECT_EQ(manager_->getIngress("web")->rule_status[0].state, RuleStatus::State::kActive);
  EXPECT_EQ(manager_->current()->ingresses()[0]->rules[0].ip, "10.0.0.2");
}

TEST_F(ManagerTargetsTest, StoredIngressToADeniedAddressIsUnresolvedAtStart) {
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "10.0.0.1"}).ok());
  ASSERT_TRUE(create("web", "a.example.com").ok());
  // The instance moves while no policy is in force (an older version), then the daemon starts.
  target_policy_ = nullptr;
  reopen();
  ASSERT_TRUE(manager_->putInstance(Instance{"vm", "127.0.0.1"}).ok());
  EXPECT_EQ(manager_->getIngress("web")->rule_status[0].state, RuleStatus::State::kActive);
  target_policy_ = &policy_;
  reopen();
  auto got = manager_->getIngress("web");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->rule_status[0].state, RuleStatus::State::kUnresolved);
  EXPECT_THAT(got->rule_status[0].reason, HasSubstr("127.0.0.1 is in TARGET_DENY_CIDRS"));
}

TEST_F(ManagerTargetsTest, ReconcileNoticesAMoveToADeniedAddress) {
  // A resolver outside the registry (hypeman) moves the instance without an API call.
  use_registry_ = false;
  resolver_table_.set("vm", "10.0.0.1");
  reopen();
  ASSERT_TRUE(create("web", "a.example.com").ok());
  resolver_table_.set("vm", "::ffff:169.254.169.254");
  ASSERT_TRUE(manager_->reconcileInstances().ok());
  auto got = manager_->getIngress("web");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->rule_status[0].state, RuleStatus::State::kUnresolved);
  EXPECT_EQ(got->rule_status[0].reason,
            "instance \"vm\" resolves to a denied target: ::ffff:169.254.169.254 is in "
            "TARGET_DENY_CIDRS (169.254.0.0/16)");
}

}  // namespace
}  // namespace ingress::domain

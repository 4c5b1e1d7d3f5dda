// planRouting and the builders on top of it: grouping by port and hostname, shared named
// targets, unresolved rules left out and reported, and the `*` 404 host last.
#include "envoy/routing_plan.h"

#include <gtest/gtest.h>

#include "envoy/xds_builder.h"
#include "test_common/snapshot_of.h"

namespace ingress::testing {
namespace {

const std::map<std::string, std::string> kVms = {{"vm-a", "10.0.0.1"}, {"vm-b", "fd00::2"}};

TEST(RoutingPlanTest, GroupsByPortThenHostnameAndSharesNamedTargets) {
  auto plan =
      envoy::planRouting(*snapshotOf({ingressOf("i1", {rule("b.example.com", 9000, "vm-a", 80),
                                                       rule("a.example.com", 9000, "vm-a", 80)}),
                                      ingressOf("i2", {rule("a.example.com", 9001, "vm-b", 8080)})},
                                     kVms));
  ASSERT_EQ(plan.ports.size(), 2u);
  const auto& p9000 = plan.ports.at(9000).hosts;
  ASSERT_EQ(p9000.size(), 2u);
  EXPECT_EQ(p9000[0].hostname, "a.example.com");
  EXPECT_EQ(p9000[1].hostname, "b.example.com");
  ASSERT_EQ(p9000[0].routes.size(), 1u);
  EXPECT_EQ(p9000[0].routes[0].prefix, "/");
  EXPECT_EQ(p9000[0].routes[0].target, "target_10.0.0.1_80");
  EXPECT_EQ(p9000[1].routes[0].target, "target_10.0.0.1_80");
  EXPECT_EQ(plan.ports.at(9001).hosts[0].routes[0].target, "target_fd00--2_8080");
  ASSERT_EQ(plan.targets.size(), 2u);
  EXPECT_EQ(plan.targets.at("target_fd00--2_8080").ip, "fd00::2");
  EXPECT_TRUE(plan.unresolved.empty());
}

TEST(RoutingPlanTest, UnresolvedRulesAreLeftOutAndReportedWithTheirReason) {
  auto snap = snapshotOf({ingressOf("i1", {rule("a.example.com", 9000, "vm-a", 80),
                                           rule("gone.example.com", 9000, "vm-gone", 80)}),
                          ingressOf("i2", {rule("x.example.com", 9001, "vm-gone", 80)})},
                         kVms);
  auto plan = envoy::planRouting(*snap);
  ASSERT_EQ(plan.unresolved.size(), 2u);
  EXPECT_EQ(plan.unresolved[0].ingress_id, "i1");
  EXPECT_EQ(plan.unresolved[0].rule_index, 1u);
  EXPECT_EQ(plan.unresolved[0].reason, "instance \"vm-gone\" not found");
  EXPECT_EQ(plan.unresolved[1].ingress_id, "i2");
  EXPECT_EQ(plan.ports.count(9001), 0u) << "a port with no routable rule gets no listener";

  envoy::BuilderSettings s;
  s.xds_dir = "/x";
  auto config = envoy::buildXds(snap, s);
  EXPECT_EQ(config.listeners.size(), 1u);
  EXPECT_EQ(config.unresolved.size(), 2u);
  const Json table = config.routes.at(9000)->json();
  const Json& vhosts = table["virtual_hosts"];
  ASSERT_EQ(vhosts.size(), 2u);
  EXPECT_EQ(vhosts[0]["domains"], Json::array({"a.example.com"}));
  EXPECT_EQ(vhosts.back()["domains"], Json::array({"*"}));
  EXPECT_EQ(vhosts.back()["routes"][0]["direct_response"]["body"]["inline_string"],
            envoy::kNotFoundBody);
  EXPECT_EQ(table["ignore_port_in_host_matching"], true);
}

TEST(RoutingPlanTest, AnUnrelatedChangeKeepsTheOtherFilesIdentical) {
  envoy::BuilderSettings s;
  s.xds_dir = "/x";
  const auto one = envoy::buildXds(
      snapshotOf({ingressOf("i1", {rule("a.example.com", 9000, "vm-a", 80)})}, kVms), s);
  const auto two =
      envoy::buildXds(snapshotOf({ingressOf("i1", {rule("a.example.com", 9000, "vm-a", 80)}),
                                  ingressOf("i2", {rule("b.example.com", 9001, "vm-b", 80)})},
                                 kVms),
                      s);
  EXPECT_EQ(one.routes.at(9000)->resource, two.routes.at(9000)->resource);
  EXPECT_EQ(one.routes.at(9000)->version, two.routes.at(9000)->version);
  EXPECT_EQ(one.clusters->json()[0], two.clusters->json()[0]);
  EXPECT_NE(one.version, two.version);
}

TEST(RoutingPlanTest, RedirectsToHttpsOmitPort443AndYieldToAPlainRule) {
  envoy::BuilderSettings s;
  s.xds_dir = "/x";
  s.sds_dir = "/sds";
  s.tls.http_port = 8080;
  auto config =
      envoy::buildXds(snapshotOf({ingressOf("i1", {tlsRule("a.example.com", 443, "vm-a", 80, true),
                                                   tlsRule("b.example.com", 8443, "vm-a", 80, true),
                                                   tlsRule("c.example.com", 443, "vm-a", 80, true),
                                                   rule("c.example.com", 8080, "vm-b", 80)})},
                                 kVms),
                      s);
  const Json vhosts = config.routes.at(8080)->json()["virtual_hosts"];
  ASSERT_EQ(vhosts.size(), 4u);  // a, b, c (plain: no redirect), `*`
  const Json& a = vhosts[0]["routes"].back()["redirect"];
  EXPECT_EQ(a["https_redirect"], true);
  EXPECT_FALSE(a.contains("port_redirect")) << "443: https://a.example.com/...";
  EXPECT_EQ(a["response_code"], "PERMANENT_REDIRECT");
  EXPECT_EQ(vhosts[1]["routes"].back()["redirect"]["port_redirect"], 8443);
  EXPECT_EQ(vhosts[2]["routes"].back()["route"]["cluster"], "target_fd00--2_80");
  EXPECT_EQ(vhosts[0]["routes"].size(), 1u) << "no challenge route without ACME";
  // The http port's listener drops the Host's port, so Location has none for 443.
  ASSERT_EQ(config.listeners.size(), 3u);  // 443, 8080, 8443 (sorted by port)
  EXPECT_EQ(config.listeners[0]["default_filter_chain"]["filters"][1]["typed_config"].contains(
                "strip_any_host_port"),
            false);
  EXPECT_EQ(
      config.listeners[1]["filter_chains"][0]["filters"][1]["typed_config"]["strip_any_host_port"],
      true);
}

}  // namespace
}  // namespace ingress::testing

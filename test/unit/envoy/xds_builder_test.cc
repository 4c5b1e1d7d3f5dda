// XdsBuilder builds by difference: after any sequence of snapshots its output equals a fresh
// build of the last one (and the plan-based tables), and a change leaves what it does not touch
// as it was: the same route table objects, the same versions.
#include <gtest/gtest.h>

#include <random>

#include "envoy/xds_builder.h"
#include "test_common/snapshot_of.h"

namespace ingress::testing {
namespace {

using domain::Ingress;
using domain::ResolvedIngress;
using domain::ResolvedIngressPtr;
using domain::SnapshotPtr;

envoy::BuilderSettings settings() {
  envoy::BuilderSettings s;
  s.listen_address = "127.0.0.1";
  s.xds_dir = "/x";
  return s;
}

// Everything a configuration says, for comparing two of them.
void expectSameConfig(const envoy::XdsConfig& got, const envoy::XdsConfig& want) {
  EXPECT_EQ(got.version, want.version);
  EXPECT_EQ(got.clusters->version(), want.clusters->version());
  EXPECT_EQ(got.listeners_version, want.listeners_version);
  EXPECT_EQ(got.clusters->file(), want.clusters->file());
  EXPECT_EQ(got.listeners, want.listeners);
  ASSERT_EQ(got.routes.size(), want.routes.size());
  for (const auto& [port, table] : want.routes) {
    ASSERT_TRUE(got.routes.count(port)) << port;
    EXPECT_EQ(got.routes.at(port)->version, table->version) << port;
    EXPECT_EQ(got.routes.at(port)->resource, table->resource) << port;
    EXPECT_EQ(got.routes.at(port)->virtual_hosts, table->virtual_hosts) << port;
  }
  ASSERT_EQ(got.unresolved.size(), want.unresolved.size());
  for (size_t i = 0; i < want.unresolved.size(); ++i) {
    EXPECT_EQ(got.unresolved[i].ingress_id, want.unresolved[i].ingress_id);
    EXPECT_EQ(got.unresolved[i].rule_index, want.unresolved[i].rule_index);
    EXPECT_EQ(got.unresolved[i].reason, want.unresolved[i].reason);
  }
  ASSERT_EQ(got.port_rules.size(), want.port_rules.size());
  for (const auto& [port, rules] : want.port_rules) {
    EXPECT_EQ(got.port_rules.at(port).count, rules.count);
    EXPECT_EQ(got.port_rules.at(port).first, rules.first);
  }
}

// A resolved entry for `ing`, each rule to `ip` ("" leaves it unresolved).
ResolvedIngressPtr entryOf(const Ingress& ing, const std::string& ip) {
  auto e = std::make_shared<ResolvedIngress>();
  e->ingress = ing;
  for (size_t i = 0; i < ing.rules.size(); ++i) {
    domain::RuleResolution r;
    if (ip.empty()) {
      r.status.state = domain::RuleStatus::State::kUnresolved;
      r.status.reason = "instance \"" + ing.rules[i].target.instance + "\" not found";
    } else {
      r.ip = ip;
    }
    e->rules.push_back(std::move(r));
  }
  return e;
}

TEST(XdsBuilderTest, AnySequenceOfChangesBuildsWhatAFreshBuilderBuilds) {
  std::mt19937 rng(20261207);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const std::vector<int> ports = {9000, 9001, 9002};
  const std::vector<std::string> ips = {"10.0.0.1", "10.0.0.2", "fd00::3", ""};
  envoy::XdsBuilder builder(settings());
  std::vector<ResolvedIngressPtr> live;  // the current snapshot's entries, in snapshot order
  int next_id = 0;
  for (int step = 0; step < 400; ++step) {
    // A batch of 1..4 operations, as a group commit makes one snapshot of several.
    const size_t ops = 1 + pick(4);
    for (size_t op = 0; op < ops; ++op) {
      const size_t kind = live.empty() ? 0 : pick(4);
      if (kind <= 1) {  // create, 1..3 rules (hostnames may repeat: the later claim wins)
        Ingress ing = ingressOf("ing" + std::to_string(next_id), {});
        ing.created_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(next_id));
        ++next_id;
        const size_t rules = 1 + pick(3);
        for (size_t r = 0; r < rules; ++r) {
          ing.rules.push_back(rule("h" + std::to_string(pick(12)) + ".example.com",
                                   ports[pick(ports.size())], "vm",
                                   80 + static_cast<int>(pick(3))));
        }
        live.push_back(entryOf(ing, ips[pick(ips.size())]));
      } else if (kind == 2) {  // delete
        live.erase(live.begin() + static_cast<long>(pick(live.size())));
      } else {  // the instance moved: a new entry for the same ingress
        auto& e = live[pick(live.size())];
        e = entryOf(e->ingress, ips[pick(ips.size())]);
      }
    }
    SnapshotPtr snap = domain::ConfigSnapshot::make(static_cast<uint64_t>(step), live);
    SCOPED_TRACE("step " + std::to_string(step));
    const envoy::XdsConfig incremental = builder.build(snap);
    const envoy::XdsConfig fresh = envoy::buildXds(*snap, settings());
    expectSameConfig(incremental, fresh);
    // The tables equal those built from the whole plan at once.
    const auto planned = envoy::buildRouteTables(envoy::planRouting(*snap));
    ASSERT_EQ(planned.size(), incremental.routes.size());
    for (const auto& [port, table] : planned) {
      EXPECT_EQ(incremental.routes.at(port)->resource, table->resource) << port;
    }
    if (HasFatalFailure()) return;
  }
}

TEST(XdsBuilderTest, AChangeOnOnePortKeepsTheOtherPortsTablesAndTheSharedResources) {
  const std::map<std::string, std::string> vms = {{"vm-a", "10.0.0.1"}};
  std::vector<Ingress> set = {ingressOf("i1", {rule("a.example.com", 9000, "vm-a", 80)}),
                              ingressOf("i2", {rule("b.example.com", 9001, "vm-a", 80)})};
  SnapshotPtr one = snapshotOf(set, vms);
  envoy::XdsBuilder builder(settings());
  const envoy::XdsConfig before = builder.build(one);
  // A third ingress on port 9000, to the same target: built on the entries of `one`.
  std::vector<ResolvedIngressPtr> entries = one->ingresses();
  entries.push_back(
      entryOf(ingressOf("i3", {rule("c.example.com", 9000, "vm-a", 80)}), "10.0.0.1"));
  const envoy::XdsConfig after = builder.build(domain::ConfigSnapshot::make(2, entries));
  EXPECT_EQ(after.routes.at(9001), before.routes.at(9001)) << "the same table object";
  EXPECT_NE(after.routes.at(9000)->version, before.routes.at(9000)->version);
  EXPECT_EQ(after.routes.at(9000)->virtual_hosts, 2u);
  EXPECT_EQ(after.clusters, before.clusters) << "the same cluster set object";
  EXPECT_EQ(after.listeners_version, before.listeners_version);
  EXPECT_NE(after.version, before.version);
  // Back to `one`: the same bytes and versions as the first build.
  expectSameConfig(builder.build(one), before);
}

TEST(XdsBuilderTest, AHostnameMovesBetweenIngressesInOneBatch) {
  const std::map<std::string, std::string> vms = {{"vm-a", "10.0.0.1"}, {"vm-b", "10.0.0.2"}};
  envoy::XdsBuilder builder(settings());
  (void)builder.build(
      snapshotOf({ingressOf("old", {rule("x.example.com", 9000, "vm-a", 80)})}, vms));
  const auto moved = builder.build(
      snapshotOf({ingressOf("new", {rule("x.example.com", 9000, "vm-b", 80)})}, vms, 2));
  const Json vhosts = moved.routes.at(9000)->json()["virtual_hosts"];
  ASSERT_EQ(vhosts.size(), 2u);
  EXPECT_EQ(vhosts[0]["routes"][0]["route"]["cluster"], "target_10.0.0.2_80");
  ASSERT_EQ(moved.clusters->size(), 1u) << "the old target is gone";
  EXPECT_EQ(moved.clusters->json()[0]["name"], "target_10.0.0.2_80");
  EXPECT_EQ(moved.port_rules.at(9000).first, std::vector<std::string>{"ingress \"new\" rules[0]"});
}

TEST(XdsBuilderTest, ARouteFileReadsBackAsTheSameTable) {
  const auto config =
      envoy::buildXds(snapshotOf({ingressOf("i1", {rule("a.example.com", 9000, "vm-a", 80)})},
                                 {{"vm-a", "10.0.0.1"}}),
                      settings());
  const auto& table = *config.routes.at(9000);
  auto back = envoy::parseRouteFile(9000, envoy::routeFileContent(table));
  ASSERT_TRUE(back.ok()) << back.status().toString();
  EXPECT_EQ((*back)->version, table.version);
  EXPECT_EQ((*back)->resource, table.resource);
  EXPECT_EQ((*back)->virtual_hosts, 1u);
  EXPECT_FALSE(envoy::parseRouteFile(9000, "{\"resources\":[]}").ok());
  EXPECT_FALSE(envoy::parseRouteFile(9000, "not json").ok());
}

}  // namespace
}  // namespace ingress::testing

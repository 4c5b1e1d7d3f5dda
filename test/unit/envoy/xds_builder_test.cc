// XdsBuilder builds by difference: after any sequence of snapshots its output equals a fresh
// build of the last one (and the plan-based tables), and a change leaves what it does not touch
// as it was: the same route table objects, the same versions.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "envoy/listener_builder.h"
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
  ASSERT_EQ(got.secrets.size(), want.secrets.size());
  for (const auto& [id, secret] : want.secrets) {
    ASSERT_TRUE(got.secrets.count(id)) << id;
    EXPECT_EQ(got.secrets.at(id)->content, secret->content) << id;
    EXPECT_EQ(got.secrets.at(id)->path, secret->path) << id;
    EXPECT_EQ(got.secrets.at(id)->serial, secret->serial) << id;
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

// A random walk over snapshots: ingresses created, deleted, moved; rules with tls and
// redirect_http; certificates added, removed and rotated. After every step the incremental
// build equals a fresh one, and its route tables and listeners equal those of the whole plan.
void randomWalk(const envoy::BuilderSettings& settings, uint32_t seed, bool tls) {
  std::mt19937 rng(seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const std::vector<int> ports = {9000, 9001, 9002};
  const std::vector<std::string> ips = {"10.0.0.1", "10.0.0.2", "fd00::3", ""};
  envoy::XdsBuilder builder(settings);
  std::vector<ResolvedIngressPtr> live;  // the current snapshot's entries, in snapshot order
  std::map<std::string, domain::ServedCertificatePtr> certs;  // by id
  int next_id = 0, rotation = 0;
  size_t max_chains = 0, redirects = 0;
  auto host = [&] {
    return pick(8) == 0 ? std::string("*.example.com")
                        : "h" + std::to_string(pick(12)) + ".example.com";
  };
  for (int step = 0; step < 400; ++step) {
    // A batch of 1..4 operations, as a group commit makes one snapshot of several.
    const size_t ops = 1 + pick(4);
    for (size_t op = 0; op < ops; ++op) {
      const size_t kind = live.empty() ? 0 : pick(tls ? 6 : 4);
      if (kind <= 1) {  // create, 1..3 rules (hostnames may repeat: the later claim wins)
        Ingress ing = ingressOf("ing" + std::to_string(next_id), {});
        ing.created_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(next_id));
        ++next_id;
        const size_t rules = 1 + pick(3);
        for (size_t r = 0; r < rules; ++r) {
          const int port = ports[pick(ports.size())];
          // The http port (9002 in the TLS walk) gets plain rules; the others mostly TLS ones.
          if (tls && port != 9002 && pick(4) != 0) {
            ing.rules.push_back(
                tlsRule(host(), port, "vm", 80 + static_cast<int>(pick(3)), pick(2) == 0));
          } else {
            ing.rules.push_back(rule(tls ? host() : "h" + std::to_string(pick(12)) + ".example.com",
                                     port, "vm", 80 + static_cast<int>(pick(3))));
          }
        }
        live.push_back(entryOf(ing, ips[pick(ips.size())]));
      } else if (kind == 2) {  // delete
        live.erase(live.begin() + static_cast<long>(pick(live.size())));
      } else if (kind == 3) {  // the instance moved: a new entry for the same ingress
        auto& e = live[pick(live.size())];
        e = entryOf(e->ingress, ips[pick(ips.size())]);
      } else if (kind == 4) {  // a certificate issued, uploaded or rotated (same id, new one)
        const size_t which = pick(6);
        std::vector<std::string> names = {host()};
        if (pick(2) == 0) names.push_back(host());
        names.erase(std::unique(names.begin(), names.end()), names.end());
        std::sort(names.begin(), names.end());
        names.erase(std::unique(names.begin(), names.end()), names.end());
        const std::string id = (which < 2 ? "user.c" : "acme.c") + std::to_string(which);
        auto it = certs.find(id);
        if (it != certs.end()) names = it->second->names;  // a rotation keeps the names
        certs[id] = certificateOf(id, names,
                                  which < 2 ? domain::ServedCertificate::Source::kUser
                                            : domain::ServedCertificate::Source::kAcme,
                                  static_cast<int>(pick(5)), "ab" + std::to_string(++rotation));
      } else if (!certs.empty()) {  // a certificate removed
        auto it = certs.begin();
        std::advance(it, static_cast<long>(pick(certs.size())));
        certs.erase(it);
      }
    }
    std::vector<domain::ServedCertificatePtr> cert_list;
    for (const auto& [id, c] : certs) cert_list.push_back(c);
    SnapshotPtr snap =
        domain::ConfigSnapshot::make(static_cast<uint64_t>(step), live, {}, std::move(cert_list));
    SCOPED_TRACE("step " + std::to_string(step));
    const envoy::XdsConfig incremental = builder.build(snap);
    const envoy::XdsConfig fresh = envoy::buildXds(*snap, settings);
    expectSameConfig(incremental, fresh);
    // The tables and listeners equal those built from the whole plan at once.
    const envoy::RoutingPlan plan = envoy::planRouting(*snap, settings.tls);
    const auto planned = envoy::buildRouteTables(plan);
    ASSERT_EQ(planned.size(), incremental.routes.size());
    for (const auto& [port, table] : planned) {
      EXPECT_EQ(incremental.routes.at(port)->resource, table->resource) << port;
    }
    EXPECT_EQ(incremental.listeners, envoy::buildListeners(plan, settings));
    // Every secret a listener names is there, and no other.
    std::set<std::string> named;
    for (const auto& [port, p] : plan.ports) {
      for (const auto& c : p.chains) named.insert(c.certificate);
      if (p.tls) named.insert(envoy::kDefaultSecret);
    }
    std::set<std::string> have;
    for (const auto& [id, secret] : incremental.secrets) have.insert(id);
    EXPECT_EQ(have, named);
    for (const auto& [port, p] : plan.ports) {
      max_chains = std::max(max_chains, p.chains.size());
      for (const auto& vh : p.hosts) {
        redirects += vh.routes.back().kind == envoy::PlannedRoute::Kind::kRedirect;
      }
    }
    if (::testing::Test::HasFatalFailure()) return;
  }
  // The walk did reach what it is meant to cover.
  if (tls) {
    EXPECT_GE(max_chains, 2u);
    EXPECT_GT(redirects, 0u);
    EXPECT_GT(rotation, 20);
  }
}

TEST(XdsBuilderTest, AnySequenceOfChangesBuildsWhatAFreshBuilderBuilds) {
  randomWalk(settings(), 20261207, /*tls=*/false);
}

TEST(XdsBuilderTest, AnySequenceOfTlsChangesBuildsWhatAFreshBuilderBuilds) {
  envoy::BuilderSettings s = settings();
  s.sds_dir = "/sds";
  s.tls.http_port = 9002;
  s.tls.acme_http01_port = 9999;
  s.tls.default_chain_pem = "DEFAULT CHAIN";
  s.tls.default_key_pem = "DEFAULT KEY";
  randomWalk(s, 20261208, /*tls=*/true);
  s.tls.acme_http01_port = 0;
  randomWalk(s, 20261209, /*tls=*/true);
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

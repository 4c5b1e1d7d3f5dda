// The config builder and applier against the real Envoy and real backends on 127.0.0.x:
// routing by Host (any case, with or without port), 404 for unknown hosts, ports opening and
// closing, one cluster per shared target, rejected configuration rolled back, and keep-alive
// connections untouched by route changes.
#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/http_client.h"
#include "envoy/xds_applier.h"
#include "envoy/xds_builder.h"
#include "integration/installation.h"
#include "integration/load_harness.h"
#include "test_common/http_backend.h"
#include "test_common/port_holder.h"
#include "test_common/snapshot_of.h"

namespace ingress::testing {
namespace {

using domain::Ingress;
using domain::Rule;
using std::chrono::seconds;

StatusOr<HttpResponse> get(int port, const std::string& host) {
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/some/path";
  r.headers = {{"Host", host}};
  return httpCall(r);
}

class XdsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(inst_.startServeAndWaitReady(), 0) << inst_.serveLog();
    admin_ = std::make_unique<envoy::AdminClient>(inst_.admin());
    applier_ = std::make_unique<envoy::XdsApplier>(fs_, *admin_, clock_, inst_.paths().xds_dir);
    applier_->loadCurrent();
    settings_.listen_address = "127.0.0.1";
    settings_.xds_dir = inst_.paths().xds_dir;
  }

  envoy::XdsConfig build(const std::vector<Ingress>& ingresses) {
    return envoy::buildXds(snapshotOf(ingresses, instances_), settings_);
  }

  Status apply(const std::vector<Ingress>& ingresses) {
    return applier_->apply(build(ingresses), seconds(10));
  }

  Installation inst_;
  FilesystemImpl fs_;
  ClockImpl clock_;
  std::unique_ptr<envoy::AdminClient> admin_;
  std::unique_ptr<envoy::XdsApplier> applier_;
  envoy::BuilderSettings settings_;
  std::map<std::string, std::string> instances_;
};

TEST_F(XdsTest, RoutesByHostInAnyCaseWithOrWithoutPortAnd404sUnknownHosts) {
  HttpBackend a("a", "127.0.0.2");
  instances_["vm-a"] = a.address();
  const int port = freeLoopbackPort();
  ASSERT_TRUE(apply({ingressOf("i1", {rule("api.example.com", port, "vm-a", a.port())})}).ok());

  const std::vector<std::string> hosts = {"api.example.com", "API.Example.COM",
                                          "api.example.com:" + std::to_string(port)};
  for (const auto& host : hosts) {
    auto r = get(port, host);
    ASSERT_TRUE(r.ok()) << r.status().toString();
    EXPECT_EQ(r->status, 200) << host;
    EXPECT_EQ(r->header("x-backend"), "a") << host;
  }
  EXPECT_EQ(a.lastHeader("x-forwarded-proto"), "http");
  // For a loopback client Envoy writes the host's own address (a real client gets its own).
  EXPECT_FALSE(a.lastHeader("x-forwarded-for").empty());

  auto unknown = get(port, "other.example.com");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown->body, envoy::kNotFoundBody);
}

TEST_F(XdsTest, PortsOpenAndCloseWithTheirRules) {
  HttpBackend a("a", "127.0.0.2");
  instances_["vm-a"] = a.address();
  const int p1 = freeLoopbackPort();
  const int p2 = freeLoopbackPort();
  ASSERT_TRUE(apply({ingressOf("i1", {rule("a.example.com", p1, "vm-a", a.port()),
                                      rule("a.example.com", p2, "vm-a", a.port())})})
                  .ok());
  EXPECT_EQ(get(p1, "a.example.com")->status, 200);
  EXPECT_EQ(get(p2, "a.example.com")->status, 200);
  ASSERT_TRUE(apply({ingressOf("i1", {rule("a.example.com", p1, "vm-a", a.port())})}).ok());
  EXPECT_EQ(get(p1, "a.example.com")->status, 200);
  // The applier returns only once the removed port refuses connections.
  auto refused = get(p2, "a.example.com");
  EXPECT_FALSE(refused.ok()) << "port " << p2 << " still answers " << refused->status;
  // And the port opens again at once (its old listener may still be draining).
  ASSERT_TRUE(apply({ingressOf("i1", {rule("a.example.com", p1, "vm-a", a.port()),
                                      rule("a.example.com", p2, "vm-a", a.port())})})
                  .ok());
  EXPECT_EQ(get(p2, "a.example.com")->status, 200);
}

TEST_F(XdsTest, SameHostnameOnTwoPortsToTwoInstancesAndSharedTargetsShareACluster) {
  HttpBackend a("a", "127.0.0.2");
  HttpBackend b("b", "127.0.0.3");
  instances_["vm-a"] = a.address();
  instances_["vm-b"] = b.address();
  const int p1 = freeLoopbackPort();
  const int p2 = freeLoopbackPort();
  std::vector<Ingress> all = {ingressOf("i1", {rule("shop.example.com", p1, "vm-a", a.port()),
                                               rule("shop.example.com", p2, "vm-b", b.port())}),
                              ingressOf("i2", {rule("blog.example.com", p1, "vm-a", a.port())})};
  auto config = build(all);
  EXPECT_EQ(config.clusters->size(), 2u);  // (a, port) shared by two rules, and (b, port)
  ASSERT_TRUE(applier_->apply(config, seconds(10)).ok());
  EXPECT_EQ(get(p1, "shop.example.com")->header("x-backend"), "a");
  EXPECT_EQ(get(p2, "shop.example.com")->header("x-backend"), "b");
  EXPECT_EQ(get(p1, "blog.example.com")->header("x-backend"), "a");
}

// Tells the applier every port is free to bind, so that Envoy's own bind is what is tested (a
// port taken between the applier's probe and Envoy's bind).
struct AlwaysBindable final : envoy::PortProbe {
  explicit AlwaysBindable(std::string address) : real(std::move(address)) {}
  bool accepts(uint16_t port) const override { return real.accepts(port); }
  Status bindable(uint16_t) const override { return okStatus(); }
  envoy::TcpPortProbe real;
};

TEST_F(XdsTest, PortHeldByAnotherProcessIsRefusedBeforeAnythingIsWritten) {
  HttpBackend a("a", "127.0.0.2");
  instances_["vm-a"] = a.address();
  const int port = freeLoopbackPort();
  std::vector<Ingress> good = {ingressOf("i1", {rule("good.example.com", port, "vm-a", a.port())})};
  ASSERT_TRUE(apply(good).ok());
  const std::string rds = inst_.paths().xds_dir + "/" + envoy::rdsFileName(port);
  auto files_before = fs_.readFile(rds);
  auto lds_before = fs_.readFile(inst_.paths().xds_dir + "/lds.json");

  auto held = std::make_unique<PortHolder>();
  auto bad = good;
  bad.push_back(ingressOf("i2", {rule("bad.example.com", port, "vm-a", a.port()),
                                 rule("bad.example.com", held->port(), "vm-a", a.port())}));
  Status st = apply(bad);
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists) << st.toString();
  EXPECT_EQ(st.reason(), "port_in_use");
  EXPECT_NE(st.message().find("port " + std::to_string(held->port())), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("ingress \"i2\" rules[1]"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("in use by another process"), std::string::npos) << st.message();
  // Nothing was written: the route table of `port` and the listeners are as before.
  EXPECT_EQ(*fs_.readFile(rds), *files_before);
  EXPECT_EQ(*fs_.readFile(inst_.paths().xds_dir + "/lds.json"), *lds_before);
  EXPECT_EQ(get(port, "good.example.com")->status, 200);
  EXPECT_EQ(get(port, "bad.example.com")->status, 404);
  held.reset();
  ASSERT_TRUE(apply(bad).ok());
  EXPECT_EQ(get(port, "bad.example.com")->status, 200);
}

TEST_F(XdsTest, RejectedConfigurationIsRolledBackAndOldRoutesKeepServing) {
  HttpBackend a("a", "127.0.0.2");
  instances_["vm-a"] = a.address();
  AlwaysBindable probe("127.0.0.1");
  envoy::XdsApplier applier(fs_, *admin_, probe, clock_, inst_.paths().xds_dir);
  applier.loadCurrent();
  const int port = freeLoopbackPort();
  std::vector<Ingress> good = {ingressOf("i1", {rule("good.example.com", port, "vm-a", a.port())})};
  ASSERT_TRUE(applier.apply(build(good), seconds(10)).ok());
  auto files_before = fs_.readFile(inst_.paths().xds_dir + "/" + envoy::rdsFileName(port));

  // A real reject: another socket holds the new port (taken after the applier's probe), so Envoy
  // cannot bind the new listener and rejects the LDS update. The route table of `port` changed
  // first (the routes layer), so the rollback must restore it.
  auto held = std::make_unique<PortHolder>();
  const auto rejected_before = admin_->stat("listener_manager.lds.update_rejected");
  auto bad = good;
  bad.push_back(ingressOf("i2", {rule("bad.example.com", port, "vm-a", a.port()),
                                 rule("bad.example.com", held->port(), "vm-a", a.port())}));
  Status st = applier.apply(build(bad), seconds(10));
  EXPECT_EQ(st.code(), StatusCode::kAborted) << st.toString();
  EXPECT_EQ(st.reason(), "config_rejected");
  // The message names the port, the rule on it and Envoy's own reason.
  EXPECT_NE(st.message().find("port " + std::to_string(held->port())), std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("ingress \"i2\" rules[1]"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("Address already in use"), std::string::npos) << st.message();
  // Envoy counts a listener it cannot bind as a rejected LDS update.
  EXPECT_GT(*admin_->stat("listener_manager.lds.update_rejected"),
            rejected_before.ok() ? *rejected_before : 0u);
  EXPECT_EQ(get(port, "good.example.com")->status, 200);
  EXPECT_EQ(get(port, "bad.example.com")->status, 404);
  EXPECT_EQ(*fs_.readFile(inst_.paths().xds_dir + "/" + envoy::rdsFileName(port)), *files_before);
  // And the applier keeps working afterwards.
  held.reset();
  ASSERT_TRUE(applier.apply(build(bad), seconds(10)).ok());
  EXPECT_EQ(get(port, "bad.example.com")->status, 200);
}

TEST_F(XdsTest, ListenerCannotCoBindAPortAnotherProcessSharesWithReusePort) {
  // Another service listens with SO_REUSEPORT, inviting anyone else with it to share the port.
  // Envoy's listeners do not set it, so Envoy's bind fails and the listener is refused: the
  // kernel never splits that service's connections with Envoy.
  HttpBackend other("other", "127.0.0.1", 0, /*reuse_port=*/true);
  HttpBackend a("a", "127.0.0.2");
  instances_["vm-a"] = a.address();
  auto config = build({ingressOf("i1", {rule("a.example.com", other.port(), "vm-a", a.port())})});
  ASSERT_EQ(config.listeners.size(), 1u);
  EXPECT_EQ(config.listeners[0]["enable_reuse_port"], false);
  const auto rejected_before = admin_->stat("listener_manager.lds.update_rejected");
  // Envoy's own bind is what is tested: the applier is told every port is free to bind.
  AlwaysBindable probe("127.0.0.1");
  envoy::XdsApplier applier(fs_, *admin_, probe, clock_, inst_.paths().xds_dir);
  applier.loadCurrent();
  Status st = applier.apply(config, seconds(10));
  EXPECT_EQ(st.code(), StatusCode::kAborted) << st.toString();
  EXPECT_EQ(st.reason(), "config_rejected");
  EXPECT_GT(*admin_->stat("listener_manager.lds.update_rejected"),
            rejected_before.ok() ? *rejected_before : 0u);
  for (int i = 0; i < 20; ++i) {
    auto r = get(other.port(), "a.example.com");
    ASSERT_TRUE(r.ok()) << r.status().toString();
    EXPECT_EQ(r->header("x-backend"), "other") << "connection " << i << " reached Envoy";
  }
  EXPECT_EQ(a.requests(), 0u);
  // And the applier's own probe refuses the port up front.
  Status probed = apply({ingressOf("i1", {rule("a.example.com", other.port(), "vm-a", a.port())})});
  EXPECT_EQ(probed.reason(), "port_in_use") << probed.toString();
}

TEST_F(XdsTest, KeepAliveConnectionSurvivesHundredRouteChanges) {
  HttpBackend a("a", "127.0.0.2");
  HttpBackend b("b", "127.0.0.3");
  instances_["vm-a"] = a.address();
  instances_["vm-b"] = b.address();
  const int port = freeLoopbackPort();
  const Ingress host_a = ingressOf("ia", {rule("a.example.com", port, "vm-a", a.port())});
  const Ingress host_b = ingressOf("ib", {rule("b.example.com", port, "vm-b", b.port())});
  ASSERT_TRUE(apply({host_a}).ok());
  const pid_t envoy = inst_.envoyPid();

  LoadHarness client({{"http://127.0.0.1:" + std::to_string(port) + "/", "a.example.com"}}, 1);
  client.start();
  ASSERT_TRUE(pollUntil([&] { return client.okSoFar() >= 10; }, seconds(10)));
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(apply({host_a, host_b}).ok()) << "add " << i;
    ASSERT_EQ(get(port, "b.example.com")->status, 200) << "add " << i;
    ASSERT_TRUE(apply({host_a}).ok()) << "remove " << i;
    ASSERT_EQ(get(port, "b.example.com")->status, 404) << "remove " << i;
  }
  const LoadReport report = client.stop();
  EXPECT_EQ(report.failed(), 0u) << report.summary();
  EXPECT_EQ(report.connects, 1u) << "the keep-alive connection was closed by a route change";
  EXPECT_GT(report.ok, 100u);
  EXPECT_EQ(inst_.envoyPid(), envoy);
}

TEST_F(XdsTest, UnresolvedRulesAreLeftOutAndReported) {
  HttpBackend a("a", "127.0.0.2");
  instances_["vm-a"] = a.address();
  const int port = freeLoopbackPort();
  auto config = build({ingressOf("i1", {rule("a.example.com", port, "vm-a", a.port()),
                                        rule("gone.example.com", port, "vm-gone", 80)})});
  ASSERT_EQ(config.unresolved.size(), 1u);
  EXPECT_EQ(config.unresolved[0].ingress_id, "i1");
  EXPECT_EQ(config.unresolved[0].rule_index, 1u);
  EXPECT_EQ(config.unresolved[0].reason, "instance \"vm-gone\" not found");
  ASSERT_TRUE(applier_->apply(config, seconds(10)).ok());
  EXPECT_EQ(get(port, "a.example.com")->status, 200);
  EXPECT_EQ(get(port, "gone.example.com")->status, 404);
}

}  // namespace
}  // namespace ingress::testing

// Live routing through the API (issue 4): every answer of the API is already true in Envoy.
// Real Envoy, real backends on 127.0.0.x, requests through Envoy right after each 201/204.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "e2e/api_client.h"
#include "envoy/xds_builder.h"
#include "integration/installation.h"
#include "integration/load_harness.h"
#include "test_common/http_backend.h"
#include "test_common/port_holder.h"

namespace ingress::testing {
namespace {

using std::chrono::seconds;

StatusOr<HttpResponse> viaEnvoy(int port, const std::string& host) {
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/hello";
  r.headers = {{"Host", host}};
  r.timeout = std::chrono::seconds(5);
  return httpCall(r);
}

// A low port (80 when free) this test can have Envoy listen on, claimed for this test process.
int lowPort() {
  for (int port : {80, 81, 82, 83, 88, 180, 280, 380}) {
    if (claimPort(port)) return port;
  }
  return freeLoopbackPort();
}

class RoutingTest : public ::testing::Test {
 protected:
  void start() {
    inst_.env()["JWT_SECRET"] = kTestJwtSecret;
    ASSERT_NE(inst_.startServeAndWaitReady(), 0) << inst_.serveLog();
    api_ = std::make_unique<ApiClient>(inst_.apiPort());
    ASSERT_TRUE(api_->waitHealthy()) << inst_.serveLog();
    putInstance("vm-a", a_.address());
    putInstance("vm-b", b_.address());
  }
  void SetUp() override { start(); }

  void putInstance(const std::string& name, const std::string& ip) {
    auto r = api_->call("PUT", "/instances/" + name, Json{{"ip", ip}});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
  }

  Json create(const Json& body) {
    auto r = api_->call("POST", "/ingresses", body);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return {};
    EXPECT_EQ(r->status, 201) << r->body;
    return Json::parse(r->body, nullptr, false);
  }

  void remove(const std::string& key) {
    auto r = api_->call("DELETE", "/ingresses/" + key);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 204) << r->body;
  }

  HttpBackend a_{"a", "127.0.0.2"};
  HttpBackend b_{"b", "127.0.0.3"};
  Installation inst_;
  std::unique_ptr<ApiClient> api_;
};

TEST_F(RoutingTest, RoutedRightAfter201AndGoneRightAfter204) {
  const int low = lowPort();
  const int high = freeLoopbackPort();
  create(ingressBody("low", "api.example.com", low, "vm-a", a_.port()));
  create(ingressBody("high", "api.example.com", high, "vm-b", b_.port()));
  // No sleep, no retry: the 201 means it is live.
  EXPECT_EQ(viaEnvoy(low, "api.example.com")->header("x-backend"), "a");
  EXPECT_EQ(viaEnvoy(high, "api.example.com:" + std::to_string(high))->header("x-backend"), "b");
  EXPECT_EQ(viaEnvoy(high, "API.EXAMPLE.COM")->header("x-backend"), "b");
  auto unknown = viaEnvoy(low, "nobody.example.com");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown->body, "No ingress found for this hostname");
  EXPECT_FALSE(viaEnvoy(freeLoopbackPort(), "api.example.com").ok()) << "a port with no rules";

  remove("high");
  EXPECT_FALSE(viaEnvoy(high, "api.example.com").ok()) << "its last rule went: the port closes";
  EXPECT_EQ(viaEnvoy(low, "api.example.com")->header("x-backend"), "a");
  create(ingressBody("other", "other.example.com", low, "vm-b", b_.port()));
  remove("low");
  EXPECT_EQ(viaEnvoy(low, "api.example.com")->status, 404);
  EXPECT_EQ(viaEnvoy(low, "other.example.com")->header("x-backend"), "b");
}

TEST_F(RoutingTest, RulesOnTwoPortsAndSharedTargets) {
  const int p1 = freeLoopbackPort();
  const int p2 = freeLoopbackPort();
  Json two_ports = {{"name", "two"},
                    {"rules",
                     {{{"match", {{"hostname", "shop.example.com"}, {"port", p1}}},
                       {"target", {{"instance", "vm-a"}, {"port", a_.port()}}}},
                      {{"match", {{"hostname", "shop.example.com"}, {"port", p2}}},
                       {"target", {{"instance", "vm-b"}, {"port", b_.port()}}}}}}};
  create(two_ports);
  create(ingressBody("shares", "blog.example.com", p1, "vm-a", a_.port()));
  EXPECT_EQ(viaEnvoy(p1, "shop.example.com")->header("x-backend"), "a");
  EXPECT_EQ(viaEnvoy(p2, "shop.example.com")->header("x-backend"), "b");
  EXPECT_EQ(viaEnvoy(p1, "blog.example.com")->header("x-backend"), "a");
  auto clusters = inst_.admin().get("/clusters");
  ASSERT_TRUE(clusters.ok());
  const std::string a_cluster = envoy::clusterName(a_.address(), a_.port());
  size_t lines = 0;
  for (size_t pos = 0;
       (pos = clusters->find(a_cluster + "::" + a_.address(), pos)) != std::string::npos; ++pos) {
    ++lines;
  }
  EXPECT_GT(lines, 0u);
  EXPECT_EQ(clusters->find(a_cluster + "_"), std::string::npos) << "one cluster for one target";
}

TEST_F(RoutingTest, KeepAliveConnectionSurvivesHundredAddsAndRemoves) {
  const int port = freeLoopbackPort();
  create(ingressBody("host-a", "a.example.com", port, "vm-a", a_.port()));
  const pid_t envoy = inst_.envoyPid();
  LoadHarness client({{"http://127.0.0.1:" + std::to_string(port) + "/", "a.example.com"}}, 1);
  client.start();
  ASSERT_TRUE(pollUntil([&] { return client.okSoFar() >= 10; }, seconds(10)));
  for (int i = 0; i < 100; ++i) {
    create(ingressBody("host-b", "b.example.com", port, "vm-b", b_.port()));
    ASSERT_EQ(viaEnvoy(port, "b.example.com")->header("x-backend"), "b") << i;
    remove("host-b");
    ASSERT_EQ(viaEnvoy(port, "b.example.com")->status, 404) << i;
  }
  const LoadReport report = client.stop();
  EXPECT_EQ(report.failed(), 0u) << report.summary();
  EXPECT_EQ(report.connects, 1u);
  EXPECT_EQ(inst_.envoyPid(), envoy);
}

TEST_F(RoutingTest, InstanceMovesAndDisappears) {
  const int port = freeLoopbackPort();
  create(ingressBody("web", "web.example.com", port, "vm-a", a_.port()));
  // Another rule keeps the port open, so an unrouted host answers 404 rather than the port
  // closing.
  create(ingressBody("keep", "keep.example.com", port, "vm-b", b_.port()));
  ASSERT_EQ(viaEnvoy(port, "web.example.com")->header("x-backend"), "a");
  // The VM moves: a backend on a new address, same port; only the registry entry changes.
  HttpBackend moved("moved", "127.0.0.4", a_.port());
  putInstance("vm-a", moved.address());
  EXPECT_EQ(viaEnvoy(port, "web.example.com")->header("x-backend"), "moved");

  auto del = api_->call("DELETE", "/instances/vm-a");
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->status, 204);
  auto got = api_->call("GET", "/ingresses/web");
  Json body = Json::parse(got->body);
  EXPECT_EQ(body["rules"][0]["status"], "unresolved");
  EXPECT_FALSE(body["rules"][0].value("reason", "").empty());
  EXPECT_EQ(viaEnvoy(port, "web.example.com")->status, 404);
  EXPECT_EQ(viaEnvoy(port, "keep.example.com")->header("x-backend"), "b");
}

TEST_F(RoutingTest, PortHeldByAnotherProcessIsRefusedAndChangesNothing) {
  const int port = freeLoopbackPort();
  create(ingressBody("good", "good.example.com", port, "vm-a", a_.port()));
  const std::string before = api_->call("GET", "/ingresses")->body;
  // Another process (a plain socket, no SO_REUSEPORT) holds the new port: refused with 409
  // port_in_use naming the port and the rule, before Envoy is asked.
  PortHolder held;
  auto r = api_->call("POST", "/ingresses",
                      ingressBody("bad", "bad.example.com", held.port(), "vm-a", a_.port()));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 409) << r->body;
  const Json err = Json::parse(r->body);
  EXPECT_EQ(err.value("code", ""), "port_in_use");
  EXPECT_NE(err.value("message", "").find("port " + std::to_string(held.port())), std::string::npos)
      << r->body;
  EXPECT_EQ(api_->call("GET", "/ingresses")->body, before) << "store unchanged";
  EXPECT_EQ(viaEnvoy(port, "good.example.com")->header("x-backend"), "a");
  EXPECT_EQ(viaEnvoy(port, "bad.example.com")->status, 404);
}

}  // namespace
}  // namespace ingress::testing

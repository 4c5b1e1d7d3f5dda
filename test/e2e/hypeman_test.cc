// Instances resolved through hypeman (HYPEMAN_API_URL), end to end: real `ingressd serve`, the
// real Envoy, a loopback fake hypeman API (test_common/fake_hypeman.h) and real backends on
// 127.0.0.2 and 127.0.0.3 (same port), plus a second rule to 127.0.0.4 that keeps the Envoy port
// open so an unrouted host answers 404. The instance moves and vanishes inside hypeman with no
// API call to ingressd; the periodic reconcile (INSTANCE_RECONCILE_INTERVAL) must notice, since
// the resolver cache (HYPEMAN_CACHE_TTL=30) outlives every deadline here.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "e2e/api_client.h"
#include "integration/installation.h"
#include "test_common/fake_hypeman.h"
#include "test_common/http_backend.h"
#include "test_common/test_env.h"

namespace ingress::testing {
namespace {

using std::chrono::seconds;

StatusOr<HttpResponse> viaEnvoy(int port, const std::string& host) {
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/hello";
  r.headers = {{"Host", host}};
  r.timeout = seconds(5);
  return httpCall(r);
}

// The x-backend header of a request through Envoy, or "" when there is no answer.
std::string backendVia(int port, const std::string& host) {
  auto r = viaEnvoy(port, host);
  return r.ok() ? r->header("x-backend") : std::string();
}

class HypemanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hypeman_.set("vm-web", a_.address());
    hypeman_.set("vm-keep", keep_.address());
    inst_.env()["JWT_SECRET"] = kTestJwtSecret;
    inst_.env()["HYPEMAN_API_URL"] = hypeman_.url();
    inst_.env()["HYPEMAN_CACHE_TTL"] = "30";
    inst_.env()["INSTANCE_RECONCILE_INTERVAL"] = "1";
    ASSERT_NE(inst_.startServeAndWaitReady(), 0) << inst_.serveLog();
    api_ = std::make_unique<ApiClient>(inst_.apiPort());
    ASSERT_TRUE(api_->waitHealthy()) << inst_.serveLog();
  }

  // The "status" of the ingress's only rule, as GET /ingresses/<id> shows it ("" on error).
  std::string ruleStatus(const std::string& id) {
    auto r = api_->call("GET", "/ingresses/" + id);
    if (!r.ok() || r->status != 200) return "";
    Json body = Json::parse(r->body, nullptr, false);
    if (!body.is_object() || !body.contains("rules") || body["rules"].size() != 1) return "";
    return body["rules"][0].value("status", "");
  }

  FakeHypeman hypeman_;
  HttpBackend a_{"a", "127.0.0.2"};
  HttpBackend b_{"b", "127.0.0.3", a_.port()};  // where vm-web moves to: same port, new IP
  HttpBackend keep_{"keep", "127.0.0.4"};       // vm-keep, which stays put
  Installation inst_;
  std::unique_ptr<ApiClient> api_;
};

TEST_F(HypemanTest, ReconcileFollowsInstanceThatMovesThenVanishes) {
  const int port = freeLoopbackPort();
  const std::string host = "web.example.com";
  auto created =
      api_->call("POST", "/ingresses", ingressBody("web", host, port, "vm-web", a_.port()));
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string id = Json::parse(created->body).value("id", "");
  ASSERT_FALSE(id.empty()) << created->body;
  EXPECT_GT(hypeman_.lookups("vm-web"), 0) << "the target was resolved through hypeman";
  // Another rule keeps the port open, so an unrouted host answers 404 rather than the port
  // closing.
  auto keep = api_->call("POST", "/ingresses",
                         ingressBody("keep", "keep.example.com", port, "vm-keep", keep_.port()));
  ASSERT_TRUE(keep.ok());
  ASSERT_EQ(keep->status, 201) << keep->body;

  // 1. Routed to the address hypeman gives.
  EXPECT_EQ(backendVia(port, host), "a");
  EXPECT_EQ(ruleStatus(id), "active");
  const uint64_t b_before = b_.requests();

  // 2. The instance moves inside hypeman; nothing is said to ingressd.
  hypeman_.set("vm-web", b_.address());
  EXPECT_TRUE(pollUntil([&] { return backendVia(port, host) == "b"; }, seconds(15),
                        std::chrono::milliseconds(100)))
      << "Envoy still routes to the old address\n"
      << inst_.currentServeLog();
  EXPECT_GT(b_.requests(), b_before);
  EXPECT_EQ(ruleStatus(id), "active");

  // 3. The instance vanishes inside hypeman (404): the rule is unresolved, Envoy has no route.
  hypeman_.remove("vm-web");
  EXPECT_TRUE(pollUntil([&] { return ruleStatus(id) == "unresolved"; }, seconds(15),
                        std::chrono::milliseconds(100)))
      << "status stays " << ruleStatus(id) << "\n"
      << inst_.currentServeLog();
  auto gone = viaEnvoy(port, host);
  ASSERT_TRUE(gone.ok()) << gone.status().message();
  EXPECT_EQ(gone->status, 404) << gone->body;
  EXPECT_EQ(gone->header("x-backend"), "");
  EXPECT_EQ(backendVia(port, "keep.example.com"), "keep") << "the other rule is untouched";
}

}  // namespace
}  // namespace ingress::testing

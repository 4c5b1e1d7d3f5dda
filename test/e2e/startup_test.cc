// Startup with conflicting stored files (issue 10): two files in {DATA_DIR}/ingresses/ claim the
// same hostname:port (a restored backup, a hand edit). After `serve` starts, the API and a
// request through the real Envoy name the same ingress — the older one — and the newer one is
// reported: a log line and `ingressd_shadowed_ingresses 1` on /metrics.
#include <gtest/gtest.h>
#include <signal.h>

#include "common/filesystem.h"
#include "common/http_client.h"
#include "common/json.h"
#include "e2e/api_client.h"
#include "integration/installation.h"
#include "test_common/http_backend.h"

namespace ingress::testing {
namespace {

StatusOr<HttpResponse> viaEnvoy(int port, const std::string& host) {
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  r.headers = {{"Host", host}};
  r.timeout = std::chrono::seconds(5);
  return httpCall(r);
}

StatusOr<HttpResponse> scrape(int metrics_port) {
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics";
  r.timeout = std::chrono::seconds(5);
  return httpCall(r);
}

class StartupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    inst_.env()["JWT_SECRET"] = kTestJwtSecret;
    inst_.env()["METRICS_LISTEN"] = "127.0.0.1:" + std::to_string(metrics_port_);
    start();
    for (const auto& [name, backend] : {std::pair{"vm-a", &a_}, std::pair{"vm-b", &b_}}) {
      auto r =
          api_->call("PUT", std::string("/instances/") + name, Json{{"ip", backend->address()}});
      ASSERT_TRUE(r.ok());
      ASSERT_EQ(r->status, 200) << r->body;
    }
  }
  void start() {
    ASSERT_NE(inst_.startServeAndWaitReady(), 0) << inst_.serveLog();
    api_ = std::make_unique<ApiClient>(inst_.apiPort());
    ASSERT_TRUE(api_->waitHealthy()) << inst_.serveLog();
  }
  std::string createId(const Json& body) {
    auto r = api_->call("POST", "/ingresses", body);
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return {};
    EXPECT_EQ(r->status, 201) << r->body;
    return Json::parse(r->body, nullptr, false).value("id", "");
  }
  void stopServe() {
    inst_.signalServe(SIGTERM);
    ASSERT_TRUE(inst_.waitServeExit(std::chrono::seconds(30)).has_value()) << inst_.serveLog();
  }
  // Rewrites the stored file of ingress `id` so that its first rule claims `hostname`.
  void claimHostname(const std::string& id, const std::string& hostname) {
    const std::string path = joinPath(joinPath(inst_.dataDir(), "ingresses"), id + ".json");
    auto text = fs_.readFile(path);
    ASSERT_TRUE(text.ok()) << text.status().toString();
    Json doc = Json::parse(*text);
    doc["rules"][0]["match"]["hostname"] = hostname;
    ASSERT_TRUE(fs_.writeFileAtomic(path, doc.dump(2) + "\n", 0600).ok());
  }
  void expectOlderWins(int port) {
    auto list = api_->call("GET", "/ingresses");
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->status, 200) << list->body;
    Json body = Json::parse(list->body);
    const Json& items = body.is_array() ? body : body["items"];
    ASSERT_EQ(items.size(), 1u) << list->body;
    EXPECT_EQ(items[0]["name"], "older");
    EXPECT_EQ(items[0]["rules"][0]["status"], "active");
    auto routed = viaEnvoy(port, "shared.example.com");
    ASSERT_TRUE(routed.ok()) << routed.status().toString();
    EXPECT_EQ(routed->status, 200);
    EXPECT_EQ(routed->header("x-backend"), "a") << "Envoy must serve the ingress the API shows";
    EXPECT_NE(inst_.currentServeLog().find("stored ingress conflicts with an older one"),
              std::string::npos);
    auto metrics = scrape(metrics_port_);
    ASSERT_TRUE(metrics.ok()) << metrics.status().toString();
    EXPECT_NE(metrics->body.find("\ningressd_shadowed_ingresses 1\n"), std::string::npos)
        << metrics->body;
    EXPECT_NE(metrics->body.find("\ningressd_ingresses 1\n"), std::string::npos);
  }

  FilesystemImpl fs_;
  HttpBackend a_{"a", "127.0.0.2"};
  HttpBackend b_{"b", "127.0.0.3"};
  int metrics_port_ = freeLoopbackPort();
  Installation inst_;
  std::unique_ptr<ApiClient> api_;
};

TEST_F(StartupTest, ConflictingStoredFilesServeTheOlderIngressInTheApiAndInEnvoy) {
  const int port = freeLoopbackPort();
  createId(ingressBody("older", "shared.example.com", port, "vm-a", a_.port()));
  const std::string newer =
      createId(ingressBody("newer", "other.example.com", port, "vm-b", b_.port()));
  ASSERT_FALSE(newer.empty());
  // Envoy keeps running (adopted by the next serve), still routing "other" to b.
  stopServe();
  claimHostname(newer, "shared.example.com");
  start();
  expectOlderWins(port);
  EXPECT_EQ(viaEnvoy(port, "other.example.com")->status, 404);

  // A cold start (no Envoy running) writes the same set.
  stopServe();
  inst_.shutdown();
  start();
  expectOlderWins(port);
}

}  // namespace
}  // namespace ingress::testing

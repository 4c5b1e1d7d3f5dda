// Listener ports through the API: a port another process holds (even one that invites sharing
// with SO_REUSEPORT) is refused with 409 port_in_use and never reaches Envoy; more distinct ports
// than MAX_LISTENER_PORTS are 409 limit_exceeded; at the cap Envoy holds one inotify instance per
// port plus two. Real Envoy, real backends on 127.0.0.x.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "e2e/api_client.h"
#include "integration/installation.h"
#include "test_common/http_backend.h"

namespace ingress::testing {
namespace {

constexpr int kCap = 3;

StatusOr<HttpResponse> viaPort(int port, const std::string& host) {
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/hello";
  r.headers = {{"Host", host}};
  r.timeout = std::chrono::seconds(5);
  return httpCall(r);
}

int inotifyInstances(pid_t pid) {
  int n = 0;
  std::error_code ec;
  for (const auto& e :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    char buf[64];
    const ssize_t len = ::readlink(e.path().c_str(), buf, sizeof buf);
    if (len > 0 && std::string_view(buf, static_cast<size_t>(len)) == "anon_inode:inotify") ++n;
  }
  return n;
}

class PortsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    inst_.env()["JWT_SECRET"] = kTestJwtSecret;
    inst_.env()["MAX_LISTENER_PORTS"] = std::to_string(kCap);
    ASSERT_NE(inst_.startServeAndWaitReady(), 0) << inst_.serveLog();
    api_ = std::make_unique<ApiClient>(inst_.apiPort());
    ASSERT_TRUE(api_->waitHealthy()) << inst_.serveLog();
    auto r = api_->call("PUT", "/instances/vm-a", Json{{"ip", a_.address()}});
    ASSERT_TRUE(r.ok() && r->status == 200);
  }
  StatusOr<HttpResponse> create(const std::string& name, int port) {
    return api_->call("POST", "/ingresses",
                      ingressBody(name, name + ".example.com", port, "vm-a", a_.port()));
  }
  int freshPort() {
    for (;;) {
      const int p = freeLoopbackPort();
      if (p != inst_.adminPort() && p != inst_.apiPort() && p != a_.port()) return p;
    }
  }

  HttpBackend a_{"a", "127.0.0.2"};
  Installation inst_;
  std::unique_ptr<ApiClient> api_;
};

TEST_F(PortsTest, APortSharedWithReusePortIsRefusedAndItsConnectionsNeverReachEnvoy) {
  // Another service listens with SO_REUSEPORT on the address Envoy's listeners use.
  HttpBackend other("other", "127.0.0.1", 0, /*reuse_port=*/true);
  const std::string before = api_->call("GET", "/ingresses")->body;
  auto r = create("taken", other.port());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 409) << r->body;
  const Json err = Json::parse(r->body);
  EXPECT_EQ(err.value("code", ""), "port_in_use");
  EXPECT_NE(err.value("message", "").find("port " + std::to_string(other.port())),
            std::string::npos)
      << r->body;
  EXPECT_NE(err.value("message", "").find("rules[0]"), std::string::npos) << r->body;
  EXPECT_EQ(api_->call("GET", "/ingresses")->body, before) << "nothing stored";
  // Every connection to that port still reaches the other service, none Envoy (the kernel
  // would spread them over both sockets if Envoy had co-bound the port).
  for (int i = 0; i < 30; ++i) {
    auto via = viaPort(other.port(), "taken.example.com");
    ASSERT_TRUE(via.ok()) << via.status().toString();
    EXPECT_EQ(via->header("x-backend"), "other") << "connection " << i << " reached Envoy";
  }
  EXPECT_EQ(a_.requests(), 0u);
}

TEST_F(PortsTest, MorePortsThanTheCapAreLimitExceededAndEnvoyHoldsOneInotifyInstancePerPort) {
  const pid_t envoy = inst_.envoyPid();
  ASSERT_GT(envoy, 0);
  EXPECT_EQ(inotifyInstances(envoy), 2) << "LDS and CDS";
  std::vector<int> ports;
  for (int i = 0; i < kCap; ++i) {
    ports.push_back(freshPort());
    auto r = create("p" + std::to_string(i), ports.back());
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 201) << r->body;
  }
  EXPECT_EQ(inotifyInstances(envoy), kCap + 2);
  auto over = create("over", freshPort());
  ASSERT_TRUE(over.ok());
  EXPECT_EQ(over->status, 409) << over->body;
  const Json err = Json::parse(over->body);
  EXPECT_EQ(err.value("code", ""), "limit_exceeded");
  EXPECT_NE(err.value("message", "").find("rules[0].match.port"), std::string::npos) << over->body;
  EXPECT_NE(err.value("message", "").find("MAX_LISTENER_PORTS"), std::string::npos) << over->body;
  // A new hostname on a port in use is fine, and routes.
  auto more = create("more", ports[0]);
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(more->status, 201) << more->body;
  EXPECT_EQ(viaPort(ports[0], "more.example.com")->header("x-backend"), "a");
  // Route changes do not add instances: still one per port.
  EXPECT_EQ(inotifyInstances(envoy), kCap + 2);
  // Deleting the only ingress of a port frees it for another.
  auto del = api_->call("DELETE", "/ingresses/p1");
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->status, 204);
  auto now = create("over", freshPort());
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->status, 201) << now->body;
}

}  // namespace
}  // namespace ingress::testing

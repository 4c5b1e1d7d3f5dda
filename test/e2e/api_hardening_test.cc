// The API of a running `ingressd serve` withstands idle-connection floods
// (connection caps, per-client fairness, the request timeout) and /ready tells when Envoy is
// not serving while /health stays liveness.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "e2e/api_client.h"
#include "integration/installation.h"
#include "test_common/http_backend.h"

namespace ingress::testing {
namespace {

using namespace std::chrono_literals;

// A TCP connection to 127.0.0.1:port from `source` (any 127.0.0.0/8 address), or -1.
int connectFrom(const char* source, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  ::inet_pton(AF_INET, source, &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// True when the server closed `fd` (EOF or reset) within `timeout`.
bool closedByServer(int fd, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(1, left.count()))) <= 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return true;  // a 503 answer is read first, then EOF
  }
  return false;
}

template <class Pred>
bool eventually(std::chrono::milliseconds timeout, Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return pred();
}

class ApiHardeningTest : public ::testing::Test {
 protected:
  void start() {
    inst_.env()["JWT_SECRET"] = kTestJwtSecret;
    ASSERT_NE(inst_.startServeAndWaitReady(), 0) << inst_.serveLog();
    api_ = std::make_unique<ApiClient>(inst_.apiPort());
    ASSERT_TRUE(api_->waitHealthy()) << inst_.serveLog();
    auto r = api_->call("PUT", "/instances/vm-a", Json{{"ip", backend_.address()}});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
  }

  HttpBackend backend_{"a", "127.0.0.2"};
  Installation inst_;
  std::unique_ptr<ApiClient> api_;
};

// 200 idle connections from one client against API_MAX_CONNECTIONS=20: the client gets its 10
// (API_MAX_CONNECTIONS_PER_CLIENT), the rest are refused at once, another client still
// creates ingresses, and the held connections are cut after API_REQUEST_TIMEOUT.
TEST_F(ApiHardeningTest, IdleFloodDoesNotLockOutOtherClients) {
  inst_.env()["API_MAX_CONNECTIONS"] = "20";
  inst_.env()["API_MAX_CONNECTIONS_PER_CLIENT"] = "10";
  inst_.env()["API_REQUEST_TIMEOUT"] = "2";
  start();
  std::vector<int> flood;
  for (int i = 0; i < 200; ++i) {
    int fd = connectFrom("127.0.0.3", inst_.apiPort());
    ASSERT_GE(fd, 0) << i;
    flood.push_back(fd);
  }
  // Everything beyond the first 10 is answered and closed at once.
  int refused = 0;
  for (size_t i = 10; i < flood.size(); ++i) refused += closedByServer(flood[i], 2s) ? 1 : 0;
  EXPECT_EQ(refused, 190);

  // A well-behaved client (127.0.0.1) is served meanwhile.
  const int listen_port = freeLoopbackPort();
  for (int i = 0; i < 3; ++i) {
    auto r = api_->call(
        "POST", "/ingresses",
        ingressBody("fair-" + std::to_string(i), "fair" + std::to_string(i) + ".example.com",
                    listen_port, "vm-a", backend_.port()));
    ASSERT_TRUE(r.ok()) << r.status().toString();
    EXPECT_EQ(r->status, 201) << r->body;
  }
  // The 10 held connections never sent a byte: cut after the 2 s request timeout.
  for (size_t i = 0; i < 10; ++i) EXPECT_TRUE(closedByServer(flood[i], 10s)) << i;
  for (int fd : flood) ::close(fd);
  // And the flooding client may connect again.
  int again = connectFrom("127.0.0.3", inst_.apiPort());
  ASSERT_GE(again, 0);
  const std::string req = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(::write(again, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  char buf[64] = {};
  pollfd p{again, POLLIN, 0};
  ASSERT_GT(::poll(&p, 1, 5000), 0);
  ASSERT_GT(::read(again, buf, sizeof buf - 1), 0);
  EXPECT_EQ(std::string(buf).rfind("HTTP/1.1 200 ", 0), 0u) << buf;
  ::close(again);
  EXPECT_NE(inst_.serveLog().find("file descriptor limit"), std::string::npos);
}

// /ready is 503 naming envoy_admin_live while Envoy is stopped (SIGSTOP: its admin does not
// answer), 200 again once it runs; /health stays 200 throughout.
TEST_F(ApiHardeningTest, ReadyFollowsEnvoyHealthStaysLive) {
  start();
  auto ready = api_->call("GET", "/ready", "", "-");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->status, 200) << ready->body;
  Json body = Json::parse(ready->body, nullptr, false);
  EXPECT_EQ(body["ready"], true) << ready->body;
  std::vector<std::string> names;
  for (const Json& c : body["checks"]) names.push_back(c["name"].get<std::string>());
  EXPECT_EQ(names, (std::vector<std::string>{"supervisor_alive", "envoy_admin_live",
                                             "envoy_binary_present", "watchdog_recovering"}))
      << ready->body;

  const pid_t envoy = inst_.envoyPid();
  ASSERT_GT(envoy, 0);
  ASSERT_EQ(::kill(envoy, SIGSTOP), 0);
  std::string seen;
  const bool went_down = eventually(10s, [&] {
    auto r = api_->call("GET", "/ready", "", "-");
    if (!r.ok() || r->status != 503) return false;
    seen = r->body;
    return true;
  });
  auto health = api_->call("GET", "/health", "", "-");
  ::kill(envoy, SIGCONT);
  ASSERT_TRUE(went_down);
  Json down = Json::parse(seen, nullptr, false);
  EXPECT_EQ(down["ready"], false) << seen;
  bool admin_failed = false;
  for (const Json& c : down["checks"]) {
    if (c["name"] == "envoy_admin_live") admin_failed = c["ok"] == false;
    if (c["name"] == "supervisor_alive") {
      EXPECT_EQ(c["ok"], true) << seen;
    }
  }
  EXPECT_TRUE(admin_failed) << seen;
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);

  EXPECT_TRUE(eventually(10s, [&] {
    auto r = api_->call("GET", "/ready", "", "-");
    return r.ok() && r->status == 200;
  }));
}

}  // namespace
}  // namespace ingress::testing

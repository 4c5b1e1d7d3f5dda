// The /metrics listener: api::Server with a MetricsHandler on 127.0.0.1:0, over raw sockets.
// (It replaced a hand-written one-connection-at-a-time server: a slow client must not block a
// scrape.)
#include "api/metrics_handler.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "api/server.h"
#include "raw_http.h"

namespace ingress::api {
namespace {

using namespace std::chrono_literals;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Connects to 127.0.0.1:port, sends `request`, reads until EOF or 5 s.
std::string exchange(uint16_t port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    throw std::runtime_error("connect");
  }
  [[maybe_unused]] ssize_t n = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p = {fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    ssize_t got = ::recv(fd, buf, sizeof buf, 0);
    if (got <= 0) break;
    out.append(buf, static_cast<size_t>(got));
  }
  ::close(fd);
  return out;
}

class MetricsListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.name = "metrics";
    o.listen = "127.0.0.1:0";
    o.request_timeout = 2s;  // longer than any scrape below may take
    auto s = Server::create(o, handler_);
    ASSERT_TRUE(s.ok()) << s.status().toString();
    server_ = std::move(s).value();
    ASSERT_TRUE(server_->start().ok());
    ASSERT_NE(server_->port(), 0);
  }
  void TearDown() override { server_->stop(1s); }

  std::atomic<int> renders_{0};
  MetricsHandler handler_{[this] {
    ++renders_;
    return std::string("# TYPE up gauge\nup 1\n");
  }};
  std::unique_ptr<Server> server_;
};

TEST_F(MetricsListenerTest, GetMetrics) {
  std::string r =
      exchange(server_->port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(r, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(r, HasSubstr("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
  EXPECT_THAT(r, HasSubstr("Content-Length: 21\r\n"));
  EXPECT_THAT(r, EndsWith("\r\n\r\n# TYPE up gauge\nup 1\n"));
  EXPECT_EQ(renders_, 1);
}

TEST_F(MetricsListenerTest, QueryStringAndHttp10) {
  EXPECT_THAT(exchange(server_->port(), "GET /metrics?x=1 HTTP/1.0\r\n\r\n"),
              StartsWith("HTTP/1.0 200 OK\r\n"));
}

TEST_F(MetricsListenerTest, HeadHasTheLengthButNoBody) {
  std::string r =
      exchange(server_->port(), "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(r, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(r, HasSubstr("Content-Length: 21\r\n"));
  EXPECT_THAT(r, EndsWith("\r\n\r\n"));
}

TEST_F(MetricsListenerTest, OtherPathIs404AndOtherMethodIs405) {
  EXPECT_THAT(exchange(server_->port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
              StartsWith("HTTP/1.1 404 "));
  EXPECT_THAT(
      exchange(server_->port(), "GET /metricsx HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
      StartsWith("HTTP/1.1 404 "));
  EXPECT_EQ(renders_, 0);
  std::string r =
      exchange(server_->port(),
               "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close"
               "\r\n\r\nabc");
  EXPECT_THAT(r, StartsWith("HTTP/1.1 405 "));
  EXPECT_THAT(r, HasSubstr("Allow: GET, HEAD\r\n"));
}

TEST_F(MetricsListenerTest, GarbageIs400) {
  EXPECT_THAT(exchange(server_->port(), "hello\r\n\r\n"), StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(exchange(server_->port(), "GET /metrics SPDY/3\r\n\r\n"),
              StartsWith("HTTP/1.1 400 "));
}

TEST_F(MetricsListenerTest, SlowClientDoesNotBlockAConcurrentScrape) {
  // Half a request, then silence: the old listener served one connection at a time and made
  // every scrape wait behind it.
  testing::RawConnection slow(server_->port());
  ASSERT_TRUE(slow.ok());
  ASSERT_TRUE(slow.send("GET /metrics HTTP/1.1\r\nHost: x\r\n"));
  const auto t0 = std::chrono::steady_clock::now();
  auto r = testing::rawRequest(server_->port(),
                               "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 1s);
  ASSERT_TRUE(r.has_value()) << "scrape blocked by a slow client";
  EXPECT_EQ(r->status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s) << "scrape waited for the slow client";
  EXPECT_TRUE(slow.closedByPeer(5s)) << "the slow client must be cut off by the request timeout";
}

TEST_F(MetricsListenerTest, ConcurrentClientsAllAnswered) {
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 16; ++i) {
    clients.emplace_back([&] {
      if (exchange(server_->port(), "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
              .starts_with("HTTP/1.1 200")) {
        ++ok;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok, 16);
}

TEST(MetricsHandlerTest, RenderThrowingIs500WithoutItsText) {
  MetricsHandler h([]() -> std::string { throw std::runtime_error("boom"); });
  ApiResponse r = h.handle(ApiRequest{.method = "GET", .target = "/metrics"});
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, Not(HasSubstr("boom")));
}

TEST(MetricsListenerCreateTest, InvalidAddressesAndPortInUse) {
  MetricsHandler h([] { return std::string(); });
  ServerOptions o;
  for (const char* bad : {"9464", ":9464", "localhost:9464", "127.0.0.1:", "127.0.0.1:65536",
                          "127.0.0.1:-1", "127.0.0.1:12x", "[::1:9464", "::1:9464"}) {
    o.listen = bad;
    EXPECT_EQ(Server::create(o, h).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  o.listen = "127.0.0.1:0";
  auto first = Server::create(o, h);
  ASSERT_TRUE(first.ok());
  o.listen = "127.0.0.1:" + std::to_string((*first)->port());
  EXPECT_EQ(Server::create(o, h).status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace ingress::api

namespace ingress::api {
namespace {

// /ready is also served on the metrics listener when a source is given.
TEST(MetricsHandlerReadyTest, ReadyOnlyWithASource) {
  bool ok = false;
  MetricsHandler with([] { return std::string(); },
                      [&ok] { return Readiness{{checkOf("envoy_admin_live", ok, "not LIVE")}}; });
  MetricsHandler without([] { return std::string(); });
  ApiRequest req;
  req.method = "GET";
  req.target = "/ready";
  ApiResponse down = with.handle(req);
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(down.body, R"({"checks":[{"detail":"not LIVE","name":"envoy_admin_live","ok":false}],)"
                       R"("ready":false})");
  ok = true;
  EXPECT_EQ(with.handle(req).status, 200);
  EXPECT_EQ(without.handle(req).status, 404);
  req.method = "POST";
  EXPECT_EQ(with.handle(req).status, 405);
}

}  // namespace
}  // namespace ingress::api

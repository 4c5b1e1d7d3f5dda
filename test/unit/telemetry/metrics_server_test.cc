#include "telemetry/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ingress::telemetry {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Connects to 127.0.0.1:port, sends `request` (maybe in pieces), reads until EOF or 5 s.
std::string exchange(uint16_t port, const std::string& request, bool half_close = false) {
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
  if (!request.empty()) {
    [[maybe_unused]] ssize_t n = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  }
  if (half_close) ::shutdown(fd, SHUT_WR);
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p = {fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MetricsServerOptions o;
    o.listen = "127.0.0.1:0";
    o.read_timeout = std::chrono::milliseconds(300);
    o.max_request_bytes = 1024;
    auto s = MetricsServer::create(o, [this] {
      ++renders_;
      return std::string("# TYPE up gauge\nup 1\n");
    });
    ASSERT_TRUE(s.ok()) << s.status().message();
    server_ = std::move(*s);
    ASSERT_TRUE(server_->start().ok());
    ASSERT_NE(server_->port(), 0);
  }

  std::atomic<int> renders_{0};
  std::unique_ptr<MetricsServer> server_;
};

TEST_F(MetricsServerTest, GetMetrics) {
  std::string r = exchange(server_->port(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(r, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(r, HasSubstr("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
  EXPECT_THAT(r, HasSubstr("Content-Length: 21\r\n"));
  EXPECT_THAT(r, HasSubstr("Connection: close\r\n"));
  EXPECT_THAT(r, EndsWith("\r\n\r\n# TYPE up gauge\nup 1\n"));
  EXPECT_EQ(renders_, 1);
}

TEST_F(MetricsServerTest, QueryStringAndHttp10) {
  std::string r = exchange(server_->port(), "GET /metrics?x=1 HTTP/1.0\r\n\r\n");
  EXPECT_THAT(r, StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST_F(MetricsServerTest, HeadHasNoBody) {
  std::string r = exchange(server_->port(), "HEAD /metrics HTTP/1.1\r\n\r\n");
  EXPECT_THAT(r, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(r, EndsWith("\r\n\r\n"));
}

TEST_F(MetricsServerTest, OtherPathIs404) {
  EXPECT_THAT(exchange(server_->port(), "GET / HTTP/1.1\r\n\r\n"), StartsWith("HTTP/1.1 404 "));
  EXPECT_THAT(exchange(server_->port(), "GET /metricsx HTTP/1.1\r\n\r\n"),
              StartsWith("HTTP/1.1 404 "));
  EXPECT_EQ(renders_, 0);
}

TEST_F(MetricsServerTest, OtherMethodIs405) {
  std::string r = exchange(server_->port(), "POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_THAT(r, StartsWith("HTTP/1.1 405 "));
  EXPECT_THAT(r, HasSubstr("Allow: GET, HEAD\r\n"));
}

TEST_F(MetricsServerTest, GarbageIs400) {
  EXPECT_THAT(exchange(server_->port(), "hello\r\n\r\n"), StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(exchange(server_->port(), "GET /metrics\r\n\r\n"), StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(exchange(server_->port(), "GET  /metrics HTTP/1.1\r\n\r\n"),
              StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(exchange(server_->port(), "GET /metrics SPDY/3\r\n\r\n"), StartsWith("HTTP/1.1 400 "));
  EXPECT_THAT(exchange(server_->port(), std::string("\0\xff\x01\r\n\r\n", 7)),
              StartsWith("HTTP/1.1 400 "));
}

TEST_F(MetricsServerTest, OversizeHeaderIs431) {
  std::string big = "GET /metrics HTTP/1.1\r\nX: " + std::string(4000, 'a') + "\r\n\r\n";
  EXPECT_THAT(exchange(server_->port(), big), StartsWith("HTTP/1.1 431 "));
}

TEST_F(MetricsServerTest, IncompleteRequestTimesOutAndServerKeepsServing) {
  EXPECT_THAT(exchange(server_->port(), "GET /metrics HTTP/1.1\r\n"), StartsWith("HTTP/1.1 408 "));
  EXPECT_EQ(exchange(server_->port(), ""), "");  // silent client: just closed after the timeout
  EXPECT_THAT(exchange(server_->port(), "GET /metrics HTTP/1.1\r\n", /*half_close=*/true), "");
  EXPECT_THAT(exchange(server_->port(), "GET /metrics HTTP/1.1\r\n\r\n"),
              StartsWith("HTTP/1.1 200 "));
}

TEST_F(MetricsServerTest, ConcurrentClientsAllAnswered) {
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 16; ++i) {
    clients.emplace_back([&] {
      if (exchange(server_->port(), "GET /metrics HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 200")) {
        ++ok;
      }
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok, 16);
}

TEST(MetricsResponseTest, RandomInputNeverCrashes) {
  std::mt19937 rng(12345);
  const auto render = [] { return std::string("x 1\n"); };
  for (int i = 0; i < 20000; ++i) {
    std::string head(rng() % 64, '\0');
    for (char& c : head) c = static_cast<char>(rng() % 4 == 0 ? " /\r\nGETHP1."[rng() % 12] : rng());
    std::string r = metricsResponse(head, render);
    ASSERT_TRUE(r.starts_with("HTTP/1.1 ")) << i;
  }
}

TEST_F(MetricsServerTest, StopIsIdempotent) {
  server_->stop();
  server_->stop();
}

TEST(MetricsServerCreateTest, InvalidAddresses) {
  auto render = [] { return std::string(); };
  for (const char* bad : {"9464", ":9464", "localhost:9464", "127.0.0.1:", "127.0.0.1:65536",
                          "127.0.0.1:-1", "127.0.0.1:12x", "[::1:9464"}) {
    auto s = MetricsServer::create({.listen = bad}, render);
    EXPECT_FALSE(s.ok()) << bad;
    if (!s.ok()) {
      EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(MetricsServerCreateTest, Ipv6Loopback) {
  auto s = MetricsServer::create({.listen = "[::1]:0"}, [] { return std::string(); });
  if (!s.ok()) GTEST_SKIP() << "no IPv6 loopback: " << s.status().message();
  EXPECT_NE((*s)->port(), 0);
}

TEST(MetricsServerCreateTest, PortInUseIsUnavailable) {
  auto first = MetricsServer::create({.listen = "127.0.0.1:0"}, [] { return std::string(); });
  ASSERT_TRUE(first.ok());
  auto second = MetricsServer::create(
      {.listen = "127.0.0.1:" + std::to_string((*first)->port())}, [] { return std::string(); });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

TEST(MetricsResponseTest, RenderThrowingIs500) {
  std::string r = metricsResponse("GET /metrics HTTP/1.1\r\n\r\n",
                                  []() -> std::string { throw std::runtime_error("boom"); });
  EXPECT_THAT(r, StartsWith("HTTP/1.1 500 "));
  EXPECT_THAT(r, Not(HasSubstr("boom")));
}

}  // namespace
}  // namespace ingress::telemetry

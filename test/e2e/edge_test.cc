// Envoy's edge limits through a real `ingressd serve` (real Envoy, real backend on 127.0.0.2),
// over raw sockets so the bytes on the wire are ours: the request-headers timeout cuts a
// half-open connection, too many or too large headers get 431, headers with underscores 400,
// a trailing dot in Host routes like the name without it, and at the global downstream
// connection cap an established keep-alive client keeps being served while new connections are
// refused and Envoy's admin still answers.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "e2e/api_client.h"
#include "envoy/builder_settings.h"
#include "integration/installation.h"
#include "test_common/http_backend.h"

namespace ingress::testing {
namespace {

using namespace std::chrono_literals;
using Clk = std::chrono::steady_clock;

// A client TCP connection to 127.0.0.1:port.
class RawConn {
 public:
  explicit RawConn(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConn() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;
  bool connected() const { return fd_ >= 0; }
  bool send(const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  // Reads until `until` appears in what was read, the peer closes, or `timeout` passes; sets
  // closed() when the peer closed (EOF or reset).
  std::string read(std::chrono::milliseconds timeout, const std::string& until = "") {
    const auto deadline = Clk::now() + timeout;
    while (Clk::now() < deadline) {
      if (!until.empty() && got_.find(until) != std::string::npos) break;
      pollfd p{fd_, POLLIN, 0};
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clk::now()).count();
      if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(1, left))) <= 0) continue;
      char buf[8192];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      got_.append(buf, static_cast<size_t>(n));
    }
    return got_;
  }
  bool closed() const { return closed_; }
  void clear() { got_.clear(); }

 private:
  int fd_ = -1;
  std::string got_;
  bool closed_ = false;
};

std::string statusLine(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

class EdgeTest : public ::testing::Test {
 protected:
  void start() {
    inst_.env()["JWT_SECRET"] = kTestJwtSecret;
    ASSERT_NE(inst_.startServeAndWaitReady(), 0) << inst_.serveLog();
    api_ = std::make_unique<ApiClient>(inst_.apiPort());
    ASSERT_TRUE(api_->waitHealthy()) << inst_.serveLog();
    auto put = api_->call("PUT", "/instances/vm-a", Json{{"ip", backend_.address()}});
    ASSERT_TRUE(put.ok() && put->status == 200);
    for (;;) {
      port_ = freeLoopbackPort();
      if (port_ != inst_.adminPort() && port_ != inst_.apiPort() && port_ != backend_.port()) break;
    }
    auto made = api_->call("POST", "/ingresses",
                           ingressBody("edge", "edge.example.com", port_, "vm-a", backend_.port()));
    ASSERT_TRUE(made.ok());
    ASSERT_EQ(made->status, 201) << made->body;
  }
  // One request on a new connection; the response (status line first), or "" when none.
  std::string once(const std::string& request) {
    RawConn c(port_);
    if (!c.connected() || !c.send(request)) return "";
    return c.read(5s, "\r\n\r\n");
  }
  std::string get(const std::string& host, const std::string& extra_headers = "") {
    return "GET /edge HTTP/1.1\r\nHost: " + host + "\r\n" + extra_headers + "\r\n";
  }

  HttpBackend backend_{"edge", "127.0.0.2"};
  Installation inst_;
  std::unique_ptr<ApiClient> api_;
  int port_ = 0;
};

// A connection that never finishes its headers is answered 408 and closed once
// ENVOY_REQUEST_HEADERS_TIMEOUT passes, even while it keeps trickling header lines; a complete
// request on another connection is served meanwhile.
TEST_F(EdgeTest, HalfOpenConnectionIsCutAfterTheHeaderTimeout) {
  inst_.env()["ENVOY_REQUEST_HEADERS_TIMEOUT"] = "1";
  start();
  RawConn slow(port_);
  ASSERT_TRUE(slow.connected());
  const auto opened = Clk::now();
  ASSERT_TRUE(slow.send("GET /slow HTTP/1.1\r\nHost: edge.example.com\r\n"));
  // Trickle one header line every 300 ms: it does not reset the timeout.
  for (int i = 0; i < 20 && !slow.closed(); ++i) {
    slow.read(300ms);
    if (slow.closed()) break;
    if (!slow.send("X-Slow-" + std::to_string(i) + ": 1\r\n")) break;
  }
  const std::string got = slow.read(10s);
  const double lived = std::chrono::duration<double>(Clk::now() - opened).count();
  EXPECT_TRUE(slow.closed()) << "still open after " << lived << " s";
  EXPECT_EQ(statusLine(got), "HTTP/1.1 408 Request Timeout") << got;
  EXPECT_GE(lived, 0.9);  // not before the timeout (1 s), and well before the 6 s of trickling
  EXPECT_LT(lived, 5.0);
  EXPECT_EQ(statusLine(once(get("edge.example.com"))), "HTTP/1.1 200 OK");
}

// ENVOY_MAX_HEADERS_COUNT and ENVOY_MAX_REQUEST_HEADERS_KB: one header too many, or a header
// block over the size, is 431 and never reaches the backend; at the limits it is served.
TEST_F(EdgeTest, TooManyOrTooLargeHeadersAre431) {
  inst_.env()["ENVOY_MAX_HEADERS_COUNT"] = "20";
  inst_.env()["ENVOY_MAX_REQUEST_HEADERS_KB"] = "4";
  start();
  auto headers = [](int n) {
    std::string h;
    for (int i = 0; i < n; ++i) h += "X-H" + std::to_string(i) + ": v\r\n";
    return h;
  };
  // Host is one of the 20.
  EXPECT_EQ(statusLine(once(get("edge.example.com", headers(19)))), "HTTP/1.1 200 OK");
  const uint64_t before = backend_.requests();
  EXPECT_EQ(statusLine(once(get("edge.example.com", headers(25)))),
            "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(statusLine(once(get("edge.example.com", "X-Big: " + std::string(5000, 'a') + "\r\n"))),
            "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(backend_.requests(), before);
  EXPECT_EQ(statusLine(once(get("edge.example.com", "X-Big: " + std::string(3000, 'a') + "\r\n"))),
            "HTTP/1.1 200 OK");
}

// A header name with an underscore is 400 (it could alias a dash-named header upstream); a
// trailing dot in Host routes like the name without it; an unknown host is 404.
TEST_F(EdgeTest, UnderscoreHeadersAreRefusedAndTrailingHostDotRoutes) {
  start();
  const uint64_t before = backend_.requests();
  EXPECT_EQ(statusLine(once(get("edge.example.com", "X_Forwarded_User: admin\r\n"))),
            "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(backend_.requests(), before);
  const std::string dotted = once(get("edge.example.com."));
  EXPECT_EQ(statusLine(dotted), "HTTP/1.1 200 OK") << dotted;
  EXPECT_NE(dotted.find("edge"), std::string::npos);
  EXPECT_EQ(statusLine(once(get("edge.example.com.:" + std::to_string(port_)))), "HTTP/1.1 200 OK");
  EXPECT_EQ(statusLine(once(get("other.example.com"))), "HTTP/1.1 404 Not Found");
}

// At ENVOY_MAX_DOWNSTREAM_CONNECTIONS, an established keep-alive client keeps getting 200, new
// connections are refused (closed at once, counted), Envoy's admin still answers and the API
// still creates; once the idle connections go away, new clients are served again.
TEST_F(EdgeTest, AtTheGlobalConnectionCapEstablishedClientsKeepBeingServed) {
  inst_.env()["ENVOY_MAX_DOWNSTREAM_CONNECTIONS"] = "6";
  start();
  RawConn keep(port_);
  ASSERT_TRUE(keep.connected());
  auto askKeep = [&] {
    keep.clear();
    if (!keep.send(get("edge.example.com"))) return std::string("send failed");
    return statusLine(keep.read(5s, "\r\n\r\n"));
  };
  ASSERT_EQ(askKeep(), "HTTP/1.1 200 OK");
  // Fill the cap with idle connections (each sends nothing), then try more.
  std::vector<std::unique_ptr<RawConn>> idle;
  for (int i = 0; i < 12; ++i) idle.push_back(std::make_unique<RawConn>(port_));
  int refused = 0;
  for (auto& c : idle) {
    c->read(1s);
    refused += c->closed() ? 1 : 0;
  }
  EXPECT_GE(refused, 7) << "6 slots, one of them held by the keep-alive client";
  for (int i = 0; i < 20; ++i) EXPECT_EQ(askKeep(), "HTTP/1.1 200 OK") << i;
  const std::string fresh = once(get("edge.example.com"));
  EXPECT_EQ(fresh, "") << "a new connection at the cap is not served: " << fresh;
  auto overflow = inst_.admin().stat("listener.127.0.0.1_" + std::to_string(port_) +
                                     ".downstream_global_cx_overflow");
  ASSERT_TRUE(overflow.ok()) << overflow.status().toString();
  EXPECT_GE(*overflow, 7u);
  auto created =
      api_->call("POST", "/ingresses",
                 ingressBody("more", "more.example.com", port_, "vm-a", backend_.port()));
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->status, 201) << created->body;
  idle.clear();
  EXPECT_TRUE(pollUntil(
      [&] { return statusLine(once(get("more.example.com"))) == "HTTP/1.1 200 OK"; }, 10s));
  EXPECT_EQ(askKeep(), "HTTP/1.1 200 OK");
}

}  // namespace
}  // namespace ingress::testing

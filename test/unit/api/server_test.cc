// The real Server on 127.0.0.1:0, driven over raw sockets: framing, limits, timeouts, auth,
// every route through the wire, graceful stop.
#include "api/server.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>
#include <tuple>

#include "auth/jwt.h"
#include "common/json.h"
#include "fake_ingress_service.h"
#include "raw_http.h"
#include "test_common/fake_clock.h"
#include "test_common/test_env.h"

namespace ingress::api {
namespace {

using namespace std::chrono_literals;
using testing::buildRequest;
using testing::RawConnection;
using testing::rawRequest;
using testing::RawResponse;

constexpr int64_t kNow = 1'700'000'000;
constexpr std::string_view kSecret = "unit-test-secret-unit-test-secret";

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { startServer(ServerOptions{}); }
  void TearDown() override {
    if (server_) server_->stop(1s);
  }

  void startServer(ServerOptions options) {
    if (server_) server_->stop(1s);
    options.listen = "127.0.0.1:0";
    auto s = Server::create(options, service_, auth_);
    ASSERT_TRUE(s.ok()) << s.status().toString();
    server_ = std::move(s).value();
    ASSERT_TRUE(server_->start().ok());
    ASSERT_NE(server_->port(), 0);
  }

  std::string token(int64_t exp = kNow + 300) const {
    return auth::mintJwtHs256(kSecret, {{"sub", "test"}, {"exp", exp}});
  }

  std::optional<RawResponse> request(std::string_view method, std::string_view target,
                                     std::optional<std::string> body = {}) {
    return rawRequest(server_->port(), buildRequest(method, target, token(), std::move(body)));
  }

  static void expectError(const std::optional<RawResponse>& r, int status, std::string_view code) {
    ASSERT_TRUE(r.has_value()) << "no response";
    EXPECT_EQ(r->status, status) << r->body;
    EXPECT_EQ(r->header("content-type"), "application/json");
    auto j = parseJsonStrict(r->body);
    ASSERT_TRUE(j.ok()) << r->body;
    EXPECT_EQ(j->size(), 2u) << r->body;
    EXPECT_EQ(j->value("code", ""), code) << r->body;
    EXPECT_TRUE((*j)["message"].is_string());
  }

  testing::FakeIngressService service_;
  ingress::testing::FakeClock clock_{
      std::chrono::system_clock::time_point(std::chrono::seconds(kNow))};
  auth::JwtAuthenticator auth_{std::string(kSecret), clock_};
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, HealthNeedsNoAuthAndCarriesARequestId) {
  auto r = rawRequest(server_->port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"status":"ok"})");
  EXPECT_EQ(r->header("content-type"), "application/json");
  auto id = r->header("x-request-id");
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->size(), 32u);
  EXPECT_EQ(id->find_first_not_of("0123456789abcdef"), std::string::npos);
  auto r2 = rawRequest(server_->port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(r2.has_value());
  EXPECT_NE(r2->header("x-request-id"), id);

  auto doc = rawRequest(server_->port(), "GET /openapi.yaml HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->status, 200);
  EXPECT_EQ(doc->header("content-type"), "application/yaml");
  EXPECT_EQ(doc->body.rfind("openapi: 3.1.0", 0), 0u);
}

TEST_F(ServerTest, AuthFailuresAre401WithChallenge) {
  const std::string forged =
      auth::mintJwtHs256("another-secret-another-secret!!", {{"exp", kNow + 60}});
  for (const std::string& tok : std::vector<std::string>{"", forged, token(kNow - 3600), "x.y.z"}) {
    auto r = rawRequest(server_->port(), buildRequest("GET", "/ingresses", tok));
    expectError(r, 401, "unauthorized");
    EXPECT_EQ(r->header("www-authenticate"), "Bearer");
  }
  auto ok = request("GET", "/ingresses");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "[]");
}

TEST_F(ServerTest, EveryRouteOverTheWire) {
  auto put = request("PUT", "/instances/vm1", R"({"ip":"10.0.0.7"})");
  ASSERT_TRUE(put.has_value());
  EXPECT_EQ(put->status, 200);
  EXPECT_EQ(put->body, R"({"ip":"10.0.0.7","name":"vm1"})");

  auto created = request("POST", "/ingresses",
                         R"({"name":"web","rules":[{"match":{"hostname":"a.example.com",)"
                         R"("port":8080},"target":{"instance":"vm1","port":80}}]})");
  ASSERT_TRUE(created.has_value());
  ASSERT_EQ(created->status, 201) << created->body;
  Json c = *parseJsonStrict(created->body);
  EXPECT_EQ(created->header("location"), "/ingresses/" + c["id"].get<std::string>());

  auto list = request("GET", "/ingresses");
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(*parseJsonStrict(list->body), Json::array({c}));
  auto one = request("GET", "/ingresses/web");
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(*parseJsonStrict(one->body), c);
  expectError(request("POST", "/ingresses",
                      R"({"name":"web","rules":[{"match":{"hostname":)"
                      R"("b.example.com"},"target":{"instance":"vm1",)"
                      R"("port":80}}]})"),
              409, "already_exists");
  EXPECT_EQ(request("GET", "/instances")->body, R"([{"ip":"10.0.0.7","name":"vm1"}])");
  EXPECT_EQ(request("GET", "/instances/vm1")->status, 200);

  auto del = request("DELETE", "/ingresses/web");
  ASSERT_TRUE(del.has_value());
  EXPECT_EQ(del->status, 204);
  EXPECT_FALSE(del->header("content-length").has_value());
  EXPECT_FALSE(del->header("content-type").has_value());
  expectError(request("GET", "/ingresses/web"), 404, "not_found");
  EXPECT_EQ(request("DELETE", "/instances/vm1")->status, 204);
  expectError(request("DELETE", "/instances/vm1"), 404, "not_found");
  expectError(request("GET", "/instances/%2e%2e"), 404, "not_found");
  expectError(request("GET", "/nowhere"), 404, "not_found");

  service_.failNext(deadlineExceeded("not confirmed in 5s", "apply_timeout"));
  expectError(request("DELETE", "/instances/vm1"), 504, "apply_timeout");
  service_.failNext(internalError("disk on fire"));
  auto internal = request("GET", "/instances/vm1");
  expectError(internal, 500, "internal_error");
  EXPECT_EQ(internal->body.find("disk on fire"), std::string::npos);
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  auto r = request("PATCH", "/instances/vm1", R"({})");
  expectError(r, 405, "method_not_allowed");
  EXPECT_EQ(r->header("allow"), "GET, HEAD, PUT, DELETE");
  auto h =
      rawRequest(server_->port(), "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  expectError(h, 405, "method_not_allowed");
  EXPECT_EQ(h->header("allow"), "GET, HEAD");
}

TEST_F(ServerTest, MediaTypeAndJsonErrors) {
  expectError(rawRequest(server_->port(), buildRequest("PUT", "/instances/vm1", token(),
                                                       R"({"ip":"10.0.0.7"})", "text/plain")),
              415, "unsupported_media_type");
  expectError(rawRequest(server_->port(), buildRequest("PUT", "/instances/vm1", token(),
                                                       R"({"ip":"10.0.0.7"})", "")),
              415, "unsupported_media_type");
  EXPECT_EQ(rawRequest(server_->port(),
                       buildRequest("PUT", "/instances/vm1", token(), R"({"ip":"10.0.0.7"})",
                                    "application/json; charset=utf-8"))
                ->status,
            200);
  expectError(request("POST", "/ingresses", "{\"name\":"), 400, "bad_request");
  expectError(request("POST", "/ingresses", std::string(100, '[') + std::string(100, ']')), 400,
              "bad_request");
  expectError(request("POST", "/ingresses", R"({"name":"a","name":"b"})"), 400, "bad_request");
}

TEST_F(ServerTest, OversizeBodyIs413WithContentLength) {
  const std::string body(2 << 20, 'x');
  auto r = rawRequest(server_->port(), buildRequest("POST", "/ingresses", token(), body), 10s);
  expectError(r, 413, "payload_too_large");
  EXPECT_EQ(service_.callsStarted(), 0);
}

TEST_F(ServerTest, OversizeChunkedBodyIs413) {
  RawConnection c(server_->port());
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.send("POST /ingresses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token() +
                     "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const std::string chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";  // 64 KiB each
  for (int i = 0; i < 32; ++i) {  // 2 MiB; the server may stop reading half way
    if (!c.send(chunk)) break;
  }
  c.send("0\r\n\r\n");
  expectError(c.readResponse(10s), 413, "payload_too_large");
  EXPECT_EQ(service_.callsStarted(), 0);
}

TEST_F(ServerTest, OversizeHeaderIs431) {
  std::string req =
      "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 << 10, 'a') + "\r\n\r\n";
  expectError(rawRequest(server_->port(), req), 431, "header_too_large");
}

TEST_F(ServerTest, FramingAttacksAre400) {
  const std::string tail = "Host: x\r\nContent-Type: application/json\r\n";
  for (const std::string& req : std::vector<std::string>{
           // Content-Length together with Transfer-Encoding, both orders.
           "POST /ingresses HTTP/1.1\r\n" + tail +
               "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
           "POST /ingresses HTTP/1.1\r\n" + tail +
               "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
           // Duplicate Content-Length, differing and equal, and as a list.
           "POST /ingresses HTTP/1.1\r\n" + tail +
               "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}x",
           "POST /ingresses HTTP/1.1\r\n" + tail +
               "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
           "POST /ingresses HTTP/1.1\r\n" + tail + "Content-Length: 2, 2\r\n\r\n{}",
           "POST /ingresses HTTP/1.1\r\n" + tail + "Content-Length: -1\r\n\r\n{}",
           "POST /ingresses HTTP/1.1\r\n" + tail + "Content-Length: +2\r\n\r\n{}",
           "POST /ingresses HTTP/1.1\r\n" + tail +
               "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
           // Bare LF line endings; garbage request line; bad chunk size.
           "GET /health HTTP/1.1\nHost: x\n\n",
           "GET /health HTTP/1.1\r\nHost: x\nX: y\r\n\r\n",
           "NOT A REQUEST\r\n\r\n",
           "POST /ingresses HTTP/1.1\r\n" + tail + "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
       }) {
    auto r = rawRequest(server_->port(), req);
    expectError(r, 400, "bad_request");
    EXPECT_EQ(r->header("connection"), "close") << req;
  }
  EXPECT_EQ(service_.callsStarted(), 0);
}

TEST_F(ServerTest, KeepAlivePipeliningAndContinue) {
  RawConnection c(server_->port());
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(
      c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  for (int i = 0; i < 2; ++i) {
    auto r = c.readResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_NE(r->header("connection"), "close");
  }
  const std::string body = R"({"ip":"10.1.2.3"})";
  ASSERT_TRUE(c.send("PUT /instances/vm2 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token() +
                     "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n" +
                     "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
  auto cont = c.readResponse();
  ASSERT_TRUE(cont.has_value());
  EXPECT_EQ(cont->status, 100);
  ASSERT_TRUE(c.send(body));
  auto r = c.readResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"ip":"10.1.2.3","name":"vm2"})");
}

TEST_F(ServerTest, SlowDripClientIsCutOffWhileOthersAreServed) {
  ServerOptions options;
  options.request_timeout = 400ms;
  startServer(options);

  RawConnection slow(server_->port());
  ASSERT_TRUE(slow.ok());
  ASSERT_TRUE(slow.send("GET /health HTTP/1.1\r\nHost: x\r\n"));
  std::atomic<bool> done{false};
  std::thread dripper([&] {
    // One header byte every 20 ms: never idle long, but never finishing either.
    for (int i = 0; i < 500 && !done; ++i) {
      if (!slow.send("a")) return;
      std::this_thread::sleep_for(20ms);
    }
  });
  const auto start = std::chrono::steady_clock::now();
  // A well-behaved client is answered promptly meanwhile.
  auto fast = rawRequest(server_->port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 1s);
  const auto fast_latency = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(fast.has_value());
  EXPECT_EQ(fast->status, 200);
  EXPECT_LT(fast_latency, 300ms);

  EXPECT_TRUE(slow.closedByPeer(5s));
  const auto cut_after = std::chrono::steady_clock::now() - start;
  done = true;
  dripper.join();
  EXPECT_GE(cut_after, 300ms);
  EXPECT_LT(cut_after, 3s);
}

TEST_F(ServerTest, GracefulStopFinishesInFlightAndClosesIdle) {
  // An idle keep-alive connection.
  RawConnection idle(server_->port());
  ASSERT_TRUE(idle.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(idle.readResponse()->status, 200);

  // A request stuck in the service.
  service_.holdCalls();
  RawConnection busy(server_->port());
  ASSERT_TRUE(busy.send("GET /instances HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token() +
                        "\r\n\r\n"));
  ASSERT_TRUE(ingress::testing::pollUntil([&] { return service_.callsStarted() == 1; }));

  auto stopped = std::async(std::launch::async, [&] { server_->stop(10s); });
  EXPECT_TRUE(idle.closedByPeer(5s));
  // No new connections are accepted.
  ASSERT_TRUE(ingress::testing::pollUntil([&] {
    RawConnection c(server_->port());
    return !c.ok() || !c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n") ||
           !c.readResponse(1s).has_value();
  }));
  EXPECT_EQ(stopped.wait_for(0ms), std::future_status::timeout);

  service_.releaseCalls();
  auto r = busy.readResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "[]");
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_EQ(stopped.wait_for(5s), std::future_status::ready);
  server_.reset();
}

TEST_F(ServerTest, ConcurrentRequestsAreServedInParallel) {
  // Two service calls held at once prove the handler pool runs them concurrently, and /health
  // still answers while they are held.
  service_.holdCalls();
  RawConnection a(server_->port()), b(server_->port());
  const std::string req =
      "GET /instances HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token() + "\r\n\r\n";
  ASSERT_TRUE(a.send(req));
  ASSERT_TRUE(b.send(req));
  EXPECT_TRUE(ingress::testing::pollUntil([&] { return service_.callsStarted() == 2; }));
  auto h = rawRequest(server_->port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 1s);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->status, 200);
  service_.releaseCalls();
  EXPECT_EQ(a.readResponse()->status, 200);
  EXPECT_EQ(b.readResponse()->status, 200);
}

TEST(ServerCreateTest, RejectsBadOptionsAndBusyPorts) {
  testing::FakeIngressService service;
  ingress::testing::FakeClock clock{std::chrono::system_clock::now()};
  auth::JwtAuthenticator auth("secret", clock);
  ServerOptions o;
  for (const std::string& listen :
       std::vector<std::string>{"127.0.0.1", "127.0.0.1:99999", ":80", "::1:80", "example.com:80",
                                "[::1]80", "127.0.0.1:8x"}) {
    o.listen = listen;
    EXPECT_EQ(Server::create(o, service, auth).status().code(), StatusCode::kInvalidArgument)
        << listen;
  }
  o.listen = "127.0.0.1:0";
  auto first = Server::create(o, service, auth);
  ASSERT_TRUE(first.ok());
  o.listen = "127.0.0.1:" + std::to_string((*first)->port());
  EXPECT_EQ(Server::create(o, service, auth).status().code(), StatusCode::kUnavailable);
}

TEST(ServerCreateTest, ServesOnIpv6Loopback) {
  testing::FakeIngressService service;
  ingress::testing::FakeClock clock{std::chrono::system_clock::now()};
  auth::JwtAuthenticator auth("secret", clock);
  ServerOptions o;
  o.listen = "[::1]:0";
  auto s = Server::create(o, service, auth);
  if (!s.ok()) GTEST_SKIP() << "no IPv6 loopback: " << s.status().toString();
  ASSERT_TRUE((*s)->start().ok());
  EXPECT_NE((*s)->port(), 0);
  (*s)->stop(1s);
}

}  // namespace
}  // namespace ingress::api

namespace ingress::api {
namespace {

std::string messageOf(const std::optional<RawResponse>& r) {
  if (!r) return "<no response>";
  auto j = parseJsonStrict(r->body);
  return j.ok() ? j->value("message", "") : r->body;
}

// Connects from a given loopback source address (127.0.0.0/8 is all local).
int connectFrom(const char* source, uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  ::inet_pton(AF_INET, source, &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string readAll(int fd) {
  std::string out;
  char buf[4096];
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, 5000) > 0) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Waits (deadline, no fixed sleep) until `pred` holds.
template <class Pred>
bool eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

// Regression (issue 9): requests without Host, with two, and with two Authorization headers
// were accepted.
TEST_F(ServerTest, HostAndAuthorizationHeadersAreChecked) {
  auto none = rawRequest(server_->port(), "GET /health HTTP/1.1\r\nConnection: close\r\n\r\n");
  expectError(none, 400, "bad_request");
  EXPECT_EQ(messageOf(none), "malformed HTTP request: missing Host header");
  auto two = rawRequest(server_->port(),
                        "GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n");
  expectError(two, 400, "bad_request");
  EXPECT_EQ(messageOf(two), "malformed HTTP request: duplicate Host header");
  auto two_auth = rawRequest(server_->port(),
                             "GET /ingresses HTTP/1.1\r\nHost: a\r\n"
                             "Authorization: Bearer " +
                                 token() +
                                 "\r\nAuthorization: Bearer x\r\n"
                                 "Connection: close\r\n\r\n");
  expectError(two_auth, 400, "bad_request");
  EXPECT_EQ(messageOf(two_auth), "malformed HTTP request: duplicate Authorization header");
  EXPECT_EQ(service_.callsStarted(), 0);
  // HTTP/1.0 may omit Host.
  auto old = rawRequest(server_->port(), "GET /health HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->status, 200);
}

// Regression (issue 9): absolute-form targets got 404.
TEST_F(ServerTest, AbsoluteFormTargetsAreRoutedLikeOriginForm) {
  auto health = rawRequest(server_->port(),
                           "GET http://api.example.com:8080/health HTTP/1.1\r\nHost: x\r\n"
                           "Connection: close\r\n\r\n");
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->status, 200) << health->body;
  auto list =
      rawRequest(server_->port(), buildRequest("GET", "HTTP://h/ingresses?limit=5", token()));
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(list->status, 200) << list->body;
  EXPECT_EQ(list->body, "[]");
  auto root = rawRequest(server_->port(), buildRequest("GET", "http://h", token()));
  expectError(root, 404, "not_found");  // "http://h" is "/"
}

TEST_F(ServerTest, HeadSendsTheHeadersOfGetWithoutTheBody) {
  int fd = connectFrom("127.0.0.1", server_->port());
  ASSERT_GE(fd, 0);
  const std::string req = "HEAD /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(::write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  const std::string raw = readAll(fd);
  ::close(fd);
  EXPECT_EQ(raw.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << raw;
  EXPECT_NE(raw.find("Content-Length: 15\r\n"), std::string::npos) << raw;  // {"status":"ok"}
  ASSERT_GE(raw.size(), 4u);
  EXPECT_EQ(raw.substr(raw.size() - 4), "\r\n\r\n") << raw;  // and nothing after the headers
}

TEST_F(ServerTest, UnauthenticatedWrongMethodIs401) {
  auto r = rawRequest(server_->port(), buildRequest("PATCH", "/instances/vm1", "bad", "{}"));
  expectError(r, 401, "unauthorized");
  EXPECT_FALSE(r->header("allow").has_value());
}

// Refusals of the server itself reach the metrics hook (they used to be invisible).
TEST_F(ServerTest, RefusalsBeforeTheRouterAreReported) {
  std::mutex mu;
  std::vector<std::tuple<std::string, std::string, int>> seen;
  ServerOptions o;
  o.max_body_bytes = 1024;
  o.on_response = [&](std::string_view m, std::string_view t, int status,
                      std::chrono::nanoseconds) {
    std::lock_guard lock(mu);
    seen.emplace_back(std::string(m), std::string(t), status);
  };
  startServer(o);
  expectError(rawRequest(server_->port(),
                         buildRequest("POST", "/ingresses", token(), std::string(4096, ' '))),
              413, "payload_too_large");
  expectError(rawRequest(server_->port(),
                         "GET /health HTTP/1.1\r\nX: " + std::string(20 << 10, 'a') + "\r\n\r\n"),
              431, "header_too_large");
  expectError(rawRequest(server_->port(), "GET /health HTTP/1.1\r\n\r\n"), 400, "bad_request");
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], std::make_tuple(std::string("POST"), std::string("/ingresses"), 413));
  EXPECT_EQ(std::get<2>(seen[1]), 431);
  EXPECT_EQ(seen[2], std::make_tuple(std::string("GET"), std::string("/health"), 400));
}

TEST_F(ServerTest, ConnectionCapsRefuseWith503AndKeepRoomForOtherClients) {
  ServerOptions o;
  o.max_connections = 6;
  o.max_connections_per_client = 3;
  std::atomic<int> refused{0};
  o.on_response = [&](std::string_view, std::string_view, int status, std::chrono::nanoseconds) {
    if (status == 503) ++refused;
  };
  startServer(o);
  // One client (127.0.0.2) holds its 3 idle connections; its 4th is refused at once.
  std::vector<int> idle;
  for (int i = 0; i < 3; ++i) {
    int fd = connectFrom("127.0.0.2", server_->port());
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
  }
  int fourth = connectFrom("127.0.0.2", server_->port());
  ASSERT_GE(fourth, 0);
  const std::string answer = readAll(fourth);
  ::close(fourth);
  EXPECT_EQ(answer.rfind("HTTP/1.1 503 ", 0), 0u) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
  EXPECT_NE(answer.find(R"("code":"too_many_connections")"), std::string::npos) << answer;
  EXPECT_NE(answer.find("limit per client"), std::string::npos) << answer;
  // on_response may run after the 503 is written: poll for it.
  EXPECT_TRUE(eventually([&] { return refused.load() == 1; })) << refused.load();
  // Another client is still served.
  auto ok = rawRequest(server_->port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);
  // Fill the total cap from two more clients; then everybody new gets the 503 (total cap).
  for (const char* src : {"127.0.0.3", "127.0.0.3", "127.0.0.4"}) {
    int fd = connectFrom(src, server_->port());
    ASSERT_GE(fd, 0);
    idle.push_back(fd);
  }
  std::string full;
  ASSERT_TRUE(eventually([&] {
    int fd = connectFrom("127.0.0.5", server_->port());
    full = fd >= 0 ? readAll(fd) : "";
    if (fd >= 0) ::close(fd);
    return full.find("connections open, its limit") != std::string::npos;
  })) << full;
  EXPECT_EQ(full.rfind("HTTP/1.1 503 ", 0), 0u) << full;
  // Closing idle connections frees room again.
  for (int fd : idle) ::close(fd);
  ASSERT_TRUE(eventually([&] {
    auto r = rawRequest(server_->port(), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 1s);
    return r.has_value() && r->status == 200;
  }));
}

TEST(ServerCreateTest, RejectsBadConnectionCaps) {
  testing::FakeIngressService service;
  ingress::testing::FakeClock clock{
      std::chrono::system_clock::time_point(std::chrono::seconds(kNow))};
  auth::JwtAuthenticator auth{std::string(kSecret), clock};
  ServerOptions o;
  o.listen = "127.0.0.1:0";
  o.max_connections = 0;
  EXPECT_FALSE(Server::create(o, service, auth).ok());
  o.max_connections = 10;
  o.max_connections_per_client = 11;
  auto s = Server::create(o, service, auth);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "max_connections_per_client must be 1..max_connections");
}

}  // namespace
}  // namespace ingress::api

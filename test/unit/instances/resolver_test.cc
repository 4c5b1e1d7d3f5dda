#include <gtest/gtest.h>

#include <chrono>

#include "common/filesystem.h"
#include "instances/caching_resolver.h"
#include "instances/hypeman_resolver.h"
#include "instances/registry_resolver.h"
#include "test_common/fake_http_server.h"
#include "test_common/test_env.h"
#include "unit/ingress/fakes.h"
#include "unit/ingress/status_matchers.h"

namespace ingress::instances {
namespace {

using ingress::testing::expectStatus;
using ingress::testing::FakeHttpServer;
using namespace std::chrono_literals;

TEST(RegistryResolverTest, ResolvesFromTheStore) {
  ingress::testing::TempDir dir;
  FilesystemImpl fs;
  ingress::testing::FakeClock clock(std::chrono::system_clock::time_point{});
  store::InstanceStore store(fs, clock, dir.path());
  ASSERT_TRUE(store.load().ok());
  ASSERT_TRUE(store.put(domain::Instance{"vm", "10.0.0.1"}).ok());
  RegistryResolver resolver(store);
  EXPECT_TRUE(resolver.exists("vm"));
  EXPECT_EQ(*resolver.resolve("vm"), "10.0.0.1");
  EXPECT_FALSE(resolver.exists("ghost"));
  expectStatus(resolver.resolve("ghost").status(), StatusCode::kNotFound, "instance_not_found",
               "instance \"ghost\" not found");
  EXPECT_FALSE(resolver.exists("../vm"));
  expectStatus(resolver.resolve("../vm").status(), StatusCode::kNotFound, "instance_not_found",
               "instance name is not valid");
  ASSERT_TRUE(store.remove("vm").ok());
  EXPECT_FALSE(resolver.exists("vm"));
}

HypemanResolver resolverFor(const FakeHttpServer& server,
                            std::chrono::milliseconds timeout = 2000ms) {
  HypemanResolverOptions o;
  o.api_url = server.url() + "/";  // a trailing slash is tolerated
  o.api_token = "secret-token";
  o.timeout = timeout;
  o.max_response_bytes = 1024;
  return HypemanResolver(o);
}

TEST(HypemanResolverTest, ReadsNetworkIpWithBearerToken) {
  FakeHttpServer server([](const std::string&) {
    return FakeHttpServer::json(200,
                                R"({"id":"abc","name":"my-vm","network":{"ip":"10.100.0.10"}})");
  });
  HypemanResolver resolver = resolverFor(server);
  auto ip = resolver.resolve("my-vm");
  ASSERT_TRUE(ip.ok()) << ip.status().toString();
  EXPECT_EQ(*ip, "10.100.0.10");
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].rfind("GET /instances/my-vm HTTP/1.1\r\n", 0), 0u) << reqs[0];
  EXPECT_NE(reqs[0].find("\r\nAuthorization: Bearer secret-token\r\n"), std::string::npos);
  EXPECT_TRUE(resolver.exists("my-vm"));
}

TEST(HypemanResolverTest, CanonicalizesIpv6) {
  FakeHttpServer server([](const std::string&) {
    return FakeHttpServer::json(200, R"({"network":{"ip":"FD00:0:0::A"}})");
  });
  EXPECT_EQ(*resolverFor(server).resolve("vm"), "fd00::a");
}

TEST(HypemanResolverTest, NotFoundIs404) {
  FakeHttpServer server(
      [](const std::string&) { return FakeHttpServer::json(404, R"({"code":"not_found"})"); });
  HypemanResolver resolver = resolverFor(server);
  expectStatus(resolver.resolve("ghost").status(), StatusCode::kNotFound, "instance_not_found",
               "instance \"ghost\" not found");
  EXPECT_FALSE(resolver.exists("ghost"));
}

TEST(HypemanResolverTest, InstanceWithoutAddressExistsButDoesNotResolve) {
  FakeHttpServer server([](const std::string& req) {
    if (req.find("/instances/no-net ") != std::string::npos) {
      return FakeHttpServer::json(200, R"({"id":"x"})");
    }
    return FakeHttpServer::json(200, R"({"network":{"ip":""}})");
  });
  HypemanResolver resolver = resolverFor(server);
  expectStatus(resolver.resolve("no-net").status(), StatusCode::kFailedPrecondition, "",
               "instance \"no-net\" has no network address");
  expectStatus(resolver.resolve("no-ip").status(), StatusCode::kFailedPrecondition, "",
               "instance \"no-ip\" has no IP address yet");
  EXPECT_TRUE(resolver.exists("no-ip"));
}

TEST(HypemanResolverTest, OtherFailuresAreUnavailableAndNeverLeakTheToken) {
  struct Case {
    std::string response;
    std::string message;
  };
  const std::string prefix = "hypeman API lookup of instance \"vm\"";
  std::vector<Case> cases = {
      {FakeHttpServer::json(500, "{}"), prefix + " failed: HTTP status 500"},
      {FakeHttpServer::json(401, "{}"), prefix + " failed: HTTP status 401"},
      {FakeHttpServer::json(200, "{nope"),
       prefix + ": malformed answer: malformed JSON near byte 3"},
      {FakeHttpServer::json(200, "[]"), prefix + ": answer is not a JSON object"},
      {FakeHttpServer::json(200, R"({"network":"10.0.0.1"})"),
       prefix + ": network is not an object"},
      {FakeHttpServer::json(200, R"({"network":{"ip":7}})"),
       prefix + ": network.ip is not a string"},
      {FakeHttpServer::json(200, R"({"network":{"ip":"10.0.0.999"}})"),
       prefix + ": network.ip: must be an IPv4 or IPv6 address"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.response);
    FakeHttpServer server([&](const std::string&) { return c.response; });
    HypemanResolver resolver = resolverFor(server);
    auto r = resolver.resolve("vm");
    expectStatus(r.status(), StatusCode::kUnavailable, "", c.message);
    EXPECT_EQ(r.status().message().find("secret-token"), std::string::npos);
    EXPECT_FALSE(resolver.exists("vm"));
  }
}

TEST(HypemanResolverTest, CapsTheResponseSize) {
  FakeHttpServer server([](const std::string&) {
    return FakeHttpServer::json(
        200, R"({"network":{"ip":"10.0.0.1"},"pad":")" + std::string(8192, 'x') + "\"}");
  });
  auto r = resolverFor(server).resolve("vm");
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("response larger than 1024 bytes"), std::string::npos)
      << r.status().message();
}

TEST(HypemanResolverTest, TimesOutQuickly) {
  FakeHttpServer server([](const std::string&) { return std::optional<std::string>(); });
  const auto start = std::chrono::steady_clock::now();
  auto r = resolverFor(server, 200ms).resolve("vm");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_LT(took, 2s);
}

TEST(HypemanResolverTest, ConnectionRefusedIsUnavailable) {
  HypemanResolverOptions o;
  o.api_url = "http://127.0.0.1:" + std::to_string(ingress::testing::freeLoopbackPort());
  o.timeout = 500ms;
  auto r = HypemanResolver(o).resolve("vm");
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  // The two-string convenience constructor behaves the same.
  EXPECT_EQ(HypemanResolver(o.api_url, "t").resolve("vm").status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message().rfind("hypeman API lookup of instance \"vm\" failed: ", 0), 0u);
}

TEST(HypemanResolverTest, NamesThatCouldEscapeThePathNeverReachTheServer) {
  FakeHttpServer server([](const std::string&) { return FakeHttpServer::json(200, "{}"); });
  HypemanResolver resolver = resolverFor(server);
  for (std::string_view bad :
       {std::string_view(""), std::string_view("."), std::string_view(".."),
        std::string_view("../admin"), std::string_view("a/b"), std::string_view("a b"),
        std::string_view("a?x=1"), std::string_view("a#b"), std::string_view("%2e%2e"),
        std::string_view("a\0b", 3), std::string_view("a\r\nb")}) {
    expectStatus(resolver.resolve(bad).status(), StatusCode::kNotFound, "instance_not_found",
                 "instance name is not valid");
  }
  EXPECT_FALSE(isValidHypemanInstanceRef(std::string(129, 'a')));
  EXPECT_TRUE(isValidHypemanInstanceRef("Inst_01.a-b"));
  EXPECT_TRUE(server.requests().empty());
}

// As serve wires it: a cache in front of the hypeman API makes one HTTP call per instance per
// TTL, and resolveFresh (the reconcile) always asks.
TEST(CachingHypemanResolverTest, OneHttpCallPerInstancePerTtl) {
  FakeHttpServer server([](const std::string& head) {
    if (head.find("/instances/ghost ") != std::string::npos) {
      return FakeHttpServer::json(404, R"({"code":"not_found"})");
    }
    return FakeHttpServer::json(200, R"({"network":{"ip":"10.100.0.10"}})");
  });
  ingress::testing::FakeClock clock(std::chrono::system_clock::time_point{} + 1000h);
  CachingResolver cache(std::make_unique<HypemanResolver>(resolverFor(server)), clock,
                        CachingResolverOptions{.ttl = 5000ms});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(*cache.resolve("my-vm"), "10.100.0.10");
    EXPECT_FALSE(cache.exists("ghost"));
  }
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(*cache.resolveFresh("my-vm"), "10.100.0.10");
  EXPECT_EQ(server.requests().size(), 3u);
  clock.advance(5s);
  EXPECT_EQ(*cache.resolve("my-vm"), "10.100.0.10");
  EXPECT_EQ(server.requests().size(), 4u);
}

}  // namespace
}  // namespace ingress::instances

// Challenge solvers: the HTTP-01 responder, the DNS exec hook (a real shell script), the
// Cloudflare solver against a fake API, the propagation wait (fake resolvers, fake clock) and the
// combined solver's dispatch.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "acme/challenge.h"
#include "acme/cloudflare_solver.h"
#include "acme/dns_propagation.h"
#include "acme/exec_hook_solver.h"
#include "acme/jws.h"
#include "test_common/fake_clock.h"
#include "test_common/test_env.h"

namespace ingress::acme {
namespace {

using namespace std::chrono_literals;

TEST(Http01Responder, ServesPresentedTokensUntilCleanup) {
  Http01Responder r;
  EXPECT_TRUE(r.supports(ChallengeType::kHttp01, false));
  EXPECT_FALSE(r.supports(ChallengeType::kHttp01, true));
  EXPECT_FALSE(r.supports(ChallengeType::kDns01, false));
  ASSERT_TRUE(r.present(ChallengeType::kHttp01, "a.test", "tok", "tok.thumb").ok());
  EXPECT_EQ(r.lookup("tok"), "tok.thumb");
  EXPECT_EQ(r.lookupPath("/.well-known/acme-challenge/tok"), "tok.thumb");
  EXPECT_FALSE(r.lookupPath("/other/tok").has_value());
  EXPECT_FALSE(r.lookup("other").has_value());
  EXPECT_EQ(r.pending(), 1u);
  r.cleanup(ChallengeType::kHttp01, "a.test", "tok", "tok.thumb");
  EXPECT_FALSE(r.lookup("tok").has_value());
  EXPECT_EQ(r.pending(), 0u);
}

std::string writeScript(const testing::TempDir& dir, const std::string& body) {
  const std::string path = dir.file("hook.sh");
  std::ofstream(path) << "#!/bin/sh\n" << body;
  ::chmod(path.c_str(), 0755);
  return path;
}

TEST(ExecHookSolver, RunsPresentAndCleanupWithFqdnAndValue) {
  testing::TempDir dir;
  const std::string log = dir.file("calls");
  ProcessLauncherImpl launcher;
  ExecHookSolver hook(launcher, writeScript(dir, "echo \"$@\" >> " + log + "\n"), 10s);
  EXPECT_TRUE(hook.supports(ChallengeType::kDns01, true));
  EXPECT_FALSE(hook.supports(ChallengeType::kHttp01, false));
  ASSERT_TRUE(hook.present(ChallengeType::kDns01, "example.test", "tok", "tok.thumb").ok());
  hook.cleanup(ChallengeType::kDns01, "example.test", "tok", "tok.thumb");
  std::ifstream in(log);
  std::string present, cleanup;
  std::getline(in, present);
  std::getline(in, cleanup);
  const std::string value = dns01TxtValue("tok.thumb");
  EXPECT_EQ(present, "present _acme-challenge.example.test " + value);
  EXPECT_EQ(cleanup, "cleanup _acme-challenge.example.test " + value);
}

TEST(ExecHookSolver, FailureCarriesTheHooksStderr) {
  testing::TempDir dir;
  ProcessLauncherImpl launcher;
  ExecHookSolver hook(
      launcher, writeScript(dir, "echo 'zone example.test: API token expired' >&2\nexit 3\n"), 10s);
  Status s = hook.present(ChallengeType::kDns01, "example.test", "tok", "tok.thumb");
  EXPECT_EQ(s.reason(), "acme_dns_hook_failed");
  EXPECT_NE(s.message().find("API token expired"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("3"), std::string::npos);
}

// A Cloudflare API with zone "example.com" (id z1).
class FakeCloudflare final : public Transport {
 public:
  StatusOr<HttpResponse> send(const HttpRequest& r) override {
    requests.push_back(r.method + " " + r.url.substr(base.size()));
    auth_headers.push_back(r.headers.empty() ? "" : r.headers[0].second);
    HttpResponse out;
    out.status = 200;
    if (r.method == "GET" && r.url == base + "/zones?name=example.com") {
      out.body = R"({"success":true,"errors":[],"result":[{"id":"z1","name":"example.com"}]})";
    } else if (r.method == "GET") {
      out.body = R"({"success":true,"errors":[],"result":[]})";
    } else if (r.method == "POST" && r.url == base + "/zones/z1/dns_records") {
      if (fail_create) {
        out.status = 403;
        out.body = R"({"success":false,"errors":[{"code":9109,"message":"Invalid access token"}]})";
      } else {
        created = Json::parse(r.body);
        out.body = R"({"success":true,"errors":[],"result":{"id":"rec9"}})";
      }
    } else if (r.method == "DELETE" && r.url == base + "/zones/z1/dns_records/rec9") {
      out.body = R"({"success":true,"errors":[],"result":{"id":"rec9"}})";
    } else {
      out.status = 404;
      out.body = R"({"success":false,"errors":[{"message":"no route"}]})";
    }
    return out;
  }
  std::string base = "http://cf.test/client/v4";
  bool fail_create = false;
  std::vector<std::string> requests;
  std::vector<std::string> auth_headers;
  Json created;
};

TEST(CloudflareSolver, WalksUpToTheZoneCreatesAndDeletesTheRecord) {
  FakeCloudflare api;
  CloudflareSolver cf("secret-token", api, api.base);
  ASSERT_TRUE(cf.present(ChallengeType::kDns01, "a.b.example.com", "tok", "tok.thumb").ok());
  EXPECT_EQ(api.created["type"], "TXT");
  EXPECT_EQ(api.created["name"], "_acme-challenge.a.b.example.com");
  EXPECT_EQ(api.created["content"], dns01TxtValue("tok.thumb"));
  cf.cleanup(ChallengeType::kDns01, "a.b.example.com", "tok", "tok.thumb");
  EXPECT_EQ(api.requests, (std::vector<std::string>{
                              "GET /zones?name=a.b.example.com", "GET /zones?name=b.example.com",
                              "GET /zones?name=example.com", "POST /zones/z1/dns_records",
                              "DELETE /zones/z1/dns_records/rec9"}));
  for (const std::string& h : api.auth_headers) EXPECT_EQ(h, "Bearer secret-token");
}

TEST(CloudflareSolver, ApiErrorsAreReported) {
  FakeCloudflare api;
  api.fail_create = true;
  CloudflareSolver cf("t", api, api.base);
  Status s = cf.present(ChallengeType::kDns01, "example.com", "tok", "tok.thumb");
  EXPECT_EQ(s.reason(), "acme_dns_provider_failed");
  EXPECT_NE(s.message().find("Invalid access token"), std::string::npos) << s.message();
  Status none = cf.present(ChallengeType::kDns01, "other.org", "tok", "tok.thumb");
  EXPECT_EQ(none.reason(), "acme_dns_provider_failed");
  EXPECT_NE(none.message().find("no zone"), std::string::npos);
}

// A resolver that sees the value after `delay` lookups.
class FakeResolver final : public TxtResolver {
 public:
  FakeResolver(std::string name, int delay, std::string value)
      : name_(std::move(name)), delay_(delay), value_(std::move(value)) {}
  StatusOr<std::vector<std::string>> lookupTxt(const std::string& fqdn) override {
    lookups.push_back(fqdn);
    if (--delay_ > 0) return std::vector<std::string>{"stale"};
    return std::vector<std::string>{"other", value_};
  }
  std::string name() const override { return name_; }
  std::vector<std::string> lookups;

 private:
  std::string name_;
  int delay_;
  std::string value_;
};

TEST(DnsPropagationWaiter, WaitsUntilEveryResolverSeesTheValue) {
  testing::FakeClock clock(std::chrono::system_clock::from_time_t(1900000000));
  std::vector<std::unique_ptr<TxtResolver>> resolvers;
  resolvers.push_back(std::make_unique<FakeResolver>("r1", 1, "v"));
  resolvers.push_back(std::make_unique<FakeResolver>("r2", 3, "v"));
  auto* r2 = static_cast<FakeResolver*>(resolvers[1].get());
  DnsPropagationWaiter wait(std::move(resolvers), clock, 60s, 2s);
  const auto t0 = clock.monotonicNow();
  ASSERT_TRUE(wait.waitFor("_acme-challenge.a.test", "v").ok());
  EXPECT_EQ(r2->lookups.size(), 3u);
  EXPECT_EQ(clock.monotonicNow() - t0, 4s);
}

TEST(DnsPropagationWaiter, TimesOutNamingTheLaggingResolver) {
  testing::FakeClock clock(std::chrono::system_clock::from_time_t(1900000000));
  std::vector<std::unique_ptr<TxtResolver>> resolvers;
  resolvers.push_back(std::make_unique<FakeResolver>("fast", 1, "v"));
  resolvers.push_back(std::make_unique<FakeResolver>("slow:5353", 1000, "v"));
  DnsPropagationWaiter wait(std::move(resolvers), clock, 10s, 2s);
  Status s = wait.waitFor("_acme-challenge.a.test", "v");
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(s.reason(), "acme_dns_propagation");
  EXPECT_NE(s.message().find("slow:5353"), std::string::npos);
  EXPECT_EQ(s.message().find("fast"), std::string::npos);
}

TEST(DnsPropagation, ResolverListParsing) {
  EXPECT_TRUE(makeTxtResolvers({"127.0.0.1", "10.0.0.2:5353"}).ok());
  EXPECT_EQ(makeTxtResolvers({}).value().size(), 1u);
  EXPECT_EQ(makeTxtResolvers({"1.2.3.4:0"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(makeTxtResolvers({"dns.example"}).status().code(), StatusCode::kInvalidArgument);
}

TEST(CombinedSolver, DispatchesByTypeAndWaitsForDns) {
  testing::TempDir dir;
  ProcessLauncherImpl launcher;
  ExecHookSolver dns(launcher, writeScript(dir, "exit 0\n"), 10s);
  Http01Responder http;
  testing::FakeClock clock(std::chrono::system_clock::from_time_t(1900000000));
  std::vector<std::unique_ptr<TxtResolver>> resolvers;
  resolvers.push_back(std::make_unique<FakeResolver>("r", 2, dns01TxtValue("t2.k")));
  auto* r = static_cast<FakeResolver*>(resolvers[0].get());
  DnsPropagationWaiter wait(std::move(resolvers), clock, 60s, 1s);
  CombinedSolver solver(&http, &dns, &wait);
  EXPECT_TRUE(solver.supports(ChallengeType::kHttp01, false));
  EXPECT_FALSE(solver.supports(ChallengeType::kHttp01, true));
  EXPECT_TRUE(solver.supports(ChallengeType::kDns01, true));
  ASSERT_TRUE(solver.present(ChallengeType::kHttp01, "a.test", "t1", "t1.k").ok());
  EXPECT_EQ(http.lookup("t1"), "t1.k");
  EXPECT_TRUE(r->lookups.empty());
  ASSERT_TRUE(solver.present(ChallengeType::kDns01, "b.test", "t2", "t2.k").ok());
  EXPECT_EQ(r->lookups,
            (std::vector<std::string>{"_acme-challenge.b.test", "_acme-challenge.b.test"}));
  CombinedSolver http_only(&http, nullptr, nullptr);
  EXPECT_FALSE(http_only.supports(ChallengeType::kDns01, true));
  EXPECT_EQ(http_only.present(ChallengeType::kDns01, "b.test", "t", "k").code(),
            StatusCode::kUnsupported);
}

}  // namespace
}  // namespace ingress::acme

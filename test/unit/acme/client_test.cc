// AcmeClient against FakeAcmeServer: the happy path (one order, http-01 / dns-01 choice, JWS
// header rules), badNonce retries, Retry-After while polling and on 429, problem mapping of a
// failed challenge, ARI present and absent.
#include "acme/client.h"

#include <gtest/gtest.h>

#include <mutex>

#include "common/base64url.h"
#include "test_common/test_csr.h"
#include "unit/acme/fake_acme_server.h"

namespace ingress::acme {
namespace {

using namespace std::chrono_literals;
using testing::FakeAcmeServer;

// A clock that records every sleep (and advances by it).
class RecordingClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return start + elapsed; }
  std::chrono::steady_clock::time_point monotonicNow() const override {
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(elapsed));
  }
  void sleepFor(std::chrono::nanoseconds d) override {
    sleeps.push_back(d);
    elapsed += d;
  }
  std::chrono::system_clock::time_point start = std::chrono::system_clock::from_time_t(1900000000);
  std::chrono::nanoseconds elapsed{0};
  std::vector<std::chrono::nanoseconds> sleeps;
};

class RecordingSolver final : public ChallengeSolver {
 public:
  bool supports(ChallengeType type, bool wildcard) const override {
    return type == ChallengeType::kDns01 || (with_http && !wildcard);
  }
  Status present(ChallengeType type, const std::string& domain, const std::string& token,
                 const std::string& key_authorization) override {
    presented.push_back(std::string(challengeTypeName(type)) + " " + domain + " " + token + " " +
                        key_authorization);
    return present_status;
  }
  void cleanup(ChallengeType type, const std::string& domain, const std::string& token,
               const std::string&) override {
    cleaned.push_back(std::string(challengeTypeName(type)) + " " + domain + " " + token);
  }
  bool with_http = true;
  Status present_status;
  std::vector<std::string> presented;
  std::vector<std::string> cleaned;
};

class AcmeClientTest : public ::testing::Test {
 protected:
  AcmeClientTest() : key_(*AccountKey::generate()) {
    settings_.directory_url = server_.directoryUrl();
    settings_.email = "ops@example.test";
  }
  AcmeClient& client() {
    if (!client_) client_ = std::make_unique<AcmeClient>(settings_, key_, server_, clock_, solver_);
    return *client_;
  }

  FakeAcmeServer server_;
  RecordingClock clock_;
  RecordingSolver solver_;
  AcmeSettings settings_;
  AccountKey key_;
  std::unique_ptr<AcmeClient> client_;
  std::string csr_ = std::string("\x30\x82", 2) + "fake-csr-der";
};

TEST_F(AcmeClientTest, IssuesWithOneOrderOverHttp01) {
  StatusOr<IssuedChain> chain = client().issue({"a.example.test"}, csr_);
  ASSERT_TRUE(chain.ok()) << chain.status().toString();
  EXPECT_NE(chain->chain_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_EQ(chain->order_url, "https://ca.test/order/1");
  EXPECT_EQ(client().ordersCreated(), 1u);
  EXPECT_EQ(server_.new_orders, 1);
  EXPECT_EQ(server_.chosen_challenges, std::vector<std::string>{"http-01"});
  const std::string token = "token-0-http-01";
  EXPECT_EQ(solver_.presented, std::vector<std::string>{"http-01 a.example.test " + token + " " +
                                                        token + "." + key_.thumbprint()});
  EXPECT_EQ(solver_.cleaned, std::vector<std::string>{"http-01 a.example.test " + token});
  EXPECT_EQ(server_.finalized_csr, base64UrlEncode(csr_));
  // newAccount is signed with the jwk, everything after with the kid; every POST has a nonce.
  ASSERT_GE(server_.protected_headers.size(), 2u);
  EXPECT_TRUE(server_.protected_headers[0].contains("jwk"));
  EXPECT_FALSE(server_.protected_headers[0].contains("kid"));
  for (size_t i = 1; i < server_.protected_headers.size(); ++i) {
    EXPECT_EQ(server_.protected_headers[i].value("kid", ""), "https://ca.test/acct/1");
    EXPECT_FALSE(server_.protected_headers[i].contains("jwk"));
  }
  for (const Json& h : server_.protected_headers) EXPECT_EQ(h.value("alg", ""), "ES256");
  // One HEAD for the first nonce; every later one came from Replay-Nonce.
  EXPECT_EQ(server_.nonce_heads, 1);
  // The certificate download asks for the PEM chain.
  bool asked_pem = false;
  for (const auto& [k, v] : server_.requests.back().headers) {
    asked_pem = asked_pem || (k == "Accept" && v == "application/pem-certificate-chain");
  }
  EXPECT_TRUE(asked_pem);
  EXPECT_FALSE(server_.last_order_request.contains("replaces"));
}

TEST_F(AcmeClientTest, WildcardUsesDns01AndPlainNameHttp01) {
  StatusOr<IssuedChain> chain = client().issue({"example.test", "*.example.test"}, csr_);
  ASSERT_TRUE(chain.ok()) << chain.status().toString();
  EXPECT_EQ(server_.chosen_challenges, (std::vector<std::string>{"http-01", "dns-01"}));
  EXPECT_EQ(server_.new_orders, 1);
}

TEST_F(AcmeClientTest, WildcardWithoutDnsSolverFailsClearly) {
  solver_.with_http = true;
  class HttpOnly final : public ChallengeSolver {
   public:
    bool supports(ChallengeType t, bool w) const override {
      return t == ChallengeType::kHttp01 && !w;
    }
    Status present(ChallengeType, const std::string&, const std::string&,
                   const std::string&) override {
      return okStatus();
    }
    void cleanup(ChallengeType, const std::string&, const std::string&,
                 const std::string&) override {}
  } http_only;
  AcmeClient client(settings_, key_, server_, clock_, http_only);
  AcmeFailure failure;
  StatusOr<IssuedChain> chain = client.issue({"*.example.test"}, csr_, {}, &failure);
  ASSERT_FALSE(chain.ok());
  EXPECT_EQ(chain.status().reason(), "acme_no_solver");
  EXPECT_NE(chain.status().message().find("DNS-01"), std::string::npos);
  EXPECT_EQ(failure.status.reason(), "acme_no_solver");
}

TEST_F(AcmeClientTest, BadNonceIsRetriedWithTheNonceFromTheErrorAnswer) {
  server_.reject_nonces = 3;
  StatusOr<IssuedChain> chain = client().issue({"a.example.test"}, csr_);
  ASSERT_TRUE(chain.ok()) << chain.status().toString();
  EXPECT_EQ(client().badNonceRetries(), 3u);
  EXPECT_EQ(server_.nonce_heads, 1);  // the retries used the error answers' Replay-Nonce
  EXPECT_EQ(client().ordersCreated(), 1u);
}

TEST_F(AcmeClientTest, BadNonceGivesUpAfterTheConfiguredRetries) {
  settings_.max_bad_nonce_retries = 2;
  server_.reject_nonces = 100;
  AcmeFailure failure;
  StatusOr<IssuedChain> chain = client().issue({"a.example.test"}, csr_, {}, &failure);
  ASSERT_FALSE(chain.ok());
  EXPECT_EQ(chain.status().reason(), "acme_bad_nonce");
  EXPECT_EQ(failure.problem_type, "urn:ietf:params:acme:error:badNonce");
  EXPECT_EQ(client().badNonceRetries(), 2u);
}

TEST_F(AcmeClientTest, PollingHonoursRetryAfter) {
  server_.pending_polls = 2;
  server_.authz_retry_after = "7";
  StatusOr<IssuedChain> chain = client().issue({"a.example.test"}, csr_);
  ASSERT_TRUE(chain.ok()) << chain.status().toString();
  // Two pending answers with Retry-After: 7 → two sleeps of 7 s; the rest use poll_interval.
  int sevens = 0;
  for (auto d : clock_.sleeps) sevens += d == std::chrono::nanoseconds(7s);
  EXPECT_EQ(sevens, 2);
  for (auto d : clock_.sleeps) {
    EXPECT_TRUE(d == std::chrono::nanoseconds(7s) || d == std::chrono::nanoseconds(1s));
  }
}

TEST_F(AcmeClientTest, AuthorizationTimeoutIsReported) {
  server_.pending_polls = 1000;
  settings_.authorization_timeout = 10s;
  StatusOr<IssuedChain> chain = client().issue({"a.example.test"}, csr_);
  ASSERT_FALSE(chain.ok());
  EXPECT_EQ(chain.status().reason(), "acme_timeout");
  EXPECT_EQ(solver_.cleaned.size(), 1u);  // cleaned up even so
}

TEST_F(AcmeClientTest, RateLimitCarriesRetryAfterAndCreatesOneOrder) {
  HttpResponse limited;
  limited.status = 429;
  limited.body = Json{{"type", "urn:ietf:params:acme:error:rateLimited"},
                      {"detail", "too many certificates (5) already issued for this exact set"}}
                     .dump();
  limited.headers = {{"content-type", "application/problem+json"}, {"retry-after", "3600"}};
  server_.new_order_answer = limited;
  AcmeFailure failure;
  StatusOr<IssuedChain> chain = client().issue({"a.example.test"}, csr_, {}, &failure);
  ASSERT_FALSE(chain.ok());
  EXPECT_EQ(chain.status().reason(), "acme_rate_limited");
  EXPECT_EQ(chain.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(chain.status().message().find("too many certificates (5)"), std::string::npos);
  ASSERT_TRUE(failure.retry_after.has_value());
  EXPECT_EQ(*failure.retry_after, clock_.now() + 3600s);
  EXPECT_EQ(failure.problem_type, "urn:ietf:params:acme:error:rateLimited");
  EXPECT_EQ(client().ordersCreated(), 1u);
  EXPECT_TRUE(clock_.sleeps.empty());  // backing off is the caller's decision
}

TEST_F(AcmeClientTest, FailedChallengeMapsTheProblemAndCleansUp) {
  server_.challenge_error = Json{{"type", "urn:ietf:params:acme:error:connection"},
                                 {"detail", "127.0.0.1: Connection refused"}};
  AcmeFailure failure;
  StatusOr<IssuedChain> chain = client().issue({"a.example.test"}, csr_, {}, &failure);
  ASSERT_FALSE(chain.ok());
  EXPECT_EQ(chain.status().reason(), "acme_connection");
  EXPECT_NE(chain.status().message().find("Connection refused"), std::string::npos);
  EXPECT_NE(chain.status().message().find("http-01 for a.example.test"), std::string::npos);
  EXPECT_EQ(solver_.cleaned.size(), 1u);
  EXPECT_EQ(failure.problem_type, "urn:ietf:params:acme:error:connection");
}

TEST_F(AcmeClientTest, SolverFailureStopsBeforeTheCaIsAsked) {
  solver_.present_status = failedPrecondition("hook exploded", "acme_dns_hook_failed");
  AcmeFailure failure;
  StatusOr<IssuedChain> chain = client().issue({"*.example.test"}, csr_, {}, &failure);
  ASSERT_FALSE(chain.ok());
  EXPECT_EQ(chain.status().reason(), "acme_dns_hook_failed");
  EXPECT_EQ(failure.status.reason(), "acme_dns_hook_failed");
  EXPECT_TRUE(server_.chosen_challenges.empty());
}

TEST_F(AcmeClientTest, RenewalInfoWhenTheCaOffersAri) {
  server_.with_ari = true;
  StatusOr<std::optional<RenewalWindow>> w =
      client().renewalInfo("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
  ASSERT_TRUE(w.ok()) << w.status().toString();
  ASSERT_TRUE(w->has_value());
  EXPECT_EQ((*w)->start, *parseRfc3339("2030-01-02T00:00:00Z"));
  EXPECT_EQ((*w)->end - (*w)->start, 36h + 500ms);
  ASSERT_TRUE((*w)->retry_after.has_value());
  EXPECT_EQ(*(*w)->retry_after, clock_.now() + 6h);
  EXPECT_EQ((*w)->explanation_url, "https://ca.test/why");
  EXPECT_EQ(server_.ari_ids, std::vector<std::string>{"aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"});
  // The renewal's order names the certificate it replaces.
  ASSERT_TRUE(client().issue({"a.example.test"}, csr_, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE").ok());
  EXPECT_EQ(server_.last_order_request.value("replaces", ""),
            "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
}

TEST_F(AcmeClientTest, RenewalInfoAbsentWithoutAri) {
  StatusOr<std::optional<RenewalWindow>> w = client().renewalInfo("x.y");
  ASSERT_TRUE(w.ok()) << w.status().toString();
  EXPECT_FALSE(w->has_value());
  EXPECT_TRUE(server_.ari_ids.empty());
}

TEST_F(AcmeClientTest, AccountIsRegisteredOnceAndReused) {
  ASSERT_TRUE(client().issue({"a.example.test"}, csr_).ok());
  ASSERT_TRUE(client().issue({"b.example.test"}, csr_).ok());
  int accounts = 0;
  for (const HttpRequest& r : server_.requests) accounts += r.url.ends_with("/new-account");
  EXPECT_EQ(accounts, 1);
  EXPECT_EQ(client().ordersCreated(), 2u);
  // The contact and the terms agreement went into newAccount.
  StatusOr<std::string> account = client().accountUrl();
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(*account, "https://ca.test/acct/1");
}

TEST_F(AcmeClientTest, UnreachableDirectoryIsUnavailable) {
  settings_.directory_url = "https://ca.test/missing";
  StatusOr<IssuedChain> chain = client().issue({"a.example.test"}, csr_);
  ASSERT_FALSE(chain.ok());
  EXPECT_EQ(client().ordersCreated(), 0u);
}

}  // namespace
}  // namespace ingress::acme

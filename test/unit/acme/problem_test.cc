// Problem documents → Status (reason, code, CA detail, subproblems), Retry-After, RFC 3339 and
// the ARI certificate id (RFC 9773's own example).
#include "acme/problem.h"

#include <gtest/gtest.h>

#include "acme/ari.h"

namespace ingress::acme {
namespace {

using namespace std::chrono_literals;

TEST(Problem, EveryTypeMapsToAStableReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"rateLimited", "acme_rate_limited"},
      {"rejectedIdentifier", "acme_rejected_identifier"},
      {"unauthorized", "acme_unauthorized"},
      {"dns", "acme_dns"},
      {"connection", "acme_connection"},
      {"caa", "acme_caa"},
      {"orderNotReady", "acme_order_not_ready"},
      {"serverInternal", "acme_server_internal"},
      {"badNonce", "acme_bad_nonce"},
      {"malformed", "acme_malformed"},
      {"incorrectResponse", "acme_incorrect_response"},
      {"tls", "acme_tls"},
      {"somethingNew", "acme_error"},
  };
  for (const auto& [type, reason] : cases) {
    Status s = statusFromProblem({{"type", std::string("urn:ietf:params:acme:error:") + type},
                                  {"detail", "D-" + std::string(type)}},
                                 "ordering");
    EXPECT_EQ(s.reason(), reason) << type;
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("D-" + std::string(type)), std::string::npos) << s.message();
    EXPECT_TRUE(s.message().starts_with("ordering: ")) << s.message();
  }
  EXPECT_EQ(
      statusFromProblem({{"type", "urn:ietf:params:acme:error:rejectedIdentifier"}}, "x").code(),
      StatusCode::kInvalidArgument);
}

TEST(Problem, SubproblemsNameTheirIdentifiers) {
  Json p{{"type", "urn:ietf:params:acme:error:rejectedIdentifier"},
         {"detail", "some names were refused"},
         {"subproblems",
          {{{"type", "urn:ietf:params:acme:error:rejectedIdentifier"},
            {"detail", "blocked by policy"},
            {"identifier", {{"type", "dns"}, {"value", "bad.example"}}}}}}};
  Status s = statusFromProblem(p, "ordering");
  EXPECT_EQ(s.reason(), "acme_rejected_identifier");
  EXPECT_NE(s.message().find("some names were refused; bad.example: blocked by policy"),
            std::string::npos)
      << s.message();
}

TEST(Problem, FailureFromResponseWithoutProblemDocument) {
  HttpResponse r;
  r.status = 503;
  r.body = "<html>down</html>";
  r.headers = {{"retry-after", "120"}};
  const auto now = std::chrono::system_clock::from_time_t(1900000000);
  AcmeFailure f = failureFromResponse(r, "newOrder", now);
  EXPECT_EQ(f.status.reason(), "acme_unavailable");
  EXPECT_EQ(f.status.code(), StatusCode::kUnavailable);
  ASSERT_TRUE(f.retry_after.has_value());
  EXPECT_EQ(*f.retry_after, now + 120s);
  EXPECT_TRUE(f.problem_type.empty());
}

TEST(RetryAfter, SecondsAndHttpDates) {
  const auto now = std::chrono::system_clock::from_time_t(1900000000);
  EXPECT_EQ(parseRetryAfter("30", now), now + 30s);
  EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now),
            std::chrono::system_clock::from_time_t(784111777));
  EXPECT_FALSE(parseRetryAfter("", now).has_value());
  EXPECT_FALSE(parseRetryAfter("soon", now).has_value());
  EXPECT_FALSE(parseRetryAfter("-5", now).has_value());
}

TEST(Rfc3339, ZuluOffsetsAndFractions) {
  EXPECT_EQ(parseRfc3339("1994-11-06T08:49:37Z"),
            std::chrono::system_clock::from_time_t(784111777));
  EXPECT_EQ(parseRfc3339("1994-11-06T09:49:37+01:00"),
            std::chrono::system_clock::from_time_t(784111777));
  EXPECT_EQ(parseRfc3339("1994-11-06T08:49:37.25Z"),
            std::chrono::system_clock::from_time_t(784111777) + 250ms);
  EXPECT_FALSE(parseRfc3339("1994-11-06 08:49:37").has_value());
  EXPECT_FALSE(parseRfc3339("1994-11-06T08:49:37Zjunk").has_value());
}

}  // namespace
}  // namespace ingress::acme

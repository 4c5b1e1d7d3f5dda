#include "auth/auth.h"

#include <gtest/gtest.h>

#include "auth/jwt.h"
#include "test_common/fake_clock.h"

namespace ingress::auth {
namespace {

using std::chrono::seconds;
constexpr int64_t kNow = 1'700'000'000;

class JwtAuthenticatorTest : public ::testing::Test {
 protected:
  ingress::testing::FakeClock clock_{std::chrono::system_clock::time_point(seconds(kNow))};
  JwtAuthenticator auth_{"s3cret-s3cret-s3cret-s3cret-s3cret", clock_};
};

TEST_F(JwtAuthenticatorTest, AcceptsAValidToken) {
  std::string t = mintJwtHs256("s3cret-s3cret-s3cret-s3cret-s3cret", {{"exp", kNow + 300}});
  EXPECT_TRUE(auth_.authenticate("Bearer " + t).ok());
  EXPECT_TRUE(auth_.authenticate("bearer  " + t).ok());
}

TEST_F(JwtAuthenticatorTest, RejectsMissingMalformedForgedAndExpired) {
  std::string good = mintJwtHs256("s3cret-s3cret-s3cret-s3cret-s3cret", {{"exp", kNow + 300}});
  std::string forged = mintJwtHs256("other-secret-other-secret-other", {{"exp", kNow + 300}});
  std::string expired = mintJwtHs256("s3cret-s3cret-s3cret-s3cret-s3cret", {{"exp", kNow - 60}});
  for (const std::string& header :
       {std::string(), std::string("Bearer"), std::string("Bearer "), "Basic " + good,
        "Bearer" + good, "Bearer " + forged, "Bearer " + expired, "Bearer " + good + "x"}) {
    Status st = auth_.authenticate(header);
    EXPECT_EQ(st.code(), StatusCode::kUnauthenticated) << header;
  }
}

TEST_F(JwtAuthenticatorTest, ExpiryFollowsTheInjectedClock) {
  std::string t = mintJwtHs256("s3cret-s3cret-s3cret-s3cret-s3cret", {{"exp", kNow + 10}});
  EXPECT_TRUE(auth_.authenticate("Bearer " + t).ok());
  clock_.advance(seconds(10 + 31));  // past exp plus the 30 s leeway
  EXPECT_EQ(auth_.authenticate("Bearer " + t).code(), StatusCode::kUnauthenticated);
}

TEST_F(JwtAuthenticatorTest, RefusalsSayWhatIsWrongWithTheToken) {
  const std::string secret = "s3cret-s3cret-s3cret-s3cret-s3cret";
  const auto message = [&](const std::string& token) {
    return auth_.authenticate("Bearer " + token).message();
  };
  EXPECT_EQ(message(mintJwtHs256(secret, {{"sub", "a"}})), "token has no exp claim");
  EXPECT_EQ(message(mintJwtHs256(secret, {{"exp", kNow - 60}})), "token expired");
  EXPECT_EQ(message(mintJwtHs256("other-secret-other-secret-other", {{"exp", kNow + 300}})),
            "bad signature");
  EXPECT_EQ(message(signJwtHs256(secret, {{"alg", "HS256"}, {"crit", Json::array({"b64"})}},
                                 {{"exp", kNow + 300}})),
            "token header crit names an extension this server does not support: \"b64\"");
  EXPECT_EQ(message(mintJwtHs256(secret, {{"iat", kNow}, {"exp", kNow + 31 * 24 * 3600}})),
            "token lifetime exceeds TOKEN_MAX_LIFETIME (2592000 s)");
}

TEST_F(JwtAuthenticatorTest, AppliesItsPolicysMaxLifetime) {
  const std::string secret = "s3cret-s3cret-s3cret-s3cret-s3cret";
  JwtAuthenticator hour(secret, clock_, {.max_lifetime = seconds(3600)});
  const std::string t = mintJwtHs256(secret, {{"iat", kNow}, {"exp", kNow + 7200}});
  EXPECT_TRUE(auth_.authenticate("Bearer " + t).ok());  // the default 30 days allow it
  Status st = hour.authenticate("Bearer " + t);
  EXPECT_EQ(st.code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(st.message(), "token lifetime exceeds TOKEN_MAX_LIFETIME (3600 s)");
  EXPECT_TRUE(
      hour.authenticate("Bearer " + mintJwtHs256(secret, {{"iat", kNow}, {"exp", kNow + 3600}}))
          .ok());
}

TEST(BearerTokenTest, ExtractsTheToken) {
  EXPECT_EQ(*bearerToken("Bearer abc"), "abc");
  EXPECT_EQ(*bearerToken("BEARER   abc  "), "abc");
  EXPECT_FALSE(bearerToken("Bearerabc").ok());
  EXPECT_FALSE(bearerToken("Token abc").ok());
  EXPECT_FALSE(bearerToken("").ok());
}

}  // namespace
}  // namespace ingress::auth

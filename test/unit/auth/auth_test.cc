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

TEST(BearerTokenTest, ExtractsTheToken) {
  EXPECT_EQ(*bearerToken("Bearer abc"), "abc");
  EXPECT_EQ(*bearerToken("BEARER   abc  "), "abc");
  EXPECT_FALSE(bearerToken("Bearerabc").ok());
  EXPECT_FALSE(bearerToken("Token abc").ok());
  EXPECT_FALSE(bearerToken("").ok());
}

}  // namespace
}  // namespace ingress::auth

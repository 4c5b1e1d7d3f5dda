#include "cli/token.h"

#include <gtest/gtest.h>

#include "auth/jwt.h"
#include "test_common/test_env.h"

namespace ingress::cli {
namespace {

using std::chrono::seconds;

const std::string kFileSecret(64, 'f');
const std::string kEnvSecret(40, 'e');
const std::string kOtherFileSecret(48, 'o');
const auto kNow = std::chrono::system_clock::time_point(seconds(1'700'000'000));

class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs_.writeFileAtomic(dir_.file("api-secret"), kFileSecret, 0600).ok());
    ASSERT_TRUE(fs_.writeFileAtomic(dir_.file("other"), kOtherFileSecret + "\n", 0600).ok());
    auth_.data_dir = dir_.path();
  }
  // Which secret signed `token` (verified at kNow).
  std::string signer(const std::string& token) {
    for (const std::string* s : {&kFileSecret, &kEnvSecret, &kOtherFileSecret}) {
      if (auth::verifyJwtHs256(token, *s, kNow).ok()) return *s;
    }
    return "none";
  }

  testing::TempDir dir_;
  FilesystemImpl fs_;
  AuthOptions auth_;
};

TEST_F(TokenTest, ExplicitTokenWinsAndIsSentAsGiven) {
  auth_.token = "given.token.value";
  auth_.jwt_secret = kEnvSecret;
  auth_.secret_file = dir_.file("other");
  auto t = resolveBearerToken(auth_, fs_, kNow);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "given.token.value");
}

TEST_F(TokenTest, ExplicitTokenWithWhitespaceIsRefused) {
  auth_.token = "abc\r\nX-Injected: 1";
  auto t = resolveBearerToken(auth_, fs_, kNow);
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TokenTest, MintsFromTheDataDirSecretByDefault) {
  auto t = resolveBearerToken(auth_, fs_, kNow);
  ASSERT_TRUE(t.ok()) << t.status().toString();
  EXPECT_EQ(signer(*t), kFileSecret);
  auto claims = auth::verifyJwtHs256(*t, kFileSecret, kNow);
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ((*claims)["sub"], "ingressctl");
  EXPECT_EQ((*claims)["iat"], 1'700'000'000);
  EXPECT_EQ((*claims)["exp"], 1'700'000'300);
  // Short-lived: dead 5 minutes (plus the verifier's leeway) later.
  EXPECT_FALSE(auth::verifyJwtHs256(*t, kFileSecret, kNow + seconds(331)).ok());
}

TEST_F(TokenTest, JwtSecretEnvBeatsTheDataDir) {
  auth_.jwt_secret = kEnvSecret;
  auto t = resolveBearerToken(auth_, fs_, kNow);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(signer(*t), kEnvSecret);
}

TEST_F(TokenTest, SecretFileFlagBeatsJwtSecretEnv) {
  auth_.jwt_secret = kEnvSecret;
  auth_.secret_file = dir_.file("other");
  auto t = resolveBearerToken(auth_, fs_, kNow);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(signer(*t), kOtherFileSecret);
}

TEST_F(TokenTest, MissingSecretExplainsWhatToDo) {
  auth_.data_dir = dir_.file("nowhere");
  auto t = resolveBearerToken(auth_, fs_, kNow);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
  EXPECT_NE(t.status().message().find(dir_.file("nowhere/api-secret")), std::string::npos);
  EXPECT_NE(t.status().message().find("--token"), std::string::npos);
  // The CLI never creates the secret.
  EXPECT_FALSE(fs_.exists(dir_.file("nowhere")));
}

TEST_F(TokenTest, ShortSecretFileIsRefused) {
  ASSERT_TRUE(fs_.writeFileAtomic(dir_.file("short"), "tiny", 0600).ok());
  auth_.secret_file = dir_.file("short");
  auto t = loadSigningSecret(auth_, fs_);
  EXPECT_EQ(t.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(t.status().message().find(dir_.file("short")), std::string::npos);
}

TEST(MintCliTokenTest, CarriesSubjectAndTtl) {
  const std::string secret(32, 's');
  auto claims =
      auth::verifyJwtHs256(mintCliToken(secret, "alice", kNow, seconds(3600)), secret, kNow);
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(*claims, Json::parse(R"({"sub":"alice","iat":1700000000,"exp":1700003600})"));
}

TEST(ParseTtlTest, AcceptsUnitsAndCombinations) {
  EXPECT_EQ(*parseTtl("90s"), seconds(90));
  EXPECT_EQ(*parseTtl("5m"), seconds(300));
  EXPECT_EQ(*parseTtl("1h"), seconds(3600));
  EXPECT_EQ(*parseTtl("2h30m"), seconds(9000));
  EXPECT_EQ(*parseTtl("7d"), seconds(7 * 86400));
  EXPECT_EQ(*parseTtl("600"), seconds(600));
}

TEST(ParseTtlTest, RejectsMalformedZeroAndHuge) {
  for (const char* bad :
       {"", "h", "1x", "1h30", "-5m", "0", "0s", "1.5h", "1 h", "400d", "9999999999s"}) {
    auto r = parseTtl(bad);
    ASSERT_FALSE(r.ok()) << "accepted: " << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(parseTtl("1x").status().message(),
            "--ttl \"1x\": unknown unit (examples: 90s, 5m, 1h, 2h30m, 7d)");
}

}  // namespace
}  // namespace ingress::cli

#include "auth/jwt.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/base64url.h"

namespace ingress::auth {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";
// A payload valid at at(0) under the default policy: the checks below are not about times.
constexpr std::string_view kValidAtZero = R"({"exp":100})";

system_clock::time_point at(int64_t epoch_seconds) {
  return system_clock::time_point(seconds(epoch_seconds));
}

// A token with arbitrary raw header and payload text, correctly signed with `secret`: lets the
// tests prove that rejections come from the checks, not from a bad signature.
std::string signRaw(std::string_view header, std::string_view payload,
                    std::string_view secret = kSecret) {
  std::string input = base64UrlEncode(header) + "." + base64UrlEncode(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + base64UrlEncode(std::string(reinterpret_cast<char*>(mac), len));
}

std::string reason(const StatusOr<Json>& r) {
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  return r.status().message();
}

TEST(JwtTest, VerifiesTheJwtIoExampleSignatureButRefusesItForHavingNoExp) {
  const std::string token =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
      "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
  // The signature holds (the reason is about the claims, found only after it is checked)...
  EXPECT_EQ(reason(verifyJwtHs256(token, "your-256-bit-secret", at(1516239022))),
            "token has no exp claim");
  EXPECT_EQ(reason(verifyJwtHs256(token, "your-256-bit-secreT", at(1516239022))), "bad signature");
}

TEST(JwtTest, VerifiesTheRfc7515AppendixA1Example) {
  // Header with CRLF whitespace, key given as a JWK "k" value.
  const std::string token =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0"
      "cnVlfQ."
      "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  auto key = base64UrlDecode(
      "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
  ASSERT_TRUE(key.has_value());
  auto claims = verifyJwtHs256(token, *key, at(1300819380 - 60));
  ASSERT_TRUE(claims.ok()) << claims.status().toString();
  EXPECT_EQ((*claims)["iss"], "joe");
  EXPECT_EQ((*claims)["http://example.com/is_root"], true);
  // The example expired in 2011.
  EXPECT_EQ(reason(verifyJwtHs256(token, *key, at(1300819380 + 31))), "token expired");
}

TEST(JwtTest, MintedTokensVerifyAndCarryTheClaims) {
  Json claims = {{"sub", "ingressctl"}, {"iat", 1000}, {"exp", 1300}};
  const std::string token = mintJwtHs256(kSecret, claims);
  EXPECT_EQ(token.substr(0, token.find('.')), "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
  auto r = verifyJwtHs256(token, kSecret, at(1100));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(*r, claims);
}

TEST(JwtTest, RejectsAlgNoneEvenWithoutASignature) {
  const std::string payload = base64UrlEncode(R"({"sub":"admin"})");
  const std::string unsigned_token =
      base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".";
  EXPECT_EQ(reason(verifyJwtHs256(unsigned_token, kSecret, at(0))),
            "unsupported token alg (only HS256 is accepted)");
  // Same with a signature that is a valid HMAC-SHA256 under our key.
  EXPECT_EQ(
      reason(verifyJwtHs256(signRaw(R"({"alg":"none"})", R"({"sub":"admin"})"), kSecret, at(0))),
      "unsupported token alg (only HS256 is accepted)");
  EXPECT_EQ(reason(verifyJwtHs256(signRaw(R"({"alg":"None"})", "{}"), kSecret, at(0))),
            "unsupported token alg (only HS256 is accepted)");
}

TEST(JwtTest, RejectsOtherAlgorithmsAndMissingAlg) {
  for (const char* header :
       {R"({"alg":"HS512"})", R"({"alg":"RS256"})", R"({"alg":"hs256"})", R"({"alg":"HS256 "})"}) {
    EXPECT_EQ(reason(verifyJwtHs256(signRaw(header, "{}"), kSecret, at(0))),
              "unsupported token alg (only HS256 is accepted)")
        << header;
  }
  EXPECT_EQ(reason(verifyJwtHs256(signRaw(R"({"typ":"JWT"})", "{}"), kSecret, at(0))),
            "token has no alg");
  EXPECT_EQ(reason(verifyJwtHs256(signRaw(R"({"alg":256})", "{}"), kSecret, at(0))),
            "token has no alg");
}

TEST(JwtTest, TypIsOptionalButMustBeJwt) {
  EXPECT_TRUE(verifyJwtHs256(signRaw(R"({"alg":"HS256"})", kValidAtZero), kSecret, at(0)).ok());
  EXPECT_TRUE(
      verifyJwtHs256(signRaw(R"({"alg":"HS256","typ":"JWT"})", kValidAtZero), kSecret, at(0)).ok());
  EXPECT_EQ(reason(verifyJwtHs256(signRaw(R"({"alg":"HS256","typ":"JWE"})", kValidAtZero), kSecret,
                                  at(0))),
            "unsupported token typ");
}

TEST(JwtTest, RejectsTamperedPayloadAndSignature) {
  const std::string token = mintJwtHs256(kSecret, {{"sub", "alice"}});
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.find('.', dot1 + 1);
  const std::string forged_payload = base64UrlEncode(R"({"sub":"admin"})");
  const std::string tampered_payload =
      token.substr(0, dot1 + 1) + forged_payload + token.substr(dot2);
  EXPECT_EQ(reason(verifyJwtHs256(tampered_payload, kSecret, at(0))), "bad signature");

  std::string sig = token.substr(dot2 + 1);
  // Flip one bit of the first signature byte (first char carries its top 6 bits).
  sig[0] = sig[0] == 'A' ? 'B' : 'A';
  EXPECT_EQ(reason(verifyJwtHs256(token.substr(0, dot2 + 1) + sig, kSecret, at(0))),
            "bad signature");
  // Truncated signature (43 chars -> 40: canonical base64url of 30 bytes).
  EXPECT_EQ(reason(verifyJwtHs256(token.substr(0, token.size() - 3), kSecret, at(0))),
            "bad signature");
  // Empty signature.
  EXPECT_EQ(reason(verifyJwtHs256(token.substr(0, dot2 + 1), kSecret, at(0))), "bad signature");
}

TEST(JwtTest, RejectsWrongKeyAndEmptySecret) {
  const std::string token = mintJwtHs256(kSecret, {{"sub", "alice"}});
  EXPECT_EQ(reason(verifyJwtHs256(token, "another-secret-another-secret-xx", at(0))),
            "bad signature");
  EXPECT_EQ(reason(verifyJwtHs256(token, "", at(0))), "no token secret configured");
  // A token minted with an empty key never verifies either.
  EXPECT_FALSE(verifyJwtHs256(mintJwtHs256("", {{"sub", "x"}}), "", at(0)).ok());
}

constexpr JwtPolicy kNoLeeway{.leeway = seconds(0)};

TEST(JwtTest, ExpiryHonoursLeewayAtTheEdges) {
  const std::string token = mintJwtHs256(kSecret, {{"exp", 1000}});
  EXPECT_TRUE(verifyJwtHs256(token, kSecret, at(999), kNoLeeway).ok());
  EXPECT_EQ(reason(verifyJwtHs256(token, kSecret, at(1000), kNoLeeway)), "token expired");
  // Default leeway is 30 s: valid up to (but excluding) exp + 30.
  EXPECT_TRUE(verifyJwtHs256(token, kSecret, at(1029)).ok());
  EXPECT_EQ(reason(verifyJwtHs256(token, kSecret, at(1030))), "token expired");
  EXPECT_TRUE(verifyJwtHs256(token, kSecret, at(1000) + std::chrono::milliseconds(29999)).ok());
  EXPECT_EQ(reason(verifyJwtHs256(token, kSecret, at(5000))), "token expired");
  // Fractional NumericDate values are allowed.
  const std::string frac = mintJwtHs256(kSecret, {{"exp", 1000.5}});
  EXPECT_TRUE(verifyJwtHs256(frac, kSecret, at(1000), kNoLeeway).ok());
  EXPECT_FALSE(verifyJwtHs256(frac, kSecret, at(1001), kNoLeeway).ok());
}

TEST(JwtTest, NotBeforeHonoursLeewayAtTheEdges) {
  const std::string token = mintJwtHs256(kSecret, {{"nbf", 1000}, {"exp", 2000}});
  EXPECT_TRUE(verifyJwtHs256(token, kSecret, at(1000), kNoLeeway).ok());
  EXPECT_EQ(reason(verifyJwtHs256(token, kSecret, at(999), kNoLeeway)), "token not yet valid");
  EXPECT_TRUE(verifyJwtHs256(token, kSecret, at(970)).ok());
  EXPECT_EQ(reason(verifyJwtHs256(token, kSecret, at(969))), "token not yet valid");
}

TEST(JwtTest, ExpNbfAndIatMustBeNumbers) {
  EXPECT_EQ(reason(verifyJwtHs256(mintJwtHs256(kSecret, {{"exp", "9999999999"}}), kSecret, at(0))),
            "token exp is not a number");
  EXPECT_EQ(reason(verifyJwtHs256(mintJwtHs256(kSecret, {{"exp", true}}), kSecret, at(0))),
            "token exp is not a number");
  EXPECT_EQ(reason(verifyJwtHs256(mintJwtHs256(kSecret, {{"exp", 100}, {"nbf", nullptr}}), kSecret,
                                  at(0))),
            "token nbf is not a number");
  // iat bounds the lifetime, so it must be a number when present.
  EXPECT_EQ(reason(verifyJwtHs256(mintJwtHs256(kSecret, {{"exp", 100}, {"iat", "garbage"}}),
                                  kSecret, at(0))),
            "token iat is not a number");
  EXPECT_TRUE(
      verifyJwtHs256(mintJwtHs256(kSecret, {{"exp", 100}, {"iat", 50}}), kSecret, at(0)).ok());
}

TEST(JwtTest, RequiresExp) {
  for (const Json& claims : {Json::object(), Json{{"sub", "alice"}}, Json{{"iat", 0}},
                             Json{{"nbf", 0}}, Json{{"iat", 0}, {"nbf", 0}, {"sub", "a"}}}) {
    EXPECT_EQ(reason(verifyJwtHs256(mintJwtHs256(kSecret, claims), kSecret, at(10))),
              "token has no exp claim")
        << dumpJson(claims);
  }
  EXPECT_EQ(reason(verifyJwtHs256(mintJwtHs256(kSecret, {{"exp", nullptr}}), kSecret, at(10))),
            "token exp is not a number");
  EXPECT_TRUE(verifyJwtHs256(mintJwtHs256(kSecret, {{"exp", 11}}), kSecret, at(10)).ok());
}

TEST(JwtTest, LifetimeFromIatIsCapped) {
  const JwtPolicy hour{.max_lifetime = seconds(3600)};
  const std::string msg = "token lifetime exceeds TOKEN_MAX_LIFETIME (3600 s)";
  const auto verify = [&](const Json& claims, int64_t now) {
    return verifyJwtHs256(mintJwtHs256(kSecret, claims), kSecret, at(now), hour);
  };
  EXPECT_TRUE(verify({{"iat", 1000}, {"exp", 4600}}, 1000).ok());
  EXPECT_EQ(reason(verify({{"iat", 1000}, {"exp", 4601}}, 1000)), msg);
  // Measured from iat, not from now: late in its life the token is still too long-lived.
  EXPECT_EQ(reason(verify({{"iat", 1000}, {"exp", 4601}}, 4000)), msg);
  EXPECT_EQ(reason(verify({{"iat", 1000}, {"exp", 1000.0 + 3600.5}}, 1000)), msg);
  // An iat in the future does not buy a longer life: what is left counts too.
  EXPECT_EQ(reason(verify({{"iat", 100'000}, {"exp", 101'000}}, 1000)), msg);
}

TEST(JwtTest, LifetimeWithoutIatIsMeasuredFromNowWithLeeway) {
  const JwtPolicy hour{.max_lifetime = seconds(3600)};
  const auto verify = [&](const Json& claims, int64_t now) {
    return verifyJwtHs256(mintJwtHs256(kSecret, claims), kSecret, at(now), hour);
  };
  EXPECT_TRUE(verify({{"exp", 4630}}, 1000).ok());
  EXPECT_EQ(reason(verify({{"exp", 4631}}, 1000)),
            "token lifetime exceeds TOKEN_MAX_LIFETIME (3600 s)");
  // The default cap is 30 days.
  const int64_t month = 30LL * 24 * 3600;
  EXPECT_TRUE(
      verifyJwtHs256(mintJwtHs256(kSecret, {{"iat", 0}, {"exp", month}}), kSecret, at(0)).ok());
  EXPECT_EQ(reason(verifyJwtHs256(mintJwtHs256(kSecret, {{"iat", 0}, {"exp", month + 1}}), kSecret,
                                  at(0))),
            "token lifetime exceeds TOKEN_MAX_LIFETIME (2592000 s)");
  EXPECT_EQ(reason(verifyJwtHs256(mintJwtHs256(kSecret, {{"exp", 1e300}}), kSecret, at(0))),
            "token lifetime exceeds TOKEN_MAX_LIFETIME (2592000 s)");
}

TEST(JwtTest, RefusesAnyCriticalExtension) {
  // RFC 7515 §4.1.11: we understand no extension, so whatever "crit" lists is not understood.
  const auto verify = [](std::string_view header) {
    return verifyJwtHs256(signRaw(header, kValidAtZero), kSecret, at(0));
  };
  EXPECT_EQ(reason(verify(R"({"alg":"HS256","crit":["b64"],"b64":false})")),
            "token header crit names an extension this server does not support: \"b64\"");
  EXPECT_EQ(reason(verify(R"({"alg":"HS256","typ":"JWT","crit":["exp","x"],"exp":1})")),
            "token header crit names an extension this server does not support: \"exp\"");
  // The name is echoed in a short, plain form only.
  EXPECT_EQ(reason(verify(R"({"alg":"HS256","crit":["<a b=\"c\">"]})")),
            "token header crit names an extension this server does not support: \"?a?b??c??\"");
  EXPECT_EQ(reason(verify(R"({"alg":"HS256","crit":[")" + std::string(100, 'n') + R"("]})")),
            "token header crit names an extension this server does not support: \"" +
                std::string(64, 'n') + "\"");
  for (const char* malformed : {R"({"alg":"HS256","crit":[]})", R"({"alg":"HS256","crit":"b64"})",
                                R"({"alg":"HS256","crit":[1]})", R"({"alg":"HS256","crit":null})",
                                R"({"alg":"HS256","crit":{}})"}) {
    EXPECT_EQ(reason(verify(malformed)),
              "token header crit must be a non-empty array of extension names")
        << malformed;
  }
  // Without crit the same token verifies, so the refusals above come from crit alone.
  EXPECT_TRUE(verify(R"({"alg":"HS256","b64":false})").ok());
}

TEST(JwtTest, SignJwtHs256SignsAnyHeader) {
  const std::string t =
      signJwtHs256(kSecret, {{"alg", "HS256"}, {"crit", Json::array({"b64"})}}, {{"exp", 100}});
  EXPECT_EQ(reason(verifyJwtHs256(t, kSecret, at(0))),
            "token header crit names an extension this server does not support: \"b64\"");
  EXPECT_EQ(signJwtHs256(kSecret, {{"alg", "HS256"}, {"typ", "JWT"}}, {{"exp", 100}}),
            mintJwtHs256(kSecret, {{"exp", 100}}));
}

TEST(JwtTest, RejectsWrongSegmentCounts) {
  const std::string token = mintJwtHs256(kSecret, {{"sub", "a"}});
  const std::string two = token.substr(0, token.rfind('.'));
  EXPECT_EQ(reason(verifyJwtHs256(two, kSecret, at(0))), "malformed token: expected 3 segments");
  EXPECT_EQ(reason(verifyJwtHs256(token + ".", kSecret, at(0))),
            "malformed token: expected 3 segments");
  EXPECT_EQ(reason(verifyJwtHs256(token + ".e30", kSecret, at(0))),
            "malformed token: expected 3 segments");
  EXPECT_EQ(reason(verifyJwtHs256("", kSecret, at(0))), "malformed token: expected 3 segments");
  EXPECT_EQ(reason(verifyJwtHs256("abc", kSecret, at(0))), "malformed token: expected 3 segments");
}

TEST(JwtTest, RejectsMalformedBase64Url) {
  const std::string token = mintJwtHs256(kSecret, {{"sub", "alice"}});
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.find('.', dot1 + 1);
  const std::string header = token.substr(0, dot1);
  const std::string payload = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string sig = token.substr(dot2 + 1);
  // Signature padding: 32 bytes encode to 43 chars; standard base64 would add one '='.
  EXPECT_EQ(reason(verifyJwtHs256(token + "=", kSecret, at(0))),
            "malformed token: signature is not base64url");
  EXPECT_EQ(reason(verifyJwtHs256(header + "=." + payload + "." + sig, kSecret, at(0))),
            "malformed token: header is not base64url");
  EXPECT_EQ(reason(verifyJwtHs256(" " + token, kSecret, at(0))),
            "malformed token: header is not base64url");
  EXPECT_EQ(reason(verifyJwtHs256(token + "\n", kSecret, at(0))),
            "malformed token: signature is not base64url");
  std::string std_alphabet = sig;
  for (char& c : std_alphabet) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  if (std_alphabet == sig) std_alphabet[0] = '+';
  EXPECT_EQ(reason(verifyJwtHs256(header + "." + payload + "." + std_alphabet, kSecret, at(0))),
            "malformed token: signature is not base64url");
  // Payload with padding is rejected even though the signature covers those exact bytes.
  const std::string padded = signRaw(R"({"alg":"HS256"})", "{}");
  const size_t pd1 = padded.find('.');
  const size_t pd2 = padded.find('.', pd1 + 1);
  EXPECT_EQ(padded.substr(pd1 + 1, pd2 - pd1 - 1), "e30");
  std::string bad_payload = base64UrlEncode(R"({"alg":"HS256"})") + ".e30=";
  EXPECT_FALSE(verifyJwtHs256(bad_payload + "." + sig, kSecret, at(0)).ok());
}

TEST(JwtTest, RejectsOversizeTokens) {
  // A correctly signed token just over the cap.
  Json claims = {{"pad", std::string(kMaxJwtBytes, 'x')}};
  const std::string big = mintJwtHs256(kSecret, claims);
  ASSERT_GT(big.size(), kMaxJwtBytes);
  EXPECT_EQ(reason(verifyJwtHs256(big, kSecret, at(0))), "token too large");
  // Exactly at the cap is accepted: 36 (header) + 1 + 8111 (payload of 6083 bytes) + 1 + 43.
  const std::string fitted = mintJwtHs256(kSecret, {{"exp", 100}, {"pad", std::string(6063, 'x')}});
  ASSERT_EQ(fitted.size(), kMaxJwtBytes);
  EXPECT_TRUE(verifyJwtHs256(fitted, kSecret, at(0)).ok());
  EXPECT_EQ(reason(verifyJwtHs256(fitted + "A", kSecret, at(0))), "token too large");
}

TEST(JwtTest, RejectsNonObjectHeaderOrPayload) {
  EXPECT_EQ(reason(verifyJwtHs256(signRaw(R"(["HS256"])", "{}"), kSecret, at(0))),
            "malformed token: header is not a JSON object");
  EXPECT_EQ(reason(verifyJwtHs256(signRaw(R"("HS256")", "{}"), kSecret, at(0))),
            "malformed token: header is not a JSON object");
  EXPECT_EQ(reason(verifyJwtHs256(signRaw("not json", "{}"), kSecret, at(0))),
            "malformed token: header is not JSON");
  EXPECT_EQ(reason(verifyJwtHs256(signRaw(R"({"alg":"HS256"})", "[1,2]"), kSecret, at(0))),
            "malformed token: payload is not a JSON object");
  EXPECT_EQ(reason(verifyJwtHs256(signRaw(R"({"alg":"HS256"})", "42"), kSecret, at(0))),
            "malformed token: payload is not a JSON object");
  EXPECT_EQ(reason(verifyJwtHs256(signRaw(R"({"alg":"HS256"})", "{"), kSecret, at(0))),
            "malformed token: payload is not JSON");
  // Duplicate claims are ambiguous (which "sub" wins?) and refused.
  EXPECT_EQ(reason(verifyJwtHs256(signRaw(R"({"alg":"HS256"})", R"({"sub":"a","sub":"b"})"),
                                  kSecret, at(0))),
            "malformed token: payload is not JSON");
  EXPECT_EQ(
      reason(verifyJwtHs256(signRaw(R"({"alg":"HS256","alg":"none"})", "{}"), kSecret, at(0))),
      "malformed token: header is not JSON");
}

}  // namespace
}  // namespace ingress::auth

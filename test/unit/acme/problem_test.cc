// Problem documents → Status (reason, code, CA detail, subproblems), Retry-After, RFC 3339 and
// the ARI certificate id (RFC 9773's own example).
#include "acme/problem.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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

// RFC 9773 §4.1's example: AKI keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:
// DE:01:C8:D4 and serial 0x0087654321 → "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE".
TEST(Ari, CertIdMatchesTheRfcExample) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  const unsigned char serial_bytes[] = {0x87, 0x65, 0x43, 0x21};
  BIGNUM* serial_bn = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
  BN_to_ASN1_INTEGER(serial_bn, X509_get_serialNumber(cert));
  BN_free(serial_bn);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  AUTHORITY_KEYID* akid = AUTHORITY_KEYID_new();
  const unsigned char keyid[] = {0x69, 0x88, 0x5B, 0x6B, 0x87, 0x46, 0x40, 0x41, 0xE1, 0xB3,
                                 0x7B, 0x84, 0x7B, 0xA0, 0xAE, 0x2C, 0xDE, 0x01, 0xC8, 0xD4};
  akid->keyid = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(akid->keyid, keyid, sizeof keyid);
  X509_add1_ext_i2d(cert, NID_authority_key_identifier, akid, 0, X509V3_ADD_DEFAULT);
  AUTHORITY_KEYID_free(akid);
  X509_sign(cert, key, EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  X509_free(cert);
  EVP_PKEY_free(key);

  StatusOr<std::string> id = ariCertId(pem);
  ASSERT_TRUE(id.ok()) << id.status().toString();
  EXPECT_EQ(*id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
  EXPECT_EQ(ariCertId("nope").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ingress::acme

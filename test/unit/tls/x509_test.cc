// Unit tests of tls/x509.h: inspection (SANs, Envoy's serial format, the RFC 9773 id),
// validation of uploads, generation of keys, CSRs and self-signed certificates, and garbage.
#include "tls/x509.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <random>

#include "unit/tls/test_certs.h"

namespace ingress::tls {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::TestCert;
using testing::TestKey;

using Clock = std::chrono::system_clock;
Clock::time_point at(time_t t) { return Clock::from_time_t(t); }

// 2023-11-14T22:13:20Z, TestCert's default not_before; its default not_after is 90 days later.
constexpr time_t kT0 = 1'700'000'000;

void expectInvalid(const Status& s, std::string_view reason, std::string_view prefix) {
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.toString();
  EXPECT_EQ(s.reason(), reason) << s.toString();
  EXPECT_THAT(s.message(), StartsWith(std::string(prefix))) << s.toString();
}

// RFC 9773 Appendix A: the example certificate (AKI keyIdentifier 69:88:5B:6B:..., serial
// 0x87654321, validity in the year 1) and the identifier section 4.1 derives from it.
constexpr char kRfc9773Example[] = R"(-----BEGIN CERTIFICATE-----
MIIBQzCB66ADAgECAgUAh2VDITAKBggqhkjOPQQDAjAVMRMwEQYDVQQDEwpFeGFt
cGxlIENBMCIYDzAwMDEwMTAxMDAwMDAwWhgPMDAwMTAxMDEwMDAwMDBaMBYxFDAS
BgNVBAMTC2V4YW1wbGUuY29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeBZu
7cbpAYNXZLbbh8rNIzuOoqOOtmxA1v7cRm//AwyMwWxyHz4zfwmBhcSrf47NUAFf
qzLQ2PPQxdTXREYEnKMjMCEwHwYDVR0jBBgwFoAUaYhba4dGQEHhs3uEe6CuLN4B
yNQwCgYIKoZIzj0EAwIDRwAwRAIge09+S5TZAlw5tgtiVvuERV6cT4mfutXIlwTb
+FYN/8oCIClDsqBklhB9KAelFiYt9+6FDj3z4KGVelYM5MdsO3pK
-----END CERTIFICATE-----
)";

TEST(InspectCertificate, ReadsASelfSignedCertificate) {
  const Clock::time_point now = at(kT0);
  StatusOr<SelfSigned> made = makeSelfSigned("Default.Ingress", now, std::chrono::hours(24));
  ASSERT_TRUE(made.ok()) << made.status().toString();
  EXPECT_THAT(made->key_pem, StartsWith("-----BEGIN PRIVATE KEY-----\n"));

  StatusOr<CertificateInfo> info = inspectCertificate(made->chain_pem);
  ASSERT_TRUE(info.ok()) << info.status().toString();
  EXPECT_THAT(info->dns_names, ElementsAre("default.ingress"));
  EXPECT_EQ(info->subject, "CN=Default.Ingress");
  EXPECT_EQ(info->issuer, "CN=Default.Ingress");
  EXPECT_TRUE(info->self_signed);
  EXPECT_EQ(info->not_before, now - std::chrono::hours(1));
  EXPECT_EQ(info->not_after, now + std::chrono::hours(24));
  EXPECT_FALSE(info->serial.empty());
  EXPECT_EQ(info->serial.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(info->ari_cert_id.find('.'), std::string::npos);  // it carries its own AKI
  EXPECT_TRUE(checkKeyMatches(made->chain_pem, made->key_pem).ok());
  EXPECT_TRUE(validateUpload(made->chain_pem, made->key_pem, now).ok());
}

TEST(InspectCertificate, SelfSignedSerialsDiffer) {
  auto a = makeSelfSigned("a", at(kT0), std::chrono::hours(1));
  auto b = makeSelfSigned("a", at(kT0), std::chrono::hours(1));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(inspectCertificate(a->chain_pem)->serial, inspectCertificate(b->chain_pem)->serial);
}

TEST(InspectCertificate, SansAreLowercasedSortedAndUnique) {
  TestKey key = TestKey::ec();
  std::string pem =
      TestCert{.dns = {"B.Example.com", "a.example.com", "b.example.COM", "*.Wild.example.com"}}
          .selfSign(key);
  StatusOr<CertificateInfo> info = inspectCertificate(pem);
  ASSERT_TRUE(info.ok()) << info.status().toString();
  EXPECT_THAT(info->dns_names, ElementsAre("*.wild.example.com", "a.example.com", "b.example.com"));
  EXPECT_TRUE(info->self_signed);
}

TEST(InspectCertificate, NoSanMeansNoNames) {
  TestKey key = TestKey::ec();
  StatusOr<CertificateInfo> info =
      inspectCertificate(TestCert{.common_name = "x.example"}.selfSign(key));
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->dns_names.empty());
  EXPECT_EQ(info->subject, "CN=x.example");
}

// Envoy prints BN_bn2hex(serial) lowercased: whole bytes, leading zero bytes dropped (a leading
// zero nibble stays), "0" for zero, and no DER sign octet for a high first bit.
TEST(InspectCertificate, SerialIsFormattedLikeEnvoy) {
  TestKey key = TestKey::ec();
  struct Case {
    std::string serial_hex;
    std::string envoy;
  };
  for (const Case& c : std::vector<Case>{
           {"0A0B0C", "0a0b0c"},
           {"000000ABCD", "abcd"},
           {"80112233", "80112233"},
           {"FF", "ff"},
           {"0100", "0100"},
           {"0", "0"},
           {"00DEADBEEF00112233445566778899AABBCCDDEEFF",
            "deadbeef00112233445566778899aabbccddeeff"},
       }) {
    StatusOr<CertificateInfo> info =
        inspectCertificate(TestCert{.serial_hex = c.serial_hex}.selfSign(key));
    ASSERT_TRUE(info.ok()) << c.serial_hex << ": " << info.status().toString();
    EXPECT_EQ(info->serial, c.envoy) << c.serial_hex;
  }
}

TEST(InspectCertificate, AriCertIdOfTheRfc9773Example) {
  StatusOr<CertificateInfo> info = inspectCertificate(kRfc9773Example);
  ASSERT_TRUE(info.ok()) << info.status().toString();
  EXPECT_EQ(info->ari_cert_id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
  EXPECT_EQ(info->serial, "87654321");
  EXPECT_EQ(info->subject, "CN=example.com");
  EXPECT_EQ(info->issuer, "CN=Example CA");
  EXPECT_FALSE(info->self_signed);
  // Year 1 is clamped into the supported range, still long before any now().
  EXPECT_LT(info->not_after, at(0));
}

TEST(InspectCertificate, AriCertIdKeepsTheSignOctetOfTheSerial) {
  TestKey ca_key = TestKey::ec();
  std::string ca = TestCert{.common_name = "CA",
                            .ca = true,
                            .subject_key_id =
                                "69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:"
                                "DE:01:C8:D4"}
                       .selfSign(ca_key);
  TestKey leaf_key = TestKey::ec();
  std::string leaf =
      TestCert{.dns = {"a.example"}, .serial_hex = "80112233"}.issue(leaf_key, ca, ca_key);
  StatusOr<CertificateInfo> info = inspectCertificate(leaf);
  ASSERT_TRUE(info.ok()) << info.status().toString();
  // base64url(00 80 11 22 33) = "AIARIjM"
  EXPECT_EQ(info->ari_cert_id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIARIjM");
  EXPECT_EQ(info->serial, "80112233");
}

TEST(InspectCertificate, NoAkiMeansNoAriCertId) {
  TestKey key = TestKey::ec();
  StatusOr<CertificateInfo> info = inspectCertificate(TestCert{.key_ids = false}.selfSign(key));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->ari_cert_id, "");
}

TEST(SplitPemChain, KeepsOrderAndCanonicalizes) {
  TestKey k1 = TestKey::ec();
  TestKey k2 = TestKey::ec();
  std::string a = TestCert{.common_name = "first"}.selfSign(k1);
  std::string b = TestCert{.common_name = "second"}.selfSign(k2);
  std::string crlf_b = b;
  for (size_t i = 0; (i = crlf_b.find('\n', i)) != std::string::npos; i += 2) {
    crlf_b.replace(i, 1, "\r\n");
  }
  StatusOr<std::vector<std::string>> blocks = splitPemChain("\n\n" + a + "\r\n  \n" + crlf_b);
  ASSERT_TRUE(blocks.ok()) << blocks.status().toString();
  EXPECT_THAT(*blocks, ElementsAre(a, b));
  EXPECT_EQ(inspectCertificate(blocks->at(1))->subject, "CN=second");
}

TEST(SplitPemChain, RejectsGarbageWithoutCrashing) {
  TestKey key = TestKey::ec();
  std::string cert = TestCert{}.selfSign(key);
  std::string chain_of_11;
  for (int i = 0; i < 11; ++i) chain_of_11 += cert;
  std::string body = cert.substr(28, cert.size() - 28 - 26);  // between BEGIN and END lines
  const std::vector<std::string> inputs = {
      "",
      "   \n",
      "garbage",
      std::string("\0\xff\x01", 3),
      "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
      "-----BEGIN CERTIFICATE-----\n" + body,
      "-----BEGIN CERTIFICATE",
      "-----BEGIN ",
      cert + "trailing text\n",
      "subject=CN = test\n" + cert,
      cert + key.pkcs8Pem(),
      "-----BEGIN X509 CRL-----\n" + body + "-----END X509 CRL-----\n",
      "-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\n" + body +
          "-----END CERTIFICATE-----\n",
      chain_of_11,
      std::string(kMaxPemBytes + 1, '\n'),
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    StatusOr<std::vector<std::string>> r = splitPemChain(inputs[i]);
    EXPECT_FALSE(r.ok()) << "input " << i;
    if (!r.ok()) expectInvalid(r.status(), kReasonCertificateInvalid, "certificate: ");
    EXPECT_FALSE(inspectCertificate(inputs[i]).ok()) << "input " << i;
  }
  std::string ten;
  for (int i = 0; i < 10; ++i) ten += cert;
  EXPECT_TRUE(splitPemChain(ten).ok());
  StatusOr<std::vector<std::string>> key_in_chain = splitPemChain(cert + key.pkcs8Pem());
  EXPECT_THAT(key_in_chain.status().message(), HasSubstr("private key"));
}

TEST(SplitPemChain, MutatedInputNeverCrashes) {
  TestKey key = TestKey::ec();
  const std::string cert = TestCert{.dns = {"a.example"}}.selfSign(key);
  const std::string key_pem = key.pkcs8Pem();
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::string c = cert;
    std::string k = key_pem;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      c[rng() % c.size()] = static_cast<char>(rng());
      k[rng() % k.size()] = static_cast<char>(rng());
    }
    (void)inspectCertificate(c);
    (void)validateUpload(c, k, at(kT0));
    (void)validateUpload(cert, k, at(kT0));
  }
}

TEST(CheckKeyMatches, AcceptsEveryKeyEncodingOfTheLeafKey) {
  TestKey ec = TestKey::ec();
  std::string ec_cert = TestCert{.dns = {"a.example"}}.selfSign(ec);
  EXPECT_TRUE(checkKeyMatches(ec_cert, ec.pkcs8Pem()).ok());
  EXPECT_THAT(ec.traditionalPem(), StartsWith("-----BEGIN EC PRIVATE KEY-----"));
  EXPECT_TRUE(checkKeyMatches(ec_cert, ec.traditionalPem()).ok());

  TestKey rsa = TestKey::rsa(2048);
  std::string rsa_cert = TestCert{.dns = {"a.example"}}.selfSign(rsa);
  EXPECT_THAT(rsa.traditionalPem(), StartsWith("-----BEGIN RSA PRIVATE KEY-----"));
  EXPECT_TRUE(checkKeyMatches(rsa_cert, rsa.traditionalPem()).ok());
  EXPECT_TRUE(validateUpload(rsa_cert, rsa.pkcs8Pem(), at(kT0)).ok());
}

TEST(CheckKeyMatches, OtherKeyIsAMismatch) {
  TestKey a = TestKey::ec();
  TestKey b = TestKey::ec();
  std::string cert = TestCert{.dns = {"a.example"}}.selfSign(a);
  expectInvalid(checkKeyMatches(cert, b.pkcs8Pem()), kReasonKeyMismatch, "key: ");
  expectInvalid(validateUpload(cert, b.pkcs8Pem(), at(kT0)), kReasonKeyMismatch, "key: ");
  TestKey rsa = TestKey::rsa(2048);
  expectInvalid(checkKeyMatches(cert, rsa.pkcs8Pem()), kReasonKeyMismatch, "key: ");
}

TEST(CheckKeyMatches, BadKeysAreKeyErrorsWithoutKeyMaterial) {
  TestKey a = TestKey::ec();
  std::string cert = TestCert{.dns = {"a.example"}}.selfSign(a);
  std::string pem = a.pkcs8Pem();
  std::string broken = pem;
  broken[40] = broken[40] == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {std::string(), std::string("nonsense"), a.encryptedPem(),
        cert /* a certificate is not a key */, broken, std::string(kMaxPemBytes + 1, 'A')}) {
    Status s = checkKeyMatches(cert, bad);
    EXPECT_FALSE(s.ok());
    EXPECT_THAT(s.message(), StartsWith("key: ")) << s.toString();
    EXPECT_EQ(s.message().find(pem.substr(28, 20)), std::string::npos);
  }
  EXPECT_THAT(checkKeyMatches(cert, a.encryptedPem()).message(), HasSubstr("passphrase"));
}

TEST(ValidateUpload, RejectsKeysEnvoyCannotLoad) {
  TestKey small = TestKey::rsa(1024);
  std::string cert = TestCert{.dns = {"a.example"}}.selfSign(small);
  expectInvalid(validateUpload(cert, small.pkcs8Pem(), at(kT0)), kReasonKeyUnsupported, "key: ");
  TestKey p224 = TestKey::ec("P-224");
  std::string cert224 = TestCert{.dns = {"a.example"}}.selfSign(p224);
  expectInvalid(validateUpload(cert224, p224.pkcs8Pem(), at(kT0)), kReasonKeyUnsupported, "key: ");
  TestKey p384 = TestKey::ec("P-384");
  std::string cert384 = TestCert{.dns = {"a.example"}}.selfSign(p384);
  EXPECT_TRUE(validateUpload(cert384, p384.pkcs8Pem(), at(kT0)).ok());
}

TEST(ValidateUpload, ExpiredAndNotYetValid) {
  const Clock::time_point issued = at(kT0);
  StatusOr<SelfSigned> made = makeSelfSigned("old.example", issued, std::chrono::hours(24));
  ASSERT_TRUE(made.ok());
  EXPECT_TRUE(validateUpload(made->chain_pem, made->key_pem, issued + std::chrono::hours(23)).ok());
  Status expired = validateUpload(made->chain_pem, made->key_pem, issued + std::chrono::hours(24));
  expectInvalid(expired, kReasonCertificateExpired, "certificate: expired at ");
  EXPECT_THAT(expired.message(), HasSubstr("2023-11-15T22:13:20Z"));

  // not_before = issued - 1 h: valid from 5 minutes before that on (clock skew).
  const Clock::time_point not_before = issued - std::chrono::hours(1);
  EXPECT_TRUE(
      validateUpload(made->chain_pem, made->key_pem, not_before - std::chrono::minutes(5)).ok());
  expectInvalid(validateUpload(made->chain_pem, made->key_pem,
                               not_before - std::chrono::minutes(5) - std::chrono::seconds(1)),
                kReasonCertificateNotYetValid, "certificate: ");
}

TEST(ValidateUpload, NeedsADnsName) {
  TestKey key = TestKey::ec();
  std::string cert = TestCert{.common_name = "cn-only.example"}.selfSign(key);
  expectInvalid(validateUpload(cert, key.pkcs8Pem(), at(kT0)), kReasonCertificateNoDnsNames,
                "certificate: ");
}

TEST(ValidateUpload, ChainGoesLeafFirstThenEachIssuer) {
  TestKey root_key = TestKey::ec();
  TestKey mid_key = TestKey::ec();
  TestKey leaf_key = TestKey::ec();
  TestKey other_key = TestKey::ec();
  std::string root = TestCert{.common_name = "Root", .ca = true}.selfSign(root_key);
  std::string mid =
      TestCert{.common_name = "Intermediate", .ca = true}.issue(mid_key, root, root_key);
  std::string other = TestCert{.common_name = "Other", .ca = true}.selfSign(other_key);
  std::string leaf = TestCert{.dns = {"shop.example"}}.issue(leaf_key, mid, mid_key);
  const std::string key = leaf_key.pkcs8Pem();
  const Clock::time_point now = at(kT0 + 86400);

  EXPECT_TRUE(validateUpload(leaf, key, now).ok());
  EXPECT_TRUE(validateUpload(leaf + mid, key, now).ok());
  EXPECT_TRUE(validateUpload(leaf + mid + root, key, now).ok());

  Status swapped = validateUpload(leaf + root + mid, key, now);
  expectInvalid(swapped, kReasonCertificateChainInvalid, "certificate: certificate 1 ");
  Status wrong_issuer = validateUpload(leaf + other, key, now);
  expectInvalid(wrong_issuer, kReasonCertificateChainInvalid, "certificate: ");
  Status late = validateUpload(leaf + mid + other, key, now);
  expectInvalid(late, kReasonCertificateChainInvalid, "certificate: certificate 2 ");

  // Same subject name as the real issuer, other key: the signature decides.
  std::string impostor = TestCert{.common_name = "Intermediate", .ca = true}.selfSign(other_key);
  expectInvalid(validateUpload(leaf + impostor, key, now), kReasonCertificateChainInvalid,
                "certificate: ");
  // The key belongs to the leaf, not to the first certificate of a reversed chain.
  expectInvalid(validateUpload(mid + leaf, key, now), kReasonKeyMismatch, "key: ");
}

TEST(GenerateEcKeyPem, IsAPkcs8P256Key) {
  StatusOr<std::string> pem = generateEcKeyPem();
  ASSERT_TRUE(pem.ok());
  EXPECT_THAT(*pem, StartsWith("-----BEGIN PRIVATE KEY-----\n"));
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(key, nullptr);
  char group[32] = {};
  size_t n = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(key, group, sizeof(group), &n), 1);
  EXPECT_STREQ(group, "prime256v1");
  EVP_PKEY_free(key);
  EXPECT_NE(*generateEcKeyPem(), *pem);
}

struct ParsedCsr {
  std::string common_name;
  std::vector<std::string> dns;
  bool signature_ok = false;
};

ParsedCsr parseCsr(const std::string& der) {
  ParsedCsr out;
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509_REQ* req = d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size()));
  if (req == nullptr) return out;
  EVP_PKEY* pub = X509_REQ_get0_pubkey(req);
  out.signature_ok = pub != nullptr && X509_REQ_verify(req, pub) == 1 &&
                     X509_REQ_get_signature_nid(req) != NID_undef;
  char cn[256] = {};
  if (X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req), NID_commonName, cn, sizeof(cn)) >
      0) {
    out.common_name = cn;
  }
  STACK_OF(X509_EXTENSION)* exts = X509_REQ_get_extensions(req);
  for (int i = 0; i < sk_X509_EXTENSION_num(exts); ++i) {
    X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts, i);
    if (OBJ_obj2nid(X509_EXTENSION_get_object(ext)) != NID_subject_alt_name) continue;
    auto* gens = static_cast<GENERAL_NAMES*>(X509V3_EXT_d2i(ext));
    for (int j = 0; j < sk_GENERAL_NAME_num(gens); ++j) {
      GENERAL_NAME* g = sk_GENERAL_NAME_value(gens, j);
      if (g->type != GEN_DNS) continue;
      out.dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(g->d.dNSName)),
                           ASN1_STRING_length(g->d.dNSName));
    }
    GENERAL_NAMES_free(gens);
  }
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  X509_REQ_free(req);
  return out;
}

TEST(MakeCsrDer, EveryNameIsInTheSanAndTheFirstIsTheCn) {
  StatusOr<std::string> key = generateEcKeyPem();
  ASSERT_TRUE(key.ok());
  StatusOr<std::string> der =
      makeCsrDer(*key, {"shop.example.com", "*.shop.example.com", "api.example.com"});
  ASSERT_TRUE(der.ok()) << der.status().toString();
  ParsedCsr csr = parseCsr(*der);
  EXPECT_TRUE(csr.signature_ok);
  EXPECT_EQ(csr.common_name, "shop.example.com");
  EXPECT_THAT(csr.dns, ElementsAre("shop.example.com", "*.shop.example.com", "api.example.com"));

  TestKey rsa = TestKey::rsa(2048);
  const std::string long_name = std::string(70, 'a') + ".example.com";
  StatusOr<std::string> rsa_der = makeCsrDer(rsa.traditionalPem(), {long_name, "b.example"});
  ASSERT_TRUE(rsa_der.ok()) << rsa_der.status().toString();
  ParsedCsr rsa_csr = parseCsr(*rsa_der);
  EXPECT_TRUE(rsa_csr.signature_ok);
  EXPECT_EQ(rsa_csr.common_name, "");  // longer than 64: SAN only
  EXPECT_THAT(rsa_csr.dns, ElementsAre(long_name, "b.example"));
}

TEST(MakeCsrDer, RejectsBadInput) {
  StatusOr<std::string> key = generateEcKeyPem();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(makeCsrDer(*key, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(makeCsrDer(*key, {""}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(makeCsrDer(*key, {"a b"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(makeCsrDer(*key, {"a,DNS:evil"}).ok(), true);  // one literal name, not two
  EXPECT_THAT(parseCsr(*makeCsrDer(*key, {"a,DNS:evil"})).dns, ElementsAre("a,DNS:evil"));
  EXPECT_THAT(makeCsrDer("junk", {"a.example"}).status().message(), StartsWith("key: "));
}

TEST(MakeSelfSigned, RejectsBadInput) {
  EXPECT_FALSE(makeSelfSigned("", at(kT0), std::chrono::hours(1)).ok());
  EXPECT_FALSE(makeSelfSigned(std::string(65, 'a'), at(kT0), std::chrono::hours(1)).ok());
  EXPECT_FALSE(makeSelfSigned("a", at(kT0), std::chrono::hours(0)).ok());
  // A CN that is no DNS name gets no SAN.
  StatusOr<SelfSigned> odd = makeSelfSigned("ingressd_default", at(kT0), std::chrono::hours(1));
  ASSERT_TRUE(odd.ok());
  EXPECT_TRUE(inspectCertificate(odd->chain_pem)->dns_names.empty());
}

}  // namespace
}  // namespace ingress::tls

// AccountKey, JWK/thumbprint (RFC 7638 canonical form, the RFC 7515 A.3 P-256 key), ES256 JWS
// signatures (verified with OpenSSL), DER → r||s, base64url, and the key file lifecycle.
#include "acme/jws.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "common/base64url.h"
#include "common/filesystem.h"
#include "test_common/test_env.h"

namespace ingress::acme {
namespace {

// RFC 7515 Appendix A.3: the example P-256 key.
constexpr const char* kX = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr const char* kY = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr const char* kD = "jpsQnnGQmL-YBIffH1136cLSZU6LDBmiqaWHaKOgV2s";

std::string b64d(const std::string& s) { return *base64UrlDecode(s); }

std::string rfc7515KeyPem() {
  const std::string x = b64d(kX), y = b64d(kY), d = b64d(kD);
  const std::string pub = std::string("\x04", 1) + x + y;
  BIGNUM* priv = BN_bin2bn(reinterpret_cast<const unsigned char*>(d.data()), 32, nullptr);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size());
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_fromdata_init(ctx);
  EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  EVP_PKEY_free(key);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(priv);
  return pem;
}

// Verifies a raw r||s ES256 signature with the public key of a JWK.
bool verifyEs256(const Json& jwk, const std::string& data, const std::string& raw_sig) {
  const std::string pub = std::string("\x04", 1) + b64d(jwk["x"]) + b64d(jwk["y"]);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub.data(), pub.size());
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_fromdata_init(pctx);
  EVP_PKEY_fromdata(pctx, &key, EVP_PKEY_PUBLIC_KEY, params);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(
      sig, BN_bin2bn(reinterpret_cast<const unsigned char*>(raw_sig.data()), 32, nullptr),
      BN_bin2bn(reinterpret_cast<const unsigned char*>(raw_sig.data()) + 32, 32, nullptr));
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig, &der);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, key);
  bool ok = EVP_DigestVerify(md, der, static_cast<size_t>(der_len),
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_MD_CTX_free(md);
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  EVP_PKEY_free(key);
  EVP_PKEY_CTX_free(pctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  return ok;
}

TEST(Base64Url, KnownVectors) {
  EXPECT_EQ(base64UrlEncode(""), "");
  EXPECT_EQ(base64UrlEncode("f"), "Zg");
  EXPECT_EQ(base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(base64UrlEncode(std::string("\xfb\xff\xfe", 3)), "-__-");
}

TEST(AccountKey, JwkAndThumbprintOfTheRfc7515Key) {
  StatusOr<AccountKey> key = AccountKey::fromPem(rfc7515KeyPem());
  ASSERT_TRUE(key.ok()) << key.status().toString();
  // RFC 7638 §3.2: members in lexicographic order, no whitespace.
  EXPECT_EQ(key->jwk().dump(),
            std::string(R"({"crv":"P-256","kty":"EC","x":")") + kX + R"(","y":")" + kY + R"("})");
  // SHA-256 of that string, base64url (computed independently with openssl dgst | basenc).
  EXPECT_EQ(key->thumbprint(), "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");
}

TEST(AccountKey, SignJwsVerifiesWithTheJwk) {
  StatusOr<AccountKey> key = AccountKey::generate();
  ASSERT_TRUE(key.ok());
  Json header{{"alg", "ES256"}, {"nonce", "n1"}, {"url", "https://ca.test/x"}, {"jwk", key->jwk()}};
  StatusOr<std::string> jws = key->signJws(header, R"({"a":1})");
  ASSERT_TRUE(jws.ok());
  Json j = Json::parse(*jws);
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(Json::parse(b64d(j["protected"])), header);
  EXPECT_EQ(b64d(j["payload"]), R"({"a":1})");
  const std::string sig = b64d(j["signature"]);
  ASSERT_EQ(sig.size(), 64u);
  const std::string input =
      j["protected"].get<std::string>() + "." + j["payload"].get<std::string>();
  EXPECT_TRUE(verifyEs256(key->jwk(), input, sig));
  EXPECT_FALSE(verifyEs256(key->jwk(), input + "x", sig));
}

TEST(AccountKey, PostAsGetHasAnEmptyPayload) {
  StatusOr<AccountKey> key = AccountKey::generate();
  ASSERT_TRUE(key.ok());
  StatusOr<std::string> jws = key->signJws({{"alg", "ES256"}}, "");
  ASSERT_TRUE(jws.ok());
  EXPECT_EQ(Json::parse(*jws)["payload"], "");
}

TEST(AccountKey, RejectsNonP256Keys) {
  EVP_PKEY* rsa = EVP_RSA_gen(2048);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, rsa, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(n));
  BIO_free(bio);
  EVP_PKEY_free(rsa);
  EXPECT_EQ(AccountKey::fromPem(pem).status().code(), StatusCode::kInvalidArgument);
  EVP_PKEY* p384 = EVP_EC_gen("P-384");
  bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, p384, nullptr, nullptr, 0, nullptr, nullptr);
  n = BIO_get_mem_data(bio, &data);
  pem.assign(data, static_cast<size_t>(n));
  BIO_free(bio);
  EVP_PKEY_free(p384);
  EXPECT_EQ(AccountKey::fromPem(pem).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AccountKey::fromPem("garbage").status().code(), StatusCode::kInvalidArgument);
}

TEST(AccountKey, LoadOrCreateCreatesOnceWithMode0600) {
  testing::TempDir dir;
  FilesystemImpl fs;
  const std::string path = dir.file("acme-account.pem");
  StatusOr<AccountKey> first = AccountKey::loadOrCreate(fs, path);
  ASSERT_TRUE(first.ok()) << first.status().toString();
  StatusOr<FileInfo> info = fs.stat(path);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->mode, 0600u);
  StatusOr<AccountKey> second = AccountKey::loadOrCreate(fs, path);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->thumbprint(), first->thumbprint());
  ASSERT_TRUE(fs.writeFileAtomic(path, "not a key", 0600).ok());
  StatusOr<AccountKey> bad = AccountKey::loadOrCreate(fs, path);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find(path), std::string::npos);
}

TEST(DerSignatureToRaw, PadsAndStripsLeadingZeros) {
  // r has its high bit set (DER adds a 0x00), s is 1 (DER keeps one byte).
  std::string r_bytes(32, '\x80');
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* s = BN_new();
  BN_set_word(s, 1);
  ECDSA_SIG_set0(sig,
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(r_bytes.data()), 32, nullptr), s);
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  StatusOr<std::string> raw = derSignatureToRaw(std::string(reinterpret_cast<char*>(der), len));
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*raw, r_bytes + std::string(31, '\0') + "\x01");
  EXPECT_EQ(derSignatureToRaw("\x30\x01").status().code(), StatusCode::kInvalidArgument);
}

TEST(Dns01, TxtValueIsBase64UrlSha256OfTheKeyAuthorization) {
  // Computed independently: printf token.thumb | openssl dgst -sha256 -binary | basenc --base64url
  EXPECT_EQ(dns01TxtValue("token.thumb"), "lCdftpJCXapaZHkBGIZbcubeKW8RmA0jSG_aZN01zbU");
}

}  // namespace
}  // namespace ingress::acme

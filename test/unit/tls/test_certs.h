// Test-only certificate factory: certificates with chosen serials, SANs, issuers and key
// identifiers, built with OpenSSL directly (the product's makeSelfSigned fixes those choices).
//
//   TestKey ca_key = TestKey::ec();
//   std::string ca = TestCert{.common_name = "Test CA", .ca = true}.selfSign(ca_key);
//   std::string leaf = TestCert{.dns = {"a.example"}}.issue(leaf_key, ca, ca_key);
#pragma once

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ingress::tls::testing {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

class TestKey {
 public:
  static TestKey ec(const char* curve = "P-256") { return TestKey(EVP_EC_gen(curve)); }
  static TestKey rsa(unsigned bits) {
    return TestKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
  }
  EVP_PKEY* get() const { return key_.get(); }

  // PKCS#8 ("PRIVATE KEY").
  std::string pkcs8Pem() const {
    return write([&](BIO* b) {
      return PEM_write_bio_PrivateKey(b, get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
  }
  // Traditional ("EC PRIVATE KEY" / "RSA PRIVATE KEY").
  std::string traditionalPem() const {
    return write([&](BIO* b) {
      return PEM_write_bio_PrivateKey_traditional(b, get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
  }
  // PKCS#8 encrypted with a passphrase ("ENCRYPTED PRIVATE KEY").
  std::string encryptedPem() const {
    return write([&](BIO* b) {
      char pass[] = "secret";
      return PEM_write_bio_PKCS8PrivateKey(b, get(), EVP_aes_128_cbc(), pass, 6, nullptr, nullptr);
    });
  }

 private:
  explicit TestKey(EVP_PKEY* key) : key_(key, PkeyFree()) {
    if (!key_) throw std::runtime_error("key generation failed");
  }
  template <typename F>
  static std::string write(F f) {
    BIO* b = BIO_new(BIO_s_mem());
    f(b);
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    std::string out(data, static_cast<size_t>(n));
    BIO_free(b);
    return out;
  }
  std::shared_ptr<EVP_PKEY> key_;
};

struct TestCert {
  std::string common_name = "test";
  std::vector<std::string> dns;   // SAN dNSNames; none → no SAN extension
  std::string serial_hex = "01";  // BN_hex2bn input
  time_t not_before = 1'700'000'000;
  time_t not_after = 1'700'000'000 + 90 * 86400;
  bool ca = false;
  bool key_ids = true;         // SKI ("hash" or `subject_key_id`) and AKI keyid
  std::string subject_key_id;  // hex "69:88:..." for the SKI; empty → hash

  std::string selfSign(const TestKey& key) const { return build(key, nullptr, key); }
  std::string issue(const TestKey& key, const std::string& issuer_pem,
                    const TestKey& issuer_key) const {
    BIO* b = BIO_new_mem_buf(issuer_pem.data(), static_cast<int>(issuer_pem.size()));
    X509* issuer = PEM_read_bio_X509(b, nullptr, nullptr, nullptr);
    BIO_free(b);
    if (issuer == nullptr) throw std::runtime_error("bad issuer PEM");
    std::string out = build(key, issuer, issuer_key);
    X509_free(issuer);
    return out;
  }

 private:
  void addExt(X509* x, X509V3_CTX* ctx, int nid, const std::string& value) const {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str());
    if (ext == nullptr) throw std::runtime_error("bad extension " + value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }

  std::string build(const TestKey& key, X509* issuer, const TestKey& signer) const {
    X509* x = X509_new();
    X509_set_version(x, 2);
    BIGNUM* bn = nullptr;
    BN_hex2bn(&bn, serial_hex.c_str());
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
    BN_free(bn);
    ASN1_TIME_set(X509_getm_notBefore(x), not_before);
    ASN1_TIME_set(X509_getm_notAfter(x), not_after);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                               0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(x));
    X509_set_pubkey(x, key.get());
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
    if (ca) {
      addExt(x, &ctx, NID_basic_constraints, "critical,CA:TRUE");
      addExt(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    }
    if (key_ids) {
      addExt(x, &ctx, NID_subject_key_identifier, subject_key_id.empty() ? "hash" : subject_key_id);
      addExt(x, &ctx, NID_authority_key_identifier, "keyid:always");
    }
    if (!dns.empty()) {
      std::string san;
      for (const std::string& d : dns) san += (san.empty() ? "DNS:" : ",DNS:") + d;
      addExt(x, &ctx, NID_subject_alt_name, san);
    }
    X509_sign(x, signer.get(), EVP_sha256());
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    char* data = nullptr;
    long n = BIO_get_mem_data(b, &data);
    std::string out(data, static_cast<size_t>(n));
    BIO_free(b);
    X509_free(x);
    return out;
  }
};

}  // namespace ingress::tls::testing

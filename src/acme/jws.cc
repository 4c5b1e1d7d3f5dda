#include "acme/jws.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "common/base64url.h"
#include "common/sha256.h"

namespace ingress::acme {
namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

std::string bnToPadded(const BIGNUM* bn, size_t width) {
  std::string out(width, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(width));
  return out;
}

StatusOr<std::string> coordinate(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) {
    return internalError(std::string("cannot read EC public key parameter ") + name);
  }
  std::string out = BN_num_bytes(bn) <= 32 ? bnToPadded(bn, 32) : std::string();
  BN_free(bn);
  if (out.empty()) return internalError("EC coordinate wider than 32 bytes");
  return out;
}

}  // namespace

AccountKey::AccountKey(EVP_PKEY* key) : key_(key, &EVP_PKEY_free) {}
AccountKey::AccountKey(AccountKey&&) noexcept = default;
AccountKey& AccountKey::operator=(AccountKey&&) noexcept = default;
AccountKey::~AccountKey() = default;

StatusOr<AccountKey> AccountKey::generate() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) return internalError("generating a P-256 key failed");
  std::string pem;
  {
    AccountKey tmp(key);
    pem = tmp.privateKeyPem();
  }
  // Through fromPem, so a generated key and a loaded one are set up by the same code.
  return fromPem(pem);
}

StatusOr<AccountKey> AccountKey::fromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (raw == nullptr) return invalidArgument("not a PEM private key");
  AccountKey key(raw);
  char group[64] = {};
  size_t group_len = 0;
  if (!EVP_PKEY_is_a(raw, "EC") ||
      EVP_PKEY_get_utf8_string_param(raw, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                     &group_len) != 1 ||
      std::string_view(group, group_len) != "prime256v1") {
    return invalidArgument("the ACME account key must be an EC P-256 key (ES256)");
  }
  INGRESS_ASSIGN_OR_RETURN(std::string x, coordinate(raw, OSSL_PKEY_PARAM_EC_PUB_X));
  INGRESS_ASSIGN_OR_RETURN(std::string y, coordinate(raw, OSSL_PKEY_PARAM_EC_PUB_Y));
  key.jwk_ =
      Json{{"crv", "P-256"}, {"kty", "EC"}, {"x", base64UrlEncode(x)}, {"y", base64UrlEncode(y)}};
  // nlohmann::json keeps object members sorted and dump() without indent emits no whitespace:
  // exactly RFC 7638's canonical form.
  key.thumbprint_ = base64UrlEncode(sha256Raw(key.jwk_.dump()));
  return key;
}

StatusOr<AccountKey> AccountKey::loadOrCreate(Filesystem& fs, const std::string& path) {
  if (fs.exists(path)) {
    INGRESS_ASSIGN_OR_RETURN(std::string pem, fs.readFileLimited(path, 64 * 1024));
    StatusOr<AccountKey> key = fromPem(pem);
    if (!key.ok()) return key.status().withContext("ACME account key " + path);
    return key;
  }
  INGRESS_ASSIGN_OR_RETURN(AccountKey key, generate());
  INGRESS_RETURN_IF_ERROR(fs.writeFileAtomic(path, key.privateKeyPem(), 0600)
                              .withContext("writing ACME account key " + path));
  return key;
}

std::string AccountKey::privateKeyPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

StatusOr<std::string> AccountKey::signEs256(std::string_view data) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) != 1) {
    return internalError("ES256 signing failed");
  }
  std::string der(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &len,
                     reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    return internalError("ES256 signing failed");
  }
  der.resize(len);
  return derSignatureToRaw(der);
}

StatusOr<std::string> AccountKey::signJws(const Json& protected_header,
                                          std::string_view payload) const {
  const std::string protected64 = base64UrlEncode(dumpJson(protected_header));
  const std::string payload64 = base64UrlEncode(payload);
  INGRESS_ASSIGN_OR_RETURN(std::string signature, signEs256(protected64 + "." + payload64));
  Json jws{{"protected", protected64},
           {"payload", payload64},
           {"signature", base64UrlEncode(signature)}};
  return jws.dump();
}

StatusOr<std::string> derSignatureToRaw(std::string_view der, size_t coordinate_bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
      d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())), &ECDSA_SIG_free);
  if (!sig || p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return invalidArgument("malformed DER ECDSA signature");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  if (static_cast<size_t>(BN_num_bytes(r)) > coordinate_bytes ||
      static_cast<size_t>(BN_num_bytes(s)) > coordinate_bytes) {
    return invalidArgument("ECDSA signature integer wider than the curve");
  }
  return bnToPadded(r, coordinate_bytes) + bnToPadded(s, coordinate_bytes);
}

std::string dns01TxtValue(std::string_view key_authorization) {
  return base64UrlEncode(sha256Raw(key_authorization));
}

}  // namespace ingress::acme

// The ACME account key (ES256, P-256) and the JWS every ACME POST carries (RFC 8555 §6.2,
// RFC 7515 flattened JSON serialization, RFC 7638 thumbprint).
//
//   INGRESS_ASSIGN_OR_RETURN(AccountKey key, AccountKey::loadOrCreate(fs, "/var/lib/x/acme.key"));
//   Json header = {{"alg", "ES256"}, {"nonce", nonce}, {"url", url}, {"kid", account_url}};
//   INGRESS_ASSIGN_OR_RETURN(std::string body, key.signJws(header, payload_json));
//   std::string key_authorization = token + "." + key.thumbprint();
//
// An AccountKey is immutable after construction; its const methods are thread-safe.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "common/filesystem.h"
#include "common/json.h"
#include "common/status.h"

namespace ingress::acme {

class AccountKey {
 public:
  // Reads the PEM private key at `path`, or creates a new P-256 key there (mode 0600, written
  // with writeFileAtomic) when the file does not exist. The same key is reused for the life of
  // the ACME account: losing it means a new account. kInvalidArgument when the file is not a
  // P-256 private key.
  static StatusOr<AccountKey> loadOrCreate(Filesystem& fs, const std::string& path);
  static StatusOr<AccountKey> generate();
  // A PEM private key (PKCS#8 or SEC1 "EC PRIVATE KEY"); must be an EC P-256 key.
  static StatusOr<AccountKey> fromPem(std::string_view pem);

  AccountKey(AccountKey&&) noexcept;
  AccountKey& operator=(AccountKey&&) noexcept;
  ~AccountKey();

  // PKCS#8 PEM of the private key.
  std::string privateKeyPem() const;
  // The public JWK with exactly the RFC 7638 members: {"crv":"P-256","kty":"EC","x":..,"y":..}.
  const Json& jwk() const { return jwk_; }
  // RFC 7638 thumbprint: base64url(SHA-256(canonical JWK)). Key authorizations use it.
  const std::string& thumbprint() const { return thumbprint_; }
  // ES256 signature of `data` as raw r||s (64 bytes), as JWS requires.
  StatusOr<std::string> signEs256(std::string_view data) const;
  // Flattened JWS: {"protected": b64(header), "payload": b64(payload), "signature": b64(sig)}.
  // An empty `payload` gives the POST-as-GET form ("payload": "").
  StatusOr<std::string> signJws(const Json& protected_header, std::string_view payload) const;

 private:
  explicit AccountKey(EVP_PKEY* key);
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key_;
  Json jwk_;
  std::string thumbprint_;
};

// Converts a DER ECDSA-Sig-Value (what OpenSSL produces) into JWS's fixed-width r||s, each
// left-padded to `coordinate_bytes` (32 for P-256). kInvalidArgument for malformed DER or
// integers wider than the coordinate.
StatusOr<std::string> derSignatureToRaw(std::string_view der, size_t coordinate_bytes = 32);

// DNS-01 TXT value for a key authorization: base64url(SHA-256(key_authorization)).
std::string dns01TxtValue(std::string_view key_authorization);

}  // namespace ingress::acme

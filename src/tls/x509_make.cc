// Generation half of x509.h: keys, CSRs, self-signed certificates.
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>

#include "tls/openssl_util.h"
#include "tls/x509.h"

namespace ingress::tls {

using internal::ErrorQueueCleaner;
using internal::OsslPtr;

namespace {

// A CN is at most 64 characters (RFC 5280 ub-common-name).
constexpr size_t kMaxCommonName = 64;
constexpr std::chrono::hours kMaxValidity{24 * 366 * 100};

StatusOr<OsslPtr<EVP_PKEY>> newEcKey() {
  OsslPtr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (!key) return internalError("key: EC P-256 key generation failed");
  return key;
}

Status setCommonName(X509_NAME* name, const std::string& common_name) {
  if (X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    return internalError("cannot set the subject common name");
  }
  return okStatus();
}

// Letters, digits, '-', '.', '*': a name a dNSName can carry for TLS.
bool isHostnameLike(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '*';
  });
}

Status addConfExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  OsslPtr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return internalError(std::string("cannot add extension ") + OBJ_nid2sn(nid));
  }
  return okStatus();
}

}  // namespace

StatusOr<std::string> generateEcKeyPem() {
  ErrorQueueCleaner cleaner;
  INGRESS_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> key, newEcKey());
  return internal::privateKeyPem(key.get());
}

StatusOr<std::string> makeCsrDer(const std::string& key_pem,
                                 const std::vector<std::string>& names) {
  ErrorQueueCleaner cleaner;
  if (names.empty()) return invalidArgument("names: at least one name is needed for a CSR");
  std::vector<std::string> unique;
  for (const std::string& name : names) {
    if (!internal::isPlausibleDnsName(name)) {
      return invalidArgument("names: not a DNS name (1 to 253 printable ASCII characters)");
    }
    if (std::find(unique.begin(), unique.end(), name) == unique.end()) unique.push_back(name);
  }
  INGRESS_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> key, internal::parsePrivateKey(key_pem));
  OsslPtr<X509_REQ> req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), 0) != 1) return internalError("csr: out of memory");
  if (unique.front().size() <= kMaxCommonName) {
    INGRESS_RETURN_IF_ERROR(setCommonName(X509_REQ_get_subject_name(req.get()), unique.front()));
  }
  if (X509_REQ_set_pubkey(req.get(), key.get()) != 1) {
    return internalError("csr: cannot set the public key");
  }
  INGRESS_ASSIGN_OR_RETURN(OsslPtr<X509_EXTENSION> san, internal::makeDnsSanExtension(unique));
  STACK_OF(X509_EXTENSION)* extensions = sk_X509_EXTENSION_new_null();
  if (extensions == nullptr || sk_X509_EXTENSION_push(extensions, san.get()) <= 0) {
    sk_X509_EXTENSION_free(extensions);
    return internalError("csr: out of memory");
  }
  int added = X509_REQ_add_extensions(req.get(), extensions);
  sk_X509_EXTENSION_free(extensions);  // does not free `san`, still owned above
  if (added != 1) return internalError("csr: cannot add the subjectAltName extension");
  if (X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0) {
    return internalError("csr: signing failed");
  }
  int length = i2d_X509_REQ(req.get(), nullptr);
  if (length <= 0) return internalError("csr: cannot encode");
  std::string der(static_cast<size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_X509_REQ(req.get(), &out) != length) return internalError("csr: cannot encode");
  return der;
}

StatusOr<SelfSigned> makeSelfSigned(const std::string& common_name,
                                    std::chrono::system_clock::time_point now,
                                    std::chrono::hours validity) {
  ErrorQueueCleaner cleaner;
  if (common_name.empty() || common_name.size() > kMaxCommonName ||
      !internal::isPlausibleDnsName(common_name)) {
    return invalidArgument("common_name: 1 to 64 printable ASCII characters without spaces");
  }
  if (validity <= std::chrono::hours(0) || validity > kMaxValidity) {
    return invalidArgument("validity: must be positive and at most 100 years");
  }
  INGRESS_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> key, newEcKey());
  OsslPtr<X509> cert(X509_new());
  OsslPtr<BIGNUM> serial(BN_new());
  if (!cert || !serial) return internalError("certificate: out of memory");
  // 127 random bits: positive, and at most 16 content octets in DER.
  if (BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      (BN_is_zero(serial.get()) && BN_one(serial.get()) != 1) ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return internalError("certificate: cannot make a serial number");
  }
  auto seconds = [](std::chrono::system_clock::time_point t) {
    return static_cast<time_t>(
        std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
  };
  if (X509_set_version(cert.get(), 2) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), seconds(now - std::chrono::hours(1))) ==
          nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), seconds(now + validity)) == nullptr) {
    return internalError("certificate: cannot set the validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  INGRESS_RETURN_IF_ERROR(setCommonName(name, common_name));
  if (X509_set_issuer_name(cert.get(), name) != 1 || X509_set_pubkey(cert.get(), key.get()) != 1) {
    return internalError("certificate: cannot set issuer or key");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  // Constant configuration strings only: user input goes through makeDnsSanExtension.
  INGRESS_RETURN_IF_ERROR(
      addConfExtension(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE"));
  INGRESS_RETURN_IF_ERROR(
      addConfExtension(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature"));
  INGRESS_RETURN_IF_ERROR(addConfExtension(cert.get(), &ctx, NID_ext_key_usage, "serverAuth"));
  INGRESS_RETURN_IF_ERROR(addConfExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  INGRESS_RETURN_IF_ERROR(
      addConfExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  if (isHostnameLike(common_name)) {
    std::string lower = common_name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    INGRESS_ASSIGN_OR_RETURN(OsslPtr<X509_EXTENSION> san, internal::makeDnsSanExtension({lower}));
    if (X509_add_ext(cert.get(), san.get(), -1) != 1) {
      return internalError("certificate: cannot add the subjectAltName extension");
    }
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
    return internalError("certificate: signing failed");
  }
  SelfSigned out;
  INGRESS_ASSIGN_OR_RETURN(out.chain_pem, internal::certificatePem(cert.get()));
  INGRESS_ASSIGN_OR_RETURN(out.key_pem, internal::privateKeyPem(key.get()));
  return out;
}

}  // namespace ingress::tls

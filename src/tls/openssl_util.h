// Small OpenSSL helpers shared by the tls module's sources: owning pointers, PEM/DER
// conversions, key parsing. Internal to ingress_tls (other modules use x509.h).
//
//   OsslPtr<X509> cert = parseCertificateDer(der);
//   ErrorQueueCleaner cleaner;  // leaves OpenSSL's thread-local error queue empty on return
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ingress::tls::internal {

template <typename T>
struct OsslFree;
template <>
struct OsslFree<X509> {
  void operator()(X509* p) const { X509_free(p); }
};
template <>
struct OsslFree<X509_REQ> {
  void operator()(X509_REQ* p) const { X509_REQ_free(p); }
};
template <>
struct OsslFree<EVP_PKEY> {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
template <>
struct OsslFree<BIO> {
  void operator()(BIO* p) const { BIO_free_all(p); }
};
template <>
struct OsslFree<BIGNUM> {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
template <>
struct OsslFree<X509_EXTENSION> {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};

template <typename T>
using OsslPtr = std::unique_ptr<T, OsslFree<T>>;

// Clears OpenSSL's thread-local error queue when it goes out of scope, so a failure here never
// surfaces later as a stale error in another library on the same thread (curl, say).
struct ErrorQueueCleaner {
  ErrorQueueCleaner() = default;
  ErrorQueueCleaner(const ErrorQueueCleaner&) = delete;
  ErrorQueueCleaner& operator=(const ErrorQueueCleaner&) = delete;
  ~ErrorQueueCleaner();
};

Status certificateError(std::string message, std::string_view reason = "certificate_invalid");
Status keyError(std::string message, std::string_view reason = "key_invalid");

// Everything written to a memory BIO so far.
std::string bioContents(BIO* bio);

// One DER certificate, exactly (trailing bytes are an error); nullptr when it is not one.
OsslPtr<X509> parseCertificateDer(const unsigned char* data, long length);

// The first private key in `key_pem` (PKCS#8 or traditional; EC or RSA only). Encrypted keys are
// refused without asking for a password. Errors are keyError(...).
StatusOr<OsslPtr<EVP_PKEY>> parsePrivateKey(const std::string& key_pem);

// PKCS#8 PEM of a private key, through a secure-memory BIO (cleansed when freed).
StatusOr<std::string> privateKeyPem(EVP_PKEY* key);

// PEM of a certificate.
StatusOr<std::string> certificatePem(X509* cert);

// "2025-05-01T12:00:00Z".
std::string formatTime(std::chrono::system_clock::time_point t);

// True for 1..253 printable ASCII characters without spaces (what we put in a dNSName).
bool isPlausibleDnsName(std::string_view name);

// A GENERAL_NAMES SAN extension with one dNSName per name (names are not parsed as config
// strings, so a name can never inject another extension value).
StatusOr<OsslPtr<X509_EXTENSION>> makeDnsSanExtension(const std::vector<std::string>& names);

}  // namespace ingress::tls::internal

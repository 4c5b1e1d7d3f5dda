// X.509 certificates and keys for the HTTPS listener (OpenSSL 3 underneath): reading what a
// certificate says, checking an uploaded chain and key before Envoy sees them, and making the
// keys, CSRs and self-signed certificates the daemon needs.
//
// Envoy rejects a whole listener update when one certificate does not load, so everything that
// reaches it passes validateUpload() first (ACME certificates included).
//
//   INGRESS_ASSIGN_OR_RETURN(CertificateInfo info, inspectCertificate(chain_pem));
//   INGRESS_RETURN_IF_ERROR(validateUpload(chain_pem, key_pem, clock.now()));
//   INGRESS_ASSIGN_OR_RETURN(std::string key, generateEcKeyPem());
//   INGRESS_ASSIGN_OR_RETURN(std::string csr, makeCsrDer(key, {"example.com", "www.example.com"}));
//
// Error messages name the field ("certificate: ...", "key: ...") and never contain key material.
// Every function is thread-safe (no shared state) and never crashes on garbage input.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ingress::tls {

// Upload limits: a chain PEM (or a key PEM) longer than this, or a chain with more certificates,
// is rejected before parsing.
inline constexpr size_t kMaxPemBytes = 64 * 1024;
inline constexpr size_t kMaxChainCertificates = 10;
// A certificate may start this far in the future (clock skew between the CA and us).
inline constexpr std::chrono::minutes kMaxNotBeforeSkew{5};

// API reasons (Status::reason()) of validateUpload and the parsers.
inline constexpr std::string_view kReasonCertificateInvalid = "certificate_invalid";
inline constexpr std::string_view kReasonCertificateExpired = "certificate_expired";
inline constexpr std::string_view kReasonCertificateNotYetValid = "certificate_not_yet_valid";
inline constexpr std::string_view kReasonCertificateNoDnsNames = "certificate_no_dns_names";
inline constexpr std::string_view kReasonCertificateChainInvalid = "certificate_chain_invalid";
inline constexpr std::string_view kReasonKeyInvalid = "key_invalid";
inline constexpr std::string_view kReasonKeyUnsupported = "key_unsupported";
inline constexpr std::string_view kReasonKeyMismatch = "key_mismatch";

struct CertificateInfo {
  // SAN dNSName entries: lowercase, sorted, unique. Empty when the certificate has no SAN (the
  // subject CN is not a name for TLS clients, so it is not copied here).
  std::vector<std::string> dns_names;
  // The serial as Envoy's admin /certs prints `serial_number`: BN_bn2hex of the serial, lowercased
  // (whole bytes, leading zero bytes dropped: 0x0a0b → "0a0b"; zero is "0"; negative "-...").
  std::string serial;
  // Clamped to [1700-01-01, 2200-01-01] so that differences with now() never overflow.
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  // RFC 2253 form, e.g. "CN=example.com,O=Example".
  std::string subject;
  std::string issuer;
  // RFC 9773 certificate identifier: base64url(AKI keyIdentifier) "." base64url(serial DER
  // integer content octets), both unpadded. Empty when the certificate has no AKI keyIdentifier.
  std::string ari_cert_id;
  // Issuer == subject and the signature verifies with the certificate's own key.
  bool self_signed = false;
};

// Each CERTIFICATE PEM block of `pem`, in order, re-encoded canonically (64-column base64,
// "\n" line ends). Whitespace between blocks is allowed; anything else (text, a PRIVATE KEY
// block, a block that is not one DER certificate) is kInvalidArgument / certificate_invalid, as
// are no block at all, more than kMaxChainCertificates blocks and input over kMaxPemBytes.
StatusOr<std::vector<std::string>> splitPemChain(const std::string& pem);

// What the leaf (the first block) of `chain_pem` says. Errors as splitPemChain.
StatusOr<CertificateInfo> inspectCertificate(const std::string& chain_pem);

// The key parses (EC or RSA; PKCS#8 or traditional; unencrypted — an encrypted key is
// key_invalid, never a password prompt) and is the leaf's key: kInvalidArgument with reason
// key_invalid or key_mismatch (or certificate_invalid for the chain).
Status checkKeyMatches(const std::string& chain_pem, const std::string& key_pem);

// Everything Envoy and clients need of an uploaded (or ACME-issued) chain and key, checked in
// this order, first failure returned (kInvalidArgument, reason in parentheses):
//   sizes and syntax of the chain (certificate_invalid) and of the key (key_invalid);
//   the key is RSA >= 2048 bits or EC P-256/P-384/P-521, as Envoy requires (key_unsupported);
//   the key is the leaf's (key_mismatch);
//   the leaf is not expired at `now` (certificate_expired) and starts at most kMaxNotBeforeSkew
//   after `now` (certificate_not_yet_valid);
//   the leaf has at least one SAN dNSName (certificate_no_dns_names);
//   each certificate is signed by the next one, when there is a next one
//   (certificate_chain_invalid). The last one need not be a root; no trust store is consulted.
Status validateUpload(const std::string& chain_pem, const std::string& key_pem,
                      std::chrono::system_clock::time_point now);

// A new EC P-256 private key, PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
StatusOr<std::string> generateEcKeyPem();

// A DER PKCS#10 request signed with SHA-256 by `key_pem` (EC or RSA): every name in the SAN
// extension as a dNSName, the first one also as subject CN when it is at most 64 characters.
// kInvalidArgument for no names or a name that is empty, longer than 253 characters or not
// printable ASCII without spaces; key errors as checkKeyMatches.
StatusOr<std::string> makeCsrDer(const std::string& key_pem, const std::vector<std::string>& names);

struct SelfSigned {
  std::string chain_pem;
  std::string key_pem;  // PKCS#8 PEM, EC P-256
};

// A self-signed certificate for the listener's default filter chain (clients without SNI):
// subject CN = `common_name` (at most 64 characters), a SAN dNSName with it when it is a DNS name,
// a random positive 128-bit serial, valid from `now` - 1 h (clock skew) to `now` + `validity`,
// CA:FALSE, serverAuth, with subject and authority key identifiers.
StatusOr<SelfSigned> makeSelfSigned(const std::string& common_name,
                                    std::chrono::system_clock::time_point now,
                                    std::chrono::hours validity);

}  // namespace ingress::tls

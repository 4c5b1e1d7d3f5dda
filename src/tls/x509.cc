// Parsing, inspection and validation (x509.h). Generation is in x509_make.cc.
#include "tls/x509.h"

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "common/base64url.h"
#include "tls/openssl_util.h"

namespace ingress::tls {

using internal::certificateError;
using internal::ErrorQueueCleaner;
using internal::keyError;
using internal::OsslPtr;

namespace {

constexpr std::string_view kBeginPrefix = "-----BEGIN ";
constexpr std::string_view kDashes = "-----";
constexpr std::string_view kEndCertificate = "-----END CERTIFICATE-----";

bool isBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

// One PEM block (BEGIN..END CERTIFICATE) → its certificate; the block must hold exactly one DER
// certificate and no PEM headers.
OsslPtr<X509> parseCertificateBlock(std::string_view block) {
  OsslPtr<BIO> bio(BIO_new_mem_buf(block.data(), static_cast<int>(block.size())));
  if (!bio) return nullptr;
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
  if (PEM_read_bio(bio.get(), &name, &header, &data, &length) != 1) return nullptr;
  OsslPtr<X509> cert;
  if (std::string_view(name) == "CERTIFICATE" && header != nullptr && header[0] == '\0') {
    cert = internal::parseCertificateDer(data, length);
  }
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  return cert;
}

struct ParsedChain {
  std::vector<OsslPtr<X509>> certs;
  std::vector<std::string> pems;
};

StatusOr<ParsedChain> parseChain(const std::string& pem) {
  if (pem.size() > kMaxPemBytes) return certificateError("larger than 64 KiB");
  ParsedChain chain;
  size_t pos = 0;
  while (true) {
    size_t begin = pem.find(kBeginPrefix, pos);
    std::string_view gap(pem.data() + pos, (begin == std::string::npos ? pem.size() : begin) - pos);
    if (!isBlank(gap)) {
      return certificateError("text outside a PEM block (expected only CERTIFICATE blocks)");
    }
    if (begin == std::string::npos) break;
    size_t label_start = begin + kBeginPrefix.size();
    size_t label_end = pem.find(kDashes, label_start);
    if (label_end == std::string::npos) return certificateError("unterminated BEGIN line");
    std::string_view label(pem.data() + label_start, label_end - label_start);
    if (label != "CERTIFICATE") {
      if (label.find("PRIVATE KEY") != std::string_view::npos) {
        return certificateError("the chain contains a private key; send the key separately");
      }
      return certificateError("a PEM block that is not a CERTIFICATE");
    }
    size_t end = pem.find(kEndCertificate, label_end);
    if (end == std::string::npos) return certificateError("BEGIN CERTIFICATE without END");
    size_t block_end = end + kEndCertificate.size();
    if (chain.certs.size() == kMaxChainCertificates) {
      return certificateError("more than " + std::to_string(kMaxChainCertificates) +
                              " certificates in the chain");
    }
    OsslPtr<X509> cert =
        parseCertificateBlock(std::string_view(pem.data() + begin, block_end - begin));
    if (!cert) {
      return certificateError("PEM block " + std::to_string(chain.certs.size() + 1) +
                              " is not a DER X.509 certificate");
    }
    INGRESS_ASSIGN_OR_RETURN(std::string canonical, internal::certificatePem(cert.get()));
    chain.pems.push_back(std::move(canonical));
    chain.certs.push_back(std::move(cert));
    pos = block_end;
  }
  if (chain.certs.empty()) return certificateError("no PEM CERTIFICATE block");
  return chain;
}

// Seconds since the epoch of the supported range's ends (1700-01-01, 2200-01-01), inside the
// nanosecond system_clock's range with room for differences.
constexpr int64_t kMinSeconds = -8520336000;
constexpr int64_t kMaxSeconds = 7258118400;

StatusOr<std::chrono::system_clock::time_point> toTimePoint(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    return certificateError("unreadable validity time");
  }
  using namespace std::chrono;
  const sys_days days{year{tm.tm_year + 1900} / month{static_cast<unsigned>(tm.tm_mon + 1)} /
                      day{static_cast<unsigned>(tm.tm_mday)}};
  int64_t seconds = int64_t{days.time_since_epoch().count()} * 86400 + tm.tm_hour * 3600 +
                    tm.tm_min * 60 + tm.tm_sec;
  seconds = std::clamp(seconds, kMinSeconds, kMaxSeconds);
  return system_clock::time_point(
      duration_cast<system_clock::duration>(std::chrono::seconds(seconds)));
}

std::string nameText(const X509_NAME* name) {
  OsslPtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || name == nullptr) return {};
  if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  return internal::bioContents(bio.get());
}

// BN_bn2hex of the serial, lowercased: what Envoy's Utility::getSerialNumberFromCertificate
// prints (BoringSSL's table is lowercase, OpenSSL's uppercase; both emit whole bytes).
StatusOr<std::string> serialHex(const ASN1_INTEGER* serial) {
  OsslPtr<BIGNUM> bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return certificateError("unreadable serial number");
  char* hex = BN_bn2hex(bn.get());
  if (hex == nullptr) return internalError("certificate: cannot format the serial number");
  std::string out(hex);
  OPENSSL_free(hex);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The content octets of the serial's DER INTEGER (two's complement, with the 0x00 a positive
// serial with the high bit set carries).
StatusOr<std::string> serialContentOctets(const ASN1_INTEGER* serial) {
  int length = i2d_ASN1_INTEGER(serial, nullptr);
  if (length <= 0) return certificateError("unreadable serial number");
  std::string der(static_cast<size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ASN1_INTEGER(serial, &out) != length) {
    return certificateError("unreadable serial number");
  }
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  long content_length = 0;
  int tag = 0;
  int cls = 0;
  int rc = ASN1_get_object(&p, &content_length, &tag, &cls, length);
  const auto* start = reinterpret_cast<const unsigned char*>(der.data());
  if ((rc & 0x80) != 0 || tag != V_ASN1_INTEGER || p + content_length != start + length) {
    return certificateError("unreadable serial number");
  }
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(content_length));
}

StatusOr<std::vector<std::string>> dnsNames(X509* cert) {
  int critical = -1;
  auto* gens =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, &critical, nullptr));
  std::vector<std::string> names;
  if (gens == nullptr) {
    if (critical == -1) return names;
    return certificateError(critical == -2 ? "more than one subjectAltName extension"
                                           : "unreadable subjectAltName extension");
  }
  Status status;
  for (int i = 0; i < sk_GENERAL_NAME_num(gens) && status.ok(); ++i) {
    const GENERAL_NAME* gen = sk_GENERAL_NAME_value(gens, i);
    if (gen->type != GEN_DNS) continue;
    const ASN1_STRING* value = gen->d.dNSName;
    std::string name(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                     static_cast<size_t>(ASN1_STRING_length(value)));
    if (!internal::isPlausibleDnsName(name)) {
      status = certificateError("a subjectAltName dNSName is not a printable ASCII name");
      break;
    }
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    names.push_back(std::move(name));
  }
  GENERAL_NAMES_free(gens);
  if (!status.ok()) return status;
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

StatusOr<CertificateInfo> inspect(X509* cert) {
  CertificateInfo info;
  INGRESS_ASSIGN_OR_RETURN(info.dns_names, dnsNames(cert));
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  INGRESS_ASSIGN_OR_RETURN(info.serial, serialHex(serial));
  INGRESS_ASSIGN_OR_RETURN(info.not_before, toTimePoint(X509_get0_notBefore(cert)));
  INGRESS_ASSIGN_OR_RETURN(info.not_after, toTimePoint(X509_get0_notAfter(cert)));
  info.subject = nameText(X509_get_subject_name(cert));
  info.issuer = nameText(X509_get_issuer_name(cert));
  // Also computes the extension cache; NULL without an AKI keyIdentifier or with broken
  // extensions.
  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(cert);
  if (aki != nullptr && ASN1_STRING_length(aki) > 0) {
    INGRESS_ASSIGN_OR_RETURN(std::string serial_octets, serialContentOctets(serial));
    std::string_view key_id(reinterpret_cast<const char*>(ASN1_STRING_get0_data(aki)),
                            static_cast<size_t>(ASN1_STRING_length(aki)));
    info.ari_cert_id = base64UrlEncode(key_id) + "." + base64UrlEncode(serial_octets);
  }
  info.self_signed = X509_self_signed(cert, 1) == 1;
  return info;
}

// Envoy loads RSA keys of 2048 bits or more and EC keys on P-256, P-384 or P-521 only.
Status checkEnvoySupportsKey(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
    if (EVP_PKEY_get_bits(key) < 2048) {
      return keyError("RSA keys need at least 2048 bits", kReasonKeyUnsupported);
    }
    return okStatus();
  }
  char group[64] = {};
  size_t group_length = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof(group), &group_length) != 1) {
    return keyError("EC key without a named curve", kReasonKeyUnsupported);
  }
  int nid = OBJ_txt2nid(group);
  if (nid != NID_X9_62_prime256v1 && nid != NID_secp384r1 && nid != NID_secp521r1) {
    return keyError("EC keys must be on P-256, P-384 or P-521", kReasonKeyUnsupported);
  }
  return okStatus();
}

Status checkMatches(X509* leaf, EVP_PKEY* key) {
  EVP_PKEY* public_key = X509_get0_pubkey(leaf);
  if (public_key == nullptr) return certificateError("unreadable public key");
  if (EVP_PKEY_eq(public_key, key) != 1) {
    return keyError("does not match the certificate's public key", kReasonKeyMismatch);
  }
  return okStatus();
}

}  // namespace

StatusOr<std::vector<std::string>> splitPemChain(const std::string& pem) {
  ErrorQueueCleaner cleaner;
  INGRESS_ASSIGN_OR_RETURN(ParsedChain chain, parseChain(pem));
  return std::move(chain.pems);
}

StatusOr<CertificateInfo> inspectCertificate(const std::string& chain_pem) {
  ErrorQueueCleaner cleaner;
  INGRESS_ASSIGN_OR_RETURN(ParsedChain chain, parseChain(chain_pem));
  return inspect(chain.certs.front().get());
}

Status checkKeyMatches(const std::string& chain_pem, const std::string& key_pem) {
  ErrorQueueCleaner cleaner;
  INGRESS_ASSIGN_OR_RETURN(ParsedChain chain, parseChain(chain_pem));
  INGRESS_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> key, internal::parsePrivateKey(key_pem));
  return checkMatches(chain.certs.front().get(), key.get());
}

Status validateUpload(const std::string& chain_pem, const std::string& key_pem,
                      std::chrono::system_clock::time_point now) {
  ErrorQueueCleaner cleaner;
  INGRESS_ASSIGN_OR_RETURN(ParsedChain chain, parseChain(chain_pem));
  INGRESS_ASSIGN_OR_RETURN(OsslPtr<EVP_PKEY> key, internal::parsePrivateKey(key_pem));
  INGRESS_RETURN_IF_ERROR(checkEnvoySupportsKey(key.get()));
  X509* leaf = chain.certs.front().get();
  INGRESS_RETURN_IF_ERROR(checkMatches(leaf, key.get()));
  INGRESS_ASSIGN_OR_RETURN(CertificateInfo info, inspect(leaf));
  if (info.not_after <= now) {
    return certificateError("expired at " + internal::formatTime(info.not_after),
                            kReasonCertificateExpired);
  }
  if (info.not_before > now + kMaxNotBeforeSkew) {
    return certificateError("not valid before " + internal::formatTime(info.not_before),
                            kReasonCertificateNotYetValid);
  }
  if (info.dns_names.empty()) {
    return certificateError("no DNS name in subjectAltName (the subject CN is not used)",
                            kReasonCertificateNoDnsNames);
  }
  for (size_t i = 0; i + 1 < chain.certs.size(); ++i) {
    X509* subject = chain.certs[i].get();
    X509* issuer = chain.certs[i + 1].get();
    EVP_PKEY* issuer_key = X509_get0_pubkey(issuer);
    if (X509_check_issued(issuer, subject) != X509_V_OK || issuer_key == nullptr ||
        X509_verify(subject, issuer_key) != 1) {
      return certificateError("certificate " + std::to_string(i + 1) +
                                  " is not issued by certificate " + std::to_string(i + 2) +
                                  " (the chain goes leaf first, then each issuer)",
                              kReasonCertificateChainInvalid);
    }
  }
  return okStatus();
}

}  // namespace ingress::tls

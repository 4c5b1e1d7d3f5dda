#include "acme/ari.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

#include "acme/base64url.h"

namespace ingress::acme {

StatusOr<std::string> ariCertId(std::string_view cert_pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())), &BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) return invalidArgument("not a PEM certificate");
  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(cert.get());
  if (aki == nullptr) {
    return invalidArgument("the certificate has no authority key identifier (needed for ARI)");
  }
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get());
  unsigned char* der = nullptr;
  const int der_len = i2d_ASN1_INTEGER(serial, &der);
  if (der_len < 2) return internalError("cannot encode the certificate serial");
  std::string encoded(reinterpret_cast<const char*>(der), static_cast<size_t>(der_len));
  OPENSSL_free(der);
  // Skip the INTEGER tag and its (short or long form) length: ARI wants the content bytes.
  size_t header = 2;
  if (static_cast<unsigned char>(encoded[1]) & 0x80) header += encoded[1] & 0x7f;
  const std::string aki_bytes(reinterpret_cast<const char*>(ASN1_STRING_get0_data(aki)),
                              static_cast<size_t>(ASN1_STRING_length(aki)));
  return base64UrlEncode(aki_bytes) + "." + base64UrlEncode(encoded.substr(header));
}

std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text) {
  const std::string s(text);
  std::tm tm{};
  const char* p = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (p == nullptr) p = strptime(s.c_str(), "%Y-%m-%dt%H:%M:%S", &tm);
  if (p == nullptr) return std::nullopt;
  std::chrono::nanoseconds fraction{0};
  if (*p == '.') {
    ++p;
    long long scale = 100000000;
    if (*p < '0' || *p > '9') return std::nullopt;
    while (*p >= '0' && *p <= '9') {
      fraction += std::chrono::nanoseconds((*p - '0') * scale);
      scale /= 10;
      ++p;
    }
  }
  std::chrono::seconds offset{0};
  if (*p == 'Z' || *p == 'z') {
    ++p;
  } else if (*p == '+' || *p == '-') {
    const int sign = *p == '+' ? 1 : -1;
    int hh = 0;
    int mm = 0;
    if (std::sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2) return std::nullopt;
    offset = std::chrono::seconds(sign * (hh * 3600 + mm * 60));
    p += 6;
  } else {
    return std::nullopt;
  }
  if (*p != '\0') return std::nullopt;
  auto t = std::chrono::system_clock::from_time_t(timegm(&tm)) - offset;
  return t + std::chrono::duration_cast<std::chrono::system_clock::duration>(fraction);
}

}  // namespace ingress::acme

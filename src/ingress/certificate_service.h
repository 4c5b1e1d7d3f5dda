// CertificateService: the certificate use cases behind the REST API (/certificates), implemented
// by the certificate manager (certs/). User certificates are uploaded under a name with their
// key (validated: parses, key matches, dates, names); ACME certificates appear in the list with
// source "acme" and cannot be uploaded over or deleted (they follow the TLS rules). Keys never
// come back out.
//
// Errors: kInvalidArgument naming the field (`certificate: ...`, `private_key: ...`) → 400;
// kNotFound → 404; kAlreadyExists "acme_certificate" → 409 (an ACME certificate named);
// a publish refused or timed out as for ingresses.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ingress::domain {

struct CertificateInfoView {
  std::string name;    // the user's name, or the id for an ACME certificate
  std::string id;      // `user.<name>` / `acme.<hash>`: the SDS secret Envoy serves it as
  std::string source;  // "user" | "acme"
  std::vector<std::string> dns_names;
  std::string serial;  // lowercase hex
  std::string issuer;
  std::chrono::system_clock::time_point not_before, not_after;
  std::chrono::system_clock::time_point stored_at;
  std::vector<std::string> serving;  // TLS rule hostnames it serves right now (sorted)
};

class CertificateService {
 public:
  virtual ~CertificateService() = default;
  // Creates or replaces the user certificate `name`; returns once Envoy serves it.
  virtual StatusOr<CertificateInfoView> putCertificate(std::string_view name,
                                                       const std::string& chain_pem,
                                                       const std::string& key_pem) = 0;
  // Sorted by name.
  virtual std::vector<CertificateInfoView> listCertificates() const = 0;
  virtual StatusOr<CertificateInfoView> getCertificate(std::string_view name) const = 0;
  virtual Status deleteCertificate(std::string_view name) = 0;
};

}  // namespace ingress::domain

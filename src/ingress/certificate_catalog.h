// CertificateCatalog: what the use cases need to know about certificates, implemented by the
// certificate manager (certs/), which owns user uploads and ACME issuance.
//
//   - certificates(): every certificate ready to serve; the Manager puts them into the next
//     snapshot when asked to (Manager::refreshCertificates), never behind a caller's back.
//   - admitTlsRule(): whether a TLS rule may be created (allowed domains, a certificate source
//     for its hostname, ports); the error names the field.
//   - status(): a TLS rule's certificate as the API shows it, given the committed snapshot.
//
// Thread-safe: called from API threads and the committer.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "ingress/model.h"
#include "ingress/snapshot.h"

namespace ingress::domain {

class CertificateCatalog {
 public:
  virtual ~CertificateCatalog() = default;
  virtual std::vector<ServedCertificatePtr> certificates() const = 0;
  // `path` is the rule's field path for messages ("rules[0]").
  virtual Status admitTlsRule(const Rule& rule, const std::string& path) const = 0;
  virtual CertificateStatus status(const Rule& rule, const ConfigSnapshot& snapshot) const = 0;
  // A new snapshot is current (called by the committer after the swap, no lock held): a TLS
  // rule it adds is ordered for now, not at the next poll.
  virtual void committed() const {}
};

}  // namespace ingress::domain

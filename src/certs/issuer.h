// CertificateIssuer: where ACME certificates come from, as the certificate manager sees it. The
// real one (acme_issuer.h) runs an RFC 8555 order against the configured CA; tests use a fake.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace ingress::certs {

struct IssueFailure {
  Status status;  // the message says what the CA (or a challenge) answered
  // The CA asked us to wait (Retry-After on 429/503): no new order before this.
  std::optional<std::chrono::system_clock::time_point> retry_after;
};

struct RenewalWindow {
  std::chrono::system_clock::time_point start, end;
};

class CertificateIssuer {
 public:
  virtual ~CertificateIssuer() = default;
  // One order for exactly `names` with this CSR (DER); `replaces`: the RFC 9773 id of the
  // certificate it renews, or empty. Blocks until the chain (PEM, leaf first) is downloaded or
  // the order failed. Returns the chain, or fills `failure`.
  virtual std::optional<std::string> issue(const std::vector<std::string>& names,
                                           const std::string& csr_der, const std::string& replaces,
                                           IssueFailure& failure) = 0;
  // The CA's suggested renewal window (RFC 9773 renewalInfo) for the certificate with this id;
  // nullopt when the CA offers no ARI or the query failed (the caller falls back to 2/3 of the
  // lifetime).
  virtual std::optional<RenewalWindow> renewalWindow(const std::string& ari_cert_id) = 0;
  // Orders created so far (for metrics and tests: never a burst).
  virtual uint64_t ordersCreated() const = 0;
};

}  // namespace ingress::certs

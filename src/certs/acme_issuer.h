// AcmeIssuer: the CertificateIssuer of the daemon, an RFC 8555 order per call through
// acme::AcmeClient (src/acme), with the CA's Retry-After and ARI window passed on.
//
//   acme::AcmeClient client(settings, key, transport, clock, solver);
//   AcmeIssuer issuer(client);
//   CertificateManager certs(settings, store, clock, &issuer);
//
// Thread-safe as the client is (one ACME conversation at a time).
#pragma once

#include "acme/client.h"
#include "certs/issuer.h"

namespace ingress::certs {

class AcmeIssuer final : public CertificateIssuer {
 public:
  explicit AcmeIssuer(acme::AcmeClient& client) : client_(client) {}
  std::optional<std::string> issue(const std::vector<std::string>& names,
                                   const std::string& csr_der, const std::string& replaces,
                                   IssueFailure& failure) override;
  std::optional<RenewalWindow> renewalWindow(const std::string& ari_cert_id) override;
  uint64_t ordersCreated() const override { return client_.ordersCreated(); }

 private:
  acme::AcmeClient& client_;
};

}  // namespace ingress::certs

#include "certs/acme_issuer.h"

#include "common/log.h"

namespace ingress::certs {

std::optional<std::string> AcmeIssuer::issue(const std::vector<std::string>& names,
                                             const std::string& csr_der,
                                             const std::string& replaces, IssueFailure& failure) {
  acme::AcmeFailure f;
  StatusOr<acme::IssuedChain> chain = client_.issue(names, csr_der, replaces, &f);
  if (chain.ok()) return chain->chain_pem;
  failure.status = f.status.ok() ? chain.status() : f.status;
  failure.retry_after = f.retry_after;
  return std::nullopt;
}

std::optional<RenewalWindow> AcmeIssuer::renewalWindow(const std::string& ari_cert_id) {
  StatusOr<std::optional<acme::RenewalWindow>> w = client_.renewalInfo(ari_cert_id);
  if (!w.ok()) {
    log::warn("ACME renewal information unavailable; renewing at two thirds of the lifetime",
              {{"error", w.status().message()}});
    return std::nullopt;
  }
  if (!w->has_value()) return std::nullopt;
  return RenewalWindow{(*w)->start, (*w)->end};
}

}  // namespace ingress::certs

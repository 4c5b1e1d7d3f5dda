// ACME Renewal Information (RFC 9773): the certificate identifier the CA's renewalInfo endpoint
// takes, and the window it suggests.
//
//   std::string id = tls::inspectCertificate(chain_pem)->ari_cert_id;  // src/tls computes it
//   StatusOr<std::optional<RenewalWindow>> w = client.renewalInfo(id);
//   // nullopt: the CA has no ARI (use the caller's own policy, e.g. 2/3 of the lifetime)
//
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ingress::acme {

struct RenewalWindow {
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point end;
  // When to ask again (the answer's Retry-After); nullopt when the CA did not say.
  std::optional<std::chrono::system_clock::time_point> retry_after;
  std::string explanation_url;  // optional, for operators
};

// RFC 3339 timestamp ("2025-01-02T04:00:00Z", fractional seconds and offsets allowed).
std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text);

}  // namespace ingress::acme

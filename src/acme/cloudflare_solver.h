// DNS-01 through Cloudflare's API (v4): finds the zone of the name by walking up its labels
// (GET /zones?name=...), creates the TXT record _acme-challenge.<domain> and deletes it on
// cleanup. The token needs Zone:Read and DNS:Edit on the zones.
//
//   HttpTransport http({});
//   CloudflareSolver dns(api_token, http);   // base URL injectable for tests
//
// Thread-safe: the record ids it remembers for cleanup are behind a mutex.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "acme/challenge.h"
#include "acme/transport.h"
#include "common/json.h"

namespace ingress::acme {

class CloudflareSolver final : public ChallengeSolver {
 public:
  static constexpr std::string_view kDefaultBaseUrl = "https://api.cloudflare.com/client/v4";

  CloudflareSolver(std::string api_token, Transport& transport,
                   std::string base_url = std::string(kDefaultBaseUrl))
      : api_token_(std::move(api_token)), transport_(transport), base_url_(std::move(base_url)) {}

  bool supports(ChallengeType type, bool wildcard) const override {
    (void)wildcard;
    return type == ChallengeType::kDns01;
  }
  // kFailedPrecondition / "acme_dns_provider_failed" with Cloudflare's error messages.
  Status present(ChallengeType type, const std::string& domain, const std::string& token,
                 const std::string& key_authorization) override;
  void cleanup(ChallengeType type, const std::string& domain, const std::string& token,
               const std::string& key_authorization) override;

  // The zone id for `domain` (the longest suffix that is a zone of the account).
  StatusOr<std::string> findZone(const std::string& domain);

 private:
  StatusOr<Json> call(const std::string& method, const std::string& path, const std::string& body);

  std::string api_token_;
  Transport& transport_;
  std::string base_url_;
  std::mutex mu_;
  // (fqdn, value) → (zone id, record id), for cleanup.  Guarded by mu_.
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> records_;
};

}  // namespace ingress::acme

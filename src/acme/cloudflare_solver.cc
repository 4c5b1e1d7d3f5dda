#include "acme/cloudflare_solver.h"

#include "acme/jws.h"
#include "common/log.h"

namespace ingress::acme {
namespace {

Status providerError(std::string message) {
  return failedPrecondition("Cloudflare: " + std::move(message), "acme_dns_provider_failed");
}

}  // namespace

StatusOr<Json> CloudflareSolver::call(const std::string& method, const std::string& path,
                                      const std::string& body) {
  HttpRequest request;
  request.method = method;
  request.url = base_url_ + path;
  request.body = body;
  request.headers.emplace_back("Authorization", "Bearer " + api_token_);
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  StatusOr<HttpResponse> response = transport_.send(request);
  if (!response.ok())
    return providerError(method + " " + path + ": " + response.status().message());
  StatusOr<Json> json = parseJsonStrict(response->body);
  if (!json.ok() || !json->is_object()) {
    return providerError(method + " " + path + ": HTTP " + std::to_string(response->status) +
                         ", not a JSON object");
  }
  if (!json->value("success", false) || response->status >= 400) {
    std::string errors;
    if (json->contains("errors") && (*json)["errors"].is_array()) {
      for (const Json& e : (*json)["errors"]) {
        if (e.is_object() && e.contains("message") && e["message"].is_string()) {
          errors += (errors.empty() ? "" : "; ") + e["message"].get<std::string>();
        }
      }
    }
    return providerError(method + " " + path + ": HTTP " + std::to_string(response->status) +
                         (errors.empty() ? "" : ": " + errors));
  }
  return std::move(*json);
}

StatusOr<std::string> CloudflareSolver::findZone(const std::string& domain) {
  std::string candidate = domain;
  while (candidate.find('.') != std::string::npos) {
    INGRESS_ASSIGN_OR_RETURN(Json r, call("GET", "/zones?name=" + percentEncode(candidate), ""));
    if (r.contains("result") && r["result"].is_array() && !r["result"].empty() &&
        r["result"][0].is_object() && r["result"][0].contains("id") &&
        r["result"][0]["id"].is_string()) {
      return r["result"][0]["id"].get<std::string>();
    }
    candidate = candidate.substr(candidate.find('.') + 1);
  }
  return providerError("no zone of this account contains " + domain);
}

Status CloudflareSolver::present(ChallengeType type, const std::string& domain,
                                 const std::string& token, const std::string& key_authorization) {
  (void)token;
  if (type != ChallengeType::kDns01) return unsupported("Cloudflare solves only dns-01");
  INGRESS_ASSIGN_OR_RETURN(std::string zone, findZone(domain));
  const std::string fqdn = dns01RecordName(domain);
  const std::string value = dns01TxtValue(key_authorization);
  Json record{{"type", "TXT"}, {"name", fqdn}, {"content", value}, {"ttl", 60}};
  INGRESS_ASSIGN_OR_RETURN(Json r, call("POST", "/zones/" + zone + "/dns_records", record.dump()));
  if (!r.contains("result") || !r["result"].is_object() || !r["result"].contains("id") ||
      !r["result"]["id"].is_string()) {
    return providerError("creating the TXT record: no record id in the answer");
  }
  std::lock_guard lock(mu_);
  records_[{fqdn, value}] = {zone, r["result"]["id"].get<std::string>()};
  return okStatus();
}

void CloudflareSolver::cleanup(ChallengeType type, const std::string& domain,
                               const std::string& token, const std::string& key_authorization) {
  (void)token;
  if (type != ChallengeType::kDns01) return;
  const std::pair<std::string, std::string> key{dns01RecordName(domain),
                                                dns01TxtValue(key_authorization)};
  std::pair<std::string, std::string> ids;
  {
    std::lock_guard lock(mu_);
    auto it = records_.find(key);
    if (it == records_.end()) return;
    ids = it->second;
    records_.erase(it);
  }
  StatusOr<Json> r = call("DELETE", "/zones/" + ids.first + "/dns_records/" + ids.second, "");
  if (!r.ok()) log::warn("ACME DNS cleanup failed", {{"detail", r.status().message()}});
}

}  // namespace ingress::acme

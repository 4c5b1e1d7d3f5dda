#include "acme/challenge.h"

#include "acme/dns_propagation.h"
#include "acme/jws.h"

namespace ingress::acme {

std::string_view challengeTypeName(ChallengeType type) {
  return type == ChallengeType::kHttp01 ? "http-01" : "dns-01";
}

std::optional<ChallengeType> parseChallengeType(std::string_view name) {
  if (name == "http-01") return ChallengeType::kHttp01;
  if (name == "dns-01") return ChallengeType::kDns01;
  return std::nullopt;
}

std::string dns01RecordName(std::string_view domain) {
  if (domain.starts_with("*.")) domain.remove_prefix(2);
  return "_acme-challenge." + std::string(domain);
}

Status Http01Responder::present(ChallengeType type, const std::string& domain,
                                const std::string& token, const std::string& key_authorization) {
  (void)domain;
  if (type != ChallengeType::kHttp01) return unsupported("Http01Responder solves only http-01");
  std::lock_guard lock(mu_);
  tokens_[token] = key_authorization;
  return okStatus();
}

void Http01Responder::cleanup(ChallengeType type, const std::string& domain,
                              const std::string& token, const std::string& key_authorization) {
  (void)type;
  (void)domain;
  (void)key_authorization;
  std::lock_guard lock(mu_);
  tokens_.erase(token);
}

std::optional<std::string> Http01Responder::lookup(std::string_view token) const {
  std::lock_guard lock(mu_);
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Http01Responder::lookupPath(std::string_view path) const {
  if (!path.starts_with(kPathPrefix)) return std::nullopt;
  path.remove_prefix(kPathPrefix.size());
  if (path.empty()) return std::nullopt;
  return lookup(path);
}

size_t Http01Responder::pending() const {
  std::lock_guard lock(mu_);
  return tokens_.size();
}

ChallengeSolver* CombinedSolver::solverFor(ChallengeType type) const {
  return type == ChallengeType::kHttp01 ? http_ : dns_;
}

bool CombinedSolver::supports(ChallengeType type, bool wildcard) const {
  ChallengeSolver* s = solverFor(type);
  return s != nullptr && s->supports(type, wildcard);
}

Status CombinedSolver::present(ChallengeType type, const std::string& domain,
                               const std::string& token, const std::string& key_authorization) {
  ChallengeSolver* s = solverFor(type);
  if (s == nullptr) {
    return unsupported(std::string("no solver for ") + std::string(challengeTypeName(type)));
  }
  INGRESS_RETURN_IF_ERROR(s->present(type, domain, token, key_authorization));
  if (type == ChallengeType::kDns01 && propagation_ != nullptr) {
    return propagation_->waitFor(dns01RecordName(domain), dns01TxtValue(key_authorization));
  }
  return okStatus();
}

void CombinedSolver::cleanup(ChallengeType type, const std::string& domain,
                             const std::string& token, const std::string& key_authorization) {
  if (ChallengeSolver* s = solverFor(type)) s->cleanup(type, domain, token, key_authorization);
}

}  // namespace ingress::acme

#include "auth/auth.h"

#include <cctype>

#include "auth/jwt.h"
#include "common/json.h"

namespace ingress::auth {

StatusOr<std::string_view> bearerToken(std::string_view authorization) {
  if (authorization.empty()) return unauthenticated("missing bearer token");
  static constexpr std::string_view kScheme = "bearer";
  if (authorization.size() <= kScheme.size()) return unauthenticated("malformed Authorization");
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != kScheme[i]) {
      return unauthenticated("Authorization scheme must be Bearer");
    }
  }
  std::string_view rest = authorization.substr(kScheme.size());
  if (rest.front() != ' ') return unauthenticated("Authorization scheme must be Bearer");
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  if (rest.empty()) return unauthenticated("missing bearer token");
  return rest;
}

Status JwtAuthenticator::authenticate(std::string_view authorization) const {
  INGRESS_ASSIGN_OR_RETURN(std::string_view token, bearerToken(authorization));
  StatusOr<Json> claims = verifyJwtHs256(token, secret_, clock_.now(), policy_);
  return claims.ok() ? okStatus() : claims.status();
}

}  // namespace ingress::auth

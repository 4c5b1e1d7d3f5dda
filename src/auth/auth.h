// Authentication of API requests. Every endpoint except GET /health and GET /openapi.yaml needs
// `Authorization: Bearer <JWT HS256>` signed with the installation's API secret.
//
// Authenticator is the seam the router uses (tests may fake it); JwtAuthenticator is the real
// one. Both are thread-safe: authenticate() is const and touches no mutable state.
//
//   JwtAuthenticator auth(secret, clock);
//   Status st = auth.authenticate(request.authorization);  // kUnauthenticated or ok
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "auth/jwt.h"
#include "common/clock.h"
#include "common/status.h"

namespace ingress::auth {

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // `authorization` is the raw Authorization header value (empty when absent). Returns ok or
  // kUnauthenticated with a message safe to show to the client.
  virtual Status authenticate(std::string_view authorization) const = 0;
};

// Verifies HS256 JWTs with `secret` under `policy` (exp required, lifetime capped, no crit; see
// jwt.h), checking times against `clock.now()`. A refusal's message is verifyJwtHs256's reason
// ("token has no exp claim", "token expired", ...): it names what to fix and reveals nothing
// about the secret. Keeps a reference to `clock`, which must outlive it.
class JwtAuthenticator final : public Authenticator {
 public:
  JwtAuthenticator(std::string secret, const Clock& clock, JwtPolicy policy = {})
      : secret_(std::move(secret)), clock_(clock), policy_(policy) {}
  Status authenticate(std::string_view authorization) const override;

 private:
  const std::string secret_;
  const Clock& clock_;
  const JwtPolicy policy_;
};

// The token of "Bearer <token>" (scheme case-insensitive, one or more spaces);
// kUnauthenticated when the header is absent, of another scheme, or empty.
StatusOr<std::string_view> bearerToken(std::string_view authorization);

}  // namespace ingress::auth

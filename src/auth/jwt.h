// JSON Web Tokens signed with HMAC-SHA256 (RFC 7519 / RFC 7515 compact form), the only kind the
// API accepts. OpenSSL 3 does the HMAC; everything else is deliberately small and strict.
//
// verifyJwtHs256() accepts a token only if all of these hold, and otherwise returns
// kUnauthenticated with a short reason safe to show the client ("bad signature", "token
// expired", "token has no exp claim", ...):
//   - at most kMaxJwtBytes long, exactly three '.'-separated strict base64url segments;
//   - the header is a JSON object whose "alg" is exactly "HS256" ("none", "HS512", "RS256" are
//     refused even when the signature would match), whose "typ", if present, is "JWT", and
//     which has no "crit": we understand no JWS extension, so per RFC 7515 §4.1.11 a token that
//     marks any as critical is refused;
//   - the signature equals HMAC-SHA256(secret, header "." payload) (constant-time compare);
//   - the payload is a JSON object (parsed with parseJsonStrict: no duplicate keys);
//   - "exp" is present and a number, and now < exp + leeway: a token that never expires is
//     refused;
//   - the lifetime is bounded: exp - iat <= max_lifetime when "iat" is present (it must then be
//     a number), and always exp - now <= max_lifetime + leeway (so a token without "iat", or
//     with one in the future, cannot outlive the cap either);
//   - "nbf", if present, is a number and now + leeway >= nbf.
//
//   std::string t = mintJwtHs256(secret, {{"sub", "ctl"}, {"iat", now}, {"exp", now + 300}});
//   StatusOr<Json> claims = verifyJwtHs256(t, secret, clock.now());
//
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace ingress::auth {

inline constexpr size_t kMaxJwtBytes = 8 * 1024;
// The default of TOKEN_MAX_LIFETIME: 30 days.
inline constexpr std::chrono::seconds kDefaultTokenMaxLifetime{30LL * 24 * 3600};
// Clock skew tolerated between the minter and us, on exp, nbf and the lifetime cap.
inline constexpr std::chrono::seconds kDefaultTokenLeeway{30};

struct JwtPolicy {
  std::chrono::seconds max_lifetime = kDefaultTokenMaxLifetime;  // TOKEN_MAX_LIFETIME, > 0
  std::chrono::seconds leeway = kDefaultTokenLeeway;
};

// Header {"alg":"HS256","typ":"JWT"}; `claims` is serialized as given (callers add iat/exp).
std::string mintJwtHs256(std::string_view secret, const Json& claims);

// `header` "." `claims`, signed with HMAC-SHA256 whatever `header` says. For callers that need
// another header than mintJwtHs256's (tests craft tokens that verification must refuse).
std::string signJwtHs256(std::string_view secret, const Json& header, const Json& claims);

// The claims of a valid token, or kUnauthenticated. An empty secret never verifies.
StatusOr<Json> verifyJwtHs256(std::string_view token, std::string_view secret,
                              std::chrono::system_clock::time_point now,
                              const JwtPolicy& policy = {});

}  // namespace ingress::auth

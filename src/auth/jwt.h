// JSON Web Tokens signed with HMAC-SHA256 (RFC 7519 / RFC 7515 compact form), the only kind the
// API accepts. OpenSSL 3 does the HMAC; everything else is deliberately small and strict.
//
// verifyJwtHs256() accepts a token only if all of these hold, and otherwise returns
// kUnauthenticated with a short reason ("bad signature", "token expired", ...):
//   - at most kMaxJwtBytes long, exactly three '.'-separated strict base64url segments;
//   - the header is a JSON object whose "alg" is exactly "HS256" ("none", "HS512", "RS256" are
//     refused even when the signature would match) and whose "typ", if present, is "JWT";
//   - the signature equals HMAC-SHA256(secret, header "." payload) (constant-time compare);
//   - the payload is a JSON object (parsed with parseJsonStrict: no duplicate keys);
//   - "exp", if present, is a number and now < exp + leeway;
//   - "nbf", if present, is a number and now + leeway >= nbf. "iat" is ignored.
//
//   std::string t = mintJwtHs256(secret, {{"sub", "ingressctl"}, {"exp", 1700000300}});
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

// Header {"alg":"HS256","typ":"JWT"}; `claims` is serialized as given (callers add exp/nbf).
std::string mintJwtHs256(std::string_view secret, const Json& claims);

// The claims of a valid token, or kUnauthenticated. An empty secret never verifies.
StatusOr<Json> verifyJwtHs256(std::string_view token, std::string_view secret,
                              std::chrono::system_clock::time_point now,
                              std::chrono::seconds leeway = std::chrono::seconds(30));

}  // namespace ingress::auth

// AcmeChallengeHandler: what the daemon answers to ACME HTTP-01 validation requests. Envoy
// routes `/.well-known/acme-challenge/` on the plain HTTP port (HTTP_PORT) of every hostname to
// this listener (127.0.0.1, an ephemeral port), before any redirect; it is served by the same
// api::Server machinery as the REST API, without authentication (a CA cannot authenticate).
//
//   AcmeChallengeHandler handler([&responder](std::string_view token) {
//     return responder.lookup(token);
//   });
//
// GET or HEAD /.well-known/acme-challenge/<token> → 200 with the key authorization
// (application/octet-stream, as RFC 8555 §8.3 asks) while an order of ours is pending with that
// token; otherwise 404. Another method → 405. Tokens are base64url (RFC 8555 §8.1); anything
// else is 404 without a lookup.
//
// Thread-safety: handle() is const; `lookup` must be thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "api/http_message.h"

namespace ingress::api {

inline constexpr std::string_view kAcmeChallengePrefix = "/.well-known/acme-challenge/";

class AcmeChallengeHandler final : public RequestHandler {
 public:
  using Lookup = std::function<std::optional<std::string>(std::string_view token)>;
  explicit AcmeChallengeHandler(Lookup lookup) : lookup_(std::move(lookup)) {}
  ApiResponse handle(const ApiRequest& request) const override;

 private:
  const Lookup lookup_;
};

}  // namespace ingress::api

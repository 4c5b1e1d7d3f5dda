// Router: turns an ApiRequest into an ApiResponse. Owns everything between the wire and the
// IngressService that does not need Beast: path matching (404 / 405 with Allow),
// authentication (401 + WWW-Authenticate), media type (415), strict JSON parsing (400), and the
// handlers of each route.
//
// Routes (all bodies JSON):
//   GET /health, GET /openapi.yaml                       no authentication
//   GET|POST /ingresses, GET|DELETE /ingresses/{id_or_name}
//   GET /instances, GET|PUT|DELETE /instances/{name}
//
// Thread-safety: handle() is const and may run on many threads at once; the service must be
// thread-safe (IngressService is). Keeps references to `service` and `auth`, which must outlive
// the router.
#pragma once

#include <string_view>

#include "api/http_message.h"
#include "auth/auth.h"
#include "ingress/service.h"

namespace ingress::api {

class Router final : public RequestHandler {
 public:
  Router(domain::IngressService& service, const auth::Authenticator& auth)
      : service_(service), auth_(auth) {}

  // Never fails: errors come back as JSON error responses.
  ApiResponse handle(const ApiRequest& request) const override;

 private:
  domain::IngressService& service_;
  const auth::Authenticator& auth_;
};

// A path segment we pass on to the service: 1..253 of [A-Za-z0-9._-], not starting with '.'
// (so never "." or ".."), no "..". Anything else (%, /, NUL, spaces) is a 404 before any lookup.
bool isValidPathSegment(std::string_view segment);

// "application/json", case-insensitive, optionally followed by parameters
// ("application/json; charset=utf-8").
bool isJsonContentType(std::string_view content_type);

}  // namespace ingress::api

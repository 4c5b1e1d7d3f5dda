// Router: turns an ApiRequest into an ApiResponse. Owns everything between the wire and the
// IngressService that does not need Beast: path matching (404 / 405 with Allow),
// authentication (401 + WWW-Authenticate), media type (415), strict JSON parsing (400), and the
// handlers of each route.
//
// Routes (all bodies JSON):
//   GET /health, GET /ready, GET /openapi.yaml           no authentication
//   GET|POST /ingresses, GET|DELETE /ingresses/{id_or_name}
//   GET /instances, GET|PUT|DELETE /instances/{name}
//   GET /certificates, GET|PUT|DELETE /certificates/{name}   (404 without a certificate service)
// HEAD is accepted wherever GET is (same status and headers, no body). Order of checks: 404 for
// an unknown path, then authentication (401) on the authenticated routes, then 405 (with Allow),
// so a wrong method tells an unauthenticated client nothing. GET /ingresses accepts ?limit=N
// (1..1000) and ?cursor= (handlers.h).
//
// Thread-safety: handle() is const and may run on many threads at once; the service must be
// thread-safe (IngressService is). Keeps references to `service` and `auth`, which must outlive
// the router.
#pragma once

#include <string_view>
#include <utility>

#include "api/http_message.h"
#include "api/readiness.h"
#include "auth/auth.h"
#include "ingress/certificate_service.h"
#include "ingress/service.h"

namespace ingress::api {

class Router final : public RequestHandler {
 public:
  // `readiness` answers GET /ready; without one, /ready is 200 with no checks.
  Router(domain::IngressService& service, const auth::Authenticator& auth,
         ReadinessSource readiness = {}, domain::CertificateService* certificates = nullptr)
      : service_(service),
        auth_(auth),
        readiness_(std::move(readiness)),
        certificates_(certificates) {}

  // Never fails: errors come back as JSON error responses.
  ApiResponse handle(const ApiRequest& request) const override;

 private:
  domain::IngressService& service_;
  const auth::Authenticator& auth_;
  const ReadinessSource readiness_;
  domain::CertificateService* const certificates_;
};

// A path segment we pass on to the service: 1..253 of [A-Za-z0-9._-], not starting with '.'
// (so never "." or ".."), no "..". Anything else (%, /, NUL, spaces) is a 404 before any lookup.
bool isValidPathSegment(std::string_view segment);

// "application/json", case-insensitive, optionally followed by parameters
// ("application/json; charset=utf-8").
bool isJsonContentType(std::string_view content_type);

}  // namespace ingress::api

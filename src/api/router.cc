#include "api/router.h"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/openapi_doc.h"
#include "common/json.h"

namespace ingress::api {
namespace {

enum class Route {
  kHealth,
  kReady,
  kOpenApi,
  kIngresses,
  kIngress,
  kInstances,
  kInstance,
  kCertificates,
  kCertificate
};

struct RouteMatch {
  Route route;
  std::string_view param;  // the {id_or_name} / {name} segment, validated
};

constexpr size_t kMaxSegmentLength = 253;

// Allowed methods per route, in the order the Allow header lists them. HEAD wherever GET.
std::string_view allowedMethods(Route route) {
  switch (route) {
    case Route::kHealth:
    case Route::kReady:
    case Route::kOpenApi:
    case Route::kInstances:
    case Route::kCertificates: return "GET, HEAD";
    case Route::kIngresses: return "GET, HEAD, POST";
    case Route::kIngress: return "GET, HEAD, DELETE";
    case Route::kInstance:
    case Route::kCertificate: return "GET, HEAD, PUT, DELETE";
  }
  return "";
}

bool methodAllowed(Route route, std::string_view method) {
  std::string_view allowed = allowedMethods(route);
  size_t pos = 0;
  while (pos < allowed.size()) {
    size_t end = allowed.find(", ", pos);
    if (end == std::string_view::npos) end = allowed.size();
    if (allowed.substr(pos, end - pos) == method) return true;
    pos = end + 2;
  }
  return false;
}

std::optional<RouteMatch> matchPath(std::string_view path) {
  if (path == "/health") return RouteMatch{Route::kHealth, {}};
  if (path == "/ready") return RouteMatch{Route::kReady, {}};
  if (path == "/openapi.yaml") return RouteMatch{Route::kOpenApi, {}};
  if (path == "/ingresses") return RouteMatch{Route::kIngresses, {}};
  if (path == "/instances") return RouteMatch{Route::kInstances, {}};
  if (path == "/certificates") return RouteMatch{Route::kCertificates, {}};
  struct Prefix {
    std::string_view prefix;
    Route route;
  };
  static constexpr std::array<Prefix, 3> kPrefixes{{{"/ingresses/", Route::kIngress},
                                                    {"/instances/", Route::kInstance},
                                                    {"/certificates/", Route::kCertificate}}};
  for (const Prefix& p : kPrefixes) {
    if (path.substr(0, p.prefix.size()) != p.prefix) continue;
    std::string_view segment = path.substr(p.prefix.size());
    if (!isValidPathSegment(segment)) return std::nullopt;
    return RouteMatch{p.route, segment};
  }
  return std::nullopt;
}

bool needsAuth(Route route) {
  return route != Route::kHealth && route != Route::kReady && route != Route::kOpenApi;
}

// JSON (and the JSON Schema of docs/openapi.yaml) does not tell 80 from 80.0: both are the
// integer 80. The decoders check is_number_integer(), so integral floats that fit exactly are
// turned into integers here, once, for every request body.
void canonicalizeIntegralNumbers(Json& j) {
  constexpr double kMaxExact = 9007199254740992.0;  // 2^53
  if (j.is_number_float()) {
    const double d = j.get<double>();
    if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) <= kMaxExact) {
      j = static_cast<int64_t>(d);
    }
    return;
  }
  if (j.is_array() || j.is_object()) {
    for (Json& child : j) canonicalizeIntegralNumbers(child);
  }
}

StatusOr<ApiResponse> dispatchCertificates(domain::CertificateService* certs, const RouteMatch& m,
                                           std::string_view method, const Json& body) {
  if (certs == nullptr) return notFound("no certificate service", "not_found");
  if (m.route == Route::kCertificates) return handleListCertificates(*certs);
  if (method == "PUT") return handlePutCertificate(*certs, m.param, body);
  if (method == "DELETE") return handleDeleteCertificate(*certs, m.param);
  return handleGetCertificate(*certs, m.param);
}

StatusOr<ApiResponse> dispatch(domain::IngressService& service, domain::CertificateService* certs,
                               const ReadinessSource& readiness, const RouteMatch& m,
                               std::string_view method, std::string_view query, const Json& body) {
  switch (m.route) {
    case Route::kHealth: {
      ApiResponse r;
      r.body = R"({"status":"ok"})";
      return r;
    }
    case Route::kReady: return readinessResponse(readiness);
    case Route::kOpenApi: {
      ApiResponse r;
      r.content_type = "application/yaml";
      r.body = std::string(openApiYaml());
      return r;
    }
    case Route::kIngresses:
      if (method == "POST") return handleCreateIngress(service, body);
      return handleListIngresses(service, query);
    case Route::kIngress:
      if (method == "DELETE") return handleDeleteIngress(service, m.param);
      return handleGetIngress(service, m.param);
    case Route::kInstances: return handleListInstances(service);
    case Route::kInstance:
      if (method == "PUT") return handlePutInstance(service, m.param, body);
      if (method == "DELETE") return handleDeleteInstance(service, m.param);
      return handleGetInstance(service, m.param);
    case Route::kCertificates:
    case Route::kCertificate: return dispatchCertificates(certs, m, method, body);
  }
  return internalError("unhandled route");
}

}  // namespace

bool isValidPathSegment(std::string_view segment) {
  if (segment.empty() || segment.size() > kMaxSegmentLength) return false;
  if (segment.front() == '.' || segment.find("..") != std::string_view::npos) return false;
  for (char c : segment) {
    const bool ok =
        std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool isJsonContentType(std::string_view content_type) {
  static constexpr std::string_view kJson = "application/json";
  size_t end = content_type.find(';');
  std::string_view media = content_type.substr(0, end);
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  if (media.size() != kJson.size()) return false;
  for (size_t i = 0; i < kJson.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(media[i])) != kJson[i]) return false;
  }
  return true;
}

ApiResponse Router::handle(const ApiRequest& request) const {
  std::string_view target = request.target;
  target = target.substr(0, target.find('#'));
  const size_t query_start = target.find('?');
  std::string_view path = target.substr(0, query_start);
  std::string_view query =
      query_start == std::string_view::npos ? std::string_view() : target.substr(query_start + 1);
  std::optional<RouteMatch> m = matchPath(path);
  if (!m) return errorResponse(404, "not_found", "no such resource");

  // Authentication before 405: an unauthenticated client learns nothing about the methods.
  if (needsAuth(m->route)) {
    Status st = auth_.authenticate(request.authorization);
    if (!st.ok()) {
      ApiResponse r = errorResponse(401, "unauthorized", st.message());
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return r;
    }
  }

  if (!methodAllowed(m->route, request.method)) {
    ApiResponse r = errorResponse(405, "method_not_allowed",
                                  "method " + request.method + " is not allowed here");
    r.headers.emplace_back("Allow", std::string(allowedMethods(m->route)));
    return r;
  }
  // HEAD is GET without the body (the server sends the headers GET would).
  const bool head = request.method == "HEAD";
  const std::string_view method = head ? std::string_view("GET") : request.method;

  Json body;
  if (request.method == "POST" || request.method == "PUT") {
    if (!isJsonContentType(request.content_type)) {
      return errorResponse(415, "unsupported_media_type", "Content-Type must be application/json");
    }
    StatusOr<Json> parsed = parseJsonStrict(request.body);
    if (!parsed.ok()) return errorResponse(400, "bad_request", parsed.status().message());
    body = std::move(parsed).value();
    canonicalizeIntegralNumbers(body);
  }

  StatusOr<ApiResponse> r = dispatch(service_, certificates_, readiness_, *m, method, query, body);
  ApiResponse out = r.ok() ? std::move(r).value() : errorFromStatus(r.status(), request.request_id);
  out.omit_body = head;
  return out;
}

}  // namespace ingress::api

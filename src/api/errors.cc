#include "api/errors.h"

#include <algorithm>

#include "common/json.h"
#include "common/log.h"

namespace ingress::api {

namespace {

std::string reasonOr(const Status& status, std::string_view fallback) {
  return status.reason().empty() ? std::string(fallback) : status.reason();
}

}  // namespace

HttpError mapStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument: return {400, reasonOr(status, "bad_request")};
    case StatusCode::kUnauthenticated: return {401, "unauthorized"};
    case StatusCode::kNotFound: return {404, reasonOr(status, "not_found")};
    case StatusCode::kAlreadyExists: return {409, reasonOr(status, "already_exists")};
    case StatusCode::kResourceExhausted:
      // A configured cap (MAX_INGRESSES, ...): the state conflicts with the request until
      // something is deleted. Otherwise: a too large payload.
      if (status.reason() == "limit_exceeded") return {409, "limit_exceeded"};
      // ingressd or the host ran out of descriptors, memory or disk (errnoError): retry later.
      if (status.reason() == "resource_exhausted") return {503, "resource_exhausted"};
      return {413, "payload_too_large"};
    case StatusCode::kUnsupported: return {415, "unsupported_media_type"};
    case StatusCode::kAborted: return {500, "config_rejected"};
    case StatusCode::kDeadlineExceeded: return {504, reasonOr(status, "apply_timeout")};
    case StatusCode::kUnavailable: return {503, reasonOr(status, "unavailable")};
    case StatusCode::kOk:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kInternal: break;
  }
  return {500, "internal_error"};
}

ApiResponse errorResponse(int http_status, std::string_view code, std::string_view message) {
  ApiResponse r;
  r.status = http_status;
  r.body = dumpJson(Json{{"code", code}, {"message", message}});
  return r;
}

ApiResponse errorFromStatus(const Status& status, std::string_view request_id) {
  HttpError e = mapStatus(status);
  if (e.code == "internal_error") {
    log::error("request failed", {{"request_id", request_id}, {"error", status.toString()}});
    return errorResponse(
        e.http_status, e.code,
        "internal error (see the server log, request " + std::string(request_id) + ")");
  }
  if (e.code == "resource_exhausted") {
    // "ingressd ran out of file descriptors (RLIMIT_NOFILE): write /path: Too many open files":
    // what ran out is for the client, the call and its path for the log.
    log::error("request failed: resource exhausted",
               {{"request_id", request_id}, {"error", status.message()}});
    // Context may precede it ("writing rds_80.json: ingressd ran out ..."): show the segment
    // that says what ran out.
    const std::string& m = status.message();
    std::string what = "ingressd ran out of a system resource";
    for (size_t start = 0; start < m.size();) {
      const size_t end = std::min(m.find(": ", start), m.size());
      const std::string segment = m.substr(start, end - start);
      if (segment.find("ran out of") != std::string::npos ||
          segment.find(" is full") != std::string::npos) {
        what = segment;
        break;
      }
      start = end + 2;
    }
    return errorResponse(
        e.http_status, e.code,
        what + "; retry later (see the server log, request " + std::string(request_id) + ")");
  }
  return errorResponse(e.http_status, e.code, status.message());
}

}  // namespace ingress::api

#include "api/errors.h"

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
  return errorResponse(e.http_status, e.code, status.message());
}

}  // namespace ingress::api

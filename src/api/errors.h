// Error model of the REST API: how a Status becomes an HTTP status and a body
// {"code": "<snake_case>", "message": "<sentence>"}. This is the only place that maps Status
// codes to HTTP statuses (architecture.md, "Error model"). Pure functions; thread-safe.
//
//   if (!st.ok()) return errorFromStatus(st);   // 409 {"code":"hostname_in_use",...}
#pragma once

#include <string>
#include <string_view>

#include "api/http_message.h"
#include "common/status.h"

namespace ingress::api {

struct HttpError {
  int http_status = 500;
  std::string code;  // the API error code, e.g. "not_found"
};

// Maps a non-ok Status: kInvalidArgument→400 (reason or bad_request), kUnauthenticated→401
// unauthorized, kNotFound→404 (reason or not_found), kAlreadyExists→409 (reason or
// already_exists), kResourceExhausted→409 limit_exceeded with that reason (a configured cap such as
// MAX_INGRESSES), 503 resource_exhausted with that reason (ingressd ran out of descriptors,
// memory or disk) and 413 payload_too_large otherwise, kUnsupported→415
// unsupported_media_type, kAborted→500 config_rejected, kDeadlineExceeded→504 (reason or
// apply_timeout), kUnavailable→503 (reason or unavailable), anything else→500 internal_error.
HttpError mapStatus(const Status& status);

// A JSON error response: {"code": code, "message": message}.
ApiResponse errorResponse(int http_status, std::string_view code, std::string_view message);

// The error response for a non-ok Status. For 500 internal_error the detail is logged (with
// `request_id`) and the client gets a generic message.
ApiResponse errorFromStatus(const Status& status, std::string_view request_id = {});

}  // namespace ingress::api

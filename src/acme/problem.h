// ACME errors: problem documents (RFC 7807 / RFC 8555 §6.7) turned into Status values with a
// stable API reason, plus what a caller needs to back off (Retry-After).
//
//   AcmeFailure f = failureFromResponse(response, "creating the order", clock.now());
//   f.status.reason() == "acme_rejected_identifier";
//   f.status.message() == "creating the order: the CA refuses to issue for this name (CA: ...)"
//   if (f.retry_after) scheduleRetryAt(*f.retry_after);
//
// Reasons (stable, for the API and metrics):
//   acme_rate_limited, acme_rejected_identifier, acme_unauthorized, acme_dns, acme_connection,
//   acme_caa, acme_order_not_ready, acme_server_internal, acme_bad_nonce, acme_malformed,
//   acme_incorrect_response, acme_tls, acme_unavailable (503 or unreachable), acme_timeout
//   (gave up polling), acme_invalid (an authorization or order went invalid without a problem
//   document), acme_error (any other problem type), acme_protocol (the CA answered something
//   this client cannot use).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/http_client.h"
#include "common/json.h"
#include "common/status.h"

namespace ingress::acme {

inline constexpr std::string_view kProblemPrefix = "urn:ietf:params:acme:error:";

struct AcmeFailure {
  Status status;
  std::string problem_type;  // e.g. "urn:ietf:params:acme:error:rateLimited"; empty if none
  // When the CA said to come back (Retry-After on 429/503); nullopt when it did not say.
  std::optional<std::chrono::system_clock::time_point> retry_after;
};

// A problem document (as JSON) → Status with the mapped code, reason and a message
// "<context>: <meaning> (CA: <detail>[; <identifier>: <sub detail>]...)".
Status statusFromProblem(const Json& problem, std::string_view context);

// An error answer (status >= 400) → AcmeFailure; reads the problem document when the body is
// one, and Retry-After.
AcmeFailure failureFromResponse(const HttpResponse& response, std::string_view context,
                                std::chrono::system_clock::time_point now);

// Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3); nullopt when absent or
// unparsable.
std::optional<std::chrono::system_clock::time_point> parseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace ingress::acme

#include "acme/problem.h"

#include <ctime>
#include <string>

namespace ingress::acme {
namespace {

struct Mapping {
  std::string_view type;  // suffix after kProblemPrefix
  StatusCode code;
  std::string_view reason;
  std::string_view meaning;
};

constexpr Mapping kMappings[] = {
    {"rateLimited", StatusCode::kUnavailable, "acme_rate_limited",
     "the CA's rate limit was reached; retry after the time it gave"},
    {"rejectedIdentifier", StatusCode::kInvalidArgument, "acme_rejected_identifier",
     "the CA refuses to issue for this name"},
    {"unauthorized", StatusCode::kFailedPrecondition, "acme_unauthorized",
     "the CA did not accept the proof of control of the name"},
    {"dns", StatusCode::kFailedPrecondition, "acme_dns",
     "the CA's DNS lookup of the name failed (check its A/AAAA/TXT records)"},
    {"connection", StatusCode::kFailedPrecondition, "acme_connection",
     "the CA could not connect to this server to validate the challenge (check port 80 is "
     "reachable from the internet)"},
    {"caa", StatusCode::kFailedPrecondition, "acme_caa",
     "a CAA record of the domain forbids this CA from issuing"},
    {"orderNotReady", StatusCode::kFailedPrecondition, "acme_order_not_ready",
     "the order was finalized before all its authorizations were valid"},
    {"serverInternal", StatusCode::kUnavailable, "acme_server_internal",
     "the CA had an internal error; retry later"},
    {"badNonce", StatusCode::kUnavailable, "acme_bad_nonce",
     "the CA kept rejecting the anti-replay nonce"},
    {"malformed", StatusCode::kAborted, "acme_malformed", "the CA rejected a request as malformed"},
    {"incorrectResponse", StatusCode::kFailedPrecondition, "acme_incorrect_response",
     "the challenge response the CA fetched did not match"},
    {"tls", StatusCode::kFailedPrecondition, "acme_tls", "the CA hit a TLS error while validating"},
    {"badCSR", StatusCode::kInvalidArgument, "acme_bad_csr", "the CA rejected the CSR"},
    {"accountDoesNotExist", StatusCode::kFailedPrecondition, "acme_account_does_not_exist",
     "the ACME account is unknown to the CA"},
};

std::string describe(const Json& problem) {
  std::string out;
  if (problem.contains("detail") && problem["detail"].is_string()) {
    out = problem["detail"].get<std::string>();
  }
  if (problem.contains("subproblems") && problem["subproblems"].is_array()) {
    for (const Json& sub : problem["subproblems"]) {
      if (!sub.is_object()) continue;
      std::string who;
      if (sub.contains("identifier") && sub["identifier"].is_object() &&
          sub["identifier"].contains("value") && sub["identifier"]["value"].is_string()) {
        who = sub["identifier"]["value"].get<std::string>();
      }
      std::string detail = sub.contains("detail") && sub["detail"].is_string()
                               ? sub["detail"].get<std::string>()
                               : std::string();
      std::string type = sub.contains("type") && sub["type"].is_string()
                             ? sub["type"].get<std::string>()
                             : std::string();
      if (type.starts_with(kProblemPrefix)) type = type.substr(kProblemPrefix.size());
      if (!out.empty()) out += "; ";
      out += (who.empty() ? std::string() : who + ": ") + detail +
             (type.empty() ? std::string() : " [" + type + "]");
    }
  }
  return out;
}

}  // namespace

Status statusFromProblem(const Json& problem, std::string_view context) {
  std::string type;
  if (problem.is_object() && problem.contains("type") && problem["type"].is_string()) {
    type = problem["type"].get<std::string>();
  }
  const std::string detail = problem.is_object() ? describe(problem) : std::string();
  std::string_view suffix = type;
  if (suffix.starts_with(kProblemPrefix)) suffix.remove_prefix(kProblemPrefix.size());
  for (const Mapping& m : kMappings) {
    if (suffix == m.type && type.starts_with(kProblemPrefix)) {
      std::string message = std::string(context) + ": " + std::string(m.meaning);
      if (!detail.empty()) message += " (CA: " + detail + ")";
      return Status(m.code, std::move(message), std::string(m.reason));
    }
  }
  std::string message = std::string(context) + ": the CA answered with an error";
  if (!type.empty()) message += " " + type;
  if (!detail.empty()) message += " (CA: " + detail + ")";
  return aborted(std::move(message), "acme_error");
}

AcmeFailure failureFromResponse(const HttpResponse& response, std::string_view context,
                                std::chrono::system_clock::time_point now) {
  AcmeFailure f;
  f.retry_after = parseRetryAfter(response.header("retry-after"), now);
  StatusOr<Json> body = parseJsonStrict(response.body);
  if (body.ok() && body->is_object() && body->contains("type")) {
    f.status = statusFromProblem(*body, context);
    if ((*body)["type"].is_string()) f.problem_type = (*body)["type"].get<std::string>();
    return f;
  }
  std::string snippet = response.body.substr(0, 200);
  const std::string what = std::string(context) + ": HTTP " + std::to_string(response.status) +
                           (snippet.empty() ? std::string() : " " + snippet);
  if (response.status == 429) {
    f.status = unavailable(what + " (rate limited)", "acme_rate_limited");
  } else if (response.status == 503 || response.status == 502 || response.status == 504) {
    f.status = unavailable(what, "acme_unavailable");
  } else if (response.status >= 500) {
    f.status = unavailable(what, "acme_server_internal");
  } else {
    f.status = aborted(what, "acme_error");
  }
  return f;
}

std::optional<std::chrono::system_clock::time_point> parseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    if (value.size() > 9) return std::nullopt;  // more than ~30 years: nonsense
    return now + std::chrono::seconds(std::stol(std::string(value)));
  }
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm tm{};
  const std::string text(value);
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace ingress::acme

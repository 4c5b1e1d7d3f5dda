#include "api/acme_challenge_handler.h"

namespace ingress::api {
namespace {

ApiResponse text(int status, std::string body, std::string content_type = "text/plain") {
  ApiResponse r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

bool isToken(std::string_view t) {
  if (t.empty() || t.size() > 256) return false;
  for (char c : t) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

ApiResponse AcmeChallengeHandler::handle(const ApiRequest& request) const {
  std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  const bool head = request.method == "HEAD";
  if (path.substr(0, kAcmeChallengePrefix.size()) != kAcmeChallengePrefix) {
    return text(404, "not found\n");
  }
  if (request.method != "GET" && !head) {
    ApiResponse r = text(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  const std::string_view token = path.substr(kAcmeChallengePrefix.size());
  std::optional<std::string> answer;
  if (isToken(token) && lookup_) answer = lookup_(token);
  ApiResponse r =
      answer ? text(200, *answer, "application/octet-stream") : text(404, "not found\n");
  r.omit_body = head;
  return r;
}

}  // namespace ingress::api

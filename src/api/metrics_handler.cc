#include "api/metrics_handler.h"

#include <exception>
#include <string_view>

#include "common/log.h"

namespace ingress::api {
namespace {

constexpr std::string_view kTextPlain = "text/plain; charset=utf-8";

ApiResponse text(int status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.content_type = std::string(kTextPlain);
  r.body = std::move(body);
  return r;
}

}  // namespace

ApiResponse MetricsHandler::handle(const ApiRequest& request) const {
  std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  const bool head = request.method == "HEAD";
  ApiResponse r;
  const bool ready_path = path == "/ready" && readiness_;
  if (path != "/metrics" && !ready_path) {
    r = text(404, "not found\n");
  } else if (request.method != "GET" && !head) {
    r = text(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  } else if (ready_path) {
    r = readinessResponse(readiness_);
  } else {
    try {
      r.body = render_();
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    } catch (const std::exception& e) {
      log::error("rendering metrics failed", {{"error", e.what()}});
      r = text(500, "internal error\n");
    }
  }
  r.omit_body = head;
  return r;
}

}  // namespace ingress::api

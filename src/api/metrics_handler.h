// MetricsHandler: what the /metrics listener answers (METRICS_LISTEN), served by the same
// api::Server machinery as the REST API (limits, timeouts, graceful stop), without
// authentication.
//
//   MetricsHandler handler([&registry] { return registry.render(); });
//   auto server = Server::create(options, handler);   // options.listen = METRICS_LISTEN
//
// GET or HEAD /metrics (any query string) → 200 with the Prometheus text exposition
// (text/plain; version=0.0.4); GET or HEAD /ready → the API's readiness answer (readiness.h),
// when a source is given; another path → 404, another method → 405 (Allow: GET, HEAD), a
// render that throws → 500 without the exception's text. Error bodies are short text lines.
//
// Thread-safety: handle() is const; `render` is called on handler threads and must be
// thread-safe.
#pragma once

#include <functional>
#include <string>

#include "api/http_message.h"
#include "api/readiness.h"

namespace ingress::api {

class MetricsHandler final : public RequestHandler {
 public:
  using Render = std::function<std::string()>;
  explicit MetricsHandler(Render render, ReadinessSource readiness = {})
      : render_(std::move(render)), readiness_(std::move(readiness)) {}
  ApiResponse handle(const ApiRequest& request) const override;

 private:
  const Render render_;
  const ReadinessSource readiness_;
};

}  // namespace ingress::api

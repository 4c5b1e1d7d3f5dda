// Readiness: what GET /ready reports — whether the data plane is serving — as a list of named
// checks, so that adding one (e.g. the supervisor watchdog's restart state) is one line where
// serve wires the source. /health stays liveness (200 while serve runs).
//
//   ReadinessSource ready = [&] {
//     return Readiness{{checkOf("envoy_admin_live", admin.ready(), "admin /ready is not LIVE")}};
//   };
//   Router router(service, auth, ready);
//
// GET|HEAD /ready → 200 {"ready":true,"checks":[{"name","ok","detail"}...]} when every check is
// ok (an empty list is ready), else 503 with the same shape and "ready":false. Plain values;
// a source is called on handler threads and must be thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "api/http_message.h"

namespace ingress::api {

struct ReadinessCheck {
  std::string name;  // snake_case, stable: "envoy_admin_live", "supervisor_alive"
  bool ok = false;
  std::string detail;  // why it failed (or a short state when ok); may be empty
};

struct Readiness {
  std::vector<ReadinessCheck> checks;
  bool ready() const;  // every check ok
};

using ReadinessSource = std::function<Readiness()>;

// A check whose detail is `failure_detail` when !ok and empty otherwise.
ReadinessCheck checkOf(std::string name, bool ok, std::string failure_detail);

// The /ready answer for `source` (a source that throws is one failed check, "readiness").
ApiResponse readinessResponse(const ReadinessSource& source);

}  // namespace ingress::api

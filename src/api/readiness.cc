#include "api/readiness.h"

#include <exception>
#include <utility>

#include "common/json.h"

namespace ingress::api {

bool Readiness::ready() const {
  for (const ReadinessCheck& c : checks) {
    if (!c.ok) return false;
  }
  return true;
}

ReadinessCheck checkOf(std::string name, bool ok, std::string failure_detail) {
  return ReadinessCheck{std::move(name), ok, ok ? std::string() : std::move(failure_detail)};
}

ApiResponse readinessResponse(const ReadinessSource& source) {
  Readiness r;
  if (source) {
    try {
      r = source();
    } catch (const std::exception& e) {
      r.checks = {ReadinessCheck{"readiness", false, e.what()}};
    }
  }
  Json checks = Json::array();
  for (const ReadinessCheck& c : r.checks) {
    checks.push_back(Json{{"name", c.name}, {"ok", c.ok}, {"detail", c.detail}});
  }
  ApiResponse res;
  res.status = r.ready() ? 200 : 503;
  res.body = dumpJson(Json{{"ready", r.ready()}, {"checks", std::move(checks)}});
  return res;
}

}  // namespace ingress::api

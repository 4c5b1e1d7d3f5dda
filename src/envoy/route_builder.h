// The route builder: one RouteConfiguration `ingress_<port>` per port of the plan. A virtual host
// per hostname (matched with or without the Host header's port, any letter case) holding the
// plan's routes in order, and a last `*` host answering 404 kNotFoundBody. Pure and
// deterministic.
//
//   std::map<uint16_t, Json> routes = buildRouteConfigs(plan, settings);
#pragma once

#include <cstdint>
#include <map>

#include "common/json.h"
#include "envoy/builder_settings.h"
#include "envoy/routing_plan.h"

namespace ingress::envoy {

std::map<uint16_t, Json> buildRouteConfigs(const RoutingPlan& plan,
                                           const BuilderSettings& settings);

}  // namespace ingress::envoy

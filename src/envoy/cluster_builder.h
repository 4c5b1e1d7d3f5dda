// The cluster builder: one STATIC Envoy Cluster per named target of the plan, sorted by name.
// Pure and deterministic.
//
//   Json clusters = buildClusters(plan, settings);  // an array of Cluster resources
#pragma once

#include "common/json.h"
#include "envoy/builder_settings.h"
#include "envoy/routing_plan.h"

namespace ingress::envoy {

Json buildClusters(const RoutingPlan& plan, const BuilderSettings& settings);

}  // namespace ingress::envoy

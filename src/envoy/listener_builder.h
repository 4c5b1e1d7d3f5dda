// The listener builder: one Envoy Listener `ingress_<port>` per port of the plan (sorted by
// port), each an HTTP connection manager that takes its routes from rds_<port>/routes.pb in
// the xDS directory, watching that port's folder only. A TLS port's listener has the TLS
// inspector, a filter chain per certificate (SNI → certificate from its SDS file, ALPN h2 and
// http/1.1) and a default chain with the default certificate. Pure and deterministic.
//
//   Json listeners = buildListeners(plan, settings);  // an array of Listener resources
#pragma once

#include "common/json.h"
#include "envoy/builder_settings.h"
#include "envoy/routing_plan.h"

namespace ingress::envoy {

Json buildListeners(const RoutingPlan& plan, const BuilderSettings& settings);

}  // namespace ingress::envoy

// The route builder: one RouteConfiguration `ingress_<port>` per port, encoded once into the
// bytes of that port's route file. A virtual host per hostname (matched with or without the Host
// header's port, any letter case) holding the plan's routes in order, and a last `*` host
// answering 404 kNotFoundBody. Routes forward to a cluster, answer ACME challenges, redirect to
// https (308) or answer directly (421 on another certificate's chain: routing_plan.h). Pure and
// deterministic.
//
// Built by difference: each virtual host is encoded on its own (encodeVirtualHost) and a table
// is assembled from the encoded hosts of its port in hostname order (assembleRouteTable), so a
// change re-encodes only the hosts it touches; assembling is a copy of bytes, not a rebuild.
//
//   std::string a = encodeVirtualHost(vh);
//   RouteTablePtr t = assembleRouteTable(8080, {a, b});       // a, b sorted by hostname
//   std::string file = routeFileContent(*t);                  // what rds_8080/<kRdsFileInDir>
//   holds
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "envoy/builder_settings.h"
#include "envoy/routing_plan.h"

namespace ingress::envoy {

// One port's route table as Envoy gets it. Immutable; shared by pointer between configurations.
struct RouteTable {
  uint16_t port = 0;
  std::string version;       // content hash of `resource`: the file's version_info
  std::string resource;      // the encoded RouteConfiguration
  size_t virtual_hosts = 0;  // hosts with routes (the `*` 404 host not counted)
  // The resource as JSON (tests, goldens).
  Json json() const;
};
using RouteTablePtr = std::shared_ptr<const RouteTable>;

// What a table holds besides its hosts.
struct TableOptions {
  bool tls = false;        // a TLS port's: removes kChainHeader before forwarding
  bool challenge = false;  // the `*` host answers ACME HTTP-01 first (http_port)
};
TableOptions tableOptions(const PlannedPort& port);

std::string encodeVirtualHost(const PlannedVirtualHost& vh);
RouteTablePtr assembleRouteTable(uint16_t port, const std::vector<std::string_view>& encoded_hosts,
                                 TableOptions options = {});

// The route file (a DiscoveryResponse holding the table under its version) and back.
std::string routeFileContent(const RouteTable& table);
StatusOr<RouteTablePtr> parseRouteFile(uint16_t port, const std::string& content);

// Every port's table of a plan, built at once (tests; the builder builds by difference).
std::map<uint16_t, RouteTablePtr> buildRouteTables(const RoutingPlan& plan);

}  // namespace ingress::envoy

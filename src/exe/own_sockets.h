// The daemon's own sockets for the TargetPolicy: Envoy's admin, the API and metrics listeners
// and Envoy's ingress listeners, each at every address it accepts connections on (a wildcard
// bind: every local address of this host, from getifaddrs).
//
//   domain::TargetPolicy policy(settings.target_deny_cidrs);
//   const std::vector<Cidr> local = localAddresses();
//   addOwnSockets(policy, settings, local);   // before the Manager resolves stored targets
//   addListenSocket(policy, settings.api_listen, server->port(), "API listener", local);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/host_port.h"
#include "exe/settings.h"
#include "ingress/target_policy.h"

namespace ingress::exe {

// This host's addresses: a loopback interface's whole network (127.0.0.0/8: Linux answers all
// of it locally), every other interface's own address. Empty when getifaddrs fails (the
// wildcard rule still covers loopback and the unspecified addresses).
std::vector<Cidr> localAddresses();

// Envoy's admin, Envoy's ingress listener addresses, and API_LISTEN / METRICS_LISTEN when their
// port is fixed (an ephemeral one is added by addListenSocket once bound).
void addOwnSockets(domain::TargetPolicy& policy, const Settings& settings,
                   const std::vector<Cidr>& local);

// `listen` ("IP:port", as validated by the settings) bound at `bound_port`, when its configured
// port was 0 (ephemeral); a no-op otherwise (addOwnSockets added it).
void addListenSocket(domain::TargetPolicy& policy, std::string_view listen, uint16_t bound_port,
                     std::string what, const std::vector<Cidr>& local);

}  // namespace ingress::exe

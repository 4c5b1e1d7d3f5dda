// TargetPolicy: which resolved targets (IP:port) an ingress may route to.
//
// An ingress hands the outside world a path to wherever its target points, so a target must
// never be this host's own control surfaces or addresses no VM has:
//   1. the daemon's own sockets — Envoy's admin (POST /quitquitquit stops the proxy), the API,
//      /metrics and Envoy's ingress listeners (a loop) — are refused whatever the deny list
//      says;
//   2. addresses in the deny list (TARGET_DENY_CIDRS; by default loopback, link-local including
//      169.254.169.254, multicast, broadcast and unspecified) are refused.
// IPv4-mapped IPv6 targets (::ffff:127.0.0.1) are checked as the IPv4 address.
//
//   TargetPolicy policy(*parseCidrList(kDefaultTargetDenyCidrs));
//   policy.addOwnSocket({ownSocketAddresses(admin_ip, local), 9901, "Envoy admin"});
//   std::string why = policy.refusal("127.0.0.1", 9901, nullptr);
//   // "127.0.0.1:9901 is this daemon's Envoy admin"
//
// Pure (the composition root collects the host's addresses). Thread-safe: addOwnSocket may run
// while other threads call refusal().
#pragma once

#include <cstdint>
#include <functional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/host_port.h"

namespace ingress::domain {

// TARGET_DENY_CIDRS when unset: loopback, link-local (with the cloud metadata address
// 169.254.169.254), multicast, broadcast, "this network" (0.0.0.0/8, which Linux routes to
// the host itself) and the IPv6 unspecified address.
inline constexpr std::string_view kDefaultTargetDenyCidrs =
    "127.0.0.0/8,::1/128,169.254.0.0/16,fe80::/10,224.0.0.0/4,ff00::/8,255.255.255.255/32,"
    "0.0.0.0/8,::/128";

// A socket of this daemon that accepts connections on `port` at any of `addresses`.
struct OwnSocket {
  std::vector<Cidr> addresses;
  uint16_t port = 0;
  std::string what;  // "Envoy admin", "API listener", ...
};

// Where a socket bound to `bind` accepts connections: every local address for a wildcard
// (0.0.0.0 or ::, both families: a :: socket takes IPv4 too), else `bind` itself. `local` is
// the host's addresses (a loopback interface's whole network, e.g. 127.0.0.0/8). The
// unspecified address is included for loopback and wildcard binds: Linux connects a
// connection to 0.0.0.0 (or ::) to the loopback address.
std::vector<Cidr> ownSocketAddresses(const IpAddress& bind, const std::vector<Cidr>& local);

class TargetPolicy {
 public:
  explicit TargetPolicy(std::vector<Cidr> deny, std::vector<OwnSocket> own = {},
                        std::vector<Cidr> listener_addresses = {});

  void addOwnSocket(OwnSocket socket);
  // Envoy's ingress listeners accept connections at these addresses, on whichever ports
  // ingresses use (asked per check, see refusal()).
  void setListenerAddresses(std::vector<Cidr> addresses);

  // Why `ip`:`port` may not be a target ("127.0.0.1 is in TARGET_DENY_CIDRS (127.0.0.0/8)",
  // "127.0.0.1:9901 is this daemon's Envoy admin"), or "" when it may. `is_listener_port` says
  // whether Envoy has an ingress listener on a port; it is called only for a listener address
  // and may be empty (no listener ports known).
  std::string refusal(std::string_view ip, uint16_t port,
                      const std::function<bool(uint16_t)>& is_listener_port) const;

 private:
  const std::vector<Cidr> deny_;
  mutable std::shared_mutex mu_;
  std::vector<OwnSocket> own_;            // guarded by mu_
  std::vector<Cidr> listener_addresses_;  // guarded by mu_
};

}  // namespace ingress::domain

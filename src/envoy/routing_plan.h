// RoutingPlan: what Envoy must do for one snapshot, before it is Envoy JSON. The builders of
// each resource kind (clusters, listeners, routes, secrets) read this plan, never the snapshot.
//
//   port → virtual hosts (sorted by hostname) → ORDERED routes → a named target
//        → TLS: filter chains (one per certificate in use on the port, by certificate id)
//
// A named target is what a route sends traffic to; it becomes one Envoy cluster. Today a target
// is one endpoint (ip, port) with the global cluster settings, so it is named after that
// endpoint (`target_<ip>_<port>`, the cluster names Envoy's stats already carry) and rules with
// the same endpoint share it. Routes refer to targets only by name.
//
// HTTPS. A port is a TLS port when a routed rule on it has `tls`. Its virtual host for a hostname
// that has a certificate (ConfigSnapshot::certificateFor) starts with a route answering 421 to
// requests that arrived on another certificate's filter chain (HTTP/2 connection coalescing):
// each chain's connection manager sets kChainHeader to its certificate id, the default chain
// removes it. A TLS rule with `redirect_http` adds a virtual host on TlsSettings::http_port
// answering 308 to https, unless a plain rule routes that hostname there. With ACME HTTP-01 on,
// every virtual host of http_port (and its `*` fallback) first sends kAcmeChallengePrefix to the
// kAcmeCluster.
//
//   RoutingPlan plan = planRouting(*snapshot, settings.tls);
//
// Pure and deterministic. A rule whose target did not resolve is left out and listed in
// `unresolved`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "envoy/builder_settings.h"
#include "ingress/snapshot.h"

namespace ingress::envoy {

// The request header a TLS filter chain sets to its certificate id (removed before upstream).
inline constexpr char kChainHeader[] = "x-ingress-chain";
inline constexpr char kMisdirectedBody[] =
    "Misdirected Request: this connection does not serve this hostname";
inline constexpr char kAcmeChallengePrefix[] = "/.well-known/acme-challenge/";
inline constexpr char kAcmeCluster[] = "acme_http01";
// The secret (and filter chain) of every TLS listener's default chain.
inline constexpr char kDefaultSecret[] = "default";

struct NamedTarget {
  std::string name;
  std::string ip;
  uint16_t port = 0;
};

struct PlannedRoute {
  enum class Kind {
    kForward,         // to `target`
    kChallenge,       // to kAcmeCluster (ACME HTTP-01, on http_port)
    kRedirect,        // 308 to https on `https_port` (443: the default, left out of Location)
    kDirectResponse,  // `status` with `body`
  };
  Kind kind = Kind::kForward;
  std::string prefix = "/";
  std::string target;  // kForward: a key of RoutingPlan::targets
  // When set, the route matches only requests carrying kChainHeader with another value: a
  // connection on another certificate's filter chain.
  std::string unless_chain;
  uint16_t https_port = 0;
  uint32_t status = 0;
  std::string body;
  bool operator==(const PlannedRoute&) const = default;
};

struct PlannedVirtualHost {
  std::string hostname;
  std::string certificate;           // the id of the certificate serving it; empty: none
  std::vector<PlannedRoute> routes;  // first match wins
};

// One TLS filter chain: the certificate (its id names the chain and its SDS secret) and the
// server names (SNI) it answers, sorted. A name is in exactly one chain of a listener.
struct PlannedChain {
  std::string certificate;
  std::vector<std::string> server_names;
  bool operator==(const PlannedChain&) const = default;
};

struct PlannedPort {
  std::vector<PlannedVirtualHost> hosts;  // sorted by hostname
  bool tls = false;
  std::vector<PlannedChain> chains;  // TLS ports: by certificate id (may be empty: pending)
  bool challenge = false;            // http_port with ACME HTTP-01: the `*` host answers it too
};

struct UnresolvedRule {
  std::string ingress_id;
  size_t rule_index = 0;
  std::string reason;
};

struct RoutingPlan {
  std::map<std::string, NamedTarget> targets;  // by name
  std::map<uint16_t, PlannedPort> ports;       // only ports with a listener
  std::vector<UnresolvedRule> unresolved;      // snapshot order
  // For messages about a port: the routed rules on it, `ingress "web" rules[0]`, snapshot order.
  std::map<uint16_t, std::vector<std::string>> port_rules;
};

// What one rule asks of a virtual host. virtualHostOf() turns it into routes.
struct HostClaim {
  enum class Kind { kRedirect, kForward };  // for one hostname:port, a forward beats a redirect
  Kind kind = Kind::kForward;
  std::string hostname;
  bool tls = false;
  std::string target;       // kForward
  uint16_t https_port = 0;  // kRedirect: the TLS rule's port
};

// What one ingress contributes to a plan, rule by rule (rule order): a routed rule gives its
// port, virtual host claim, target and label (and, with tls + redirect_http, a redirect claim on
// http_port); a rule that did not resolve, its UnresolvedRule. planRouting() folds these over the
// snapshot; the incremental builder (xds_builder.h) applies them by difference. The one place
// that turns a rule into routing.
struct RuleRouting {
  size_t rule_index = 0;
  bool tls = false;  // the rule's, routed or not
  bool routed = false;
  uint16_t port = 0;
  HostClaim host;             // when routed
  bool redirect = false;      // when routed: also redirectClaim() on http_port
  NamedTarget target;         // when routed
  std::string label;          // `ingress "web" rules[0]`, when routed
  UnresolvedRule unresolved;  // when not routed
};
std::vector<RuleRouting> planIngress(const domain::ResolvedIngress& entry);
HostClaim redirectClaim(const RuleRouting& r);

// The virtual host of the claim that won its hostname:port. `certificate`: the id serving the
// hostname on a TLS port (empty: none); `challenge`: the port is http_port with ACME HTTP-01.
PlannedVirtualHost virtualHostOf(const HostClaim& claim, const std::string& certificate,
                                 bool challenge);
// Whether `port`'s virtual hosts answer ACME HTTP-01 challenges.
bool answersChallenges(uint16_t port, const TlsSettings& tls);

// The filter chains of a TLS port whose hostnames are served by `in_use` (certificate ids):
// one per certificate, by id; each name goes to the chain of the certificate that serves it
// (certificateFor) when that one is in use here, else to the preferred in-use certificate that
// lists it, so no server name is in two chains.
std::vector<PlannedChain> planChains(const std::set<std::string>& in_use,
                                     const domain::ConfigSnapshot& snapshot);

RoutingPlan planRouting(const domain::ConfigSnapshot& snapshot, const TlsSettings& tls = {});

std::string targetName(const std::string& ip, uint16_t port);
// The cluster of a target (the same name).
inline std::string clusterName(const std::string& ip, uint16_t port) {
  return targetName(ip, port);
}

}  // namespace ingress::envoy

// The config builder: from (snapshot, settings) to the contents of Envoy's xDS files.
// Deterministic: identical input gives identical bytes. It plans each ingress's routing
// (routing_plan.h: planIngress) and hands it to one builder per resource kind:
//
//   cds.json        clusters (cluster_builder.h): one STATIC cluster per named target
//   lds.json        listeners (listener_builder.h): `ingress_<port>` per port with a route
//   rds_<port>/...  routes (route_builder.h): RouteConfiguration `ingress_<port>`
//   <sds_dir>/...   secrets (sds_builder.h): one per certificate in use, and the default one
//
// XdsBuilder builds by difference: it remembers the snapshot it built last and, for the next
// one, finds the ingresses that changed (entries are shared by pointer between snapshots, so an
// unchanged ingress is the same pointer), withdraws what the old ones contributed and adds what
// the new ones contribute. Only the virtual hosts of changed rules are encoded again, only the
// route tables of ports they touch are assembled again, and clusters and listeners are rebuilt
// only when the set of targets or ports changes (or a TLS port's chains). When the snapshot's
// certificates change, the hosts of TLS rules are assigned their certificates again and every
// TLS port is assembled again (unchanged bytes keep their versions). The result never depends
// on the history: any sequence of builds ends in what a fresh builder makes of the last
// snapshot (tested).
//
//   XdsBuilder builder(settings);
//   XdsConfig config = builder.build(snapshot);      // by difference with the previous build
//   XdsConfig same = buildXds(snapshot, settings);   // from scratch
//
// Every target is already resolved in the snapshot; nothing here resolves an instance. A rule
// that is not active is left out, and reported in `unresolved`. Not thread-safe (the publisher
// serializes builds).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "common/json.h"
#include "envoy/builder_settings.h"
#include "envoy/cluster_builder.h"
#include "envoy/route_builder.h"
#include "envoy/routing_plan.h"
#include "envoy/sds_builder.h"
#include "ingress/snapshot.h"

namespace ingress::envoy {

// The routed rules of one port, for messages about it: how many, and the first few labels
// (`ingress "web" rules[0]`) in snapshot order.
struct PortRules {
  static constexpr size_t kNamed = 3;
  size_t count = 0;
  std::vector<std::string> first;  // at most kNamed
};

struct XdsConfig {
  std::string version;                           // hash of every resource's version
  ClusterSetPtr clusters = ClusterSet::empty();  // by name; its version is cds.json's
  std::string listeners_version;   // content hash of `listeners` (lds.json's version_info)
  Json listeners = Json::array();  // array of Listener resources, sorted by port
  std::map<uint16_t, RouteTablePtr> routes;  // port → its route table
  // id → SDS file: every certificate a TLS listener refers to, and kDefaultSecret when a TLS
  // listener exists.
  std::map<std::string, SecretPtr> secrets;
  std::vector<UnresolvedRule> unresolved;  // snapshot order
  std::map<uint16_t, PortRules> port_rules;
};

class XdsBuilder {
 public:
  explicit XdsBuilder(BuilderSettings settings);
  XdsConfig build(const domain::SnapshotPtr& next);

 private:
  // Snapshot order of a rule: the ingress's (created_at, id), then the rule's index.
  using RuleKey = std::tuple<int64_t, std::string, size_t>;
  // The claims on one hostname:port, ordered so that the last one wins: forward claims after
  // redirect claims, then snapshot order.
  using ClaimKey = std::pair<HostClaim::Kind, RuleKey>;
  struct Claim {
    HostClaim claim;
    std::string certificate;  // the one it was encoded with (TLS forward claims)
    std::string encoded;      // the virtual host, encoded
  };
  struct Port {
    std::map<std::string, std::map<ClaimKey, Claim>> hosts;             // hostname → claims
    std::map<std::pair<RuleKey, HostClaim::Kind>, std::string> labels;  // snapshot order
    size_t tls_claims = 0;
    RouteTablePtr table;
    bool tls = false;  // as the listeners were last built
    std::vector<PlannedChain> chains;
    bool dirty = true;
  };
  struct Seen {
    domain::ResolvedIngressPtr entry;
    uint64_t stamp = 0;
  };
  void withdraw(const domain::ResolvedIngress& entry);
  void contribute(const domain::ResolvedIngress& entry);
  void addClaim(uint16_t port, const RuleKey& key, HostClaim claim, std::string label);
  void removeClaim(uint16_t port, const ClaimKey& key, const std::string& hostname,
                   const std::string& target);
  std::string certificateOf(const HostClaim& claim) const;
  // After the snapshot's certificates changed: every TLS claim's certificate again.
  void reassignCertificates();
  // http_port listens while a rule has tls and ACME HTTP-01 is on.
  void keepHttpPort();
  void assemble(uint16_t number, Port& port);
  void refreshClustersAndListeners();
  void refreshSecrets();

  BuilderSettings settings_;
  domain::SnapshotPtr snapshot_;  // the one being built (certificateFor)
  uint64_t stamp_ = 0;
  std::unordered_map<std::string, Seen> built_;  // id → the entry the state below holds
  std::map<uint16_t, Port> ports_;
  struct Target {
    EncodedPtr cluster;  // encodeCluster() of it
    size_t claims = 0;   // rules routed to it
  };
  std::map<std::string, Target> targets_;
  std::map<RuleKey, UnresolvedRule> unresolved_;
  size_t tls_rules_ = 0;  // rules with tls, routed or not
  bool targets_changed_ = true, ports_changed_ = true, chains_changed_ = true;
  ClusterSetPtr clusters_ = ClusterSet::empty();
  Json listeners_ = Json::array();
  std::string listeners_version_;
  std::vector<domain::ServedCertificatePtr> certificates_;  // the last snapshot's
  std::map<std::string, SecretPtr> secrets_;
  // The certificate each secret of secrets_ was built from (a rotation is a new pointer).
  std::map<std::string, domain::ServedCertificatePtr> secret_sources_;
  SecretPtr default_secret_;
};

XdsConfig buildXds(const domain::ConfigSnapshot& snapshot, const BuilderSettings& settings);
XdsConfig buildXds(const domain::SnapshotPtr& snapshot, const BuilderSettings& settings);

// File contents (DiscoveryResponse JSON) for one resource list and version.
std::string discoveryFile(const std::string& version, const Json& resources);

}  // namespace ingress::envoy

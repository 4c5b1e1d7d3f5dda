// The config builder: a pure, deterministic function from (ingresses, resolved instances,
// settings) to the contents of Envoy's xDS files. Identical input gives identical bytes.
//
//   cds.json        one STATIC cluster per distinct target (address, port)
//   lds.json        one listener per port with at least one routable rule: `ingress_<port>`,
//                   HTTP connection manager taking routes from rds_<port>.json
//   rds_<port>.json one RouteConfiguration `ingress_<port>`: a virtual host per hostname
//                   (matched with or without the Host port, any letter case), and a `*` host
//                   answering 404 "No ingress found for this hostname"
//
// A rule whose instance cannot be resolved is left out, and reported in `unresolved`.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "ingress/model.h"

namespace ingress::envoy {

inline constexpr char kNotFoundBody[] = "No ingress found for this hostname";

struct BuilderSettings {
  std::string listen_address = "0.0.0.0";
  std::string xds_dir;  // where rds_<port>.json lives (Envoy watches this directory)
  std::chrono::milliseconds connect_timeout{5000};
  // Test-only fault switch: rules with this hostname get a route Envoy refuses.
  std::string reject_hostname;
};

// instance name → IP literal, or nullopt when it cannot be resolved (with a reason).
struct Resolution {
  std::optional<std::string> ip;
  std::string reason;
};
using ResolveFn = std::function<Resolution(const std::string& instance)>;

struct UnresolvedRule {
  std::string ingress_id;
  size_t rule_index = 0;
  std::string reason;
};

struct XdsConfig {
  std::string version;  // content hash, identical for identical output
  Json clusters;        // array of Cluster resources, sorted by name
  Json listeners;       // array of Listener resources, sorted by port
  std::map<uint16_t, Json> routes;  // port → RouteConfiguration
  std::vector<UnresolvedRule> unresolved;
};

XdsConfig buildXds(const std::vector<domain::Ingress>& ingresses, const ResolveFn& resolve,
                   const BuilderSettings& settings);

// File contents (DiscoveryResponse JSON) for one resource list and version.
std::string discoveryFile(const std::string& version, const Json& resources);
std::string clusterName(const std::string& ip, uint16_t port);
std::string listenerName(uint16_t port);  // also the route configuration's name
std::string rdsFileName(uint16_t port);

}  // namespace ingress::envoy

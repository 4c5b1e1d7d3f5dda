// The representative snapshots whose builder output is pinned as golden files under
// test/golden/<name>.json (canonical JSON: sorted keys, 2-space indent). The unit test compares
// buildXds() with each file (INGRESS_UPDATE_GOLDEN=1 rewrites them: scripts/update-golden.sh);
// the integration test loads each file into the real Envoy, after moving its ports
// (kGoldenPorts) to free ones and its xDS directory (kGoldenXdsDir) to the test's own.
#pragma once

#include <string>
#include <vector>

#include "common/filesystem.h"
#include "common/json.h"
#include "envoy/xds_builder.h"
#include "test_common/snapshot_of.h"
#include "test_common/test_env.h"

namespace ingress::testing {

inline constexpr char kGoldenXdsDir[] = "/var/lib/ingressd/envoy/xds";
// Every listener port a golden case uses; tokens unique enough to be replaced in the text.
inline const std::vector<int> kGoldenPorts = {40101, 40102, 40103, 40104, 40105, 40106};

struct GoldenCase {
  std::string name;
  domain::SnapshotPtr snapshot;
};

inline std::vector<GoldenCase> goldenCases() {
  using domain::Ingress;
  const std::map<std::string, std::string> vms = {
      {"vm-a", "10.0.0.1"}, {"vm-b", "10.0.0.2"}, {"vm-c", "fd00::3"}};
  std::vector<Ingress> many;
  for (size_t i = 0; i < kGoldenPorts.size(); ++i) {
    many.push_back(ingressOf("m" + std::to_string(i),
                             {rule("p" + std::to_string(i) + ".example.com", kGoldenPorts[i],
                                   i % 2 ? "vm-a" : "vm-b", 8000 + static_cast<int>(i))}));
  }
  const int p1 = kGoldenPorts[0], p2 = kGoldenPorts[1];
  return {
      {"empty", snapshotOf({}, vms)},
      {"one_rule", snapshotOf({ingressOf("i1", {rule("api.example.com", p1, "vm-a", 8080)})}, vms)},
      {"several_hosts_one_port",
       snapshotOf({ingressOf("i1", {rule("b.example.com", p1, "vm-a", 8080)}),
                   ingressOf("i2", {rule("a.example.com", p1, "vm-b", 8080)}),
                   ingressOf("i3", {rule("c.example.com", p1, "vm-c", 9090)})},
                  vms)},
      {"same_host_two_ports",
       snapshotOf({ingressOf("i1", {rule("shop.example.com", p1, "vm-a", 8080),
                                    rule("shop.example.com", p2, "vm-b", 8080)})},
                  vms)},
      {"two_rules_same_instance",
       snapshotOf({ingressOf("i1", {rule("www.example.com", p1, "vm-a", 8080),
                                    rule("example.com", p1, "vm-a", 8080)})},
                  vms)},
      {"unresolved_rule_left_out",
       snapshotOf({ingressOf("i1", {rule("a.example.com", p1, "vm-a", 8080),
                                    rule("gone.example.com", p1, "vm-gone", 8080)}),
                   ingressOf("i2", {rule("only-gone.example.com", p2, "vm-gone", 80)})},
                  vms)},
      {"many_ports", snapshotOf(many, vms)},
  };
}

inline envoy::BuilderSettings goldenSettings() {
  envoy::BuilderSettings s;
  s.listen_address = "0.0.0.0";
  s.xds_dir = kGoldenXdsDir;
  return s;
}

// The canonical JSON of one builder output.
inline std::string canonicalGolden(const envoy::XdsConfig& c) {
  Json routes = Json::object();
  for (const auto& [port, r] : c.routes) routes[std::to_string(port)] = r->json();
  Json unresolved = Json::array();
  for (const auto& u : c.unresolved) {
    unresolved.push_back(
        {{"ingress_id", u.ingress_id}, {"rule_index", u.rule_index}, {"reason", u.reason}});
  }
  Json j = {{"version", c.version},
            {"clusters", c.clusters->json()},
            {"listeners", c.listeners},
            {"routes", routes},
            {"unresolved", unresolved}};
  return j.dump(2) + "\n";
}

inline std::string goldenPath(const std::string& name) {
  return sourceDir() + "/test/golden/" + name + ".json";
}

}  // namespace ingress::testing

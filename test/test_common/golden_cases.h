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
inline constexpr char kGoldenSdsDir[] = "/var/lib/ingressd/envoy/sds";
// Every listener port a golden case uses; tokens unique enough to be replaced in the text.
inline const std::vector<int> kGoldenPorts = {40101, 40102, 40103, 40104, 40105, 40106};
// The TLS cases' ports: two TLS ports, the plain HTTP port and the ACME HTTP-01 responder's.
inline constexpr int kGoldenHttpsPort = 40107, kGoldenHttpsPort2 = 40108, kGoldenHttpPort = 40109,
                     kGoldenAcmePort = 40110;
// Every port token of every case (the integration test moves each to a free port).
inline std::vector<int> goldenPortTokens() {
  std::vector<int> out = kGoldenPorts;
  for (int p : {kGoldenHttpsPort, kGoldenHttpsPort2, kGoldenHttpPort, kGoldenAcmePort}) {
    out.push_back(p);
  }
  return out;
}

inline envoy::BuilderSettings goldenSettings() {
  envoy::BuilderSettings s;
  s.listen_address = "0.0.0.0";
  s.xds_dir = kGoldenXdsDir;
  s.sds_dir = kGoldenSdsDir;
  s.tls.default_chain_pem = "DEFAULT CHAIN";
  s.tls.default_key_pem = "DEFAULT KEY";
  return s;
}

// The TLS cases' settings: http_port and ACME HTTP-01 on golden ports.
inline envoy::BuilderSettings goldenTlsSettings() {
  envoy::BuilderSettings s = goldenSettings();
  s.tls.http_port = kGoldenHttpPort;
  s.tls.acme_http01_port = kGoldenAcmePort;
  return s;
}

struct GoldenCase {
  std::string name;
  domain::SnapshotPtr snapshot;
  envoy::BuilderSettings settings = goldenSettings();
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
  const int https = kGoldenHttpsPort, https2 = kGoldenHttpsPort2, http = kGoldenHttpPort;
  using Source = domain::ServedCertificate::Source;
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
      // Two certificates on one TLS port (one of them a user's covering two names) and a host
      // whose certificate is pending: a chain per certificate, the default chain, the 421
      // route on hosts with a certificate, none on the pending one. No ACME, no redirect.
      {"tls_two_certificates",
       withCertificates(
           snapshotOf({ingressOf("i1", {tlsRule("a.example.com", https, "vm-a", 8080)}),
                       ingressOf("i2", {tlsRule("b.example.com", https, "vm-b", 8080),
                                        tlsRule("c.example.com", https, "vm-b", 8080)}),
                       ingressOf("i3", {tlsRule("pending.example.com", https, "vm-a", 8080)})},
                      vms),
           {certificateOf("acme.a", {"a.example.com"}),
            certificateOf("user.bc", {"b.example.com", "c.example.com"}, Source::kUser),
            // Covers b.example.com too, but the user's certificate is preferred.
            certificateOf("acme.b", {"b.example.com"})}),
       goldenTlsSettings()},
      // Redirects and ACME HTTP-01 on http_port: a redirect host per TLS rule with
      // redirect_http (to its port), none where a plain rule routes the hostname on http_port,
      // the challenge route first in every host of http_port and in its `*` host. A wildcard
      // certificate serves two TLS ports.
      {"tls_redirect_and_challenge",
       withCertificates(
           snapshotOf({ingressOf("i1", {tlsRule("www.example.com", https, "vm-a", 8080, true)}),
                       ingressOf("i2", {rule("plain.example.com", http, "vm-b", 8080)}),
                       ingressOf("i3", {tlsRule("shop.example.com", https2, "vm-b", 8080, true)}),
                       ingressOf("i4", {tlsRule("both.example.com", https, "vm-a", 8080, true),
                                        rule("both.example.com", http, "vm-a", 8080)})},
                      vms),
           {certificateOf("user.wild", {"*.example.com"}, Source::kUser)}),
       goldenTlsSettings()},
      // A TLS rule whose certificate is pending, ACME on: the TLS listener has only the default
      // chain, and http_port listens for challenges although no rule routes there.
      {"tls_pending_only",
       snapshotOf({ingressOf("i1", {tlsRule("new.example.com", https, "vm-a", 8080)})}, vms),
       goldenTlsSettings()},
  };
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
  if (!c.secrets.empty()) {
    Json secrets = Json::object();
    for (const auto& [id, s] : c.secrets) {
      secrets[id] = {{"path", s->path}, {"serial", s->serial}, {"resource", s->json()}};
    }
    j["secrets"] = secrets;
  }
  return j.dump(2) + "\n";
}

inline std::string goldenPath(const std::string& name) {
  return sourceDir() + "/test/golden/" + name + ".json";
}

}  // namespace ingress::testing

// The builders and the layered applier against the real Envoy: every golden file loads (nothing
// rejected, every listener, cluster and route configuration live), and a write failure in the
// middle of an apply leaves Envoy serving exactly the last good configuration, checked by
// requests through Envoy to real loopback backends.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>

#include "common/clock.h"
#include "common/http_client.h"
#include "envoy/config/route/v3/route.pb.h"
#include "envoy/xds_applier.h"
#include "integration/installation.h"
#include "test_common/faulty_filesystem.h"
#include "test_common/golden_cases.h"
#include "test_common/http_backend.h"
#include "test_common/test_certificates.h"

namespace ingress::testing {
namespace {

using std::chrono::seconds;

StatusOr<HttpResponse> get(int port, const std::string& host) {
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  r.headers = {{"Host", host}};
  return httpCall(r);
}

void replaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
}

class XdsLayersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(inst_.startServeAndWaitReady(), 0) << inst_.serveLog();
    admin_ = std::make_unique<envoy::AdminClient>(inst_.admin());
    applier_ = std::make_unique<envoy::XdsApplier>(fs_, *admin_, clock_, inst_.paths().xds_dir);
    applier_->loadCurrent();
  }

  // Names of the dynamic resources Envoy holds of one config_dump kind.
  std::set<std::string> dumped(const std::string& resource, const std::string& inner) {
    std::set<std::string> out;
    auto body = admin_->get("/config_dump?resource=" + resource);
    if (!body.ok()) return out;
    // With nothing of that kind Envoy answers `{}`: no "configs" (value() copes; a const
    // operator[] on a missing key would be undefined behaviour).
    const Json j = Json::parse(*body);
    for (const auto& c : j.value("configs", Json::array())) {
      if (inner.empty()) {
        out.insert(c.value("name", ""));
      } else if (c.contains(inner)) {
        out.insert(c[inner].value("name", ""));
      }
    }
    return out;
  }

  Installation inst_;
  FilesystemImpl real_;
  FaultyFilesystem fs_{real_};
  ClockImpl clock_;
  std::unique_ptr<envoy::AdminClient> admin_;
  std::unique_ptr<envoy::XdsApplier> applier_;
  TempDir sds_dir_;
};

// A route table from its JSON form (a golden file's), encoded as the route files are.
envoy::RouteTablePtr tableFromJson(uint16_t port, Json resource) {
  resource.erase("@type");
  ::envoy::config::route::v3::RouteConfiguration rc;
  auto st = google::protobuf::util::JsonStringToMessage(dumpJson(resource), &rc);
  EXPECT_TRUE(st.ok()) << st.ToString();
  auto t = std::make_shared<envoy::RouteTable>();
  t->port = port;
  t->resource = rc.SerializeAsString();
  t->version = envoy::contentVersion(t->resource);
  t->virtual_hosts = static_cast<size_t>(rc.virtual_hosts_size()) - 1;
  return t;
}

// The golden file with its ports and xDS and SDS directories moved to this test's Envoy, and its
// placeholder certificates replaced by generated ones (each under the golden's secret id).
envoy::XdsConfig loadGolden(const std::string& name, const std::string& xds_dir,
                            const std::string& sds_dir) {
  FilesystemImpl fs;
  auto text = fs.readFile(goldenPath(name));
  EXPECT_TRUE(text.ok()) << goldenPath(name);
  Json golden = Json::parse(text.ok() ? *text : "{}");
  envoy::XdsConfig c;
  c.version = golden.value("version", "");
  golden.erase("version");
  std::string s = golden.dump();
  replaceAll(s, kGoldenXdsDir, xds_dir);
  replaceAll(s, kGoldenSdsDir, sds_dir);
  replaceAll(s, "\"0.0.0.0\"", "\"127.0.0.1\"");
  for (int p : goldenPortTokens()) {
    replaceAll(s, std::to_string(p), std::to_string(freeLoopbackPort()));
  }
  Json moved = Json::parse(s);
  const Json secrets = moved.value("secrets", Json::object());
  for (const auto& [id, secret] : secrets.items()) {
    const TestCertificate cert = makeTestCertificate({id + ".golden.test"});
    EXPECT_FALSE(cert.serial.empty()) << "openssl failed";
    c.secrets[id] = envoy::buildSecret(sds_dir, id, cert.chain_pem, cert.key_pem,
                                       id == envoy::kDefaultSecret ? "" : cert.serial);
    EXPECT_EQ(c.secrets[id]->path, secret.value("path", "")) << id;
  }
  c.clusters = envoy::ClusterSet::fromJson(moved["clusters"]);
  c.listeners = moved["listeners"];
  c.listeners_version = envoy::contentVersion(dumpJson(c.listeners));
  for (auto& [port, route] : moved["routes"].items()) {
    const auto p = static_cast<uint16_t>(std::stoi(port));
    c.routes[p] = tableFromJson(p, route);
  }
  return c;
}

// What Envoy printed in /config_dump for a resource (`dumped`) says what we wrote (`ours`),
// field for field. Envoy prints protobuf's JSON, which leaves out fields at their default
// value, so a field of ours missing from the dump must be a default: 0, false, "", an empty
// list or object, or the zero value of an enum we set explicitly (kEnumZeros). Returns the
// path of the first difference, empty when there is none.
std::string loadedAsMeant(const Json& ours, const Json& dumped, const std::string& path = "") {
  static const std::set<std::string> kEnumZeros = {"ROUND_ROBIN", "AUTO", "DEFAULT"};
  std::function<bool(const Json&)> isDefault = [&](const Json& v) {
    if (v.is_number()) return v == 0;
    if (v.is_boolean()) return !v.get<bool>();
    if (v.is_string())
      return v.get<std::string>().empty() || kEnumZeros.count(v.get<std::string>());
    if (v.is_array()) return v.empty();
    if (v.is_object()) {
      for (const auto& [k, x] : v.items()) {
        if (!isDefault(x)) return false;
      }
      return true;
    }
    return v.is_null();
  };
  if (ours.is_object() && dumped.is_object()) {
    for (const auto& [k, v] : ours.items()) {
      if (!dumped.contains(k)) {
        if (!isDefault(v)) return path + "/" + k + " (missing)";
        continue;
      }
      if (auto d = loadedAsMeant(v, dumped[k], path + "/" + k); !d.empty()) return d;
    }
    for (const auto& [k, v] : dumped.items()) {
      if (!ours.contains(k)) return path + "/" + k + " (not ours)";
    }
    return "";
  }
  if (ours.is_array() && dumped.is_array()) {
    if (ours.size() != dumped.size()) return path + " (length)";
    for (size_t i = 0; i < ours.size(); ++i) {
      if (auto d = loadedAsMeant(ours[i], dumped[i], path + "/" + std::to_string(i)); !d.empty()) {
        return d;
      }
    }
    return "";
  }
  // Numbers Envoy prints as strings (64-bit) or as floats compare by value.
  if (ours.is_number() && dumped.is_string()) {
    return std::to_string(ours.get<int64_t>()) == dumped.get<std::string>() ? "" : path;
  }
  if (ours.is_number() && dumped.is_number())
    return ours.get<double>() == dumped.get<double>() ? "" : path;
  return ours == dumped ? "" : path + " (" + dumpJson(ours) + " vs " + dumpJson(dumped) + ")";
}

TEST_F(XdsLayersTest, EveryGoldenCaseLoadsIntoTheRealEnvoy) {
  for (const auto& gc : goldenCases()) {
    SCOPED_TRACE(gc.name);
    const envoy::XdsConfig c = loadGolden(gc.name, inst_.paths().xds_dir, sds_dir_.path());
    Status st = applier_->apply(c, seconds(20));
    ASSERT_TRUE(st.ok()) << st.toString();
    std::set<std::string> clusters, listeners, routes;
    for (const auto& [name, x] : c.clusters->clusters()) clusters.insert(name);
    for (const auto& x : c.listeners) listeners.insert(x["name"]);
    for (const auto& [p, r] : c.routes) routes.insert(envoy::listenerName(p));
    EXPECT_EQ(dumped("dynamic_active_clusters", "cluster"), clusters);
    // Listeners of the previous case may still be draining: compare the active ones.
    std::set<std::string> active;
    auto body = admin_->get("/config_dump?resource=dynamic_listeners");
    ASSERT_TRUE(body.ok());
    const Json dump = Json::parse(*body);
    for (const auto& l : dump.value("configs", Json::array())) {
      if (l.contains("active_state")) active.insert(l.value("name", ""));
    }
    EXPECT_EQ(active, listeners);
    // Field for field, what Envoy loaded is what we wrote (clusters and listeners are JSON; the
    // flag would drop a field it did not know).
    for (const auto& l : dump.value("configs", Json::array())) {
      if (!l.contains("active_state")) continue;
      const std::string name = l.value("name", "");
      for (const auto& ours : c.listeners) {
        if (ours.value("name", "") != name) continue;
        EXPECT_EQ(loadedAsMeant(ours, l["active_state"]["listener"]), "") << name;
      }
    }
    auto cluster_dump = admin_->get("/config_dump?resource=dynamic_active_clusters");
    if (!c.clusters->clusters().empty()) {
      ASSERT_TRUE(cluster_dump.ok());
      const Json ours = c.clusters->json();
      size_t compared = 0;
      for (const auto& dc : Json::parse(*cluster_dump).value("configs", Json::array())) {
        for (const auto& o : ours) {
          if (o.value("name", "") != dc["cluster"].value("name", "")) continue;
          EXPECT_EQ(loadedAsMeant(o, dc["cluster"]), "") << o.value("name", "");
          ++compared;
        }
      }
      EXPECT_EQ(compared, ours.size());
    }
    const auto live_routes = dumped("dynamic_route_configs", "route_config");
    for (const auto& r : routes) EXPECT_TRUE(live_routes.count(r)) << r;
    // What Envoy loaded from each binary route file (it runs with
    // --ignore-unknown-dynamic-fields, which would drop a field it did not know silently) is
    // exactly what the golden file says, field for field.
    if (!c.routes.empty()) {
      auto route_dump = admin_->get("/config_dump?resource=dynamic_route_configs");
      ASSERT_TRUE(route_dump.ok());
      std::map<std::string, Json> loaded;
      for (const auto& rc : Json::parse(*route_dump).value("configs", Json::array())) {
        if (rc.contains("route_config"))
          loaded[rc["route_config"].value("name", "")] = rc["route_config"];
      }
      for (const auto& [p, table] : c.routes) {
        ASSERT_TRUE(loaded.count(envoy::listenerName(p))) << p;
        EXPECT_EQ(loaded[envoy::listenerName(p)], table->json()) << p;
      }
    }
    auto rejected = admin_->statsMatching("update_(rejected|failure)$");
    ASSERT_TRUE(rejected.ok());
    for (const auto& [name, value] : *rejected) {
      if (name.find(".rds.") != std::string::npos || name.find(".cds.") != std::string::npos ||
          name.find(".lds.") != std::string::npos) {
        EXPECT_EQ(value, "0") << name;
      }
    }
    // Each plain listener answers: a host of the case, or the 404 of the `*` host (TLS
    // listeners: tls_test.cc).
    std::set<uint16_t> tls_ports;
    for (const auto& l : c.listeners) {
      if (l.contains("listener_filters")) {
        tls_ports.insert(l["address"]["socket_address"]["port_value"].get<uint16_t>());
      }
    }
    for (const auto& [port, r] : c.routes) {
      if (tls_ports.count(port)) continue;
      auto unknown = get(port, "unknown.example.com");
      ASSERT_TRUE(unknown.ok()) << unknown.status().toString();
      EXPECT_EQ(unknown->status, 404);
      EXPECT_EQ(unknown->body, envoy::kNotFoundBody);
    }
  }
}

// Envoy runs with --ignore-unknown-dynamic-fields, so a field of our listeners or clusters that
// Envoy does not know would be dropped silently at run time. Static resources are checked
// strictly: every golden case's listeners and clusters, as the static resources of a bootstrap,
// pass `envoy --mode validate`, and the same with one unknown field added does not (the check
// can fail).
bool envoyValidates(const Json& listeners, const Json& clusters, const std::string& dir) {
  auto strip = [](Json resources) {
    for (auto& r : resources) r.erase("@type");
    return resources;
  };
  const Json bootstrap = {
      {"node", {{"id", "validate"}, {"cluster", "validate"}}},
      {"static_resources", {{"listeners", strip(listeners)}, {"clusters", strip(clusters)}}}};
  const std::string path = dir + "/bootstrap-validate.json";
  std::ofstream(path) << dumpJson(bootstrap, 1);
  const std::string cmd =
      envoyBinary() + " --mode validate -c " + path + " -l error > " + dir + "/validate.log 2>&1";
  return std::system(cmd.c_str()) == 0;
}

TEST(XdsValidateTest, EveryGoldenCasesListenersAndClustersHaveOnlyFieldsEnvoyKnows) {
  TempDir dir;
  FilesystemImpl fs;
  for (const auto& gc : goldenCases()) {
    SCOPED_TRACE(gc.name);
    auto text = fs.readFile(goldenPath(gc.name));
    ASSERT_TRUE(text.ok());
    // The route files the listeners name must exist: moved to this test's folder.
    std::string moved = *text;
    replaceAll(moved, kGoldenXdsDir, dir.path());
    replaceAll(moved, kGoldenSdsDir, dir.path());
    const Json secrets = Json::parse(moved).value("secrets", Json::object());
    for (const auto& [id, secret] : secrets.items()) {
      const TestCertificate cert = makeTestCertificate({"validate.test"});
      std::ofstream(dir.file(id + ".json"))
          << envoy::buildSecret(dir.path(), id, cert.chain_pem, cert.key_pem, "")->content;
    }
    for (int p : goldenPortTokens()) {
      const auto port = static_cast<uint16_t>(p);
      ASSERT_TRUE(fs.makeDirs(dir.file(envoy::rdsDirName(port)), 0700).ok());
      std::ofstream(dir.file(envoy::rdsFileName(port)));
    }
    const Json golden = Json::parse(moved);
    EXPECT_TRUE(envoyValidates(golden["listeners"], golden["clusters"], dir.path()))
        << *fs.readFile(dir.file("validate.log"));
    if (golden["listeners"].empty()) continue;
    Json broken = golden["listeners"];
    broken[0]["per_connection_buffer_limit_bytez"] = 1;
    EXPECT_FALSE(envoyValidates(broken, golden["clusters"], dir.path()));
  }
}

TEST_F(XdsLayersTest, WriteFailureMidApplyLeavesEnvoyServingTheLastGoodConfiguration) {
  HttpBackend a("a", "127.0.0.2");
  HttpBackend b("b", "127.0.0.3", a.port());
  const std::map<std::string, std::string> vms = {{"vm-a", a.address()}, {"vm-b", b.address()}};
  envoy::BuilderSettings settings;
  settings.listen_address = "127.0.0.1";
  settings.xds_dir = inst_.paths().xds_dir;
  const int p1 = freeLoopbackPort();
  const int p2 = freeLoopbackPort();
  const auto good = envoy::buildXds(
      snapshotOf({ingressOf("i1", {rule("web.example.com", p1, "vm-a", a.port())})}, vms),
      settings);
  ASSERT_TRUE(applier_->apply(good, seconds(10)).ok());
  ASSERT_EQ(get(p1, "web.example.com")->header("x-backend"), "a");

  // web moves to vm-b and a new port opens: cds (add), rds_p1, rds_p2, then lds fails. By then
  // Envoy already routes web to b on p1; the rollback must take that back.
  const auto next =
      envoy::buildXds(snapshotOf({ingressOf("i1", {rule("web.example.com", p1, "vm-b", a.port())}),
                                  ingressOf("i2", {rule("new.example.com", p2, "vm-a", a.port())})},
                                 vms),
                      settings);
  fs_.failNthWrite(4);
  Status st = applier_->apply(next, seconds(10));
  EXPECT_EQ(st.code(), StatusCode::kInternal) << st.toString();
  for (int i = 0; i < 20; ++i) {
    auto r = get(p1, "web.example.com");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->header("x-backend"), "a") << "request " << i;
  }
  EXPECT_FALSE(get(p2, "new.example.com").ok()) << "the new port must not open";
  EXPECT_EQ(dumped("dynamic_active_clusters", "cluster"),
            std::set<std::string>{envoy::clusterName(a.address(), a.port())});

  // The next change applies cleanly.
  ASSERT_TRUE(applier_->apply(next, seconds(10)).ok());
  EXPECT_EQ(get(p1, "web.example.com")->header("x-backend"), "b");
  EXPECT_EQ(get(p2, "new.example.com")->header("x-backend"), "a");
}

}  // namespace
}  // namespace ingress::testing

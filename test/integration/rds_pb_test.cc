// Binary file-based RDS against the real Envoy: a route table built with Envoy's generated
// messages (ingress_envoy_proto), wrapped in a DiscoveryResponse and written as `routes.pb` into
// a watched folder (written beside it, then renamed into place). Envoy routes the known host to
// its backend and answers 404 for an unknown one; a second version (with a field unknown to
// Envoy) is picked up; a corrupt file (or one Envoy's validation refuses) is ignored and the last
// good routes keep serving. Run with and without --ignore-unknown-dynamic-fields.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>

#include "common/http_client.h"
#include "common/process.h"
#include "envoy/admin_client.h"
#include "envoy/config/route/v3/route.pb.h"
#include "envoy/service/discovery/v3/discovery.pb.h"
#include "test_common/http_backend.h"
#include "test_common/test_env.h"

namespace ingress::testing {
namespace {

using ::envoy::config::route::v3::RouteConfiguration;
using ::envoy::service::discovery::v3::DiscoveryResponse;
using std::chrono::seconds;

constexpr char kRouteConfigName[] = "routes";  // as in kBootstrap
// Envoy's RDS stats for our route configuration.
constexpr char kRdsStats[] = "^http\\.ingress\\.rds\\.routes\\.";

StatusOr<HttpResponse> get(int port, const std::string& host) {
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/some/path";
  r.headers = {{"Host", host}};
  return httpCall(r);
}

// Admin on 127.0.0.1:ADMIN_PORT; a listener on 127.0.0.1:LISTENER_PORT whose routes come from
// ROUTES_DIR/routes.pb (file-based RDS; the folder is watched so that a rename into it is seen);
// static clusters a and b.
constexpr char kBootstrap[] = R"({
  "node": {"id": "rds-pb-test", "cluster": "rds-pb-test"},
  "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": ADMIN_PORT}}},
  "static_resources": {
    "listeners": [{
      "name": "rds_pb",
      "address": {"socket_address": {"address": "127.0.0.1", "port_value": LISTENER_PORT}},
      "filter_chains": [{"filters": [{
        "name": "envoy.filters.network.http_connection_manager",
        "typed_config": {
          "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
          "stat_prefix": "ingress",
          "rds": {
            "route_config_name": "routes",
            "config_source": {
              "resource_api_version": "V3",
              "path_config_source": {
                "path": "ROUTES_DIR/routes.pb",
                "watched_directory": {"path": "ROUTES_DIR"}}}},
          "http_filters": [{
            "name": "envoy.filters.http.router",
            "typed_config": {
              "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}]}}]}]}],
    "clusters": [CLUSTER_a, CLUSTER_b]}})";

constexpr char kCluster[] = R"({
  "name": "NAME", "type": "STATIC", "connect_timeout": "1s",
  "load_assignment": {"cluster_name": "NAME", "endpoints": [{"lb_endpoints": [{"endpoint": {
    "address": {"socket_address": {"address": "ADDRESS", "port_value": BACKEND_PORT}}}}]}]}})";

std::string replaced(std::string s, const std::map<std::string, std::string>& values) {
  for (const auto& [from, to] : values) {
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
      s.replace(pos, from.size(), to);
    }
  }
  return s;
}

std::string clusterJson(const std::string& name, const HttpBackend& backend) {
  return replaced(kCluster, {{"NAME", name},
                             {"ADDRESS", backend.address()},
                             {"BACKEND_PORT", std::to_string(backend.port())}});
}

// The file-based RDS file: one RouteConfiguration, `host` → `cluster`, anything else 404.
DiscoveryResponse routesFile(const std::string& version, const std::string& host,
                             const std::string& cluster) {
  RouteConfiguration rc;
  rc.set_name(kRouteConfigName);
  auto* vh = rc.add_virtual_hosts();
  vh->set_name(host);
  vh->add_domains(host);
  auto* route = vh->add_routes();
  route->mutable_match()->set_prefix("/");
  route->mutable_route()->set_cluster(cluster);
  DiscoveryResponse response;
  response.set_version_info(version);
  response.set_type_url("type.googleapis.com/envoy.config.route.v3.RouteConfiguration");
  EXPECT_TRUE(response.add_resources()->PackFrom(rc));
  return response;
}

void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  ASSERT_TRUE(out.good()) << path;
}

class RdsPbTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    routes_dir_ = dir_.file("routes");
    ASSERT_EQ(::mkdir(routes_dir_.c_str(), 0755), 0);
    port_ = freeLoopbackPort();
    admin_port_ = freeLoopbackPort();
    const std::string bootstrap = replaced(kBootstrap, {{"ADMIN_PORT", std::to_string(admin_port_)},
                                                        {"LISTENER_PORT", std::to_string(port_)},
                                                        {"ROUTES_DIR", routes_dir_},
                                                        {"CLUSTER_a", clusterJson("a", a_)},
                                                        {"CLUSTER_b", clusterJson("b", b_)}});
    writeFile(dir_.file("bootstrap.json"), bootstrap);
    // The first route table is in place before Envoy starts.
    publish(routesFile("v1", "one.example.com", "a").SerializeAsString());

    SpawnOptions spawn;
    spawn.argv = {envoyBinary(),           "-c", dir_.file("bootstrap.json"),
                  "--disable-hot-restart", "-l", "info"};
    if (GetParam()) spawn.argv.push_back("--ignore-unknown-dynamic-fields");
    spawn.stdout_path = dir_.file("envoy.log");
    auto pid = launcher_.spawn(spawn);
    ASSERT_TRUE(pid.ok()) << pid.status().toString();
    pid_ = *pid;
    admin_ =
        std::make_unique<envoy::AdminClient>("http://127.0.0.1:" + std::to_string(admin_port_));
    ASSERT_TRUE(
        pollUntil([&] { return admin_->ready() || !launcher_.isAlive(pid_); }, seconds(30)));
    ASSERT_TRUE(admin_->ready()) << envoyLog();
  }

  void TearDown() override {
    if (pid_ <= 0) return;
    (void)launcher_.signal(pid_, SIGTERM);
    auto done = launcher_.waitChild(pid_, seconds(10));
    if (!done.ok() || !done->has_value()) {
      (void)launcher_.signal(pid_, SIGKILL);
      (void)launcher_.waitChild(pid_, seconds(10));
    }
  }

  // Writes the file beside the watched folder, then renames it into place: Envoy only ever sees
  // a whole file.
  void publish(const std::string& bytes) {
    const std::string staged = dir_.file("routes.pb.tmp");
    writeFile(staged, bytes);
    ASSERT_EQ(std::rename(staged.c_str(), (routes_dir_ + "/routes.pb").c_str()), 0);
  }

  uint64_t statOr0(const std::string& name) {
    auto v = admin_->stat(name);
    return v.ok() ? *v : 0;
  }
  // One of our route configuration's RDS counters.
  uint64_t counter(const std::string& name) { return statOr0("http.ingress.rds.routes." + name); }
  std::string versionText() {
    auto r = admin_->textReadoutsMatching(std::string(kRdsStats) + "version_text$");
    if (!r.ok() || r->empty()) return "";
    return r->begin()->second;
  }
  std::string backendFor(const std::string& host) {
    auto r = get(port_, host);
    if (!r.ok()) return "error: " + r.status().toString();
    if (r->status != 200) return std::to_string(r->status);
    return r->header("x-backend");
  }
  std::string envoyLog() {
    std::ifstream in(dir_.file("envoy.log"));
    const std::string log(std::istreambuf_iterator<char>(in), {});
    return log.size() > 4000 ? log.substr(log.size() - 4000) : log;
  }

  TempDir dir_;
  std::string routes_dir_;
  HttpBackend a_{"a", "127.0.0.2"};
  HttpBackend b_{"b", "127.0.0.3"};
  int port_ = 0;
  int admin_port_ = 0;
  ProcessLauncherImpl launcher_;
  pid_t pid_ = -1;
  std::unique_ptr<envoy::AdminClient> admin_;
};

TEST_P(RdsPbTest, RoutesFromABinaryFileAndNewVersionsRenamedIntoPlace) {
  EXPECT_EQ(versionText(), "v1");
  EXPECT_EQ(backendFor("one.example.com"), "a");
  auto unknown = get(port_, "unknown.example.com");
  ASSERT_TRUE(unknown.ok()) << unknown.status().toString();
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(a_.requests(), 1u);

  // The second version carries a field this Envoy does not know (as a file written from newer
  // protos would): accepted either way; only without --ignore-unknown-dynamic-fields is it
  // counted.
  auto v2 = routesFile("v2", "two.example.com", "b");
  RouteConfiguration rc;
  ASSERT_TRUE(v2.resources(0).UnpackTo(&rc));
  rc.GetReflection()->MutableUnknownFields(&rc)->AddVarint(9999, 1);
  ASSERT_TRUE(v2.mutable_resources(0)->PackFrom(rc));
  const uint64_t unknown_before = statOr0("server.dynamic_unknown_fields");
  publish(v2.SerializeAsString());
  ASSERT_TRUE(pollUntil([&] { return versionText() == "v2"; }, seconds(10))) << versionText();
  EXPECT_EQ(backendFor("two.example.com"), "b");
  EXPECT_EQ(backendFor("one.example.com"), "404");
  EXPECT_EQ(counter("update_rejected"), 0u);
  EXPECT_EQ(counter("update_failure"), 0u);
  const uint64_t unknown_after = statOr0("server.dynamic_unknown_fields");
  std::printf("server.dynamic_unknown_fields: %llu -> %llu\n",
              static_cast<unsigned long long>(unknown_before),
              static_cast<unsigned long long>(unknown_after));
  if (GetParam()) {
    EXPECT_EQ(unknown_after, unknown_before);
  } else {
    EXPECT_GT(unknown_after, unknown_before);
  }
}

// Envoy ignores a file it cannot use and keeps the last good routes, counting an RDS
// update_rejected (not update_failure) both for bytes that do not parse and for a message its
// validation refuses. It never says more than that counter and a log line, so the applier must
// validate a .pb before renaming it into place.
TEST_P(RdsPbTest, CorruptOrInvalidFileIsRejectedAndTheLastGoodRoutesKeepServing) {
  const uint64_t attempts = counter("update_attempt");
  const uint64_t successes = counter("update_success");
  const uint64_t rejected = counter("update_rejected");

  // Not a DiscoveryResponse at all: the first half of a real one.
  const std::string good = routesFile("v-bad", "bad.example.com", "b").SerializeAsString();
  publish(good.substr(0, good.size() / 2));
  ASSERT_TRUE(pollUntil([&] { return counter("update_attempt") == attempts + 1; }, seconds(10)))
      << "Envoy never tried the corrupt file";
  EXPECT_EQ(counter("update_rejected"), rejected + 1);
  EXPECT_EQ(counter("update_failure"), 0u);
  EXPECT_EQ(counter("update_success"), successes);
  EXPECT_EQ(versionText(), "v1");
  EXPECT_EQ(backendFor("one.example.com"), "a");
  EXPECT_EQ(backendFor("bad.example.com"), "404");

  // Parses, but Envoy's validation refuses it (a virtual host needs at least one domain).
  auto invalid = routesFile("v-invalid", "invalid.example.com", "b");
  RouteConfiguration rc;
  ASSERT_TRUE(invalid.resources(0).UnpackTo(&rc));
  rc.mutable_virtual_hosts(0)->clear_domains();
  ASSERT_TRUE(invalid.mutable_resources(0)->PackFrom(rc));
  publish(invalid.SerializeAsString());
  ASSERT_TRUE(pollUntil([&] { return counter("update_attempt") == attempts + 2; }, seconds(10)));
  EXPECT_EQ(counter("update_rejected"), rejected + 2);
  EXPECT_EQ(counter("update_failure"), 0u);
  EXPECT_EQ(counter("update_success"), successes);
  EXPECT_EQ(versionText(), "v1");
  EXPECT_EQ(backendFor("one.example.com"), "a");
  const std::string log = envoyLog();
  for (size_t pos = 0; (pos = log.find("rejected", pos)) != std::string::npos; ++pos) {
    const size_t start = log.rfind('\n', pos) + 1;
    std::printf("envoy: %s\n", log.substr(start, log.find('\n', pos) - start).c_str());
    pos = log.find('\n', pos);
    if (pos == std::string::npos) break;
  }

  // And the next good file is taken.
  publish(routesFile("v3", "three.example.com", "b").SerializeAsString());
  ASSERT_TRUE(pollUntil([&] { return versionText() == "v3"; }, seconds(10))) << versionText();
  EXPECT_EQ(backendFor("three.example.com"), "b");
  EXPECT_EQ(backendFor("one.example.com"), "404");
  EXPECT_EQ(counter("update_success"), successes + 1);
}

INSTANTIATE_TEST_SUITE_P(UnknownFields, RdsPbTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? std::string("IgnoreUnknownDynamicFields")
                                              : std::string("Default");
                         });

}  // namespace
}  // namespace ingress::testing

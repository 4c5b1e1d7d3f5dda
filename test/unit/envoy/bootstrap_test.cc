#include "envoy/bootstrap.h"

#include <gtest/gtest.h>

#include <string>

namespace ingress::envoy {
namespace {

BootstrapOptions sampleOptions() {
  BootstrapOptions o;
  o.node_id = "node-a";
  o.admin_address = "::1";
  o.admin_port = 19901;
  o.xds_dir = "/data/envoy/xds";
  return o;
}

Json parsed(const std::string& text) {
  auto j = parseJsonStrict(text);
  EXPECT_TRUE(j.ok()) << j.status().toString();
  return j.ok() ? *j : Json();
}

TEST(BootstrapTest, SameOptionsGiveTheSameBytes) {
  EXPECT_EQ(renderBootstrapText(sampleOptions()), renderBootstrapText(sampleOptions()));
}

TEST(BootstrapTest, TextIsThePrettyJsonOfTheDocumentWithATrailingNewline) {
  const std::string text = renderBootstrapText(sampleOptions());
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text, dumpJson(renderBootstrap(sampleOptions()), 2) + "\n");
  EXPECT_EQ(parsed(text), renderBootstrap(sampleOptions()));
}

TEST(BootstrapTest, DifferentAdminPortGivesDifferentBytes) {
  BootstrapOptions other = sampleOptions();
  other.admin_port = 19902;
  EXPECT_NE(renderBootstrapText(sampleOptions()), renderBootstrapText(other));
}

TEST(BootstrapTest, NodeIdentity) {
  Json b = renderBootstrap(sampleOptions());
  EXPECT_EQ(b["node"]["id"], "node-a");
  EXPECT_EQ(b["node"]["cluster"], "ingressd");
}

TEST(BootstrapTest, AdminListensOnTheGivenAddressAndPort) {
  Json b = renderBootstrap(sampleOptions());
  const Json& sa = b["admin"]["address"]["socket_address"];
  EXPECT_EQ(sa["address"], "::1");
  EXPECT_EQ(sa["port_value"], 19901);
}

TEST(BootstrapTest, LdsIsReadFromAWatchedFileInTheXdsDir) {
  Json b = renderBootstrap(sampleOptions());
  EXPECT_EQ(b["dynamic_resources"]["lds_config"], Json::parse(R"({"resource_api_version": "V3",
                            "path_config_source": {
                              "path": "/data/envoy/xds/lds.json",
                              "watched_directory": {"path": "/data/envoy/xds"}}})"));
}

TEST(BootstrapTest, CdsIsReadFromAWatchedFileInTheXdsDir) {
  Json b = renderBootstrap(sampleOptions());
  EXPECT_EQ(b["dynamic_resources"]["cds_config"], Json::parse(R"({"resource_api_version": "V3",
                            "path_config_source": {
                              "path": "/data/envoy/xds/cds.json",
                              "watched_directory": {"path": "/data/envoy/xds"}}})"));
}

TEST(BootstrapTest, HasOnlyNodeAdminDynamicResourcesAndTheOverloadManager) {
  Json b = renderBootstrap(sampleOptions());
  EXPECT_EQ(b.size(), 4u);
  EXPECT_TRUE(b.contains("node"));
  EXPECT_TRUE(b.contains("admin"));
  EXPECT_TRUE(b.contains("dynamic_resources"));
  EXPECT_TRUE(b.contains("overload_manager"));
}

TEST(BootstrapTest, AdminIsExemptFromTheGlobalConnectionCap) {
  EXPECT_EQ(renderBootstrap(sampleOptions())["admin"]["ignore_global_conn_limit"], true);
}

// The monitor named `name` in the overload manager, or null.
Json monitor(const Json& b, const std::string& name) {
  for (const Json& m : b["overload_manager"]["resource_monitors"]) {
    if (m["name"] == name) return m;
  }
  return nullptr;
}

// The threshold of `action` (an overload action or load shed point) on `monitor_name`, or -1.
double thresholdOf(const Json& b, const char* list, const std::string& action) {
  for (const Json& a : b["overload_manager"][list]) {
    if (a["name"] == action) return a["triggers"][0]["threshold"]["value"].get<double>();
  }
  return -1;
}

TEST(BootstrapTest, OverloadManagerCapsConnectionsAndHeapFromTheOptions) {
  BootstrapOptions o = sampleOptions();
  o.overload.max_downstream_connections = 1234;
  o.overload.max_heap_bytes = 256ull << 20;
  Json b = renderBootstrap(o);
  EXPECT_EQ(b["overload_manager"]["refresh_interval"], "0.25s");
  Json conns = monitor(b, "envoy.resource_monitors.global_downstream_max_connections");
  ASSERT_TRUE(conns.is_object());
  EXPECT_EQ(conns["typed_config"]["@type"],
            "type.googleapis.com/"
            "envoy.extensions.resource_monitors.downstream_connections.v3."
            "DownstreamConnectionsConfig");
  EXPECT_EQ(conns["typed_config"]["max_active_downstream_connections"], 1234);
  Json heap = monitor(b, "envoy.resource_monitors.fixed_heap");
  ASSERT_TRUE(heap.is_object());
  EXPECT_EQ(heap["typed_config"]["max_heap_size_bytes"], 256ull << 20);
}

TEST(BootstrapTest, HeapPressureShrinksTheHeapThenShedsRequestsAndConnections) {
  Json b = renderBootstrap(sampleOptions());
  EXPECT_DOUBLE_EQ(thresholdOf(b, "actions", "envoy.overload_actions.shrink_heap"), 0.95);
  EXPECT_DOUBLE_EQ(thresholdOf(b, "actions", "envoy.overload_actions.disable_http_keepalive"),
                   0.95);
  EXPECT_DOUBLE_EQ(thresholdOf(b, "actions", "envoy.overload_actions.stop_accepting_requests"),
                   0.98);
  EXPECT_DOUBLE_EQ(thresholdOf(b, "loadshed_points", "envoy.load_shed_points.tcp_listener_accept"),
                   0.98);
}

TEST(BootstrapTest, DifferentConnectionCapGivesDifferentBytes) {
  BootstrapOptions other = sampleOptions();
  other.overload.max_downstream_connections = 7;
  EXPECT_NE(renderBootstrapText(sampleOptions()), renderBootstrapText(other));
}

TEST(BootstrapTest, DefaultConnectionCapIsHalfTheDescriptorLimitUpTo50000) {
  EXPECT_EQ(defaultMaxDownstreamConnections(1024), 512u);
  EXPECT_EQ(defaultMaxDownstreamConnections(65536), 32768u);
  EXPECT_EQ(defaultMaxDownstreamConnections(1048576), 50000u);
  EXPECT_EQ(defaultMaxDownstreamConnections(1), 1u);
  EXPECT_EQ(defaultMaxDownstreamConnections(0), 1u);
}

TEST(BootstrapTest, EmptyDiscoveryResponseHasNoResources) {
  const std::string text = emptyDiscoveryResponse();
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(parsed(text), Json::parse(R"({"version_info": "0", "resources": []})"));
}

}  // namespace
}  // namespace ingress::envoy

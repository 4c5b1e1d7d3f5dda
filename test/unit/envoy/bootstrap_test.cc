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

TEST(BootstrapTest, HasOnlyNodeAdminAndDynamicResources) {
  Json b = renderBootstrap(sampleOptions());
  EXPECT_EQ(b.size(), 3u);
  EXPECT_TRUE(b.contains("node"));
  EXPECT_TRUE(b.contains("admin"));
  EXPECT_TRUE(b.contains("dynamic_resources"));
}

TEST(BootstrapTest, EmptyDiscoveryResponseHasNoResources) {
  const std::string text = emptyDiscoveryResponse();
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(parsed(text), Json::parse(R"({"version_info": "0", "resources": []})"));
}

}  // namespace
}  // namespace ingress::envoy

// Envoy's message types generated from the xds-protos descriptors (ingress_envoy_proto): a route
// table wrapped in a DiscoveryResponse (the file format of file-based xDS) survives the binary
// round trip and prints as the JSON Envoy reads.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>

#include "envoy/config/route/v3/route.pb.h"
#include "envoy/service/discovery/v3/discovery.pb.h"

namespace ingress {
namespace {

using ::envoy::config::route::v3::RouteConfiguration;
using ::envoy::service::discovery::v3::DiscoveryResponse;
using google::protobuf::util::MessageDifferencer;
using google::protobuf::util::MessageToJsonString;

constexpr char kRouteType[] = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

RouteConfiguration sampleRoutes() {
  RouteConfiguration rc;
  rc.set_name("routes_8080");
  auto* vh = rc.add_virtual_hosts();
  vh->set_name("web");
  vh->add_domains("web.example.com");
  vh->add_domains("web.example.com:8080");
  auto* route = vh->add_routes();
  route->mutable_match()->set_prefix("/");
  route->mutable_route()->set_cluster("backend_127.0.0.2_80");
  return rc;
}

TEST(EnvoyProtoTest, DiscoveryResponseOfARouteTableRoundTripsThroughBytes) {
  DiscoveryResponse response;
  response.set_version_info("v1");
  response.set_type_url(kRouteType);
  ASSERT_TRUE(response.add_resources()->PackFrom(sampleRoutes()));
  EXPECT_EQ(response.resources(0).type_url(), kRouteType);

  std::string bytes;
  ASSERT_TRUE(response.SerializeToString(&bytes));
  ASSERT_FALSE(bytes.empty());

  DiscoveryResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  EXPECT_TRUE(MessageDifferencer::Equals(parsed, response));
  EXPECT_EQ(parsed.version_info(), "v1");
  ASSERT_EQ(parsed.resources_size(), 1);
  RouteConfiguration rc;
  ASSERT_TRUE(parsed.resources(0).Is<RouteConfiguration>());
  ASSERT_TRUE(parsed.resources(0).UnpackTo(&rc));
  EXPECT_TRUE(MessageDifferencer::Equals(rc, sampleRoutes()));
  ASSERT_EQ(rc.virtual_hosts_size(), 1);
  EXPECT_EQ(rc.virtual_hosts(0).domains(1), "web.example.com:8080");
  EXPECT_EQ(rc.virtual_hosts(0).routes(0).route().cluster(), "backend_127.0.0.2_80");

  // Garbage does not parse as a DiscoveryResponse.
  DiscoveryResponse garbage;
  EXPECT_FALSE(garbage.ParseFromString(std::string("\xff\xff\xff\xff", 4)));
}

TEST(EnvoyProtoTest, DiscoveryResponsePrintsAsJsonWithTheResourceUnpacked) {
  DiscoveryResponse response;
  response.set_version_info("v7");
  ASSERT_TRUE(response.add_resources()->PackFrom(sampleRoutes()));
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  ASSERT_TRUE(MessageToJsonString(response, &json, options).ok());
  EXPECT_NE(json.find("\"version_info\":\"v7\""), std::string::npos) << json;
  EXPECT_NE(json.find(std::string("\"@type\":\"") + kRouteType + "\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"domains\":[\"web.example.com\",\"web.example.com:8080\"]"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"cluster\":\"backend_127.0.0.2_80\""), std::string::npos) << json;

  // And back: JSON → message equals the original.
  DiscoveryResponse back;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &back).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(back, response));
}

}  // namespace
}  // namespace ingress

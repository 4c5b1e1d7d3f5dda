// The edge limits of every ingress listener (the full documents are in test/golden; these tests
// pin that each setting reaches Envoy's field).
#include "envoy/listener_builder.h"

#include <gtest/gtest.h>

namespace ingress::envoy {
namespace {

RoutingPlan planWithPort(uint16_t port) {
  RoutingPlan plan;
  plan.ports[port];
  return plan;
}

Json onlyListener(const BuilderSettings& s) {
  Json listeners = buildListeners(planWithPort(8080), s);
  EXPECT_EQ(listeners.size(), 1u);
  return listeners.empty() ? Json::object() : listeners[0];
}

const Json& filters(const Json& listener) { return listener["filter_chains"][0]["filters"]; }

const Json& hcm(const Json& listener) { return filters(listener).back()["typed_config"]; }

TEST(ListenerBuilderTest, DefaultsFollowEnvoysEdgeBestPractices) {
  const Json l = onlyListener(BuilderSettings{});
  const Json& h = hcm(l);
  EXPECT_EQ(h["request_headers_timeout"], "10s");
  EXPECT_EQ(h["stream_idle_timeout"], "300s");
  EXPECT_EQ(h["request_timeout"], "0s");
  EXPECT_EQ(h["max_request_headers_kb"], 60);
  EXPECT_EQ(h["common_http_protocol_options"]["idle_timeout"], "300s");
  EXPECT_EQ(h["common_http_protocol_options"]["max_headers_count"], 100);
  EXPECT_EQ(h["common_http_protocol_options"]["headers_with_underscores_action"], "REJECT_REQUEST");
  EXPECT_EQ(h["http2_protocol_options"]["max_concurrent_streams"], 100);
  EXPECT_EQ(h["http2_protocol_options"]["initial_stream_window_size"], 65536);
  EXPECT_EQ(h["http2_protocol_options"]["initial_connection_window_size"], 1048576);
  EXPECT_EQ(h["strip_trailing_host_dot"], true);
  EXPECT_EQ(h["use_remote_address"], true);
  EXPECT_EQ(h["normalize_path"], true);
  EXPECT_EQ(h["merge_slashes"], true);
  EXPECT_EQ(l["per_connection_buffer_limit_bytes"], 32768);
}

TEST(ListenerBuilderTest, ConnectionLimitFilterComesBeforeTheConnectionManager) {
  const Json l = onlyListener(BuilderSettings{});
  ASSERT_EQ(filters(l).size(), 2u);
  EXPECT_EQ(filters(l)[0]["name"], "envoy.filters.network.connection_limit");
  EXPECT_EQ(filters(l)[0]["typed_config"]["max_connections"], 10000);
  EXPECT_EQ(filters(l)[0]["typed_config"]["stat_prefix"], "ingress_8080");
  EXPECT_EQ(filters(l)[1]["name"], "envoy.filters.network.http_connection_manager");
}

TEST(ListenerBuilderTest, EverySettingReachesItsField) {
  BuilderSettings s;
  s.edge.request_headers_timeout = std::chrono::seconds(1);
  s.edge.idle_timeout = std::chrono::seconds(2);
  s.edge.stream_idle_timeout = std::chrono::seconds(3);
  s.edge.request_timeout = std::chrono::seconds(4);
  s.edge.max_request_headers_kb = 5;
  s.edge.max_headers_count = 6;
  s.edge.max_connections_per_listener = 7;
  const Json l = onlyListener(s);
  const Json& h = hcm(l);
  EXPECT_EQ(h["request_headers_timeout"], "1s");
  EXPECT_EQ(h["common_http_protocol_options"]["idle_timeout"], "2s");
  EXPECT_EQ(h["stream_idle_timeout"], "3s");
  EXPECT_EQ(h["request_timeout"], "4s");
  EXPECT_EQ(h["max_request_headers_kb"], 5);
  EXPECT_EQ(h["common_http_protocol_options"]["max_headers_count"], 6);
  EXPECT_EQ(filters(l)[0]["typed_config"]["max_connections"], 7);
}

}  // namespace
}  // namespace ingress::envoy

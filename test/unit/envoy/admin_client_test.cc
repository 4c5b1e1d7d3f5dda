// parseListenerErrors: Envoy's reasons for refused listeners, from /config_dump's error_state.
#include <gtest/gtest.h>

#include "envoy/admin_client.h"

namespace ingress::envoy {
namespace {

// The shape a real Envoy answers to /config_dump?resource=dynamic_listeners when one listener
// could not bind (trimmed: failed_configuration holds the whole refused Listener).
constexpr const char* kRefusedListener = R"({
 "configs": [
  {
   "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump.DynamicListener",
   "name": "ingress_8080",
   "active_state": {"version_info": "v1", "listener": {"name": "ingress_8080"}}
  },
  {
   "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump.DynamicListener",
   "name": "ingress_8443",
   "error_state": {
    "failed_configuration": {"@type": "type.googleapis.com/envoy.config.listener.v3.Listener"},
    "last_update_attempt": "2026-12-03T08:00:00.000Z",
    "details": "cannot bind '0.0.0.0:8443': Address already in use"
   }
  }
 ]
})";

TEST(ParseListenerErrorsTest, NamesEachRefusedListenerWithEnvoysReason) {
  auto errors = parseListenerErrors(kRefusedListener);
  ASSERT_TRUE(errors.ok()) << errors.status().toString();
  ASSERT_EQ(errors->size(), 1u);
  EXPECT_EQ(errors->at("ingress_8443"), "cannot bind '0.0.0.0:8443': Address already in use");
}

TEST(ParseListenerErrorsTest, TheWholeDumpShapeIsReadToo) {
  auto errors = parseListenerErrors(R"({"configs": [{
    "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
    "dynamic_listeners": [{"name": "ingress_80", "error_state": {"details": "Permission denied"}}]
  }]})");
  ASSERT_TRUE(errors.ok());
  EXPECT_EQ(errors->at("ingress_80"), "Permission denied");
}

TEST(ParseListenerErrorsTest, NothingRefusedOrNoListenersOrOddShapesGiveNoErrors) {
  // With no dynamic listeners at all Envoy answers {}.
  for (const char* body : {"{}", R"({"configs": []})", R"({"configs": {}})", "[]",
                           R"({"configs": [{"name": "x", "error_state": {"details": 7}}]})",
                           R"({"configs": [{"name": "x", "error_state": "broken"}]})", "[1]"}) {
    auto errors = parseListenerErrors(body);
    ASSERT_TRUE(errors.ok()) << body;
    EXPECT_TRUE(errors->empty()) << body;
  }
  EXPECT_FALSE(parseListenerErrors("not json").ok());
}

}  // namespace
}  // namespace ingress::envoy

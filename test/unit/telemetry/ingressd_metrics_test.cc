#include "telemetry/ingressd_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ingress::telemetry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(IngressdMetricsTest, EveryMetricIsPresentFromTheStart) {
  Registry r;
  IngressdMetrics m(r, {});
  std::string text = r.render();
  for (const char* line :
       {"# TYPE ingressd_ingresses gauge\n", "# TYPE ingressd_rules gauge\n",
        "ingressd_rules{status=\"active\"} 0\n", "ingressd_rules{status=\"unresolved\"} 0\n",
        "# TYPE ingressd_config_applies_total counter\n",
        "ingressd_config_applies_total{result=\"ok\"} 0\n",
        "ingressd_config_applies_total{result=\"rejected\"} 0\n",
        "ingressd_config_applies_total{result=\"timeout\"} 0\n",
        "ingressd_config_applies_total{result=\"error\"} 0\n",
        "# TYPE ingressd_config_apply_duration_seconds histogram\n",
        "# TYPE ingressd_envoy_restarts_total counter\n",
        "# TYPE ingressd_envoy_hot_restarts_total counter\n", "# TYPE ingressd_envoy_ready gauge\n",
        "# TYPE ingressd_pending_mutations gauge\n", "# TYPE ingressd_shadowed_ingresses gauge\n",
        "ingressd_shadowed_ingresses 0\n"}) {
    EXPECT_THAT(text, HasSubstr(line));
  }
}

TEST(IngressdMetricsTest, ScrapeTimeSources) {
  Registry r;
  MetricSources s;
  s.rules = [] { return RuleCounts{3, 5, 2, 1}; };
  s.pending_mutations = [] { return size_t{4}; };
  s.envoy_counts = [] { return std::optional<EnvoyCounts>(EnvoyCounts{7, 2}); };
  s.envoy_ready = [] { return true; };
  IngressdMetrics m(r, s);
  std::string text = r.render();
  EXPECT_THAT(text, HasSubstr("\ningressd_ingresses 3\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_rules{status=\"active\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_rules{status=\"unresolved\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_pending_mutations 4\n"));
  EXPECT_THAT(text, HasSubstr("\ningressd_shadowed_ingresses 1\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_envoy_restarts_total 7\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_envoy_hot_restarts_total 2\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_envoy_ready 1\n"));
}

TEST(IngressdMetricsTest, CertificateStatesOrdersAndSoonestExpiry) {
  Registry r;
  MetricSources s;
  IngressdMetrics none(r, s);
  EXPECT_THAT(r.render(), HasSubstr("ingressd_tls_rules{state=\"failed\"} 0\n"));
  EXPECT_THAT(r.render(), Not(HasSubstr("ingressd_certificate_expiry_seconds ")));
  Registry r2;
  s.certificates = [] { return CertificateCounts{1, 4, 2, 3, 9, 3600.0}; };
  IngressdMetrics m(r2, s);
  const std::string text = r2.render();
  EXPECT_THAT(text, HasSubstr("ingressd_tls_rules{state=\"pending\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_tls_rules{state=\"active\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_tls_rules{state=\"renewing\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_tls_rules{state=\"failed\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_acme_orders_total 9\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_certificate_expiry_seconds 3600\n"));
}

TEST(IngressdMetricsTest, UnreadableSupervisorStateKeepsLastValues) {
  Registry r;
  bool readable = true;
  MetricSources s;
  s.envoy_counts = [&]() -> std::optional<EnvoyCounts> {
    if (!readable) return std::nullopt;
    return EnvoyCounts{1, 1};
  };
  IngressdMetrics m(r, s);
  (void)r.render();
  readable = false;
  EXPECT_THAT(r.render(), HasSubstr("ingressd_envoy_restarts_total 1\n"));
}

// The watchdog replaced the supervisor: its state file counts from 0 again, the metric does not.
TEST(IngressdMetricsTest, EnvoyRestartCountersStayMonotonicAcrossASupervisorReplacement) {
  Registry r;
  EnvoyCounts now{3, 2};
  MetricSources s;
  s.envoy_counts = [&] { return std::optional<EnvoyCounts>(now); };
  IngressdMetrics m(r, s);
  EXPECT_THAT(r.render(), HasSubstr("ingressd_envoy_restarts_total 3\n"));
  now = {0, 0};  // the new supervisor's first state file
  std::string text = r.render();
  EXPECT_THAT(text, HasSubstr("ingressd_envoy_restarts_total 3\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_envoy_hot_restarts_total 2\n"));
  now = {1, 1};
  text = r.render();
  EXPECT_THAT(text, HasSubstr("ingressd_envoy_restarts_total 4\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_envoy_hot_restarts_total 3\n"));
  now = {2, 1};
  EXPECT_THAT(r.render(), HasSubstr("ingressd_envoy_restarts_total 5\n"));
}

TEST(IngressdMetricsTest, ApplyResults) {
  Registry r;
  IngressdMetrics m(r, {});
  m.recordApply(okStatus(), std::chrono::milliseconds(20));
  m.recordApply(aborted("config_rejected"), std::chrono::milliseconds(20));
  m.recordApply(alreadyExists("port 8443 is in use", "port_in_use"), std::chrono::milliseconds(1));
  m.recordApply(deadlineExceeded("apply_timeout"), std::chrono::seconds(10));
  m.recordApply(internalError("x"), std::chrono::milliseconds(1));
  m.recordApply(unavailable("x"), std::chrono::milliseconds(1));
  std::string text = r.render();
  EXPECT_THAT(text, HasSubstr("ingressd_config_applies_total{result=\"ok\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_config_applies_total{result=\"rejected\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_config_applies_total{result=\"timeout\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_config_applies_total{result=\"error\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_config_apply_duration_seconds_count 6\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_config_apply_duration_seconds_bucket{le=\"0.025\"} 5\n"));
}

TEST(IngressdMetricsTest, ApiRequestsUseRouteTemplatesOnly) {
  Registry r;
  IngressdMetrics m(r, {});
  m.recordApiRequest("GET", "/ingresses/secret-tenant-name?x=1", 200, std::chrono::milliseconds(3));
  m.recordApiRequest("DELETE", "/instances/tenant-vm", 204, std::chrono::milliseconds(3));
  m.recordApiRequest("BREW", "/../../secret.example.com/a/b", 404, std::chrono::milliseconds(1));
  m.recordApiRequest("POST", "/ingresses", 999, std::chrono::milliseconds(1));
  std::string text = r.render();
  EXPECT_THAT(text,
              HasSubstr("ingressd_api_requests_total{route=\"/ingresses/{id}\",method=\"GET\","
                        "code=\"200\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_api_requests_total{route=\"/instances/{name}\","
                              "method=\"DELETE\",code=\"204\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_api_requests_total{route=\"other\",method=\"other\","
                              "code=\"404\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("ingressd_api_requests_total{route=\"/ingresses\",method=\"POST\","
                              "code=\"other\"} 1\n"));
  EXPECT_THAT(
      text,
      HasSubstr("ingressd_api_request_duration_seconds_count{route=\"/ingresses/{id}\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("secret")));
  EXPECT_THAT(text, Not(HasSubstr("tenant")));
  EXPECT_THAT(text, Not(HasSubstr("BREW")));
}

TEST(RouteTemplateTest, Templates) {
  EXPECT_EQ(routeTemplate("/health"), "/health");
  EXPECT_EQ(routeTemplate("/openapi.yaml"), "/openapi.yaml");
  EXPECT_EQ(routeTemplate("/ingresses"), "/ingresses");
  EXPECT_EQ(routeTemplate("/ingresses?limit=1"), "/ingresses");
  EXPECT_EQ(routeTemplate("/ingresses/abc"), "/ingresses/{id}");
  EXPECT_EQ(routeTemplate("/ingresses/"), "other");
  EXPECT_EQ(routeTemplate("/ingresses/a/b"), "other");
  EXPECT_EQ(routeTemplate("/instances"), "/instances");
  EXPECT_EQ(routeTemplate("/instances/vm-1"), "/instances/{name}");
  EXPECT_EQ(routeTemplate("/certificates"), "/certificates");
  EXPECT_EQ(routeTemplate("/certificates/shop"), "/certificates/{name}");
  EXPECT_EQ(routeTemplate("*"), "other");
  EXPECT_EQ(routeTemplate(""), "other");
  EXPECT_EQ(methodLabel("GET"), "GET");
  EXPECT_EQ(methodLabel("get"), "other");
}

}  // namespace
}  // namespace ingress::telemetry

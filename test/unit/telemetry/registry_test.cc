#include "telemetry/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

namespace ingress::telemetry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RegistryTest, EmptyRegistryRendersNothing) {
  Registry r;
  EXPECT_EQ(r.render(), "");
}

TEST(RegistryTest, CounterWithHelpAndTypeLines) {
  Registry r;
  r.counter("jobs_total", "Jobs done.").inc();
  r.counter("jobs_total", "Jobs done.").inc(2.5);
  EXPECT_EQ(r.render(),
            "# HELP jobs_total Jobs done.\n"
            "# TYPE jobs_total counter\n"
            "jobs_total 3.5\n");
}

TEST(RegistryTest, CounterIgnoresNegativeAndNaNIncrements) {
  Registry r;
  Counter& c = r.counter("c_total", "C.");
  c.inc(4);
  c.inc(-1);
  c.inc(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(c.value(), 4);
}

TEST(RegistryTest, GaugeSetIncDec) {
  Registry r;
  Gauge& g = r.gauge("temp", "Temperature.");
  g.set(10);
  g.inc(2);
  g.dec(5);
  EXPECT_EQ(g.value(), 7);
  EXPECT_THAT(r.render(), HasSubstr("# TYPE temp gauge\ntemp 7\n"));
}

TEST(RegistryTest, SameLabelsReturnSameSeriesAndSeriesAreSorted) {
  Registry r;
  Counter& a = r.counter("req_total", "Requests.", {{"code", "500"}});
  Counter& b = r.counter("req_total", "Requests.", {{"code", "200"}});
  EXPECT_EQ(&a, &r.counter("req_total", "Requests.", {{"code", "500"}}));
  EXPECT_NE(&a, &b);
  a.inc();
  b.inc(2);
  EXPECT_EQ(r.render(),
            "# HELP req_total Requests.\n"
            "# TYPE req_total counter\n"
            "req_total{code=\"200\"} 2\n"
            "req_total{code=\"500\"} 1\n");
}

TEST(RegistryTest, FamiliesAreSortedByName) {
  Registry r;
  r.gauge("zeta", "Z.");
  r.gauge("alpha", "A.");
  std::string text = r.render();
  EXPECT_LT(text.find("alpha"), text.find("zeta"));
}

TEST(RegistryTest, MultipleLabelsKeepTheirOrder) {
  Registry r;
  r.counter("x_total", "X.", {{"route", "/a"}, {"method", "GET"}, {"code", "200"}}).inc();
  EXPECT_THAT(r.render(), HasSubstr("x_total{route=\"/a\",method=\"GET\",code=\"200\"} 1\n"));
}

TEST(RegistryTest, LabelValuesAreEscaped) {
  Registry r;
  r.gauge("g", "G.", {{"v", "a\\b\"c\nd"}}).set(1);
  EXPECT_THAT(r.render(), HasSubstr("g{v=\"a\\\\b\\\"c\\nd\"} 1\n"));
}

TEST(RegistryTest, HelpIsEscapedButQuotesAreNot) {
  Registry r;
  r.gauge("g", "line1\nback\\slash \"quoted\"");
  EXPECT_THAT(r.render(), HasSubstr("# HELP g line1\\nback\\\\slash \"quoted\"\n"));
}

TEST(RegistryTest, EscapeHelpers) {
  EXPECT_EQ(escapeHelp("a\\b\nc\""), "a\\\\b\\nc\"");
  EXPECT_EQ(escapeLabelValue("a\\b\nc\""), "a\\\\b\\nc\\\"");
  EXPECT_EQ(escapeLabelValue(""), "");
}

TEST(RegistryTest, FormatValue) {
  EXPECT_EQ(formatValue(0), "0");
  EXPECT_EQ(formatValue(42), "42");
  EXPECT_EQ(formatValue(-3), "-3");
  EXPECT_EQ(formatValue(0.25), "0.25");
  EXPECT_EQ(formatValue(1e21), "1e+21");
  EXPECT_EQ(formatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(formatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(formatValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(std::stod(formatValue(0.1 + 0.2)), 0.1 + 0.2);  // round-trips
}

TEST(RegistryTest, HistogramBucketsSumAndCount) {
  Registry r;
  Histogram& h = r.histogram("lat_seconds", "Latency.", {0.1, 0.5, 1});
  h.observe(0.05);
  h.observe(0.1);  // le is inclusive
  h.observe(0.3);
  h.observe(2);
  h.observe(std::numeric_limits<double>::quiet_NaN());  // ignored
  EXPECT_EQ(r.render(),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{le=\"0.1\"} 2\n"
            "lat_seconds_bucket{le=\"0.5\"} 3\n"
            "lat_seconds_bucket{le=\"1\"} 3\n"
            "lat_seconds_bucket{le=\"+Inf\"} 4\n"
            "lat_seconds_sum 2.45\n"
            "lat_seconds_count 4\n");
}

TEST(RegistryTest, HistogramWithLabelsPutsLeLast) {
  Registry r;
  r.histogram("d_seconds", "D.", {1}, {{"route", "/x"}}).observe(0.5);
  std::string text = r.render();
  EXPECT_THAT(text, HasSubstr("d_seconds_bucket{route=\"/x\",le=\"1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("d_seconds_bucket{route=\"/x\",le=\"+Inf\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("d_seconds_sum{route=\"/x\"} 0.5\n"));
  EXPECT_THAT(text, HasSubstr("d_seconds_count{route=\"/x\"} 1\n"));
}

TEST(RegistryTest, EmptyHistogramRendersZeros) {
  Registry r;
  r.histogram("h", "H.", {1, 2});
  std::string text = r.render();
  EXPECT_THAT(text, HasSubstr("h_bucket{le=\"+Inf\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("h_sum 0\n"));
  EXPECT_THAT(text, HasSubstr("h_count 0\n"));
}

TEST(RegistryTest, InvalidDefinitionsThrow) {
  Registry r;
  EXPECT_THROW(r.counter("1bad", "B."), std::invalid_argument);
  EXPECT_THROW(r.counter("bad-name", "B."), std::invalid_argument);
  EXPECT_THROW(r.counter("ok", "B.", {{"bad-label", "v"}}), std::invalid_argument);
  EXPECT_THROW(r.counter("ok", "B.", {{"__reserved", "v"}}), std::invalid_argument);
  EXPECT_THROW(r.counter("ok", "B.", {{"a", "1"}, {"a", "2"}}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "H.", {1}, {{"le", "1"}}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h2", "H.", {2, 1}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h3", "H.", {1, std::numeric_limits<double>::infinity()}),
               std::invalid_argument);
  r.counter("taken", "T.");
  EXPECT_THROW(r.gauge("taken", "T."), std::invalid_argument);
  EXPECT_THROW(r.counter("taken", "Other help."), std::invalid_argument);
  r.histogram("hb", "H.", {1});
  EXPECT_THROW(r.histogram("hb", "H.", {1, 2}), std::invalid_argument);
}

TEST(RegistryTest, NameValidation) {
  EXPECT_TRUE(isValidMetricName("a:b_c9"));
  EXPECT_FALSE(isValidMetricName(""));
  EXPECT_FALSE(isValidMetricName("9a"));
  EXPECT_TRUE(isValidLabelName("route"));
  EXPECT_FALSE(isValidLabelName("a:b"));
  EXPECT_FALSE(isValidLabelName("__x"));
}

TEST(RegistryTest, CollectorsRunAtRenderTime) {
  Registry r;
  int calls = 0;
  r.addCollector([&](Registry& reg) { reg.gauge("scrapes", "Scrapes.").set(++calls); });
  EXPECT_THAT(r.render(), HasSubstr("scrapes 1\n"));
  EXPECT_THAT(r.render(), HasSubstr("scrapes 2\n"));
}

TEST(RegistryTest, ConcurrentUpdatesAreNotLost) {
  Registry r;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&r, t] {
      for (int i = 0; i < kPerThread; ++i) {
        r.counter("c_total", "C.").inc();
        r.histogram("h", "H.", {0.5}).observe(t % 2 == 0 ? 0.1 : 1.0);
        if (i % 1000 == 0) (void)r.render();
      }
    });
  }
  for (auto& th : threads) th.join();
  std::string text = r.render();
  EXPECT_THAT(text, HasSubstr("c_total 80000\n"));
  EXPECT_THAT(text, HasSubstr("h_bucket{le=\"0.5\"} 40000\n"));
  EXPECT_THAT(text, HasSubstr("h_count 80000\n"));
  EXPECT_THAT(text, Not(HasSubstr("NaN")));
}

}  // namespace
}  // namespace ingress::telemetry

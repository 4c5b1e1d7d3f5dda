// Zero downtime under load (issue 5): constant keep-alive load through Envoy at several hosts
// while the system is churned, restarted, hot-restarted, stopped and killed. Each test asserts
// the promise's figure and records it as a test property (see docs/benchmarks.md).
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <thread>

#include "e2e/api_client.h"
#include "integration/installation.h"
#include "integration/load_harness.h"
#include "test_common/http_backend.h"

namespace ingress::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// `make test` runs the short form; `make bench` sets INGRESS_SCENARIO_SCALE (e.g. 4) for longer
// runs of the same scenarios.
int scale() {
  const char* v = std::getenv("INGRESS_SCENARIO_SCALE");
  const int n = v != nullptr ? std::atoi(v) : 1;
  return n >= 1 && n <= 100 ? n : 1;
}

class ZeroDowntimeTest : public ::testing::Test {
 protected:
  static constexpr int kHosts = 4;

  void SetUp() override { inst_.env()["JWT_SECRET"] = kTestJwtSecret; }

  // Starts serve, registers the backends and routes kHosts hosts on port_.
  void startWithRoutes() {
    // At scale (INGRESS_SCENARIO_EXISTING), the loaded port carries that many other hostnames.
    const int existing = Installation::scenarioExisting();
    if (existing > 0) {
      inst_.seedIngresses(existing, port_, "vm-a", a_.port());
      inst_.env()["MAX_INGRESSES"] = std::to_string(existing + 20000);
      inst_.env()["ENVOY_APPLY_TIMEOUT"] = "30";
    }
    ASSERT_NE(inst_.startServeAndWaitReady(), 0) << inst_.serveLog();
    api_ = std::make_unique<ApiClient>(inst_.apiPort());
    ASSERT_TRUE(api_->waitHealthy()) << inst_.serveLog();
    ASSERT_EQ(api_->call("PUT", "/instances/vm-a", Json{{"ip", a_.address()}})->status, 200);
    ASSERT_EQ(api_->call("PUT", "/instances/vm-b", Json{{"ip", b_.address()}})->status, 200);
    for (int i = 0; i < kHosts; ++i) {
      const bool even = i % 2 == 0;
      auto r = api_->call("POST", "/ingresses",
                          ingressBody("load-" + std::to_string(i), host(i), port_,
                                      even ? "vm-a" : "vm-b", even ? a_.port() : b_.port()));
      ASSERT_EQ(r->status, 201) << r->body;
    }
  }

  std::string host(int i) const { return "load" + std::to_string(i) + ".example.com"; }

  std::vector<LoadTarget> targets(const std::string& path = "/") const {
    std::vector<LoadTarget> t;
    for (int i = 0; i < kHosts; ++i) {
      t.push_back({"http://127.0.0.1:" + std::to_string(port_) + path, host(i)});
    }
    return t;
  }

  void restartServe(int sig = SIGTERM) {
    inst_.signalServe(sig);
    ASSERT_TRUE(inst_.waitServeExit(seconds(20)).has_value());
    ASSERT_NE(inst_.startServeAndWaitReady(), 0) << inst_.currentServeLog();
    ASSERT_TRUE(api_->waitHealthy());
  }

  HttpBackend a_{"a", "127.0.0.2"};
  HttpBackend b_{"b", "127.0.0.3"};
  Installation inst_;
  std::unique_ptr<ApiClient> api_;
  int port_ = freeLoopbackPort();
};

TEST_F(ZeroDowntimeTest, ChurnOfFiveHundredOtherHostsDropsNoRequest) {
  startWithRoutes();
  const int other_port = freeLoopbackPort();
  LoadHarness load(targets());
  load.start();
  ASSERT_TRUE(pollUntil([&] { return load.okSoFar() >= 100; }));
  // 8 clients create and delete 500 ingresses on other hosts: on the loaded port (route
  // changes) and on another port (listener changes).
  const int total = 500 * scale();
  std::atomic<int> next{0}, created{0}, deleted{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&] {
      for (int i = next++; i < total; i = next++) {
        const int port = i % 5 == 0 ? other_port : port_;
        const std::string name = "churn-" + std::to_string(i);
        auto r = api_->call("POST", "/ingresses",
                            ingressBody(name, name + ".example.com", port, "vm-a", a_.port()));
        if (r.ok() && r->status == 201) ++created;
        auto d = api_->call("DELETE", "/ingresses/" + name);
        if (d.ok() && d->status == 204) ++deleted;
      }
    });
  }
  for (auto& t : clients) t.join();
  LoadReport report = load.stop();
  RecordProperty("churn_load", report.summary());
  EXPECT_EQ(created.load(), total);
  EXPECT_EQ(deleted.load(), total);
  EXPECT_EQ(report.failed(), 0u) << report.summary();
  EXPECT_GT(report.ok, 1000u) << report.summary();
}

TEST_F(ZeroDowntimeTest, TenIngressdRestartsDropNoRequestAndAdoptEnvoy) {
  startWithRoutes();
  const pid_t envoy = inst_.envoyPid();
  LoadHarness load(targets());
  load.start();
  ASSERT_TRUE(pollUntil([&] { return load.okSoFar() >= 100; }));
  for (int i = 0; i < 10 * scale(); ++i) {
    restartServe(i % 2 == 0 ? SIGTERM : SIGKILL);
    EXPECT_EQ(inst_.envoyPid(), envoy) << "restart " << i << " must adopt, not respawn";
  }
  const uint64_t before = load.okSoFar();
  ASSERT_TRUE(pollUntil([&] { return load.okSoFar() >= before + 100; }));
  LoadReport report = load.stop();
  RecordProperty("restarts_load", report.summary());
  EXPECT_EQ(report.failed(), 0u) << report.summary();
}

TEST_F(ZeroDowntimeTest, HotRestartForOtelToggleDropsNoRequest) {
  startWithRoutes();
  const pid_t old_envoy = inst_.envoyPid();
  LoadHarness load(targets());
  load.start();
  ASSERT_TRUE(pollUntil([&] { return load.okSoFar() >= 100; }));
  // Turning OTEL on changes the bootstrap: validated, then applied by hot restart.
  inst_.env()["OTEL_ENABLED"] = "true";
  restartServe();
  EXPECT_EQ(inst_.admin().serverInfo()->restart_epoch, 1u);
  EXPECT_TRUE(pollUntil([&] { return !processAlive(old_envoy); }, seconds(15)));
  // And off again.
  inst_.env()["OTEL_ENABLED"] = "false";
  restartServe();
  EXPECT_EQ(inst_.admin().serverInfo()->restart_epoch, 2u);
  const uint64_t before = load.okSoFar();
  ASSERT_TRUE(pollUntil([&] { return load.okSoFar() >= before + 100; }));
  LoadReport report = load.stop();
  RecordProperty("hot_restart_load", report.summary());
  EXPECT_EQ(report.failed(), 0u) << report.summary();
  // Route state survived both hot restarts.
  EXPECT_EQ(api_->call("GET", "/ingresses/load-0")->status, 200);
}

TEST_F(ZeroDowntimeTest, GracefulStopCompletesInFlightRequests) {
  inst_.env()["ENVOY_STOP_ON_SHUTDOWN"] = "true";
  inst_.env()["ENVOY_DRAIN_TIME_S"] = "4";
  inst_.env()["ENVOY_PARENT_SHUTDOWN_TIME_S"] = "6";
  startWithRoutes();
  // Eight requests that take 1.5 s each are in flight when the stop arrives.
  constexpr int kInFlight = 8;
  std::vector<long> statuses(kInFlight, 0);
  std::vector<std::thread> requests;
  for (int i = 0; i < kInFlight; ++i) {
    requests.emplace_back([&, i] {
      HttpRequest r;
      r.url = "http://127.0.0.1:" + std::to_string(port_) + "/slow/1500";
      r.headers = {{"Host", host(0)}};  // → backend a
      r.timeout = seconds(20);
      auto resp = httpCall(r);
      statuses[i] = resp.ok() ? resp->status : -1;
    });
  }
  ASSERT_TRUE(pollUntil([&] { return a_.inFlight() == kInFlight; }, seconds(10)));
  inst_.signalServe(SIGTERM);
  for (auto& t : requests) t.join();
  auto exit = inst_.waitServeExit(seconds(30));
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->code, 0) << inst_.serveLog();
  for (int i = 0; i < kInFlight; ++i) EXPECT_EQ(statuses[i], 200) << "request " << i;
  EXPECT_FALSE(inst_.ready());
  RecordProperty("graceful_stop_in_flight_ok",
                 std::to_string(std::count(statuses.begin(), statuses.end(), 200)));
}

TEST_F(ZeroDowntimeTest, EnvoySigkillTrafficBackWithinTwoSeconds) {
  startWithRoutes();
  LoadHarness load(targets());
  load.start();
  ASSERT_TRUE(pollUntil([&] { return load.okSoFar() >= 100; }));
  const pid_t envoy = inst_.envoyPid();
  ASSERT_EQ(::kill(envoy, SIGKILL), 0);
  ASSERT_TRUE(pollUntil([&] { return inst_.envoyPid() != envoy && inst_.ready(); }, seconds(5)));
  const uint64_t before = load.okSoFar();
  ASSERT_TRUE(pollUntil([&] { return load.okSoFar() >= before + 200; }, seconds(10)));
  LoadReport report = load.stop();
  RecordProperty("envoy_sigkill_load", report.summary());
  // The routes are back too (the new Envoy loaded the xDS files), and quickly.
  EXPECT_LT(report.longest_gap, milliseconds(2000)) << report.summary();
}

}  // namespace
}  // namespace ingress::testing

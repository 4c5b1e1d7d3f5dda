// Self-healing (issue 9): serve's watchdog replaces a dead envoy-supervisor, and the supervisor
// re-extracts a deleted Envoy binary before it spawns Envoy again. Under constant keep-alive load
// through Envoy: traffic is back within 2 s, /ready says 503 meanwhile and 200 after, and Envoy
// routes exactly the stored ingresses (a create after the recovery is routed too).
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <iostream>
#include <thread>

#include "common/filesystem.h"
#include "common/sha256.h"
#include "e2e/api_client.h"
#include "integration/installation.h"
#include "integration/load_harness.h"
#include "test_common/http_backend.h"

namespace ingress::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class SelfHealingTest : public ::testing::Test {
 protected:
  static constexpr int kHosts = 4;

  void SetUp() override {
    inst_.env()["JWT_SECRET"] = kTestJwtSecret;
    ASSERT_NE(inst_.startServeAndWaitReady(), 0) << inst_.serveLog();
    api_ = std::make_unique<ApiClient>(inst_.apiPort());
    ASSERT_TRUE(api_->waitHealthy()) << inst_.serveLog();
    ASSERT_EQ(api_->call("PUT", "/instances/vm-a", Json{{"ip", backend_.address()}})->status, 200);
    for (int i = 0; i < kHosts; ++i) create("heal-" + std::to_string(i), host(i));
  }

  void create(const std::string& name, const std::string& hostname) {
    auto r = api_->call("POST", "/ingresses",
                        ingressBody(name, hostname, port_, "vm-a", backend_.port()));
    ASSERT_TRUE(r.ok()) << r.status().toString();
    ASSERT_EQ(r->status, 201) << r->body;
  }

  std::string host(int i) const { return "heal" + std::to_string(i) + ".example.com"; }

  std::vector<LoadTarget> targets() const {
    std::vector<LoadTarget> t;
    for (int i = 0; i < kHosts; ++i) {
      t.push_back({"http://127.0.0.1:" + std::to_string(port_) + "/", host(i)});
    }
    return t;
  }

  int viaEnvoy(const std::string& hostname) const {
    HttpRequest r;
    r.url = "http://127.0.0.1:" + std::to_string(port_) + "/";
    r.headers = {{"Host", hostname}};
    auto res = httpCall(r);
    return res.ok() ? res->status : 0;
  }

  int readyStatus() const {
    auto r = api_->call("GET", "/ready", "", "-");
    return r.ok() ? r->status : 0;
  }

  // Every stored ingress is routed by Envoy, and a host never stored is not.
  void expectRoutesEqualTheStore() const {
    auto list = api_->call("GET", "/ingresses");
    ASSERT_TRUE(list.ok());
    size_t stored = 0;
    for (const auto& ing : Json::parse(list->body)) {
      ++stored;
      for (const auto& rule : ing["rules"]) {
        const std::string hostname = rule["match"]["hostname"];
        EXPECT_EQ(viaEnvoy(hostname), 200) << "stored but not routed: " << hostname;
      }
    }
    EXPECT_GE(stored, static_cast<size_t>(kHosts));
    EXPECT_EQ(viaEnvoy("never-stored.example.com"), 404);
  }

  // Polls /ready every 10 ms on its own thread, remembering whether it ever saw a 503.
  struct ReadyWatcher {
    explicit ReadyWatcher(const SelfHealingTest& t)
        : thread([this, &t] {
            while (!stop) {
              if (t.readyStatus() == 503) saw_503 = true;
              std::this_thread::sleep_for(milliseconds(10));
            }
          }) {}
    ~ReadyWatcher() {
      stop = true;
      thread.join();
    }
    std::atomic<bool> stop{false};
    std::atomic<bool> saw_503{false};
    std::thread thread;
  };

  HttpBackend backend_{"vm", "127.0.0.2"};
  Installation inst_;
  std::unique_ptr<ApiClient> api_;
  int port_ = freeLoopbackPort();
};

TEST_F(SelfHealingTest, SupervisorSigkillUnderLoadTrafficBackWithinTwoSeconds) {
  LoadHarness load(targets());
  load.start();
  ASSERT_TRUE(pollUntil([&] { return load.okSoFar() >= 100; }));
  const pid_t supervisor = inst_.supervisorPid();
  ASSERT_NE(supervisor, 0);
  auto watcher = std::make_unique<ReadyWatcher>(*this);
  const auto killed_at = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(supervisor, SIGKILL), 0);
  // A new supervisor serves, and /ready says so.
  ASSERT_TRUE(pollUntil(
      [&] {
        const pid_t now = inst_.supervisorPid();
        return now != 0 && now != supervisor && processAlive(now) && readyStatus() == 200;
      },
      seconds(10)))
      << inst_.currentServeLog();
  const auto ready_after = std::chrono::steady_clock::now() - killed_at;
  const uint64_t before = load.okSoFar();
  ASSERT_TRUE(pollUntil([&] { return load.okSoFar() >= before + 200; }, seconds(10)));
  LoadReport report = load.stop();
  const bool saw_503 = watcher->saw_503.load();
  watcher.reset();
  RecordProperty("supervisor_sigkill_load", report.summary());
  RecordProperty("supervisor_sigkill_ready_ms",
                 std::to_string(std::chrono::duration_cast<milliseconds>(ready_after).count()));
  std::cout << "supervisor SIGKILL: " << report.summary() << "; /ready 200 again after "
            << std::chrono::duration_cast<milliseconds>(ready_after).count() << " ms\n";
  EXPECT_LT(report.longest_gap, milliseconds(2000)) << report.summary();
  // The kill left a window where /ready was 503 (supervisor_alive, watchdog_recovering).
  EXPECT_TRUE(saw_503) << "/ready never said the data plane was down";
  EXPECT_NE(inst_.currentServeLog().find("\"msg\":\"recovered: a new envoy-supervisor serves\""),
            std::string::npos);
  expectRoutesEqualTheStore();
  // The applier is in step with the new Envoy: a change after the recovery is routed.
  create("after-recovery", "after.example.com");
  EXPECT_EQ(viaEnvoy("after.example.com"), 200);
}

TEST_F(SelfHealingTest, ReadyIs503WhileTheSupervisorIsReplaced) {
  const pid_t supervisor = inst_.supervisorPid();
  ReadyWatcher watcher(*this);
  ASSERT_EQ(::kill(supervisor, SIGKILL), 0);
  ASSERT_TRUE(pollUntil([&] { return inst_.supervisorPid() != supervisor && readyStatus() == 200; },
                        seconds(10)))
      << inst_.currentServeLog();
  EXPECT_TRUE(watcher.saw_503.load()) << "/ready never said the data plane was down";
}

TEST_F(SelfHealingTest, DeletedBinaryThenEnvoySigkillIsReExtractedAndBackWithinTwoSeconds) {
  const std::string versions = inst_.dataDir() + "/system/binaries/envoy";
  auto names = FilesystemImpl().listDir(versions);
  ASSERT_TRUE(names.ok() && names->size() == 1) << versions;
  const std::string binary = versions + "/" + names->front() + "/x86_64/envoy";
  auto good = sha256File(binary);
  ASSERT_TRUE(good.ok()) << binary << ": " << good.status().toString();
  LoadHarness load(targets());
  load.start();
  ASSERT_TRUE(pollUntil([&] { return load.okSoFar() >= 100; }));
  ASSERT_EQ(::unlink(binary.c_str()), 0);
  const pid_t envoy = inst_.envoyPid();
  ASSERT_EQ(::kill(envoy, SIGKILL), 0);
  ASSERT_TRUE(pollUntil([&] { return inst_.envoyPid() != envoy && inst_.ready(); }, seconds(10)))
      << inst_.currentServeLog();
  const uint64_t before = load.okSoFar();
  ASSERT_TRUE(pollUntil([&] { return load.okSoFar() >= before + 200; }, seconds(10)));
  LoadReport report = load.stop();
  RecordProperty("binary_deleted_envoy_sigkill_load", report.summary());
  std::cout << "binary deleted + Envoy SIGKILL: " << report.summary() << "\n";
  EXPECT_LT(report.longest_gap, milliseconds(2000)) << report.summary();
  auto now = sha256File(binary);
  ASSERT_TRUE(now.ok()) << "the binary was not re-extracted";
  EXPECT_EQ(*now, *good);
  EXPECT_EQ(readyStatus(), 200);
  expectRoutesEqualTheStore();
}

}  // namespace
}  // namespace ingress::testing

// The Envoy daemon with the real Envoy: start, adoption, crash recovery, hot restart without a
// failed request, graceful stop, side-by-side installations, binary repair, stale pid files.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/filesystem.h"
#include "common/sha256.h"
#include "e2e/api_client.h"
#include "envoy/binary.h"
#include "integration/installation.h"
#include "integration/load_harness.h"
#include "test_common/http_backend.h"

namespace ingress::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string extractedBinary(const Installation& inst) {
  return inst.dataDir() + "/system/binaries/envoy/v1.40/x86_64/envoy";
}

// Pids of live processes (other than serve) whose command line mentions the data directory:
// an envoy-supervisor (--data-dir D) or an Envoy (-c D/envoy/bootstrap.json) of `inst`.
std::vector<pid_t> processesOf(const Installation& inst) {
  std::vector<pid_t> out;
  ProcessLauncherImpl p;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (pid == inst.servePid() || !processAlive(pid)) continue;
    for (const std::string& arg : p.commandLine(pid)) {
      if (arg.find(inst.dataDir()) != std::string::npos) {
        out.push_back(pid);
        break;
      }
    }
  }
  return out;
}

// serve refused to start: exit code, the variable in the log, and nothing left running.
void expectRefusedBeforeAnythingStarted(Installation& inst, int code, std::string_view variable) {
  inst.startServe();
  auto exit = inst.waitServeExit(seconds(30));
  ASSERT_TRUE(exit.has_value()) << "serve did not exit";
  EXPECT_TRUE(exit->exited);
  EXPECT_EQ(exit->code, code) << inst.serveLog();
  EXPECT_NE(inst.serveLog().find(variable), std::string::npos) << inst.serveLog();
  reapChildren();
  EXPECT_FALSE(FilesystemImpl().exists(inst.paths().supervisor_pid));
  EXPECT_FALSE(FilesystemImpl().exists(inst.paths().envoy_pid));
  EXPECT_TRUE(processesOf(inst).empty()) << "a supervisor or Envoy was started";
  EXPECT_FALSE(inst.ready());
}

void expectNoZombies(const Installation& inst) {
  reapChildren();  // the test process's own children (serve) are its job, not the product's
  if (pid_t sup = inst.supervisorPid()) {
    EXPECT_TRUE(zombieChildrenOf(sup).empty()) << "zombie children of the supervisor";
  }
  if (pid_t serve = inst.servePid(); serve != 0 && processAlive(serve)) {
    EXPECT_TRUE(zombieChildrenOf(serve).empty()) << "zombie children of serve";
  }
}

TEST(DaemonTest, StartsEnvoyThatAnswersReady) {
  Installation inst;
  ASSERT_NE(inst.startServeAndWaitReady(), 0) << inst.serveLog();
  EXPECT_TRUE(inst.ready());
  pid_t envoy = inst.envoyPid();
  ASSERT_NE(envoy, 0);
  ProcessLauncherImpl p;
  auto argv = p.commandLine(envoy);
  ASSERT_FALSE(argv.empty());
  EXPECT_EQ(argv[0], extractedBinary(inst));
  // Envoy's parent is the supervisor, not serve.
  EXPECT_NE(inst.supervisorPid(), inst.servePid());
  auto state = inst.state();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->envoy_pid, envoy);
  EXPECT_TRUE(state->live);
  expectNoZombies(inst);
}

TEST(DaemonTest, ServeKilledAndRestartedAdoptsTheSameEnvoy) {
  Installation inst;
  ASSERT_NE(inst.startServeAndWaitReady(), 0) << inst.serveLog();
  const pid_t envoy = inst.envoyPid();
  const pid_t supervisor = inst.supervisorPid();
  inst.signalServe(SIGKILL);
  ASSERT_TRUE(inst.waitServeExit(seconds(5)).has_value());
  EXPECT_TRUE(inst.ready()) << "Envoy must keep serving without ingressd";
  ASSERT_NE(inst.startServeAndWaitReady(), 0) << inst.serveLog();
  EXPECT_EQ(inst.envoyPid(), envoy);
  EXPECT_EQ(inst.supervisorPid(), supervisor);
  EXPECT_NE(inst.serveLog().find("adopted running envoy"), std::string::npos);
  expectNoZombies(inst);
}

TEST(DaemonTest, EnvoyKilledIsReplacedWithinTwoSeconds) {
  Installation inst;
  ASSERT_NE(inst.startServeAndWaitReady(), 0) << inst.serveLog();
  const pid_t old_envoy = inst.envoyPid();
  ASSERT_EQ(::kill(old_envoy, SIGKILL), 0);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(pollUntil([&] { return inst.envoyPid() != old_envoy && inst.ready(); }, seconds(2),
                        milliseconds(10)))
      << "no new Envoy within 2 s";
  const auto took = std::chrono::steady_clock::now() - t0;
  RecordProperty("recovery_ms",
                 std::to_string(std::chrono::duration_cast<milliseconds>(took).count()));
  EXPECT_FALSE(processAlive(old_envoy));
  auto state = inst.state();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->envoy_restarts, 1u);
  expectNoZombies(inst);
}

TEST(DaemonTest, HotRestartOnBootstrapChangeDropsNoRequest) {
  Installation inst;
  inst.env()["JWT_SECRET"] = kTestJwtSecret;
  HttpBackend backend("b", "127.0.0.2");
  const int listener_port = freeLoopbackPort();
  ASSERT_NE(inst.startServeAndWaitReady(), 0) << inst.serveLog();
  const pid_t old_envoy = inst.envoyPid();
  ASSERT_EQ(inst.admin().serverInfo()->restart_epoch, 0u);
  // A route through Envoy for the client to loop on.
  ApiClient api(inst.apiPort());
  ASSERT_TRUE(api.waitHealthy());
  ASSERT_EQ(api.call("PUT", "/instances/vm", Json{{"ip", backend.address()}})->status, 200);
  ASSERT_EQ(api.call("POST", "/ingresses",
                     ingressBody("loop", "loop.example.com", listener_port, "vm", backend.port()))
                ->status,
            201);

  LoadHarness client(
      {{"http://127.0.0.1:" + std::to_string(listener_port) + "/", "loop.example.com"}},
      /*workers=*/1);
  client.start();
  ASSERT_TRUE(pollUntil([&] { return client.okSoFar() >= 50; }, seconds(10)));

  // A new admin port changes the bootstrap: serve validates it and hot-restarts Envoy.
  inst.signalServe(SIGTERM);
  ASSERT_TRUE(inst.waitServeExit(seconds(10)).has_value());
  inst.setAdminPort(freeLoopbackPort());
  ASSERT_NE(inst.startServeAndWaitReady(), 0) << inst.serveLog();
  auto info = inst.admin().serverInfo();
  ASSERT_TRUE(info.ok()) << info.status().toString();
  EXPECT_EQ(info->restart_epoch, 1u);
  const pid_t new_envoy = inst.envoyPid();
  EXPECT_NE(new_envoy, old_envoy);
  // The old epoch drains and exits by itself after --parent-shutdown-time-s (3 s here).
  EXPECT_TRUE(pollUntil([&] { return !processAlive(old_envoy); }, seconds(15)));
  const uint64_t before = client.okSoFar();
  ASSERT_TRUE(pollUntil([&] { return client.okSoFar() >= before + 50; }, seconds(10)));
  const LoadReport report = client.stop();
  EXPECT_EQ(report.failed(), 0u) << report.summary();
  RecordProperty("requests_during_hot_restart", std::to_string(report.ok));
  auto state = inst.state();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->hot_restarts, 1u);
  EXPECT_EQ(state->epoch, 1u);
  expectNoZombies(inst);
}

TEST(DaemonTest, InvalidBootstrapIsRefusedAndEnvoyKeepsServing) {
  Installation inst;
  ASSERT_NE(inst.startServeAndWaitReady(), 0) << inst.serveLog();
  const pid_t envoy = inst.envoyPid();
  inst.signalServe(SIGTERM);
  ASSERT_TRUE(inst.waitServeExit(seconds(10)).has_value());
  // A refusal by Envoy itself: ENVOY_BINARY points at a wrapper that runs the real Envoy but
  // fails `--mode validate`. The changed binary changes the launch, so serve must validate the
  // bootstrap before hot-restarting, and the refusal must leave the running Envoy alone.
  const std::string wrapper = inst.dataDir() + "/envoy-refusing-validate.sh";
  ASSERT_TRUE(FilesystemImpl()
                  .writeFileAtomic(wrapper,
                                   "#!/bin/sh\n"
                                   "for a in \"$@\"; do\n"
                                   "  if [ \"$a\" = validate ]; then\n"
                                   "    echo 'test wrapper: refusing the bootstrap' >&2; exit 1\n"
                                   "  fi\n"
                                   "done\n"
                                   "exec '" +
                                       extractedBinary(inst) + "' \"$@\"\n",
                                   0755)
                  .ok());
  inst.env()["ENVOY_BINARY"] = wrapper;
  inst.startServe();
  auto exit = inst.waitServeExit(seconds(30));
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->exited && exit->code != 0);
  EXPECT_NE(inst.serveLog().find("Envoy rejected the new bootstrap"), std::string::npos)
      << inst.serveLog();
  EXPECT_EQ(inst.envoyPid(), envoy);
  EXPECT_TRUE(inst.ready());
  EXPECT_EQ(inst.admin().serverInfo()->restart_epoch, 0u);
}

TEST(DaemonTest, StopOnShutdownDrainsStopsAndRemovesPidFiles) {
  Installation inst;
  inst.env()["ENVOY_STOP_ON_SHUTDOWN"] = "true";
  ASSERT_NE(inst.startServeAndWaitReady(), 0) << inst.serveLog();
  const pid_t envoy = inst.envoyPid();
  const pid_t supervisor = inst.supervisorPid();
  inst.signalServe(SIGTERM);
  auto exit = inst.waitServeExit(seconds(30));
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->exited);
  EXPECT_EQ(exit->code, 0) << inst.serveLog();
  reapChildren();
  EXPECT_TRUE(pollUntil(
      [&] {
        reapChildren();
        return !processAlive(supervisor);
      },
      seconds(5)));
  EXPECT_FALSE(processAlive(envoy));
  FilesystemImpl fs;
  EXPECT_FALSE(fs.exists(inst.paths().envoy_pid));
  EXPECT_FALSE(fs.exists(inst.paths().supervisor_pid));
  EXPECT_FALSE(inst.ready());
}

TEST(DaemonTest, TwoInstallationsRunSideBySide) {
  Installation a;
  Installation b;
  ASSERT_NE(a.startServeAndWaitReady(), 0) << a.serveLog();
  ASSERT_NE(b.startServeAndWaitReady(), 0) << b.serveLog();
  EXPECT_TRUE(a.ready());
  EXPECT_TRUE(b.ready());
  EXPECT_NE(a.envoyPid(), b.envoyPid());
  auto ia = a.admin().serverInfo();
  auto ib = b.admin().serverInfo();
  ASSERT_TRUE(ia.ok() && ib.ok());
  EXPECT_NE(ia->base_id, ib->base_id);
  // Killing one leaves the other untouched.
  const pid_t b_envoy = b.envoyPid();
  a.shutdown();
  EXPECT_TRUE(b.ready());
  EXPECT_EQ(b.envoyPid(), b_envoy);
}

TEST(DaemonTest, CorruptedExtractedBinaryIsReplaced) {
  Installation inst;
  ASSERT_NE(inst.startServeAndWaitReady(), 0) << inst.serveLog();
  inst.shutdown();
  const std::string path = extractedBinary(inst);
  FilesystemImpl fs;
  const auto good = sha256File(path);
  ASSERT_TRUE(good.ok());
  // Truncate to a few bytes (a crash mid-copy, or tampering).
  ASSERT_TRUE(fs.writeFileAtomic(path, "#!/bin/sh\nexit 1\n", 0755).ok());
  ASSERT_NE(inst.startServeAndWaitReady(), 0) << inst.serveLog();
  EXPECT_EQ(*sha256File(path), *good);
  EXPECT_NE(inst.serveLog().find("does not match the pinned hash"), std::string::npos);
  EXPECT_TRUE(inst.ready());
}

TEST(DaemonTest, StalePidFilesOfUnrelatedProcessesAreNotAdopted) {
  Installation inst;
  ProcessLauncherImpl p;
  SpawnOptions o;
  o.argv = {"/bin/sleep", "60"};
  auto unrelated = p.spawn(o);
  ASSERT_TRUE(unrelated.ok());
  FilesystemImpl fs;
  ASSERT_TRUE(fs.makeDirs(inst.paths().dir, 0700).ok());
  const std::string pid_text = std::to_string(*unrelated) + "\n";
  ASSERT_TRUE(fs.writeFileAtomic(inst.paths().supervisor_pid, pid_text, 0644).ok());
  ASSERT_TRUE(fs.writeFileAtomic(inst.paths().envoy_pid, pid_text, 0644).ok());
  ASSERT_NE(inst.startServeAndWaitReady(), 0) << inst.serveLog();
  EXPECT_NE(inst.supervisorPid(), *unrelated);
  EXPECT_NE(inst.envoyPid(), *unrelated);
  EXPECT_TRUE(processAlive(*unrelated)) << "an unrelated process must not be signalled";
  EXPECT_EQ(inst.serveLog().find("adopted running envoy"), std::string::npos);
  (void)p.signal(*unrelated, SIGKILL);
  (void)p.waitChild(*unrelated, seconds(5));
}

TEST(DaemonTest, EnvoyLogIsRotatedPastItsLimit) {
  Installation inst;
  inst.env()["ENVOY_LOG_MAX_BYTES"] = "20000";
  inst.env()["ENVOY_LOG_LEVEL"] = "debug";  // Envoy logs plenty at debug
  ASSERT_NE(inst.startServeAndWaitReady(), 0) << inst.serveLog();
  FilesystemImpl fs;
  const std::string log = inst.paths().envoy_log;
  // Admin requests make debug log lines; the supervisor checks every 2 s.
  ASSERT_TRUE(pollUntil(
      [&] {
        (void)inst.admin().get("/stats");
        return fs.exists(log + ".1");
      },
      seconds(20)))
      << "envoy.log was never rotated";
  EXPECT_TRUE(pollUntil([&] { return fs.exists(log); }, seconds(5)))
      << "Envoy did not reopen envoy.log after SIGUSR1";
  EXPECT_TRUE(inst.ready());
}

TEST(DaemonTest, InvalidSettingStopsStartupNamingTheVariable) {
  Installation inst;
  inst.env()["ENVOY_ADMIN_PORT"] = "99999";
  inst.startServe();
  auto exit = inst.waitServeExit(seconds(10));
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->code, 2);
  EXPECT_NE(inst.serveLog().find("ENVOY_ADMIN_PORT"), std::string::npos) << inst.serveLog();
  EXPECT_FALSE(FilesystemImpl().exists(inst.paths().supervisor_pid));
}

TEST(DaemonTest, UnbracketedIpv6ApiListenStopsServeBeforeEnvoyStarts) {
  Installation inst;
  inst.env()["API_LISTEN"] = "::1:8080";
  expectRefusedBeforeAnythingStarted(inst, 2, "API_LISTEN");
  EXPECT_NE(inst.serveLog().find("brackets"), std::string::npos) << inst.serveLog();
}

TEST(DaemonTest, MetricsListenInUseStopsServeBeforeEnvoyStarts) {
  Installation inst;
  HttpBackend holder("holder", "127.0.0.1");  // holds the port
  inst.env()["METRICS_LISTEN"] = "127.0.0.1:" + std::to_string(holder.port());
  expectRefusedBeforeAnythingStarted(inst, 1, "METRICS_LISTEN");
}

TEST(DaemonTest, InotifyBudgetTooSmallForTheListenerPortCapStopsServeBeforeEnvoyStarts) {
  long max = 0;
  std::ifstream("/proc/sys/fs/inotify/max_user_instances") >> max;
  if (max > 1000) GTEST_SKIP() << "fs.inotify.max_user_instances=" << max << " holds the cap";
  Installation inst;
  inst.env()["MAX_LISTENER_PORTS"] = "1024";  // with 24 certificates: needs 1051 instances
  expectRefusedBeforeAnythingStarted(
      inst, 1, "MAX_LISTENER_PORTS=1024 and MAX_CERTIFICATES=24 need up to 1051");
  EXPECT_NE(inst.serveLog().find("fs.inotify.max_user_instances=" + std::to_string(max)),
            std::string::npos)
      << inst.serveLog();
}

TEST(DaemonTest, ApiListenInUseStopsServeBeforeEnvoyStarts) {
  Installation inst;
  HttpBackend holder("holder", "127.0.0.1");
  inst.env()["API_LISTEN"] = "127.0.0.1:" + std::to_string(holder.port());
  expectRefusedBeforeAnythingStarted(inst, 1, "API_LISTEN");
}

}  // namespace
}  // namespace ingress::testing

// Installation: one `ingressd serve` data directory under test, with the real Envoy.
//
// Starts serve as a child process with a private DATA_DIR, free loopback ports and short drain
// times; exposes the pid files, supervisor state and admin API; on destruction stops the
// supervisor (and so Envoy) and reaps everything. The test process makes itself a child
// subreaper, so supervisors orphaned by a killed serve are reaped here rather than left to pid 1.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/filesystem.h"
#include "common/process.h"
#include "envoy/admin_client.h"
#include "envoy/daemon.h"
#include "ingress/model.h"
#include "test_common/test_env.h"

namespace ingress::testing {

// TARGET_DENY_CIDRS for daemons under test: the default without loopback, since the tests'
// backends listen on 127.0.0.1 (the daemon's own sockets stay refused regardless).
inline constexpr const char* kLoopbackTargetDenyCidrs =
    "169.254.0.0/16,fe80::/10,224.0.0.0/4,ff00::/8,255.255.255.255/32,0.0.0.0/8,::/128";

class Installation {
 public:
  Installation();
  ~Installation();

  // Extra environment for the next startServe() (name → value).
  std::map<std::string, std::string>& env() { return env_; }
  const std::string& dataDir() const { return dir_.path(); }
  // Before serve starts: `n` stored ingresses (files in the store's format, no fsync), each one
  // rule `seed-<i>.<domain>` on `port` to `instance`:`target_port`, created in the past so that
  // they come first in the list. For scenarios at scale (INGRESS_SCENARIO_EXISTING).
  // INGRESS_SCENARIO_EXISTING (0 unless set; `make bench` sets 10000): how many ingresses the
  // scenario tests seed on their loaded port before they start.
  static int scenarioExisting();
  void seedIngresses(int n, int port, const std::string& instance, int target_port,
                     const std::string& suffix = "seed.test");
  // One ingress written into the store's folder as IngressStore would (mode 0600; no fsync:
  // serve has not started). False when it cannot be written.
  bool storeIngress(const domain::Ingress& ingress);
  int adminPort() const { return admin_port_; }
  void setAdminPort(int port) { admin_port_ = port; }
  int apiPort() const { return api_port_; }
  envoy::EnvoyPaths paths() const { return envoy::EnvoyPaths(dir_.path()); }

  // Starts `ingressd serve`; returns its pid.
  pid_t startServe();
  // Starts serve and waits until the log says Envoy serves and the admin API is ready.
  pid_t startServeAndWaitReady(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Waits for the serve process to exit; its exit status, or nullopt on timeout.
  std::optional<ExitStatus> waitServeExit(std::chrono::milliseconds timeout);
  void signalServe(int sig);
  pid_t servePid() const { return serve_pid_; }
  // The logs of every serve run so far, and of the latest run only.
  std::string serveLog() const;
  std::string currentServeLog() const;

  bool ready() const;
  envoy::AdminClient admin() const;
  pid_t envoyPid() const;       // from envoy.pid, 0 if absent
  pid_t supervisorPid() const;  // from supervisor.pid, 0 if absent
  StatusOr<envoy::SupervisorState> state() const;

  // Stops everything (SIGTERM to the supervisor, then SIGKILL) and reaps.
  void shutdown();

 private:
  TempDir dir_;
  int admin_port_;
  int api_port_;
  std::map<std::string, std::string> env_;
  pid_t serve_pid_ = 0;
  int serve_count_ = 0;
  std::vector<pid_t> all_pids_;  // every process seen, killed at shutdown if still alive
  mutable FilesystemImpl fs_;
  mutable ProcessLauncherImpl processes_;
};

// Reaps exited children of the test process (including adopted orphans).
void reapChildren();
// Pids of zombie processes whose parent is `parent`.
std::vector<pid_t> zombieChildrenOf(pid_t parent);
bool processAlive(pid_t pid);

}  // namespace ingress::testing

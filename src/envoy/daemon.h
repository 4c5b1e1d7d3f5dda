// EnvoyDaemon: how `ingressd serve` gets a serving Envoy without owning it.
//
// start():
//   1. writes the xDS directory (empty LDS/CDS when absent) and renders the bootstrap;
//   2. discovers a running supervisor of this data dir (supervisor.pid, /proc/<pid>/cmdline names
//      `envoy-supervisor --data-dir <this dir>`; a reused pid or another installation's process is
//      never adopted) and checks through the admin API that the Envoy answering is ours (base id
//      and bootstrap path);
//   3. adopts it, and when the bootstrap or launch spec changed, validates the new bootstrap with
//      `envoy --mode validate` and applies it by hot restart (an invalid one is refused and the
//      running Envoy keeps serving); or, with nothing running, starts a new supervisor;
//   4. waits, with a deadline, until Envoy is LIVE.
// recover(): after start(), when the supervisor has died (serve's watchdog): adopts a supervisor
//   of ours if one runs again, else stops a stray Envoy of ours (Envoy normally dies with its
//   supervisor) and starts a new supervisor with the bootstrap start() validated (no second
//   `--mode validate`, so recovery stays well inside 2 s); waits until Envoy is LIVE.
// stop(): asks the supervisor to drain and stop Envoy (ENVOY_STOP_ON_SHUTDOWN=true) and waits.
// Not thread-safe: serve calls start() on its main thread, then only the watchdog thread calls
// recover(), and stop() comes after the watchdog stopped. supervisorRunning() only reads files
// and /proc, and may be called from any thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

#include "common/clock.h"
#include "common/filesystem.h"
#include "common/json.h"
#include "common/process.h"
#include "envoy/bootstrap.h"
#include "envoy/launch.h"

namespace ingress::envoy {

struct DaemonOptions {
  std::string data_dir;      // absolute, canonical
  std::string self_exe;      // this ingressd executable, to start the supervisor
  std::string envoy_binary;  // the Envoy to run
  BootstrapOptions bootstrap;
  int drain_time_s = 5;
  int parent_shutdown_time_s = 10;
  std::string envoy_log_level = "info";
  uint64_t envoy_log_max_bytes = 64ull << 20;
  std::chrono::milliseconds ready_timeout{30000};
};

// The supervisor's state file, as serve reads it.
struct SupervisorState {
  pid_t supervisor_pid = 0;
  pid_t envoy_pid = 0;
  uint32_t epoch = 0;
  bool live = false;
  std::string serving_bootstrap_sha256;
  uint64_t envoy_restarts = 0;
  uint64_t hot_restarts = 0;
  uint64_t hot_restart_failures = 0;
  std::string last_error;
};
StatusOr<SupervisorState> readSupervisorState(const Filesystem& fs, const std::string& path);

class EnvoyDaemon {
 public:
  EnvoyDaemon(DaemonOptions options, Filesystem& fs, ProcessLauncher& processes, Clock& clock);

  Status start();
  Status recover();
  Status stop(std::chrono::milliseconds timeout);

  // True when a supervisor of this data dir is running (start() will adopt it).
  bool supervisorRunning() const { return findOurSupervisor() != 0; }
  bool adopted() const { return adopted_; }
  pid_t supervisorPid() const { return supervisor_pid_; }
  const EnvoyPaths& paths() const { return paths_; }
  std::string adminBaseUrl() const;
  // The current state file (kNotFound before the supervisor wrote one).
  StatusOr<SupervisorState> state() const;

 private:
  LaunchSpec launchSpec() const;
  pid_t findOurSupervisor() const;
  Status verifyOurEnvoy(const LaunchSpec& running) const;
  Status validateBootstrap(const std::string& text);
  Status startSupervisor(const std::string& bootstrap_text, const LaunchSpec& launch);
  Status hotRestart(const std::string& bootstrap_text, const LaunchSpec& launch);
  Status waitLive(const std::string& bootstrap_sha, uint64_t failures_before);
  void stopStrayEnvoy();

  DaemonOptions options_;
  EnvoyPaths paths_;
  Filesystem& fs_;
  ProcessLauncher& processes_;
  Clock& clock_;
  bool adopted_ = false;
  pid_t supervisor_pid_ = 0;
  std::string bootstrap_text_;  // what start() validated and serves; recover() reuses it
};

}  // namespace ingress::envoy

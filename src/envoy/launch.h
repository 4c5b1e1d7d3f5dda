// LaunchSpec: how the supervisor starts Envoy. `ingressd serve` writes it to
// {DATA_DIR}/envoy/launch.json before starting the supervisor or asking it for a hot restart;
// the supervisor reads it at start and on every hot-restart request, so a new binary, bootstrap
// or admin address takes effect with the next epoch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/filesystem.h"
#include "common/json.h"
#include "common/status.h"

namespace ingress::envoy {

// The files of one installation, all under {DATA_DIR}/envoy/.
struct EnvoyPaths {
  explicit EnvoyPaths(const std::string& data_dir);
  std::string data_dir;
  std::string dir;             // {DATA_DIR}/envoy
  std::string xds_dir;         // {DATA_DIR}/envoy/xds2 (watched by Envoy)
  std::string bootstrap;       // bootstrap.json
  std::string launch;          // launch.json
  std::string envoy_pid;       // envoy.pid: the serving Envoy
  std::string supervisor_pid;  // supervisor.pid
  std::string state;           // supervisor-state.json (written by the supervisor)
  std::string envoy_log;       // envoy.log: Envoy's own log (--log-path)
  std::string envoy_stdout;    // envoy-stdout.log
  std::string supervisor_log;  // supervisor.log
};

struct LaunchSpec {
  std::string envoy_binary;
  std::string bootstrap_path;
  uint32_t base_id = 0;
  int drain_time_s = 5;
  int parent_shutdown_time_s = 10;
  std::string log_path;
  std::string stdout_path;
  std::string log_level = "info";
  std::string admin_address = "127.0.0.1";
  uint16_t admin_port = 9901;
  // envoy.log is rotated to envoy.log.1 past this size (Envoy reopens it on SIGUSR1), so Envoy's
  // logs never take more than about twice this on disk.
  uint64_t log_max_bytes = 64ull << 20;
  bool operator==(const LaunchSpec&) const = default;
};

Json encodeLaunchSpec(const LaunchSpec& spec);
StatusOr<LaunchSpec> decodeLaunchSpec(const Json& j);
StatusOr<LaunchSpec> readLaunchSpec(const Filesystem& fs, const std::string& path);

// Envoy's command line for one epoch.
std::vector<std::string> envoyArgv(const LaunchSpec& spec, uint32_t epoch);

// A base id derived from the data directory, so that installations (and parallel tests) on one
// host never share Envoy's hot-restart shared memory or sockets. Envoy scales it by 10 and adds
// the epoch; ids are spaced 40 apart so up to 400 epochs never reach a neighbour's range.
uint32_t baseIdForDataDir(const std::string& canonical_data_dir);

// Raises this process's soft RLIMIT_NOFILE to its hard limit, so the Envoy it spawns (which
// inherits it) can hold as many connections as the host allows. Returns the soft limit in force
// afterwards (0 when it cannot be read). Called by the supervisor before it spawns Envoy.
uint64_t raiseOpenFileLimit();

// "http://127.0.0.1:9901" (IPv6 in brackets).
std::string adminUrl(const std::string& address, uint16_t port);

}  // namespace ingress::envoy

#include "envoy/daemon.h"

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <thread>

#include "common/log.h"
#include "common/sha256.h"
#include "envoy/admin_client.h"

namespace ingress::envoy {
namespace {

using std::chrono::milliseconds;

StatusOr<pid_t> readPidFile(const Filesystem& fs, const std::string& path) {
  INGRESS_ASSIGN_OR_RETURN(std::string text, fs.readFileLimited(path, 64));
  try {
    size_t used = 0;
    long pid = std::stol(text, &used);
    if (pid <= 0 || (used < text.size() && text.substr(used) != "\n")) throw std::exception();
    return static_cast<pid_t>(pid);
  } catch (const std::exception&) {
    return invalidArgument(path + " does not hold a pid");
  }
}

bool argvHasPair(const std::vector<std::string>& argv, const std::string& flag,
                 const std::string& value) {
  for (size_t i = 0; i + 1 < argv.size(); ++i) {
    if (argv[i] == flag && argv[i + 1] == value) return true;
  }
  return false;
}

std::string tail(const std::string& s, size_t n) {
  return s.size() <= n ? s : "…" + s.substr(s.size() - n);
}

}  // namespace

StatusOr<SupervisorState> readSupervisorState(const Filesystem& fs, const std::string& path) {
  INGRESS_ASSIGN_OR_RETURN(std::string text, fs.readFileLimited(path, 64 * 1024));
  INGRESS_ASSIGN_OR_RETURN(Json j, parseJsonStrict(text));
  try {
    SupervisorState s;
    s.supervisor_pid = j.at("supervisor_pid").get<pid_t>();
    s.envoy_pid = j.at("envoy_pid").get<pid_t>();
    s.epoch = j.at("epoch").get<uint32_t>();
    s.live = j.at("live").get<bool>();
    s.serving_bootstrap_sha256 = j.at("serving_bootstrap_sha256").get<std::string>();
    s.envoy_restarts = j.at("envoy_restarts").get<uint64_t>();
    s.hot_restarts = j.at("hot_restarts").get<uint64_t>();
    s.hot_restart_failures = j.at("hot_restart_failures").get<uint64_t>();
    s.last_error = j.at("last_error").get<std::string>();
    return s;
  } catch (const std::exception& e) {
    return invalidArgument(path + ": " + e.what());
  }
}

EnvoyDaemon::EnvoyDaemon(DaemonOptions options, Filesystem& fs, ProcessLauncher& processes,
                         Clock& clock)
    : options_(std::move(options)),
      paths_(options_.data_dir),
      fs_(fs),
      processes_(processes),
      clock_(clock) {
  options_.bootstrap.xds_dir = paths_.xds_dir;
}

LaunchSpec EnvoyDaemon::launchSpec() const {
  LaunchSpec s;
  s.envoy_binary = options_.envoy_binary;
  s.bootstrap_path = paths_.bootstrap;
  s.base_id = baseIdForDataDir(options_.data_dir);
  s.drain_time_s = options_.drain_time_s;
  s.parent_shutdown_time_s = options_.parent_shutdown_time_s;
  s.log_path = paths_.envoy_log;
  s.stdout_path = paths_.envoy_stdout;
  s.log_level = options_.envoy_log_level;
  s.admin_address = options_.bootstrap.admin_address;
  s.admin_port = options_.bootstrap.admin_port;
  s.log_max_bytes = options_.envoy_log_max_bytes;
  return s;
}

std::string EnvoyDaemon::adminBaseUrl() const {
  return adminUrl(options_.bootstrap.admin_address, options_.bootstrap.admin_port);
}

StatusOr<SupervisorState> EnvoyDaemon::state() const {
  return readSupervisorState(fs_, paths_.state);
}

pid_t EnvoyDaemon::findOurSupervisor() const {
  auto pid = readPidFile(fs_, paths_.supervisor_pid);
  if (!pid.ok() || !processes_.isAlive(*pid)) return 0;
  auto argv = processes_.commandLine(*pid);
  const bool ours = argv.size() >= 2 && argv[1] == "envoy-supervisor" &&
                    argvHasPair(argv, "--data-dir", options_.data_dir);
  if (!ours) {
    log::warn("supervisor.pid names a process that is not our supervisor; not adopting it",
              {{"pid", *pid}});
    return 0;
  }
  return *pid;
}

Status EnvoyDaemon::verifyOurEnvoy(const LaunchSpec& running) const {
  AdminClient admin(adminUrl(running.admin_address, running.admin_port));
  INGRESS_ASSIGN_OR_RETURN(ServerInfo info, admin.serverInfo());
  if (info.base_id != running.base_id || info.config_path != running.bootstrap_path) {
    return failedPrecondition("the Envoy answering on " + admin.baseUrl() +
                              " belongs to another installation (base id " +
                              std::to_string(info.base_id) + ", config " + info.config_path + ")");
  }
  return okStatus();
}

Status EnvoyDaemon::validateBootstrap(const std::string& text) {
  const std::string tmp = joinPath(paths_.dir, "bootstrap.validate.json");
  INGRESS_RETURN_IF_ERROR(fs_.writeFileAtomic(tmp, text, 0600));
  auto r = processes_.run({options_.envoy_binary, "--mode", "validate", "-c", tmp, "-l", "error",
                           "--base-id", "0", "--disable-hot-restart"},
                          std::chrono::seconds(60), 64 * 1024);
  (void)fs_.removeFile(tmp);
  if (!r.ok()) return r.status().withContext("envoy --mode validate");
  if (!r->status.exited || r->status.code != 0) {
    return failedPrecondition("Envoy rejected the new bootstrap (envoy --mode validate " +
                                  r->status.toString() + "): " + tail(r->output, 2000),
                              "config_rejected");
  }
  return okStatus();
}

void EnvoyDaemon::stopStrayEnvoy() {
  // An Envoy of ours without its supervisor (it normally dies with it) would hold the ports.
  auto pid = readPidFile(fs_, paths_.envoy_pid);
  if (!pid.ok() || !processes_.isAlive(*pid)) return;
  auto argv = processes_.commandLine(*pid);
  if (!argvHasPair(argv, "-c", paths_.bootstrap)) return;
  log::warn("stopping an Envoy left without its supervisor", {{"pid", *pid}});
  (void)processes_.signal(*pid, SIGTERM);
  auto deadline = clock_.monotonicNow() + std::chrono::seconds(5);
  while (processes_.isAlive(*pid) && clock_.monotonicNow() < deadline) {
    clock_.sleepFor(milliseconds(20));
  }
  if (processes_.isAlive(*pid)) (void)processes_.signal(*pid, SIGKILL);
}

Status EnvoyDaemon::waitLive(const std::string& bootstrap_sha, uint64_t failures_before) {
  auto deadline = clock_.monotonicNow() + options_.ready_timeout;
  AdminClient admin(adminBaseUrl(), milliseconds(500));
  for (;;) {
    auto st = state();
    if (st.ok() && st->live && st->serving_bootstrap_sha256 == bootstrap_sha &&
        processes_.isAlive(st->envoy_pid) && admin.ready()) {
      return okStatus();
    }
    if (st.ok() && st->hot_restart_failures > failures_before) {
      return aborted("Envoy failed to take over with the new bootstrap: " + st->last_error,
                     "config_rejected");
    }
    if (supervisor_pid_ != 0 && !processes_.isAlive(supervisor_pid_)) {
      return unavailable("envoy-supervisor exited; see " + paths_.supervisor_log);
    }
    if (clock_.monotonicNow() >= deadline) {
      return deadlineExceeded("Envoy was not ready within " +
                              std::to_string(options_.ready_timeout.count()) + " ms" +
                              (st.ok() && !st->last_error.empty() ? ": " + st->last_error : ""));
    }
    clock_.sleepFor(milliseconds(20));
  }
}

Status EnvoyDaemon::startSupervisor(const std::string& bootstrap_text, const LaunchSpec& launch) {
  stopStrayEnvoy();
  INGRESS_RETURN_IF_ERROR(fs_.writeFileAtomic(paths_.bootstrap, bootstrap_text, 0600));
  INGRESS_RETURN_IF_ERROR(
      fs_.writeFileAtomic(paths_.launch, dumpJson(encodeLaunchSpec(launch), 2) + "\n", 0600));
  (void)fs_.removeFile(paths_.state);
  SpawnOptions o;
  o.argv = {options_.self_exe, "envoy-supervisor", "--data-dir", options_.data_dir};
  o.stdout_path = paths_.supervisor_log;
  o.new_session = true;
  INGRESS_ASSIGN_OR_RETURN(supervisor_pid_, processes_.spawn(o));
  // The supervisor outlives us; while we live, reap it if it exits so it never lingers as a zombie.
  std::thread([pid = supervisor_pid_] {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }).detach();
  log::info("started envoy-supervisor", {{"pid", supervisor_pid_}});
  return waitLive(sha256Hex(bootstrap_text), 0);
}

Status EnvoyDaemon::hotRestart(const std::string& bootstrap_text, const LaunchSpec& launch) {
  INGRESS_RETURN_IF_ERROR(validateBootstrap(bootstrap_text));
  auto before = state();
  const uint64_t failures_before = before.ok() ? before->hot_restart_failures : 0;
  INGRESS_RETURN_IF_ERROR(fs_.writeFileAtomic(paths_.bootstrap, bootstrap_text, 0600));
  INGRESS_RETURN_IF_ERROR(
      fs_.writeFileAtomic(paths_.launch, dumpJson(encodeLaunchSpec(launch), 2) + "\n", 0600));
  log::info("bootstrap changed; hot restarting envoy", {{"supervisor_pid", supervisor_pid_}});
  INGRESS_RETURN_IF_ERROR(processes_.signal(supervisor_pid_, SIGHUP));
  return waitLive(sha256Hex(bootstrap_text), failures_before);
}

Status EnvoyDaemon::start() {
  INGRESS_RETURN_IF_ERROR(fs_.makeDirs(paths_.dir, 0700));
  INGRESS_RETURN_IF_ERROR(fs_.makeDirs(paths_.xds_dir, 0700));
  for (const char* name : {"lds.json", "cds.json"}) {
    const std::string path = joinPath(paths_.xds_dir, name);
    if (!fs_.exists(path)) {
      INGRESS_RETURN_IF_ERROR(fs_.writeFileAtomic(path, emptyDiscoveryResponse(), 0600));
    }
  }
  const std::string bootstrap_text = renderBootstrapText(options_.bootstrap);
  const std::string bootstrap_sha = sha256Hex(bootstrap_text);
  bootstrap_text_ = bootstrap_text;
  const LaunchSpec launch = launchSpec();

  supervisor_pid_ = findOurSupervisor();
  if (supervisor_pid_ == 0) {
    adopted_ = false;
    INGRESS_RETURN_IF_ERROR(validateBootstrap(bootstrap_text));
    return startSupervisor(bootstrap_text, launch);
  }

  adopted_ = true;
  auto running = readLaunchSpec(fs_, paths_.launch);
  if (!running.ok()) return running.status().withContext("adopting the running supervisor");
  // The supervisor may be mid-restart: wait until it reports a live Envoy before judging it.
  auto deadline = clock_.monotonicNow() + options_.ready_timeout;
  StatusOr<SupervisorState> st = state();
  while (!(st.ok() && st->live) && clock_.monotonicNow() < deadline) {
    clock_.sleepFor(milliseconds(20));
    st = state();
  }
  if (!st.ok() || !st->live) return unavailable("the running supervisor has no live Envoy");
  INGRESS_RETURN_IF_ERROR(verifyOurEnvoy(*running));
  log::info(
      "adopted running envoy",
      {{"supervisor_pid", supervisor_pid_}, {"envoy_pid", st->envoy_pid}, {"epoch", st->epoch}});
  if (st->serving_bootstrap_sha256 == bootstrap_sha && *running == launch) {
    return waitLive(bootstrap_sha, st->hot_restart_failures);
  }
  return hotRestart(bootstrap_text, launch);
}

Status EnvoyDaemon::recover() {
  if (bootstrap_text_.empty()) return failedPrecondition("recover() before start()");
  const std::string bootstrap_sha = sha256Hex(bootstrap_text_);
  supervisor_pid_ = findOurSupervisor();
  if (supervisor_pid_ != 0) {
    log::info("a supervisor of ours runs again; adopting it",
              {{"supervisor_pid", supervisor_pid_}});
    auto st = state();
    return waitLive(bootstrap_sha, st.ok() ? st->hot_restart_failures : 0);
  }
  return startSupervisor(bootstrap_text_, launchSpec());
}

Status EnvoyDaemon::stop(std::chrono::milliseconds timeout) {
  if (supervisor_pid_ == 0) supervisor_pid_ = findOurSupervisor();
  if (supervisor_pid_ == 0) return okStatus();
  log::info("stopping envoy (ENVOY_STOP_ON_SHUTDOWN)", {{"supervisor_pid", supervisor_pid_}});
  INGRESS_RETURN_IF_ERROR(processes_.signal(supervisor_pid_, SIGTERM));
  auto deadline = clock_.monotonicNow() + timeout;
  while (processes_.isAlive(supervisor_pid_)) {
    if (clock_.monotonicNow() >= deadline) {
      return deadlineExceeded("envoy-supervisor did not stop within " +
                              std::to_string(timeout.count()) + " ms");
    }
    clock_.sleepFor(milliseconds(20));
  }
  return okStatus();
}

}  // namespace ingress::envoy

#include "exe/serve.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "common/clock.h"
#include "common/filesystem.h"
#include "common/http_client.h"
#include "common/log.h"
#include "common/process.h"
#include "envoy/binary.h"
#include "envoy/daemon.h"
#include "envoy/embedded_envoy.h"

namespace ingress::exe {
namespace {

StatusOr<std::string> canonicalDataDir(Filesystem& fs, const std::string& dir) {
  if (!fs.exists(dir)) INGRESS_RETURN_IF_ERROR(fs.makeDirs(dir, 0700));
  char buf[PATH_MAX];
  if (::realpath(dir.c_str(), buf) == nullptr) return errnoError("realpath " + dir, errno);
  return std::string(buf);
}

// Held for the life of the process: one `serve` per data dir.
Status lockDataDir(const std::string& data_dir) {
  const std::string path = joinPath(data_dir, "ingressd.lock");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return errnoError("open " + path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return failedPrecondition("another ingressd serve is running with DATA_DIR=" + data_dir);
  }
  return okStatus();  // fd intentionally kept open
}

std::string selfExe() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "ingressd";
  return std::string(buf, static_cast<size_t>(n));
}

int fail(const Status& st) {
  log::error("ingressd cannot start", {{"error", st.message()}});
  return 1;
}

}  // namespace

int runServe(const Settings& settings) {
  log::setComponent("serve");
  if (auto level = log::parseLevel(settings.log_level); level.ok()) log::setLevel(*level);
  // Stop signals are taken synchronously by sigwait(); block them before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  initHttpClientGlobal();

  ClockImpl clock;
  FilesystemImpl fs;
  ProcessLauncherImpl processes;

  auto data_dir = canonicalDataDir(fs, settings.data_dir);
  if (!data_dir.ok()) return fail(data_dir.status().withContext("DATA_DIR"));
  if (Status st = lockDataDir(*data_dir); !st.ok()) return fail(st);

  std::string envoy_binary = settings.envoy_binary;
  if (envoy_binary.empty()) {
    auto extracted = envoy::ensureExtracted(fs, *data_dir, envoy::embeddedEnvoy());
    if (!extracted.ok()) return fail(extracted.status().withContext("extracting Envoy"));
    envoy_binary = extracted->path;
  } else if (!fs.exists(envoy_binary)) {
    return fail(invalidArgument("ENVOY_BINARY=\"" + envoy_binary + "\" does not exist"));
  }

  envoy::DaemonOptions options;
  options.data_dir = *data_dir;
  options.self_exe = selfExe();
  options.envoy_binary = envoy_binary;
  options.bootstrap.admin_address = settings.envoy_admin_address;
  options.bootstrap.admin_port = settings.envoy_admin_port;
  options.bootstrap.inject_invalid_field = settings.test_invalid_bootstrap;
  options.bootstrap.otel.enabled = settings.otel_enabled;
  options.bootstrap.otel.collector_host = settings.otel_collector_host;
  options.bootstrap.otel.collector_port = settings.otel_collector_port;
  options.bootstrap.otel.service_name = settings.otel_service_name;
  options.bootstrap.otel.service_instance_id = settings.otel_service_instance_id;
  options.bootstrap.otel.environment = settings.deployment_environment;
  options.bootstrap.otel.flush_interval_s = settings.otel_flush_interval_s;
  options.drain_time_s = settings.envoy_drain_time_s;
  options.parent_shutdown_time_s = settings.envoy_parent_shutdown_time_s;
  options.envoy_log_level = settings.envoy_log_level;
  options.ready_timeout = settings.envoy_ready_timeout;
  envoy::EnvoyDaemon daemon(options, fs, processes, clock);
  if (Status st = daemon.start(); !st.ok()) return fail(st.withContext("starting Envoy"));
  auto state = daemon.state();
  log::info("envoy is serving", {{"adopted", daemon.adopted()},
                                 {"supervisor_pid", daemon.supervisorPid()},
                                 {"envoy_pid", state.ok() ? state->envoy_pid : 0},
                                 {"admin", daemon.adminBaseUrl()}});

  int sig = 0;
  sigwait(&stop_signals, &sig);
  log::info("stop signal received", {{"signal", sig}});

  if (settings.envoy_stop_on_shutdown) {
    auto timeout = std::chrono::seconds(settings.envoy_parent_shutdown_time_s +
                                        settings.envoy_drain_time_s + 15);
    if (Status st = daemon.stop(timeout); !st.ok()) {
      log::error("envoy did not stop cleanly", {{"error", st.message()}});
      return 1;
    }
    log::info("envoy stopped");
  }
  return 0;
}

}  // namespace ingress::exe

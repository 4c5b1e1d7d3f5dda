#include "envoy/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "common/log.h"
#include "common/sha256.h"
#include "envoy/admin_client.h"
#include "envoy/launch.h"
#include "envoy/supervisor_core.h"

namespace ingress::envoy {
namespace {

using std::chrono::milliseconds;

class Runner {
 public:
  Runner(const std::string& data_dir, Filesystem& fs, ProcessLauncher& processes, Clock& clock,
         BeforeEnvoySpawn before_spawn)
      : paths_(data_dir),
        fs_(fs),
        processes_(processes),
        clock_(clock),
        before_spawn_(std::move(before_spawn)),
        core_(SupervisorTimings{}) {}

  int run();

 private:
  Status setUp();
  void execute(SupervisorCore::Actions actions);
  void spawn(uint32_t epoch);
  void drain();
  void reap();
  void probe();
  void writeState();
  // Bounds Envoy's log files (see LaunchSpec::log_max_bytes).
  void rotateLogIfLarge();
  void rotateStdoutBeforeSpawn();
  milliseconds pollTimeout() const;
  void removePidFileIfOurs(const std::string& path, pid_t pid);

  EnvoyPaths paths_;
  Filesystem& fs_;
  ProcessLauncher& processes_;
  Clock& clock_;
  BeforeEnvoySpawn before_spawn_;
  SupervisorCore core_;
  LaunchSpec launch_;
  int signal_fd_ = -1;
  int lock_fd_ = -1;
  bool exit_requested_ = false;
  int exit_code_ = 0;
  std::string last_state_;
  SteadyTime next_log_check_{};
};

Status Runner::setUp() {
  INGRESS_RETURN_IF_ERROR(fs_.makeDirs(paths_.dir, 0700));
  const std::string lock_path = joinPath(paths_.dir, "supervisor.lock");
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) return errnoError("open " + lock_path, errno);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return failedPrecondition("another envoy-supervisor already runs for " + paths_.data_dir);
  }
  // Orphaned grandchildren are reparented to us, so nothing becomes a zombie of init's care.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) return errnoError("PR_SET_CHILD_SUBREAPER", errno);
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGCHLD, SIGHUP, SIGTERM, SIGINT}) sigaddset(&mask, s);
  if (::sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) return errnoError("sigprocmask", errno);
  signal_fd_ = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd_ < 0) return errnoError("signalfd", errno);
  ::signal(SIGPIPE, SIG_IGN);
  INGRESS_ASSIGN_OR_RETURN(launch_, readLaunchSpec(fs_, paths_.launch));
  SupervisorTimings timings;
  timings.parent_shutdown = std::chrono::seconds(launch_.parent_shutdown_time_s);
  core_ = SupervisorCore(timings);
  return fs_.writeFileAtomic(paths_.supervisor_pid, std::to_string(::getpid()) + "\n", 0644);
}

void Runner::rotateLogIfLarge() {
  const auto now = clock_.monotonicNow();
  if (now < next_log_check_) return;
  next_log_check_ = now + std::chrono::seconds(2);
  auto info = fs_.stat(launch_.log_path);
  if (!info.ok() || info->size <= launch_.log_max_bytes || !core_.serving()) return;
  Status st = fs_.rename(launch_.log_path, launch_.log_path + ".1");
  if (!st.ok()) {
    log::warn("cannot rotate envoy.log", {{"error", st.message()}});
    return;
  }
  // Envoy reopens its --log-path file on SIGUSR1; until then it keeps writing to the .1 inode.
  (void)processes_.signal(core_.serving()->pid, SIGUSR1);
  log::info("rotated envoy.log", {{"bytes", info->size}});
}

void Runner::rotateStdoutBeforeSpawn() {
  auto info = fs_.stat(launch_.stdout_path);
  if (info.ok() && info->size > launch_.log_max_bytes) {
    (void)fs_.rename(launch_.stdout_path, launch_.stdout_path + ".1");
  }
}

void Runner::spawn(uint32_t epoch) {
  if (before_spawn_) {
    if (Status st = before_spawn_(launch_); !st.ok()) {
      log::error("cannot start envoy", {{"epoch", epoch}, {"error", st.message()}});
      execute(core_.spawnFailed(epoch, st.message(), clock_.monotonicNow()));
      return;
    }
  }
  rotateStdoutBeforeSpawn();
  auto sha = sha256File(launch_.bootstrap_path);
  SpawnOptions o;
  o.argv = envoyArgv(launch_, epoch);
  o.stdout_path = launch_.stdout_path;
  auto pid = processes_.spawn(o);
  if (!pid.ok()) {
    log::error("cannot start envoy", {{"epoch", epoch}, {"error", pid.status().message()}});
    execute(core_.spawnFailed(epoch, pid.status().message(), clock_.monotonicNow()));
    return;
  }
  log::info("started envoy", {{"epoch", epoch}, {"pid", *pid}});
  execute(core_.spawned(*pid, epoch, sha.ok() ? *sha : "", clock_.monotonicNow()));
}

void Runner::drain() {
  // In-flight requests finish; new connections are refused once listeners close. Bounded by the
  // drain time plus a margin.
  AdminClient admin(adminUrl(launch_.admin_address, launch_.admin_port), milliseconds(500));
  Status st = admin.drainListenersGracefully();
  if (!st.ok()) log::warn("graceful drain request failed", {{"error", st.message()}});
  auto deadline = clock_.monotonicNow() + std::chrono::seconds(launch_.drain_time_s + 1);
  while (st.ok() && clock_.monotonicNow() < deadline) {
    // Requests in flight on the ingress listeners. (server.total_connections would be simpler,
    // but it is refreshed only at the stats flush, every few seconds.)
    auto active = admin.statsMatching("^http\\.ingress_[0-9]+\\.downstream_rq_active$");
    if (!active.ok()) break;
    uint64_t in_flight = 0;
    for (const auto& [name, value] : *active)
      in_flight += std::strtoull(value.c_str(), nullptr, 10);
    if (in_flight == 0) break;
    clock_.sleepFor(milliseconds(50));
  }
  execute(core_.drainFinished(clock_.monotonicNow()));
}

void Runner::execute(SupervisorCore::Actions actions) {
  for (const auto& a : actions) {
    switch (a.kind) {
      case SupervisorAction::Kind::kSpawn: spawn(a.epoch); break;
      case SupervisorAction::Kind::kSignal:
        log::info("signalling envoy", {{"pid", a.pid}, {"signal", a.signal}});
        (void)processes_.signal(a.pid, a.signal);
        break;
      case SupervisorAction::Kind::kWritePidFile: {
        Status st = fs_.writeFileAtomic(paths_.envoy_pid, std::to_string(a.pid) + "\n", 0644);
        if (!st.ok()) log::error("cannot write envoy.pid", {{"error", st.message()}});
        break;
      }
      case SupervisorAction::Kind::kDrain: drain(); break;
      case SupervisorAction::Kind::kExit:
        exit_requested_ = true;
        exit_code_ = a.code;
        break;
    }
  }
  writeState();
}

void Runner::reap() {
  for (;;) {
    int wstatus = 0;
    pid_t pid = ::waitpid(-1, &wstatus, WNOHANG);
    if (pid <= 0) return;
    ExitStatus st = exitStatusFromWait(wstatus);
    log::info("child exited", {{"pid", pid}, {"status", st.toString()}});
    execute(core_.childExited(pid, st, clock_.monotonicNow()));
  }
}

void Runner::probe() {
  auto child = core_.childToProbe();
  if (!child) return;
  AdminClient admin(adminUrl(launch_.admin_address, launch_.admin_port), milliseconds(300));
  auto info = admin.serverInfo();
  if (info.ok() && info->state == "LIVE" && info->restart_epoch == child->epoch &&
      info->base_id == launch_.base_id) {
    log::info("envoy is live", {{"pid", child->pid}, {"epoch", child->epoch}});
    execute(core_.childLive(child->pid, clock_.monotonicNow()));
  }
}

void Runner::writeState() {
  Json s = {{"supervisor_pid", ::getpid()}};
  const auto& serving = core_.serving();
  s["envoy_pid"] = serving ? serving->pid : 0;
  s["epoch"] = serving ? serving->epoch : 0;
  s["live"] = serving ? serving->live : false;
  s["serving_bootstrap_sha256"] = serving ? serving->bootstrap_sha256 : "";
  s["pending_pid"] = core_.pending() ? core_.pending()->pid : 0;
  Json draining = Json::array();
  for (const auto& d : core_.draining()) draining.push_back(d.pid);
  s["draining_pids"] = draining;
  const auto& c = core_.counters();
  s["envoy_restarts"] = c.envoy_restarts;
  s["hot_restarts"] = c.hot_restarts;
  s["hot_restart_failures"] = c.hot_restart_failures;
  s["failed_bootstrap_sha256"] = c.failed_bootstrap_sha256;
  s["last_error"] = c.last_error;
  s["stopping"] = core_.stopping();
  std::string text = dumpJson(s, 2) + "\n";
  if (text == last_state_) return;
  Status st = fs_.writeFileAtomic(paths_.state, text, 0644);
  if (st.ok()) last_state_ = std::move(text);
}

milliseconds Runner::pollTimeout() const {
  milliseconds timeout(1000);
  if (core_.childToProbe()) timeout = milliseconds(50);
  if (auto next = core_.nextDeadline()) {
    auto left = std::chrono::duration_cast<milliseconds>(*next - clock_.monotonicNow());
    timeout = std::clamp(left, milliseconds(0), timeout);
  }
  return timeout;
}

void Runner::removePidFileIfOurs(const std::string& path, pid_t pid) {
  auto text = fs_.readFile(path);
  if (text.ok() && *text == std::to_string(pid) + "\n") (void)fs_.removeFile(path);
}

int Runner::run() {
  log::setComponent("envoy-supervisor");
  Status st = setUp();
  if (!st.ok()) {
    log::error("supervisor cannot start", {{"error", st.message()}});
    return st.code() == StatusCode::kFailedPrecondition ? 3 : 1;
  }
  // Envoy inherits the limit: one descriptor per downstream and upstream connection.
  const uint64_t fd_limit = raiseOpenFileLimit();
  log::info("supervisor started",
            {{"pid", ::getpid()}, {"data_dir", paths_.data_dir}, {"envoy_fd_limit", fd_limit}});
  execute(core_.start(clock_.monotonicNow()));
  while (!exit_requested_) {
    pollfd p{signal_fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(pollTimeout().count()));
    if (rc < 0 && errno != EINTR) {
      log::error("poll failed", {{"errno", errno}});
      break;
    }
    signalfd_siginfo info{};
    while (::read(signal_fd_, &info, sizeof info) == sizeof info) {
      switch (info.ssi_signo) {
        case SIGCHLD: break;  // reaped below
        case SIGHUP: {
          auto spec = readLaunchSpec(fs_, paths_.launch);
          if (!spec.ok()) {
            log::error("hot restart refused: bad launch spec",
                       {{"error", spec.status().message()}});
            break;
          }
          launch_ = *spec;
          log::info("hot restart requested");
          execute(core_.hotRestartRequested(clock_.monotonicNow()));
          break;
        }
        case SIGTERM:
        case SIGINT:
          log::info("stop requested", {{"signal", static_cast<int>(info.ssi_signo)}});
          execute(core_.stopRequested(clock_.monotonicNow()));
          break;
      }
    }
    reap();
    execute(core_.tick(clock_.monotonicNow()));
    probe();
    rotateLogIfLarge();
  }
  // Every Envoy of ours has exited: the serving-pid file must not outlive them.
  (void)fs_.removeFile(paths_.envoy_pid);
  removePidFileIfOurs(paths_.supervisor_pid, ::getpid());
  (void)fs_.removeFile(paths_.state);
  log::info("supervisor stopped");
  return exit_code_;
}

}  // namespace

int runSupervisor(const std::string& data_dir, Filesystem& fs, ProcessLauncher& processes,
                  Clock& clock, BeforeEnvoySpawn before_spawn) {
  Runner runner(data_dir, fs, processes, clock, std::move(before_spawn));
  return runner.run();
}

}  // namespace ingress::envoy

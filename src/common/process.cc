#include "common/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace ingress {
namespace {

int pidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

std::vector<char*> cStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// RAII for posix_spawn attribute objects. The child starts with no blocked signals and every
// signal at its default disposition, whatever this (threaded, signal-blocking) process has.
struct SpawnAttrs {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  explicit SpawnAttrs(bool new_session) {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (new_session) flags |= POSIX_SPAWN_SETSID;
    posix_spawnattr_setflags(&attr, flags);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigmask(&attr, &empty);
    sigset_t defaults;
    sigfillset(&defaults);
    sigdelset(&defaults, SIGKILL);
    sigdelset(&defaults, SIGSTOP);
    posix_spawnattr_setsigdefault(&attr, &defaults);
  }
  ~SpawnAttrs() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

}  // namespace

std::string ExitStatus::toString() const {
  if (exited) return "exited with code " + std::to_string(code);
  if (signaled) return std::string("killed by signal ") + ::strsignal(signal);
  return "unknown exit";
}

ExitStatus exitStatusFromWait(int wstatus) {
  ExitStatus s;
  if (WIFEXITED(wstatus)) {
    s.exited = true;
    s.code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    s.signaled = true;
    s.signal = WTERMSIG(wstatus);
  }
  return s;
}

StatusOr<pid_t> ProcessLauncherImpl::spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return invalidArgument("spawn: empty argv");
  std::vector<std::string> argv = options.argv;
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  for (const auto& kv : options.extra_env) {
    const std::string name = kv.substr(0, kv.find('='));
    std::erase_if(env, [&](const std::string& e) { return e.rfind(name + "=", 0) == 0; });
    env.push_back(kv);
  }
  auto cargv = cStrings(argv);
  auto cenv = cStrings(env);

  SpawnAttrs sa(options.new_session);

  const std::string out = options.stdout_path.empty() ? "/dev/null" : options.stdout_path;
  const std::string err = options.stderr_path.empty() ? out : options.stderr_path;
  posix_spawn_file_actions_addopen(&sa.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&sa.actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0640);
  if (err == out) {
    posix_spawn_file_actions_adddup2(&sa.actions, 1, 2);
  } else {
    posix_spawn_file_actions_addopen(&sa.actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0640);
  }
  // Descriptors of this process (listening sockets, locks) must not leak into long-lived
  // children: a leaked API socket would keep the port bound after ingressd exits.
  posix_spawn_file_actions_addclosefrom_np(&sa.actions, 3);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, cargv[0], &sa.actions, &sa.attr, cargv.data(), cenv.data());
  if (rc != 0) return errnoError("spawn " + options.argv[0], rc);
  return pid;
}

Status ProcessLauncherImpl::signal(pid_t pid, int sig) {
  if (pid <= 0) return invalidArgument("signal: bad pid " + std::to_string(pid));
  if (::kill(pid, sig) != 0 && errno != ESRCH) {
    return errnoError("kill " + std::to_string(pid), errno);
  }
  return okStatus();
}

StatusOr<std::optional<ExitStatus>> ProcessLauncherImpl::waitChild(
    pid_t pid, std::chrono::milliseconds timeout) {
  int pfd = pidfdOpen(pid);
  if (pfd >= 0) {
    pollfd p{pfd, POLLIN, 0};
    int rc;
    do {
      rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
    } while (rc < 0 && errno == EINTR);
    ::close(pfd);
    if (rc == 0) return std::optional<ExitStatus>{};
  }
  int wstatus = 0;
  pid_t r;
  do {
    r = ::waitpid(pid, &wstatus, pfd >= 0 ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return errnoError("waitpid " + std::to_string(pid), errno);
  if (r == 0) return std::optional<ExitStatus>{};
  return std::optional<ExitStatus>{exitStatusFromWait(wstatus)};
}

bool ProcessLauncherImpl::isAlive(pid_t pid) const {
  if (pid <= 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  // Format: pid (comm) S ...; comm may contain spaces and parentheses.
  auto close = line.rfind(')');
  if (close == std::string::npos || close + 2 >= line.size()) return false;
  char state = line[close + 2];
  return state != 'Z' && state != 'X';
}

std::vector<std::string> ProcessLauncherImpl::commandLine(pid_t pid) const {
  std::vector<std::string> out;
  if (pid <= 0) return out;
  std::ifstream f("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string arg;
  while (std::getline(f, arg, '\0')) out.push_back(arg);
  return out;
}

StatusOr<RunResult> ProcessLauncherImpl::run(const std::vector<std::string>& argv_in,
                                             std::chrono::milliseconds timeout, size_t max_output) {
  if (argv_in.empty()) return invalidArgument("run: empty argv");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return errnoError("pipe", errno);
  std::vector<std::string> argv = argv_in;
  auto cargv = cStrings(argv);
  SpawnAttrs sa(/*new_session=*/false);
  posix_spawn_file_actions_addopen(&sa.actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&sa.actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&sa.actions, fds[1], 2);
  posix_spawn_file_actions_addclosefrom_np(&sa.actions, 3);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, cargv[0], &sa.actions, &sa.attr, cargv.data(), environ);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return errnoError("spawn " + argv_in[0], rc);
  }
  RunResult result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  char buf[8192];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int prc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (prc < 0 && errno == EINTR) continue;
    if (prc == 0) {
      timed_out = true;
      break;
    }
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size_t room = max_output - std::min(max_output, result.output.size());
    result.output.append(buf, std::min(room, static_cast<size_t>(n)));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return deadlineExceeded(argv_in[0] + " did not finish within " +
                            std::to_string(timeout.count()) + " ms");
  }
  result.status = exitStatusFromWait(wstatus);
  return result;
}

}  // namespace ingress

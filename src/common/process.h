// ProcessLauncher: the seam for starting and inspecting processes. The real implementation
// uses posix_spawn (vfork-based, safe in threaded programs) and /proc; tests use a fake.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace ingress {

struct SpawnOptions {
  std::vector<std::string> argv;       // argv[0] is the executable path
  std::vector<std::string> extra_env;  // "NAME=value", added to the inherited environment
  std::string stdout_path;             // appended to; empty → /dev/null
  std::string stderr_path;             // appended to; empty → same as stdout
  bool new_session = false;            // setsid(): own session, no controlling terminal
};

// How a process ended.
struct ExitStatus {
  bool exited = false;  // exited normally with `code`
  int code = 0;
  bool signaled = false;  // killed by `signal`
  int signal = 0;
  std::string toString() const;
};

struct RunResult {
  ExitStatus status;
  std::string output;  // stdout and stderr interleaved, truncated to the cap given
};

class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;
  virtual StatusOr<pid_t> spawn(const SpawnOptions& options) = 0;
  // Sends `sig`; ok when the process is already gone.
  virtual Status signal(pid_t pid, int sig) = 0;
  // Waits for a child of this process to exit. nullopt on timeout.
  virtual StatusOr<std::optional<ExitStatus>> waitChild(pid_t pid,
                                                        std::chrono::milliseconds timeout) = 0;
  // True if a process with this pid exists (and is not a zombie).
  virtual bool isAlive(pid_t pid) const = 0;
  // argv of a live process from /proc/<pid>/cmdline; empty when it is gone or unreadable.
  virtual std::vector<std::string> commandLine(pid_t pid) const = 0;
  // Runs a command to completion with a timeout (killed with SIGKILL past it) and captures up to
  // `max_output` bytes of its output.
  virtual StatusOr<RunResult> run(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout,
                                  size_t max_output = 1 << 20) = 0;
};

class ProcessLauncherImpl final : public ProcessLauncher {
 public:
  StatusOr<pid_t> spawn(const SpawnOptions& options) override;
  Status signal(pid_t pid, int sig) override;
  StatusOr<std::optional<ExitStatus>> waitChild(pid_t pid,
                                                std::chrono::milliseconds timeout) override;
  bool isAlive(pid_t pid) const override;
  std::vector<std::string> commandLine(pid_t pid) const override;
  StatusOr<RunResult> run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          size_t max_output = 1 << 20) override;
};

ExitStatus exitStatusFromWait(int wstatus);

}  // namespace ingress

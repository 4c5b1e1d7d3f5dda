// SupervisorCore: the decisions of `ingressd envoy-supervisor`, free of I/O so they are unit
// tested with a fake clock. The runner (supervisor.h) feeds it events (child exited, hot restart
// requested, stop requested, a child reported LIVE, time passed) and executes the actions it
// returns (spawn an epoch, signal a pid, write the pid file, drain, exit).
//
// Invariants:
//  - At most one Envoy is `serving` (its pid is in envoy.pid) and at most one is `pending` (a
//    hot-restart child not yet LIVE). Older epochs are `draining` until they exit by themselves
//    after --parent-shutdown-time-s (or are killed past a grace period).
//  - A failed hot restart (the new epoch exits or never becomes LIVE) leaves the serving Envoy
//    untouched.
//  - A serving Envoy that dies is replaced: at once the first time, then with exponential backoff
//    while it keeps dying young.
// Not thread-safe: owned and driven by the runner's single thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/process.h"

namespace ingress::envoy {

using SteadyTime = std::chrono::steady_clock::time_point;

struct SupervisorAction {
  enum class Kind {
    kSpawn,         // start Envoy with `epoch`; report back with spawned()/spawnFailed()
    kSignal,        // send `signal` to `pid`
    kWritePidFile,  // envoy.pid := `pid`
    kDrain,         // graceful drain of the serving Envoy; report back with drainFinished()
    kExit,          // remove pid files and exit with `code`
  };
  Kind kind;
  uint32_t epoch = 0;
  pid_t pid = 0;
  int signal = 0;
  int code = 0;
  bool operator==(const SupervisorAction&) const = default;
};

struct SupervisorTimings {
  std::chrono::milliseconds backoff_step{500};  // second quick crash waits this long, then 2×
  std::chrono::milliseconds backoff_max{10000};
  std::chrono::milliseconds stable_after{30000};     // a child that lived this long resets backoff
  std::chrono::milliseconds live_timeout{60000};     // a pending epoch must be LIVE within this
  std::chrono::milliseconds parent_shutdown{10000};  // --parent-shutdown-time-s
  std::chrono::milliseconds kill_grace{5000};        // after SIGTERM/expected exit, then SIGKILL
};

struct EnvoyChild {
  pid_t pid = 0;
  uint32_t epoch = 0;
  std::string bootstrap_sha256;
  SteadyTime started{};
  bool live = false;
  SteadyTime kill_at{};  // draining/stopping children: SIGKILL when this passes ({} = never)
  bool killed = false;   // SIGKILL sent; only its exit is awaited
};

// What the state file reports.
struct SupervisorCounters {
  uint64_t envoy_restarts = 0;  // cold (re)starts after a crash
  uint64_t hot_restarts = 0;    // successful
  uint64_t hot_restart_failures = 0;
  std::string last_error;
  std::string failed_bootstrap_sha256;  // bootstrap of the last failed hot restart
};

class SupervisorCore {
 public:
  using Actions = std::vector<SupervisorAction>;

  explicit SupervisorCore(SupervisorTimings timings) : timings_(timings) {}

  Actions start(SteadyTime now);
  // Results of a kSpawn action.
  Actions spawned(pid_t pid, uint32_t epoch, std::string bootstrap_sha256, SteadyTime now);
  Actions spawnFailed(uint32_t epoch, const std::string& error, SteadyTime now);

  Actions childExited(pid_t pid, const ExitStatus& status, SteadyTime now);
  // The readiness probe saw `pid`'s epoch answer LIVE on the admin API.
  Actions childLive(pid_t pid, SteadyTime now);
  Actions hotRestartRequested(SteadyTime now);
  Actions stopRequested(SteadyTime now);
  Actions drainFinished(SteadyTime now);
  Actions tick(SteadyTime now);
  // When tick() next has something to do.
  std::optional<SteadyTime> nextDeadline() const;

  // The child whose LIVE state the runner should probe (pending first, else a not-yet-live
  // serving one), if any.
  std::optional<EnvoyChild> childToProbe() const;
  const std::optional<EnvoyChild>& serving() const { return serving_; }
  const std::optional<EnvoyChild>& pending() const { return pending_; }
  const std::vector<EnvoyChild>& draining() const { return draining_; }
  const SupervisorCounters& counters() const { return counters_; }
  bool stopping() const { return stopping_; }

 private:
  Actions spawnEpoch(uint32_t epoch);
  Actions finishIfStopped();
  uint32_t nextEpoch() const;
  bool anyAlive() const;

  SupervisorTimings timings_;
  std::optional<EnvoyChild> serving_;
  std::optional<EnvoyChild> pending_;
  std::vector<EnvoyChild> draining_;
  std::optional<uint32_t> spawning_epoch_;  // a kSpawn is out, not yet reported
  bool spawning_is_hot_restart_ = false;
  std::optional<SteadyTime> restart_at_;  // cold restart scheduled (backoff)
  bool hot_restart_queued_ = false;       // asked while another was in flight
  int quick_crashes_ = 0;
  bool stopping_ = false;
  bool draining_for_stop_ = false;
  bool exited_ = false;
  SupervisorCounters counters_;
};

}  // namespace ingress::envoy

#include "envoy/supervisor_core.h"

#include <signal.h>

#include <algorithm>

namespace ingress::envoy {

using Kind = SupervisorAction::Kind;

namespace {
// 0 for the first quick crash, then step, 2×step, 4×step … capped.
std::chrono::milliseconds backoffFor(int quick_crashes, const SupervisorTimings& t) {
  if (quick_crashes <= 1) return std::chrono::milliseconds(0);
  return std::min(t.backoff_max, t.backoff_step * (1 << std::min(quick_crashes - 2, 8)));
}
}  // namespace

SupervisorCore::Actions SupervisorCore::start(SteadyTime /*now*/) { return spawnEpoch(0); }

SupervisorCore::Actions SupervisorCore::spawnEpoch(uint32_t epoch) {
  spawning_epoch_ = epoch;
  spawning_is_hot_restart_ = serving_.has_value();
  return {{.kind = Kind::kSpawn, .epoch = epoch}};
}

uint32_t SupervisorCore::nextEpoch() const {
  // Epoch 0 when no Envoy of ours is alive; otherwise one past the newest alive epoch, so the
  // new process finds its parent's hot-restart socket.
  std::optional<uint32_t> newest;
  auto consider = [&](const std::optional<EnvoyChild>& c) {
    if (c) newest = std::max(newest.value_or(0), c->epoch);
  };
  consider(serving_);
  consider(pending_);
  for (const auto& d : draining_) newest = std::max(newest.value_or(0), d.epoch);
  return newest ? *newest + 1 : 0;
}

bool SupervisorCore::anyAlive() const {
  return serving_.has_value() || pending_.has_value() || !draining_.empty() ||
         spawning_epoch_.has_value();
}

SupervisorCore::Actions SupervisorCore::spawned(pid_t pid, uint32_t epoch,
                                                std::string bootstrap_sha256, SteadyTime now) {
  spawning_epoch_.reset();
  EnvoyChild child{
      .pid = pid, .epoch = epoch, .bootstrap_sha256 = std::move(bootstrap_sha256), .started = now};
  Actions actions;
  if (stopping_ && !draining_for_stop_) {
    // The stop arrived while this spawn was out, and drainFinished() has already signalled the
    // others: this child must not be left running (nor awaited forever).
    child.kill_at = now + timings_.kill_grace;
    actions.push_back({.kind = Kind::kSignal, .pid = pid, .signal = SIGTERM});
  }
  if (spawning_is_hot_restart_ && serving_) {
    pending_ = child;
    return actions;
  }
  serving_ = child;
  actions.insert(actions.begin(), SupervisorAction{.kind = Kind::kWritePidFile, .pid = pid});
  return actions;
}

SupervisorCore::Actions SupervisorCore::spawnFailed(uint32_t /*epoch*/, const std::string& error,
                                                    SteadyTime now) {
  spawning_epoch_.reset();
  counters_.last_error = "spawn failed: " + error;
  if (spawning_is_hot_restart_ && serving_) {
    ++counters_.hot_restart_failures;
    return finishIfStopped();
  }
  if (stopping_) return finishIfStopped();
  // Nothing serves: retry after backoff.
  quick_crashes_ = std::max(quick_crashes_ + 1, 2);
  restart_at_ = now + backoffFor(quick_crashes_, timings_);
  return {};
}

SupervisorCore::Actions SupervisorCore::childExited(pid_t pid, const ExitStatus& status,
                                                    SteadyTime now) {
  Actions actions;
  if (pending_ && pending_->pid == pid) {
    const std::string failed_sha = pending_->bootstrap_sha256;
    pending_.reset();
    ++counters_.hot_restart_failures;
    counters_.last_error = "hot restart epoch failed: " + status.toString();
    // Recorded so that whoever asked can tell a failure from a delay.
    counters_.failed_bootstrap_sha256 = failed_sha;
    if (stopping_) return finishIfStopped();
    if (hot_restart_queued_) {
      hot_restart_queued_ = false;
      return spawnEpoch(nextEpoch());
    }
    return actions;
  }
  auto it = std::find_if(draining_.begin(), draining_.end(),
                         [&](const EnvoyChild& c) { return c.pid == pid; });
  if (it != draining_.end()) {
    draining_.erase(it);
    if (stopping_) return finishIfStopped();
    return actions;
  }
  if (!serving_ || serving_->pid != pid) return actions;  // a reaped grandchild, not ours

  // The serving Envoy died.
  const bool lived_long = now - serving_->started >= timings_.stable_after;
  serving_.reset();
  if (stopping_) return finishIfStopped();
  counters_.last_error = "envoy exited unexpectedly: " + status.toString();
  if (pending_) {
    // The hot-restart child takes over; it no longer has a parent to hand over from.
    serving_ = pending_;
    pending_.reset();
    return {{.kind = Kind::kWritePidFile, .pid = serving_->pid}};
  }
  quick_crashes_ = lived_long ? 0 : quick_crashes_ + 1;
  ++counters_.envoy_restarts;
  if (quick_crashes_ <= 1) return spawnEpoch(nextEpoch());
  restart_at_ = now + backoffFor(quick_crashes_, timings_);
  return actions;
}

SupervisorCore::Actions SupervisorCore::childLive(pid_t pid, SteadyTime now) {
  if (serving_ && serving_->pid == pid) {
    serving_->live = true;
    return {};
  }
  if (!pending_ || pending_->pid != pid) return {};
  // The new epoch serves: the old one drains and will exit after --parent-shutdown-time-s.
  if (serving_) {
    EnvoyChild old = *serving_;
    // A stop may already have given it only kill_grace; never move a deadline later.
    const SteadyTime drain_end = now + timings_.parent_shutdown + timings_.kill_grace;
    old.kill_at = old.kill_at == SteadyTime{} ? drain_end : std::min(old.kill_at, drain_end);
    draining_.push_back(old);
  }
  serving_ = pending_;
  serving_->live = true;
  pending_.reset();
  ++counters_.hot_restarts;
  Actions actions{{.kind = Kind::kWritePidFile, .pid = serving_->pid}};
  if (hot_restart_queued_ && !stopping_) {
    hot_restart_queued_ = false;
    auto more = spawnEpoch(nextEpoch());
    actions.insert(actions.end(), more.begin(), more.end());
  }
  return actions;
}

SupervisorCore::Actions SupervisorCore::hotRestartRequested(SteadyTime /*now*/) {
  if (stopping_) return {};
  if (pending_ || spawning_epoch_ || restart_at_) {
    // One in flight (or a cold restart pending, which will read the new launch spec anyway).
    if (!restart_at_) hot_restart_queued_ = true;
    return {};
  }
  return spawnEpoch(nextEpoch());
}

SupervisorCore::Actions SupervisorCore::stopRequested(SteadyTime now) {
  if (stopping_) return {};
  stopping_ = true;
  restart_at_.reset();
  hot_restart_queued_ = false;
  if (serving_ && serving_->live) {
    draining_for_stop_ = true;
    return {{.kind = Kind::kDrain, .pid = serving_->pid}};
  }
  return drainFinished(now);
}

SupervisorCore::Actions SupervisorCore::drainFinished(SteadyTime now) {
  draining_for_stop_ = false;
  Actions actions;
  auto term = [&](EnvoyChild& c) {
    c.kill_at = now + timings_.kill_grace;
    actions.push_back({.kind = Kind::kSignal, .pid = c.pid, .signal = SIGTERM});
  };
  if (serving_) term(*serving_);
  if (pending_) term(*pending_);
  for (auto& d : draining_) term(d);
  auto fin = finishIfStopped();
  actions.insert(actions.end(), fin.begin(), fin.end());
  return actions;
}

SupervisorCore::Actions SupervisorCore::finishIfStopped() {
  if (!stopping_ || exited_ || draining_for_stop_ || anyAlive()) return {};
  exited_ = true;
  return {{.kind = Kind::kExit, .code = 0}};
}

SupervisorCore::Actions SupervisorCore::tick(SteadyTime now) {
  Actions actions;
  if (restart_at_ && now >= *restart_at_ && !stopping_) {
    restart_at_.reset();
    auto a = spawnEpoch(nextEpoch());
    actions.insert(actions.end(), a.begin(), a.end());
  }
  if (pending_ && !pending_->killed && now - pending_->started >= timings_.live_timeout) {
    counters_.last_error = "hot restart epoch did not become LIVE in time";
    actions.push_back({.kind = Kind::kSignal, .pid = pending_->pid, .signal = SIGKILL});
    pending_->killed = true;  // its exit completes the failure
  }
  auto overdue = [&](EnvoyChild& c) {
    if (!c.killed && c.kill_at != SteadyTime{} && now >= c.kill_at) {
      actions.push_back({.kind = Kind::kSignal, .pid = c.pid, .signal = SIGKILL});
      c.killed = true;
    }
  };
  for (auto& d : draining_) overdue(d);
  if (stopping_) {
    if (serving_) overdue(*serving_);
    if (pending_) overdue(*pending_);
  }
  return actions;
}

std::optional<SteadyTime> SupervisorCore::nextDeadline() const {
  std::optional<SteadyTime> next;
  auto take = [&](SteadyTime t) { next = next ? std::min(*next, t) : t; };
  auto takeKill = [&](const EnvoyChild& c) {
    if (!c.killed && c.kill_at != SteadyTime{}) take(c.kill_at);
  };
  if (restart_at_) take(*restart_at_);
  if (pending_ && !pending_->killed) take(pending_->started + timings_.live_timeout);
  for (const auto& d : draining_) takeKill(d);
  if (stopping_) {
    if (serving_) takeKill(*serving_);
    if (pending_) takeKill(*pending_);
  }
  return next;
}

std::optional<EnvoyChild> SupervisorCore::childToProbe() const {
  if (pending_) return pending_;
  if (serving_ && !serving_->live) return serving_;
  return std::nullopt;
}

}  // namespace ingress::envoy

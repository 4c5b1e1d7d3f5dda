#include "envoy/supervisor_core.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace ingress::envoy {
namespace {

using std::chrono::milliseconds;
using Kind = SupervisorAction::Kind;
using Actions = SupervisorCore::Actions;

constexpr pid_t kFirstPid = 100;
constexpr pid_t kSecondPid = 200;
constexpr pid_t kThirdPid = 300;

SupervisorAction spawnAction(uint32_t epoch) { return {.kind = Kind::kSpawn, .epoch = epoch}; }
SupervisorAction signalAction(pid_t pid, int signal) {
  return {.kind = Kind::kSignal, .pid = pid, .signal = signal};
}
SupervisorAction pidFileAction(pid_t pid) { return {.kind = Kind::kWritePidFile, .pid = pid}; }
SupervisorAction drainAction(pid_t pid) { return {.kind = Kind::kDrain, .pid = pid}; }
SupervisorAction exitAction() { return {.kind = Kind::kExit, .code = 0}; }

ExitStatus exitedWith(int code) { return {.exited = true, .code = code}; }
ExitStatus killedBy(int signal) { return {.signaled = true, .signal = signal}; }

// The production defaults, spelled out so that the arithmetic in the tests is visible.
SupervisorTimings testTimings() {
  SupervisorTimings t;
  t.backoff_step = milliseconds(500);
  t.backoff_max = milliseconds(10000);
  t.stable_after = milliseconds(30000);
  t.live_timeout = milliseconds(60000);
  t.parent_shutdown = milliseconds(10000);
  t.kill_grace = milliseconds(5000);
  return t;
}

class SupervisorCoreTest : public ::testing::Test {
 protected:
  // Far from SteadyTime{}, which the core uses as "no deadline".
  static SteadyTime at(milliseconds offset) {
    return SteadyTime{} + std::chrono::hours(1) + offset;
  }
  static SteadyTime at(int offset_ms) { return at(milliseconds(offset_ms)); }

  // Epoch 0 (pid kFirstPid) serving and LIVE at `now`.
  void startServing(SteadyTime now) {
    ASSERT_EQ(core_.start(now), Actions{spawnAction(0)});
    ASSERT_EQ(core_.spawned(kFirstPid, 0, "sha-0", now), Actions{pidFileAction(kFirstPid)});
    ASSERT_EQ(core_.childLive(kFirstPid, now), Actions{});
  }

  // A hot restart to `epoch` (pid `pid`) spawned at `now`, not yet LIVE.
  void spawnPending(pid_t pid, uint32_t epoch, SteadyTime now) {
    ASSERT_EQ(core_.hotRestartRequested(now), Actions{spawnAction(epoch)});
    ASSERT_EQ(core_.spawned(pid, epoch, "sha-" + std::to_string(epoch), now), Actions{});
  }

  // Epoch 0 serving, then hot restarted to epoch 1 (kSecondPid) which went LIVE at `live_at`;
  // epoch 0 (kFirstPid) drains.
  void hotRestarted(SteadyTime live_at) {
    startServing(at(0));
    spawnPending(kSecondPid, 1, at(0));
    ASSERT_EQ(core_.childLive(kSecondPid, live_at), Actions{pidFileAction(kSecondPid)});
  }

  // The serving child `pid` exits with code 1 at `now`.
  Actions crash(pid_t pid, SteadyTime now) { return core_.childExited(pid, exitedWith(1), now); }

  SupervisorCore core_{testTimings()};
};

// --- cold start ----------------------------------------------------------------------------

TEST_F(SupervisorCoreTest, StartSpawnsEpochZero) {
  EXPECT_EQ(core_.start(at(0)), Actions{spawnAction(0)});
  EXPECT_FALSE(core_.serving().has_value());
}

TEST_F(SupervisorCoreTest, SpawnedColdChildServesAndWritesPidFile) {
  core_.start(at(0));
  EXPECT_EQ(core_.spawned(kFirstPid, 0, "sha-0", at(10)), Actions{pidFileAction(kFirstPid)});
  ASSERT_TRUE(core_.serving().has_value());
  EXPECT_EQ(core_.serving()->pid, kFirstPid);
  EXPECT_EQ(core_.serving()->epoch, 0u);
  EXPECT_EQ(core_.serving()->bootstrap_sha256, "sha-0");
  EXPECT_EQ(core_.serving()->started, at(10));
  EXPECT_FALSE(core_.serving()->live);
  EXPECT_FALSE(core_.pending().has_value());
}

TEST_F(SupervisorCoreTest, NotYetLiveServingChildIsProbed) {
  core_.start(at(0));
  core_.spawned(kFirstPid, 0, "sha-0", at(0));
  auto probe = core_.childToProbe();
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->pid, kFirstPid);
}

TEST_F(SupervisorCoreTest, LiveServingChildIsNoLongerProbed) {
  startServing(at(0));
  EXPECT_TRUE(core_.serving()->live);
  EXPECT_FALSE(core_.childToProbe().has_value());
}

TEST_F(SupervisorCoreTest, SteadyServingHasNoDeadline) {
  startServing(at(0));
  EXPECT_FALSE(core_.nextDeadline().has_value());
  EXPECT_EQ(core_.tick(at(1000000)), Actions{});
}

// --- hot restart ---------------------------------------------------------------------------

TEST_F(SupervisorCoreTest, HotRestartSpawnsNextEpochAsPending) {
  startServing(at(0));
  EXPECT_EQ(core_.hotRestartRequested(at(1000)), Actions{spawnAction(1)});
  EXPECT_EQ(core_.spawned(kSecondPid, 1, "sha-1", at(1000)), Actions{});
  ASSERT_TRUE(core_.pending().has_value());
  EXPECT_EQ(core_.pending()->pid, kSecondPid);
  EXPECT_EQ(core_.pending()->epoch, 1u);
  EXPECT_EQ(core_.serving()->pid, kFirstPid);
}

TEST_F(SupervisorCoreTest, PendingChildIsProbedBeforeANotYetLiveServingOne) {
  core_.start(at(0));
  core_.spawned(kFirstPid, 0, "sha-0", at(0));  // serving, not LIVE
  spawnPending(kSecondPid, 1, at(0));
  auto probe = core_.childToProbe();
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->pid, kSecondPid);
}

TEST_F(SupervisorCoreTest, PendingLiveTakesOverAndOldServingDrains) {
  startServing(at(0));
  spawnPending(kSecondPid, 1, at(1000));
  EXPECT_EQ(core_.childLive(kSecondPid, at(2000)), Actions{pidFileAction(kSecondPid)});
  ASSERT_TRUE(core_.serving().has_value());
  EXPECT_EQ(core_.serving()->pid, kSecondPid);
  EXPECT_EQ(core_.serving()->epoch, 1u);
  EXPECT_TRUE(core_.serving()->live);
  EXPECT_FALSE(core_.pending().has_value());
  ASSERT_EQ(core_.draining().size(), 1u);
  EXPECT_EQ(core_.draining()[0].pid, kFirstPid);
  // parent_shutdown (10 s) + kill_grace (5 s) after the takeover.
  EXPECT_EQ(core_.draining()[0].kill_at, at(17000));
  EXPECT_EQ(core_.counters().hot_restarts, 1u);
  EXPECT_EQ(core_.counters().hot_restart_failures, 0u);
}

TEST_F(SupervisorCoreTest, DrainingParentThatExitsInTimeIsNeverKilled) {
  hotRestarted(at(0));
  EXPECT_EQ(core_.childExited(kFirstPid, exitedWith(0), at(10000)), Actions{});
  EXPECT_TRUE(core_.draining().empty());
  EXPECT_FALSE(core_.nextDeadline().has_value());
  EXPECT_EQ(core_.tick(at(60000)), Actions{});
  EXPECT_EQ(core_.counters().envoy_restarts, 0u);
}

TEST_F(SupervisorCoreTest, DrainingParentIsNotKilledBeforeShutdownPlusGrace) {
  hotRestarted(at(0));
  EXPECT_EQ(core_.nextDeadline(), at(15000));
  EXPECT_EQ(core_.tick(at(14999)), Actions{});
}

TEST_F(SupervisorCoreTest, DrainingParentAlivePastShutdownPlusGraceIsKilledOnce) {
  hotRestarted(at(0));
  EXPECT_EQ(core_.tick(at(15000)), Actions{signalAction(kFirstPid, SIGKILL)});
  EXPECT_EQ(core_.tick(at(16000)), Actions{});
  EXPECT_FALSE(core_.nextDeadline().has_value());
  EXPECT_EQ(core_.childExited(kFirstPid, killedBy(SIGKILL), at(16000)), Actions{});
  EXPECT_TRUE(core_.draining().empty());
}

TEST_F(SupervisorCoreTest, PendingExitFailsHotRestartAndKeepsServing) {
  startServing(at(0));
  spawnPending(kSecondPid, 1, at(1000));
  EXPECT_EQ(core_.childExited(kSecondPid, exitedWith(1), at(1500)), Actions{});
  EXPECT_FALSE(core_.pending().has_value());
  ASSERT_TRUE(core_.serving().has_value());
  EXPECT_EQ(core_.serving()->pid, kFirstPid);
  EXPECT_TRUE(core_.serving()->live);
  EXPECT_TRUE(core_.draining().empty());
  EXPECT_EQ(core_.counters().hot_restart_failures, 1u);
  EXPECT_EQ(core_.counters().hot_restarts, 0u);
  EXPECT_EQ(core_.counters().failed_bootstrap_sha256, "sha-1");
  EXPECT_EQ(core_.counters().last_error, "hot restart epoch failed: exited with code 1");
}

TEST_F(SupervisorCoreTest, PendingLiveTimeoutIsTheNextDeadline) {
  startServing(at(0));
  spawnPending(kSecondPid, 1, at(1000));
  EXPECT_EQ(core_.nextDeadline(), at(61000));
  EXPECT_EQ(core_.tick(at(60999)), Actions{});
}

TEST_F(SupervisorCoreTest, PendingNotLiveInTimeIsKilled) {
  startServing(at(0));
  spawnPending(kSecondPid, 1, at(1000));
  EXPECT_EQ(core_.tick(at(61000)), Actions{signalAction(kSecondPid, SIGKILL)});
  EXPECT_EQ(core_.counters().last_error, "hot restart epoch did not become LIVE in time");
  EXPECT_EQ(core_.tick(at(62000)), Actions{});
  EXPECT_FALSE(core_.nextDeadline().has_value());
  // Still the failure is only complete once the child is gone.
  EXPECT_EQ(core_.counters().hot_restart_failures, 0u);
}

TEST_F(SupervisorCoreTest, KilledPendingExitCountsAsFailureAndKeepsServing) {
  startServing(at(0));
  spawnPending(kSecondPid, 1, at(1000));
  core_.tick(at(61000));
  EXPECT_EQ(core_.childExited(kSecondPid, killedBy(SIGKILL), at(61010)), Actions{});
  EXPECT_EQ(core_.counters().hot_restart_failures, 1u);
  EXPECT_EQ(core_.counters().failed_bootstrap_sha256, "sha-1");
  EXPECT_EQ(core_.serving()->pid, kFirstPid);
  EXPECT_FALSE(core_.pending().has_value());
}

TEST_F(SupervisorCoreTest, HotRestartRequestedWhilePendingIsQueued) {
  startServing(at(0));
  spawnPending(kSecondPid, 1, at(1000));
  EXPECT_EQ(core_.hotRestartRequested(at(1500)), Actions{});
  EXPECT_EQ(core_.pending()->pid, kSecondPid);
}

TEST_F(SupervisorCoreTest, QueuedHotRestartRunsOnceThePendingIsLive) {
  startServing(at(0));
  spawnPending(kSecondPid, 1, at(1000));
  core_.hotRestartRequested(at(1500));
  EXPECT_EQ(core_.childLive(kSecondPid, at(2000)),
            (Actions{pidFileAction(kSecondPid), spawnAction(2)}));
  EXPECT_EQ(core_.spawned(kThirdPid, 2, "sha-2", at(2000)), Actions{});
  EXPECT_EQ(core_.pending()->pid, kThirdPid);
  EXPECT_EQ(core_.serving()->pid, kSecondPid);
  // The queue held one request: the next LIVE spawns nothing more.
  EXPECT_EQ(core_.childLive(kThirdPid, at(3000)), Actions{pidFileAction(kThirdPid)});
  EXPECT_EQ(core_.counters().hot_restarts, 2u);
}

TEST_F(SupervisorCoreTest, QueuedHotRestartRunsAfterThePendingFails) {
  startServing(at(0));
  spawnPending(kSecondPid, 1, at(1000));
  core_.hotRestartRequested(at(1500));
  EXPECT_EQ(core_.childExited(kSecondPid, exitedWith(1), at(2000)), Actions{spawnAction(1)});
  EXPECT_EQ(core_.counters().hot_restart_failures, 1u);
}

TEST_F(SupervisorCoreTest, HotRestartSpawnFailureCountsAsFailureAndKeepsServing) {
  startServing(at(0));
  ASSERT_EQ(core_.hotRestartRequested(at(1000)), Actions{spawnAction(1)});
  EXPECT_EQ(core_.spawnFailed(1, "exec: no such file", at(1000)), Actions{});
  EXPECT_EQ(core_.counters().hot_restart_failures, 1u);
  EXPECT_EQ(core_.counters().last_error, "spawn failed: exec: no such file");
  EXPECT_EQ(core_.serving()->pid, kFirstPid);
  EXPECT_FALSE(core_.pending().has_value());
  EXPECT_FALSE(core_.nextDeadline().has_value());
}

// --- crash restart -------------------------------------------------------------------------

TEST_F(SupervisorCoreTest, ServingCrashRespawnsEpochZeroAtOnce) {
  startServing(at(0));
  EXPECT_EQ(crash(kFirstPid, at(1000)), Actions{spawnAction(0)});
  EXPECT_EQ(core_.counters().envoy_restarts, 1u);
  EXPECT_EQ(core_.counters().last_error, "envoy exited unexpectedly: exited with code 1");
  EXPECT_FALSE(core_.serving().has_value());
}

TEST_F(SupervisorCoreTest, RespawnedChildServesAndWritesPidFile) {
  startServing(at(0));
  crash(kFirstPid, at(1000));
  EXPECT_EQ(core_.spawned(kSecondPid, 0, "sha-0", at(1000)), Actions{pidFileAction(kSecondPid)});
  EXPECT_EQ(core_.serving()->pid, kSecondPid);
  EXPECT_FALSE(core_.serving()->live);
}

TEST_F(SupervisorCoreTest, ServingCrashWithDrainingParentRespawnsOnePastTheParent) {
  hotRestarted(at(0));  // epoch 0 draining, epoch 1 serving
  EXPECT_EQ(crash(kSecondPid, at(1000)), Actions{spawnAction(1)});
  EXPECT_EQ(core_.spawned(kThirdPid, 1, "sha-1", at(1000)), Actions{pidFileAction(kThirdPid)});
  EXPECT_EQ(core_.serving()->pid, kThirdPid);
  EXPECT_FALSE(core_.pending().has_value());
  ASSERT_EQ(core_.draining().size(), 1u);
  EXPECT_EQ(core_.draining()[0].pid, kFirstPid);
  EXPECT_EQ(core_.counters().envoy_restarts, 1u);
}

TEST_F(SupervisorCoreTest, ServingCrashAfterDrainingParentExitedRespawnsEpochZero) {
  hotRestarted(at(0));
  core_.childExited(kFirstPid, exitedWith(0), at(10000));
  EXPECT_EQ(crash(kSecondPid, at(11000)), Actions{spawnAction(0)});
}

TEST_F(SupervisorCoreTest, SecondQuickCrashWaitsOneBackoffStep) {
  startServing(at(0));
  crash(kFirstPid, at(1000));
  core_.spawned(kSecondPid, 0, "sha-0", at(1000));
  EXPECT_EQ(crash(kSecondPid, at(2000)), Actions{});
  EXPECT_EQ(core_.nextDeadline(), at(2500));
  EXPECT_EQ(core_.tick(at(2499)), Actions{});
  EXPECT_EQ(core_.tick(at(2500)), Actions{spawnAction(0)});
  EXPECT_FALSE(core_.nextDeadline().has_value());
  EXPECT_EQ(core_.counters().envoy_restarts, 2u);
}

TEST_F(SupervisorCoreTest, RepeatedQuickCrashesBackOffExponentiallyUpToTheCap) {
  startServing(at(0));
  SteadyTime now = at(0);
  pid_t pid = kFirstPid;
  const std::vector<milliseconds> expected = {
      milliseconds(0),    milliseconds(500),  milliseconds(1000),  milliseconds(2000),
      milliseconds(4000), milliseconds(8000), milliseconds(10000), milliseconds(10000)};
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("crash " + std::to_string(i + 1));
    now += milliseconds(100);  // dies young
    Actions actions = crash(pid, now);
    if (expected[i] == milliseconds(0)) {
      EXPECT_EQ(actions, Actions{spawnAction(0)});
      EXPECT_FALSE(core_.nextDeadline().has_value());
    } else {
      EXPECT_EQ(actions, Actions{});
      EXPECT_EQ(core_.nextDeadline(), now + expected[i]);
      EXPECT_EQ(core_.tick(now + expected[i] - milliseconds(1)), Actions{});
      now += expected[i];
      EXPECT_EQ(core_.tick(now), Actions{spawnAction(0)});
    }
    ++pid;
    ASSERT_EQ(core_.spawned(pid, 0, "sha-0", now), Actions{pidFileAction(pid)});
  }
  EXPECT_EQ(core_.counters().envoy_restarts, expected.size());
}

TEST_F(SupervisorCoreTest, CrashAfterAStableRunRestartsAtOnceDespiteEarlierBackoff) {
  startServing(at(0));
  crash(kFirstPid, at(100));
  core_.spawned(kFirstPid + 1, 0, "sha-0", at(100));
  crash(kFirstPid + 1, at(200));  // backoff 500 ms
  core_.tick(at(700));
  core_.spawned(kFirstPid + 2, 0, "sha-0", at(700));
  crash(kFirstPid + 2, at(800));  // backoff 1 s
  core_.tick(at(1800));
  core_.spawned(kFirstPid + 3, 0, "sha-0", at(1800));
  // This one lives exactly stable_after.
  EXPECT_EQ(crash(kFirstPid + 3, at(31800)), Actions{spawnAction(0)});
  EXPECT_FALSE(core_.nextDeadline().has_value());
}

TEST_F(SupervisorCoreTest, CrashJustShortOfStableStillBacksOff) {
  startServing(at(0));
  crash(kFirstPid, at(100));
  core_.spawned(kSecondPid, 0, "sha-0", at(100));
  EXPECT_EQ(crash(kSecondPid, at(30099)), Actions{});
  EXPECT_EQ(core_.nextDeadline(), at(30599));
}

TEST_F(SupervisorCoreTest, ServingCrashWithPendingPromotesThePending) {
  startServing(at(0));
  spawnPending(kSecondPid, 1, at(1000));
  EXPECT_EQ(crash(kFirstPid, at(1500)), Actions{pidFileAction(kSecondPid)});
  ASSERT_TRUE(core_.serving().has_value());
  EXPECT_EQ(core_.serving()->pid, kSecondPid);
  EXPECT_EQ(core_.serving()->epoch, 1u);
  EXPECT_FALSE(core_.serving()->live);
  EXPECT_FALSE(core_.pending().has_value());
  EXPECT_EQ(core_.counters().envoy_restarts, 0u);
  auto probe = core_.childToProbe();
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->pid, kSecondPid);
}

TEST_F(SupervisorCoreTest, ColdSpawnFailureRetriesAfterBackoff) {
  ASSERT_EQ(core_.start(at(0)), Actions{spawnAction(0)});
  EXPECT_EQ(core_.spawnFailed(0, "exec: permission denied", at(0)), Actions{});
  EXPECT_EQ(core_.counters().last_error, "spawn failed: exec: permission denied");
  EXPECT_EQ(core_.nextDeadline(), at(500));
  EXPECT_EQ(core_.tick(at(500)), Actions{spawnAction(0)});
}

TEST_F(SupervisorCoreTest, HotRestartRequestedDuringCrashBackoffIsFoldedIntoTheRestart) {
  startServing(at(0));
  crash(kFirstPid, at(100));
  core_.spawned(kSecondPid, 0, "sha-0", at(100));
  crash(kSecondPid, at(200));  // backoff until 700
  EXPECT_EQ(core_.hotRestartRequested(at(300)), Actions{});
  EXPECT_EQ(core_.tick(at(700)), Actions{spawnAction(0)});
  EXPECT_EQ(core_.spawned(kThirdPid, 0, "sha-new", at(700)), Actions{pidFileAction(kThirdPid)});
  EXPECT_EQ(core_.childLive(kThirdPid, at(800)), Actions{});
}

// --- unknown pids --------------------------------------------------------------------------

TEST_F(SupervisorCoreTest, ExitOfAnUnknownPidIsIgnored) {
  hotRestarted(at(0));
  EXPECT_EQ(core_.childExited(4242, exitedWith(1), at(1000)), Actions{});
  EXPECT_EQ(core_.serving()->pid, kSecondPid);
  ASSERT_EQ(core_.draining().size(), 1u);
  EXPECT_EQ(core_.counters().envoy_restarts, 0u);
  EXPECT_EQ(core_.counters().hot_restart_failures, 0u);
  EXPECT_EQ(core_.counters().last_error, "");
}

TEST_F(SupervisorCoreTest, LiveReportOfAnUnknownPidIsIgnored) {
  startServing(at(0));
  spawnPending(kSecondPid, 1, at(1000));
  EXPECT_EQ(core_.childLive(4242, at(2000)), Actions{});
  EXPECT_EQ(core_.pending()->pid, kSecondPid);
  EXPECT_EQ(core_.serving()->pid, kFirstPid);
  EXPECT_EQ(core_.counters().hot_restarts, 0u);
}

// --- deadlines -----------------------------------------------------------------------------

TEST_F(SupervisorCoreTest, NextDeadlineIsTheEarliestOfKillAndLiveTimeout) {
  hotRestarted(at(1000));                // epoch 0 killed at 16 s if still alive
  spawnPending(kThirdPid, 2, at(2000));  // LIVE by 62 s or killed
  EXPECT_EQ(core_.nextDeadline(), at(16000));
  core_.childExited(kFirstPid, exitedWith(0), at(11000));
  EXPECT_EQ(core_.nextDeadline(), at(62000));
}

// --- stop ----------------------------------------------------------------------------------

TEST_F(SupervisorCoreTest, StopWithLiveServingDrainsFirst) {
  startServing(at(0));
  EXPECT_EQ(core_.stopRequested(at(1000)), Actions{drainAction(kFirstPid)});
  EXPECT_TRUE(core_.stopping());
}

TEST_F(SupervisorCoreTest, DrainFinishedTerminatesEveryChild) {
  hotRestarted(at(0));
  spawnPending(kThirdPid, 2, at(500));
  core_.stopRequested(at(1000));
  EXPECT_EQ(core_.drainFinished(at(3000)),
            (Actions{signalAction(kSecondPid, SIGTERM), signalAction(kThirdPid, SIGTERM),
                     signalAction(kFirstPid, SIGTERM)}));
}

TEST_F(SupervisorCoreTest, StopExitsOnlyAfterEveryChildExited) {
  hotRestarted(at(0));
  core_.stopRequested(at(1000));
  core_.drainFinished(at(3000));
  EXPECT_EQ(core_.childExited(kSecondPid, exitedWith(0), at(3100)), Actions{});
  EXPECT_EQ(core_.childExited(kFirstPid, exitedWith(0), at(3200)), Actions{exitAction()});
  EXPECT_EQ(core_.counters().envoy_restarts, 0u);
}

TEST_F(SupervisorCoreTest, StopWithNothingLiveTerminatesAtOnce) {
  core_.start(at(0));
  core_.spawned(kFirstPid, 0, "sha-0", at(0));
  EXPECT_EQ(core_.stopRequested(at(1000)), Actions{signalAction(kFirstPid, SIGTERM)});
  EXPECT_EQ(core_.childExited(kFirstPid, exitedWith(0), at(1100)), Actions{exitAction()});
}

TEST_F(SupervisorCoreTest, ServingExitDuringStopIsNotRestarted) {
  core_.start(at(0));
  core_.spawned(kFirstPid, 0, "sha-0", at(0));
  core_.stopRequested(at(1000));
  EXPECT_EQ(core_.childExited(kFirstPid, killedBy(SIGSEGV), at(1100)), Actions{exitAction()});
  EXPECT_EQ(core_.counters().envoy_restarts, 0u);
}

TEST_F(SupervisorCoreTest, StopDuringCrashBackoffExitsAtOnceAndNeverRespawns) {
  startServing(at(0));
  crash(kFirstPid, at(100));
  core_.spawned(kSecondPid, 0, "sha-0", at(100));
  crash(kSecondPid, at(200));  // backoff until 700
  EXPECT_EQ(core_.stopRequested(at(300)), Actions{exitAction()});
  EXPECT_FALSE(core_.nextDeadline().has_value());
  EXPECT_EQ(core_.tick(at(1000)), Actions{});
}

TEST_F(SupervisorCoreTest, ChildrenIgnoringSigtermAreKilledAfterTheGrace) {
  hotRestarted(at(0));
  core_.stopRequested(at(1000));
  core_.drainFinished(at(3000));
  EXPECT_EQ(core_.nextDeadline(), at(8000));
  EXPECT_EQ(core_.tick(at(7999)), Actions{});
  EXPECT_EQ(core_.tick(at(8000)),
            (Actions{signalAction(kFirstPid, SIGKILL), signalAction(kSecondPid, SIGKILL)}));
  EXPECT_EQ(core_.tick(at(9000)), Actions{});
  EXPECT_EQ(core_.childExited(kFirstPid, killedBy(SIGKILL), at(8010)), Actions{});
  EXPECT_EQ(core_.childExited(kSecondPid, killedBy(SIGKILL), at(8020)), Actions{exitAction()});
}

TEST_F(SupervisorCoreTest, SecondStopRequestIsIgnored) {
  startServing(at(0));
  core_.stopRequested(at(1000));
  EXPECT_EQ(core_.stopRequested(at(1100)), Actions{});
}

TEST_F(SupervisorCoreTest, HotRestartRequestedWhileStoppingIsIgnored) {
  startServing(at(0));
  core_.stopRequested(at(1000));
  EXPECT_EQ(core_.hotRestartRequested(at(1100)), Actions{});
}

TEST_F(SupervisorCoreTest, QueuedHotRestartIsDroppedByStop) {
  hotRestarted(at(0));
  spawnPending(kThirdPid, 2, at(500));
  core_.hotRestartRequested(at(600));  // queued
  core_.stopRequested(at(1000));
  core_.drainFinished(at(2000));
  EXPECT_EQ(core_.childExited(kThirdPid, exitedWith(0), at(2100)), Actions{});
  EXPECT_EQ(core_.childExited(kSecondPid, exitedWith(0), at(2200)), Actions{});
  EXPECT_EQ(core_.childExited(kFirstPid, exitedWith(0), at(2300)), Actions{exitAction()});
}

TEST_F(SupervisorCoreTest, EventsAfterExitDoNothing) {
  core_.start(at(0));
  core_.spawned(kFirstPid, 0, "sha-0", at(0));
  core_.stopRequested(at(1000));
  ASSERT_EQ(core_.childExited(kFirstPid, exitedWith(0), at(1100)), Actions{exitAction()});
  EXPECT_EQ(core_.tick(at(100000)), Actions{});
  EXPECT_EQ(core_.drainFinished(at(100000)), Actions{});
}

// A stop that arrives while a kSpawn is out (the runner has not yet reported spawned()):
// the new child must still be terminated, or the supervisor waits for it forever.
TEST_F(SupervisorCoreTest, ChildSpawnedAfterStopIsTerminated) {
  ASSERT_EQ(core_.start(at(0)), Actions{spawnAction(0)});
  EXPECT_EQ(core_.stopRequested(at(10)), Actions{});
  Actions actions = core_.spawned(kFirstPid, 0, "sha-0", at(20));
  EXPECT_EQ(std::count(actions.begin(), actions.end(), signalAction(kFirstPid, SIGTERM)), 1);
  EXPECT_EQ(core_.nextDeadline(), at(5020));
  EXPECT_EQ(core_.childExited(kFirstPid, exitedWith(0), at(30)), Actions{exitAction()});
}

TEST_F(SupervisorCoreTest, HotRestartChildSpawnedAfterStopIsTerminated) {
  core_.start(at(0));
  core_.spawned(kFirstPid, 0, "sha-0", at(0));  // serving, not yet LIVE
  ASSERT_EQ(core_.hotRestartRequested(at(10)), Actions{spawnAction(1)});
  EXPECT_EQ(core_.stopRequested(at(20)), Actions{signalAction(kFirstPid, SIGTERM)});
  EXPECT_EQ(core_.spawned(kSecondPid, 1, "sha-1", at(30)),
            Actions{signalAction(kSecondPid, SIGTERM)});
  EXPECT_EQ(core_.childExited(kFirstPid, exitedWith(0), at(40)), Actions{});
  EXPECT_EQ(core_.childExited(kSecondPid, exitedWith(0), at(50)), Actions{exitAction()});
}

TEST_F(SupervisorCoreTest, SpawnFailureAfterStopExits) {
  ASSERT_EQ(core_.start(at(0)), Actions{spawnAction(0)});
  EXPECT_EQ(core_.stopRequested(at(10)), Actions{});
  EXPECT_EQ(core_.spawnFailed(0, "exec: no such file", at(20)), Actions{exitAction()});
}

// A pending child seen LIVE after drainFinished() already gave everyone kill_grace must not
// move the SIGTERMed serving child's kill deadline out to parent_shutdown + kill_grace.
TEST_F(SupervisorCoreTest, PendingGoingLiveDuringStopKeepsTheKillDeadline) {
  startServing(at(0));
  spawnPending(kSecondPid, 1, at(500));
  core_.stopRequested(at(1000));
  core_.drainFinished(at(2000));  // everyone: SIGKILL at 7 s
  core_.childLive(kSecondPid, at(2100));
  EXPECT_EQ(core_.nextDeadline(), at(7000));
  EXPECT_EQ(core_.tick(at(7000)),
            (Actions{signalAction(kFirstPid, SIGKILL), signalAction(kSecondPid, SIGKILL)}));
}

}  // namespace
}  // namespace ingress::envoy

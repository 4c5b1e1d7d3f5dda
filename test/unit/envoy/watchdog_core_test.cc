#include "envoy/watchdog_core.h"

#include <gtest/gtest.h>

#include <chrono>

namespace ingress::envoy {
namespace {

using std::chrono::milliseconds;
using Action = WatchdogCore::Action;

constexpr WatchdogProbe kUp{.supervisor_alive = true, .envoy_live = true};
constexpr WatchdogProbe kEnvoyDown{.supervisor_alive = true, .envoy_live = false};
constexpr WatchdogProbe kDead{.supervisor_alive = false, .envoy_live = false};

WatchdogTimings testTimings() {
  WatchdogTimings t;
  t.backoff_step = milliseconds(1000);
  t.backoff_max = milliseconds(8000);
  t.stable_after = milliseconds(30000);
  return t;
}

class WatchdogCoreTest : public ::testing::Test {
 protected:
  Action observe(const WatchdogProbe& p) { return core_.observe(p, now_); }
  void advance(milliseconds d) { now_ += d; }

  WatchdogCore core_{testTimings()};
  WatchdogTime now_ = WatchdogTime{} + std::chrono::hours(1);
};

TEST_F(WatchdogCoreTest, StaysHealthyWhileTheSupervisorLives) {
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(observe(kUp), Action::kNone);
    advance(milliseconds(200));
  }
  EXPECT_EQ(core_.state(), WatchdogState::kHealthy);
  EXPECT_EQ(core_.counters().supervisor_restarts, 0u);
}

TEST_F(WatchdogCoreTest, ReportsEnvoyDownWithoutActingWhileTheSupervisorLives) {
  EXPECT_EQ(observe(kEnvoyDown), Action::kNone);
  EXPECT_EQ(core_.state(), WatchdogState::kEnvoyDown);
  EXPECT_EQ(observe(kUp), Action::kNone);
  EXPECT_EQ(core_.state(), WatchdogState::kHealthy);
}

TEST_F(WatchdogCoreTest, ADeadSupervisorIsReplacedAtOnce) {
  EXPECT_EQ(observe(kUp), Action::kNone);
  EXPECT_EQ(observe(kDead), Action::kRecover);
  EXPECT_EQ(core_.state(), WatchdogState::kRecovering);
  core_.recovered(now_);
  EXPECT_EQ(core_.state(), WatchdogState::kHealthy);
  EXPECT_EQ(core_.counters().supervisor_restarts, 1u);
  EXPECT_EQ(observe(kUp), Action::kNone);
}

TEST_F(WatchdogCoreTest, AFailedRecoveryBacksOffExponentiallyUpToTheCap) {
  EXPECT_EQ(observe(kDead), Action::kRecover);
  milliseconds expected[] = {milliseconds(1000), milliseconds(2000), milliseconds(4000),
                             milliseconds(8000), milliseconds(8000)};
  for (milliseconds wait : expected) {
    core_.recoveryFailed("spawn failed", now_);
    EXPECT_EQ(core_.state(), WatchdogState::kBackoff);
    ASSERT_TRUE(core_.retryAt().has_value());
    EXPECT_EQ(*core_.retryAt() - now_, wait);
    // Not before the deadline, however often it is polled.
    advance(wait - milliseconds(1));
    EXPECT_EQ(observe(kDead), Action::kNone);
    advance(milliseconds(1));
    EXPECT_EQ(observe(kDead), Action::kRecover);
  }
  EXPECT_EQ(core_.counters().recovery_failures, 5u);
  EXPECT_EQ(core_.counters().last_error, "spawn failed");
}

TEST_F(WatchdogCoreTest, AReplacementThatDiesYoungBacksOff) {
  EXPECT_EQ(observe(kDead), Action::kRecover);
  core_.recovered(now_);
  advance(milliseconds(5000));  // dies again well before stable_after
  EXPECT_EQ(observe(kDead), Action::kNone);
  EXPECT_EQ(core_.state(), WatchdogState::kBackoff);
  EXPECT_EQ(*core_.retryAt() - now_, milliseconds(1000));
  advance(milliseconds(1000));
  EXPECT_EQ(observe(kDead), Action::kRecover);
  core_.recovered(now_);
  advance(milliseconds(100));
  EXPECT_EQ(observe(kDead), Action::kNone);
  EXPECT_EQ(*core_.retryAt() - now_, milliseconds(2000));
}

TEST_F(WatchdogCoreTest, AReplacementThatLivedLongResetsTheBackoff) {
  EXPECT_EQ(observe(kDead), Action::kRecover);
  core_.recoveryFailed("timeout", now_);
  advance(milliseconds(1000));
  EXPECT_EQ(observe(kDead), Action::kRecover);
  core_.recovered(now_);
  advance(milliseconds(30000));
  EXPECT_EQ(observe(kUp), Action::kNone);
  EXPECT_EQ(observe(kDead), Action::kRecover);  // at once again
}

TEST_F(WatchdogCoreTest, ASupervisorBackDuringBackoffIsStillAdoptedAtTheRetry) {
  // e.g. the failed recovery's supervisor came up late: the retry adopts it and re-applies.
  EXPECT_EQ(observe(kDead), Action::kRecover);
  core_.recoveryFailed("not ready in time", now_);
  EXPECT_EQ(observe(kUp), Action::kNone);
  EXPECT_EQ(core_.state(), WatchdogState::kBackoff);
  advance(milliseconds(1000));
  EXPECT_EQ(observe(kUp), Action::kRecover);
}

TEST(WatchdogStateNameTest, NamesEveryState) {
  EXPECT_EQ(watchdogStateName(WatchdogState::kHealthy), "healthy");
  EXPECT_EQ(watchdogStateName(WatchdogState::kEnvoyDown), "envoy_down");
  EXPECT_EQ(watchdogStateName(WatchdogState::kRecovering), "recovering");
  EXPECT_EQ(watchdogStateName(WatchdogState::kBackoff), "backoff");
}

}  // namespace
}  // namespace ingress::envoy

#include "exe/memory_policy.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>

#include "test_common/test_env.h"

namespace ingress::exe {
namespace {

using std::chrono::milliseconds;

EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ArenaMaxToSetTest, CapsTheArenasByDefault) {
  EXPECT_EQ(arenaMaxToSet(envOf({})), kDefaultArenaMax);
  EXPECT_EQ(arenaMaxToSet(envOf({{"GLIBC_TUNABLES", "glibc.malloc.tcache_count=0"}})),
            kDefaultArenaMax);
}

TEST(ArenaMaxToSetTest, LeavesAnOperatorsChoiceAlone) {
  EXPECT_EQ(arenaMaxToSet(envOf({{"MALLOC_ARENA_MAX", "16"}})), 0);
  EXPECT_EQ(arenaMaxToSet(envOf({{"GLIBC_TUNABLES", "glibc.malloc.arena_max=8"}})), 0);
}

TEST(MemoryTrimmerTest, TrimsOnlyAfterANotification) {
  std::atomic<int> calls{0};
  {
    MemoryTrimmer trimmer([&] { ++calls; }, milliseconds(1));
    EXPECT_EQ(trimmer.trims(), 0u);
    trimmer.notify();
    ASSERT_TRUE(testing::pollUntil([&] { return trimmer.trims() == 1; }));
  }
  EXPECT_EQ(calls.load(), 1);
}

TEST(MemoryTrimmerTest, NotificationsDuringTheIntervalCoalesceIntoOneTrimAfterIt) {
  std::atomic<int> calls{0};
  // An interval far longer than the test: the first notify trims at once, the rest wait for it.
  MemoryTrimmer trimmer([&] { ++calls; }, std::chrono::hours(1));
  trimmer.notify();
  ASSERT_TRUE(testing::pollUntil([&] { return trimmer.trims() == 1; }));
  for (int i = 0; i < 100; ++i) trimmer.notify();
  EXPECT_EQ(trimmer.trims(), 1u);
  EXPECT_EQ(calls.load(), 1);
}  // the destructor stops the thread in the middle of its interval, without trimming again

TEST(MemoryTrimmerTest, ANotificationDuringATrimGetsATrimOfItsOwn) {
  std::atomic<int> calls{0};
  std::atomic<bool> release{false};
  MemoryTrimmer trimmer(
      [&] {
        ++calls;
        while (calls.load() == 1 && !release.load()) std::this_thread::yield();
      },
      milliseconds(1));
  trimmer.notify();
  ASSERT_TRUE(testing::pollUntil([&] { return calls.load() == 1; }));
  trimmer.notify();  // while the first trim runs: freed after it started, so trimmed again
  release = true;
  ASSERT_TRUE(testing::pollUntil([&] { return trimmer.trims() == 2; }));
  EXPECT_EQ(calls.load(), 2);
}

}  // namespace
}  // namespace ingress::exe

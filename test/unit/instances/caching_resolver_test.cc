// Unit tests of CachingResolver: a counting fake inner resolver and a fake clock.
#include "instances/caching_resolver.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "unit/ingress/fakes.h"
#include "unit/ingress/status_matchers.h"

namespace ingress::instances {
namespace {

using ingress::testing::expectStatus;
using ingress::testing::FakeClock;
using namespace std::chrono_literals;

// Answers from a table (missing: kNotFound), counts calls per name, can hold calls at a gate
// and can be told to throw. Thread-safe.
class CountingResolver final : public InstanceResolver {
 public:
  bool exists(std::string_view name) override { return resolve(name).ok(); }
  StatusOr<std::string> resolve(std::string_view name) override {
    std::unique_lock lock(mu_);
    ++calls_[std::string(name)];
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !gated_; });
    if (throws_) throw std::runtime_error("boom");
    auto it = table_.find(name);
    if (it == table_.end()) {
      return notFound("instance \"" + std::string(name) + "\" not found", "instance_not_found");
    }
    return it->second;
  }
  void set(std::string name, StatusOr<std::string> answer) {
    std::lock_guard lock(mu_);
    table_.insert_or_assign(std::move(name), std::move(answer));
  }
  void erase(const std::string& name) {
    std::lock_guard lock(mu_);
    table_.erase(name);
  }
  int calls(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = calls_.find(name);
    return it == calls_.end() ? 0 : it->second;
  }
  void gate(bool closed) {
    std::lock_guard lock(mu_);
    gated_ = closed;
    cv_.notify_all();
  }
  void setThrows(bool t) {
    std::lock_guard lock(mu_);
    throws_ = t;
  }
  // Waits (up to 10 s) until `n` calls have entered resolve().
  bool waitEntered(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return entered_ >= n; });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, StatusOr<std::string>, std::less<>> table_;
  std::map<std::string, int> calls_;
  int entered_ = 0;
  bool gated_ = false;
  bool throws_ = false;
};

struct Fixture {
  explicit Fixture(CachingResolverOptions options = {}) {
    auto owned = std::make_unique<CountingResolver>();
    inner = owned.get();
    cache = std::make_unique<CachingResolver>(std::move(owned), clock, options);
  }
  FakeClock clock{std::chrono::system_clock::time_point{} + 1000h};
  CountingResolver* inner;  // owned by cache
  std::unique_ptr<CachingResolver> cache;
};

CachingResolverOptions options(std::chrono::milliseconds ttl, std::chrono::milliseconds neg,
                               size_t max_entries = 4096) {
  return CachingResolverOptions{ttl, neg, max_entries};
}

TEST(CachingResolverTest, AnswersWithinTheTtlFromTheCache) {
  Fixture f(options(5s, 1s));
  f.inner->set("vm", std::string("10.0.0.1"));
  EXPECT_EQ(*f.cache->resolve("vm"), "10.0.0.1");
  f.inner->set("vm", std::string("10.0.0.2"));  // moved; the cache does not know yet
  f.clock.advance(4999ms);
  EXPECT_EQ(*f.cache->resolve("vm"), "10.0.0.1");
  EXPECT_TRUE(f.cache->exists("vm"));
  EXPECT_EQ(f.inner->calls("vm"), 1);
}

TEST(CachingResolverTest, AsksAgainAfterTheTtl) {
  Fixture f(options(5s, 1s));
  f.inner->set("vm", std::string("10.0.0.1"));
  EXPECT_EQ(*f.cache->resolve("vm"), "10.0.0.1");
  f.inner->set("vm", std::string("10.0.0.2"));
  f.clock.advance(5s);
  EXPECT_EQ(*f.cache->resolve("vm"), "10.0.0.2");
  EXPECT_EQ(f.inner->calls("vm"), 2);
  EXPECT_EQ(*f.cache->resolve("vm"), "10.0.0.2");
  EXPECT_EQ(f.inner->calls("vm"), 2);
}

TEST(CachingResolverTest, CachesNotFoundForTheShorterNegativeTtl) {
  Fixture f(options(5s, 1s));
  expectStatus(f.cache->resolve("new").status(), StatusCode::kNotFound, "instance_not_found",
               "instance \"new\" not found");
  f.inner->set("new", std::string("10.0.0.7"));  // created in hypeman just now
  f.clock.advance(999ms);
  EXPECT_EQ(f.cache->resolve("new").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(f.cache->exists("new"));
  EXPECT_EQ(f.inner->calls("new"), 1);
  f.clock.advance(1ms);
  EXPECT_EQ(*f.cache->resolve("new"), "10.0.0.7");
  EXPECT_EQ(f.inner->calls("new"), 2);
}

TEST(CachingResolverTest, CachesNoAddressYetNegativelyAndCountsItAsExisting) {
  Fixture f(options(5s, 1s));
  f.inner->set("booting", StatusOr<std::string>(failedPrecondition("no address yet")));
  EXPECT_TRUE(f.cache->exists("booting"));
  EXPECT_EQ(f.cache->resolve("booting").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(f.inner->calls("booting"), 1);
  f.inner->set("booting", std::string("10.0.0.8"));
  f.clock.advance(1s);
  EXPECT_EQ(*f.cache->resolve("booting"), "10.0.0.8");
}

TEST(CachingResolverTest, NeverCachesAnOutage) {
  Fixture f(options(5s, 1s));
  f.inner->set("vm", StatusOr<std::string>(unavailable("hypeman API lookup failed")));
  expectStatus(f.cache->resolve("vm").status(), StatusCode::kUnavailable, "",
               "hypeman API lookup failed");
  f.inner->set("vm", std::string("10.0.0.1"));
  EXPECT_EQ(*f.cache->resolve("vm"), "10.0.0.1");
  EXPECT_EQ(f.inner->calls("vm"), 2);
}

TEST(CachingResolverTest, NegativeTtlIsCappedAtTheTtl) {
  Fixture f(options(1s, 10s));
  EXPECT_FALSE(f.cache->resolve("new").ok());
  f.inner->set("new", std::string("10.0.0.7"));
  f.clock.advance(1s);
  EXPECT_EQ(*f.cache->resolve("new"), "10.0.0.7");
}

TEST(CachingResolverTest, TtlZeroPassesEveryCallThrough) {
  Fixture f(options(0s, 1s));
  f.inner->set("vm", std::string("10.0.0.1"));
  EXPECT_EQ(*f.cache->resolve("vm"), "10.0.0.1");
  f.inner->set("vm", std::string("10.0.0.2"));
  EXPECT_EQ(*f.cache->resolve("vm"), "10.0.0.2");
  EXPECT_FALSE(f.cache->resolve("ghost").ok());
  EXPECT_FALSE(f.cache->resolve("ghost").ok());
  EXPECT_EQ(f.inner->calls("vm"), 2);
  EXPECT_EQ(f.inner->calls("ghost"), 2);
  EXPECT_EQ(f.cache->size(), 0u);
}

TEST(CachingResolverTest, KeepsAtMostMaxEntriesDroppingTheLeastRecentlyUsed) {
  Fixture f(options(5s, 1s, 2));
  for (const char* n : {"a", "b", "c"}) f.inner->set(n, std::string("10.0.0.1"));
  ASSERT_TRUE(f.cache->resolve("a").ok());
  ASSERT_TRUE(f.cache->resolve("b").ok());
  ASSERT_TRUE(f.cache->resolve("a").ok());  // b is now the least recently used
  ASSERT_TRUE(f.cache->resolve("c").ok());  // evicts b
  EXPECT_EQ(f.cache->size(), 2u);
  ASSERT_TRUE(f.cache->resolve("a").ok());
  ASSERT_TRUE(f.cache->resolve("c").ok());
  EXPECT_EQ(f.inner->calls("a"), 1);
  EXPECT_EQ(f.inner->calls("c"), 1);
  ASSERT_TRUE(f.cache->resolve("b").ok());
  EXPECT_EQ(f.inner->calls("b"), 2);
  EXPECT_EQ(f.cache->size(), 2u);
}

TEST(CachingResolverTest, ResolveFreshBypassesTheCacheAndRefreshesIt) {
  Fixture f(options(5s, 1s));
  f.inner->set("vm", std::string("10.0.0.1"));
  EXPECT_EQ(*f.cache->resolve("vm"), "10.0.0.1");
  f.inner->erase("vm");  // vanished inside hypeman
  EXPECT_EQ(f.cache->resolveFresh("vm").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(f.cache->resolve("vm").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(f.inner->calls("vm"), 2);
}

TEST(CachingResolverTest, ConcurrentLookupsOfOneNameAskTheInnerResolverOnce) {
  Fixture f(options(5s, 1s));
  f.inner->set("vm", std::string("10.0.0.1"));
  f.inner->gate(true);
  constexpr int kThreads = 8;
  std::atomic<int> started{0};
  std::vector<StatusOr<std::string>> results(kThreads, StatusOr<std::string>(internalError("")));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      ++started;
      results[i] = f.cache->resolve("vm");
    });
  }
  ASSERT_TRUE(f.inner->waitEntered(1));
  while (started.load() < kThreads) std::this_thread::yield();
  f.inner->gate(false);
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_EQ(*r, "10.0.0.1");
  EXPECT_EQ(f.inner->calls("vm"), 1);
}

TEST(CachingResolverTest, WaitersGetAnErrorWhenTheInnerResolverThrows) {
  Fixture f(options(5s, 1s));
  f.inner->setThrows(true);
  EXPECT_THROW((void)f.cache->resolve("vm"), std::runtime_error);
  f.inner->setThrows(false);
  f.inner->set("vm", std::string("10.0.0.1"));
  EXPECT_EQ(*f.cache->resolve("vm"), "10.0.0.1");  // no flight left behind: not wedged
}

// Many threads, a few names, a clock moving underneath and fresh lookups in between: every
// answer is one the inner resolver gave, and the cache stays within its bound. Run under
// ThreadSanitizer, this catches any unguarded access.
TEST(CachingResolverTest, StaysConsistentUnderConcurrentUse) {
  Fixture f(options(50ms, 10ms, 3));
  const std::vector<std::string> names = {"a", "b", "c", "d", "e"};
  for (const auto& n : names) f.inner->set(n, std::string("10.0.0.1"));
  std::atomic<bool> wrong{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string& n = names[(i + t) % names.size()];
        auto r = (i % 17 == 0) ? f.cache->resolveFresh(n) : f.cache->resolve(n);
        if (!r.ok() || *r != "10.0.0.1") wrong = true;
        if (f.cache->size() > 3) wrong = true;
        if (t == 0) f.clock.advance(1ms);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_FALSE(wrong.load());
  EXPECT_LE(f.cache->size(), 3u);
}

}  // namespace
}  // namespace ingress::instances

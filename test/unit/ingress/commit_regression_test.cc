// Regression tests for the defects of issue 10 in the use cases (each fails on the Manager
// before the redesign): a result dropped in the batch replay, an exception wedging the Manager,
// instance changes blocking or starved by ingress changes, targets resolved several times per
// create and on every read, and a view that disagrees with what was published. Also: the
// snapshot shares unchanged entries, reconcileInstances() commits only changes, and a batch of
// creates costs one directory fsync.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <thread>

#include "instances/caching_resolver.h"
#include "unit/ingress/manager_test_fixture.h"
#include "unit/store/counting_filesystem.h"

namespace ingress::domain {
namespace {

using ingress::testing::pollUntil;

// Counts the lookups that reach the resolver it wraps.
class CountingResolver final : public instances::InstanceResolver {
 public:
  explicit CountingResolver(instances::InstanceResolver& inner) : inner_(inner) {}
  bool exists(std::string_view name) override {
    ++calls_;
    return inner_.exists(name);
  }
  StatusOr<std::string> resolve(std::string_view name) override {
    ++calls_;
    return inner_.resolve(name);
  }
  int calls() const { return calls_.load(); }

 private:
  instances::InstanceResolver& inner_;
  std::atomic<int> calls_{0};
};

// Records every snapshot; can hold publishes until released, throw once, or run a hook inside.
class ControlledPublisher final : public ConfigPublisher {
 public:
  Status publish(const SnapshotPtr& next) override {
    std::function<void()> hook;
    {
      std::unique_lock lock(mu_);
      ++waiting_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return !held_; });
      --waiting_;
      published_.push_back(next);
      hook = hook_;
      if (throw_next_) {
        throw_next_ = false;
        throw std::runtime_error("publisher blew up");
      }
    }
    if (hook) hook();
    return okStatus();
  }
  void hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void release() {
    std::lock_guard lock(mu_);
    held_ = false;
    cv_.notify_all();
  }
  bool waitForHeldPublish() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return waiting_ > 0; });
  }
  void throwNext() {
    std::lock_guard lock(mu_);
    throw_next_ = true;
  }
  void setHook(std::function<void()> hook) {
    std::lock_guard lock(mu_);
    hook_ = std::move(hook);
  }
  std::vector<SnapshotPtr> published() {
    std::lock_guard lock(mu_);
    return published_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool held_ = false;
  bool throw_next_ = false;
  int waiting_ = 0;
  std::function<void()> hook_;
  std::vector<SnapshotPtr> published_;
};

// Runs `f` on a thread and waits for it; a Manager that never answers fails the test and ends
// the process (a wedged Manager cannot be torn down).
void expectCompletes(std::function<void()> f, std::chrono::seconds deadline) {
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread([f = std::move(f), done] {
    f();
    *done = true;
  }).detach();
  if (!pollUntil([&] { return done->load(); }, deadline)) {
    ADD_FAILURE() << "the Manager did not answer within " << deadline.count() << " s (wedged)";
    std::fflush(stdout);
    std::_Exit(1);
  }
}

class CommitRegressionTest : public ManagerTest {
 protected:
  void useManager(instances::InstanceResolver& resolver) {
    mine_ = std::make_unique<Manager>(*ingress_store_, *instance_store_, resolver, clock_, ids_,
                                      &controlled_);
  }
  void waitQueued(size_t n) {
    ASSERT_TRUE(pollUntil([&] { return mine_->pendingMutations() >= n; }));
  }
  ControlledPublisher controlled_;
  std::unique_ptr<Manager> mine_;
};

TEST_F(CommitRegressionTest, BatchReplayNeverAcknowledgesACreateItCouldNotCommit) {
  useManager(resolver_table_);
  ASSERT_TRUE(mine_->createIngress(spec("a", "a.example.com")).ok());
  controlled_.hold();
  std::thread first([&] { (void)mine_->createIngress(spec("first", "first.example.com")); });
  ASSERT_TRUE(controlled_.waitForHeldPublish());
  // The next batch: [delete a (its file removal fails), create b on a's host].
  Status deleted, created;
  std::thread t1([&] { deleted = mine_->deleteIngress("a"); });
  waitQueued(1);
  std::thread t2([&] { created = mine_->createIngress(spec("b", "a.example.com")).status(); });
  waitQueued(2);
  fs_.failRemoves(true);
  controlled_.release();
  for (auto* t : {&first, &t1, &t2}) t->join();
  fs_.failRemoves(false);
  EXPECT_EQ(deleted.code(), StatusCode::kInternal);
  // b needed a's host: with a still there, b must not be acknowledged.
  EXPECT_EQ(created.reason(), "hostname_in_use") << created.toString();
  std::vector<std::string> names;
  for (const auto& v : mine_->listIngresses()) names.push_back(v.ingress.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "first"}));
  EXPECT_EQ(ingressFiles().size(), 2u);
  // Envoy was brought back to what is committed.
  std::vector<std::string> last;
  for (const auto& e : controlled_.published().back()->ingresses()) last.push_back(e->ingress.name);
  EXPECT_EQ(last, names);
  reopen();
  EXPECT_EQ(manager_->listIngresses().size(), 2u);
}

TEST_F(CommitRegressionTest, AnExceptionInsideACommitDoesNotWedgeTheManager) {
  useManager(resolver_table_);
  controlled_.throwNext();
  bool threw = false;
  Status first;
  try {
    first = mine_->createIngress(spec("boom", "boom.example.com")).status();
  } catch (const std::exception&) {
    threw = true;
  }
  EXPECT_TRUE(threw || first.code() == StatusCode::kInternal) << first.toString();
  EXPECT_FALSE(mine_->getIngress("boom").ok());
  StatusOr<IngressView> next = internalError("not run");
  expectCompletes([&] { next = mine_->createIngress(spec("web", "web.example.com")); },
                  std::chrono::seconds(10));
  EXPECT_TRUE(next.ok()) << next.status().toString();
  EXPECT_EQ(mine_->listIngresses().size(), 1u);
}

// Instance changes resolve through the built-in registry.
class InstanceCommitTest : public CommitRegressionTest {
 protected:
  void SetUp() override {
    use_registry_ = true;
    reopen();
    useManager(*registry_);
    ASSERT_TRUE(mine_->putInstance(Instance{"vm", "10.0.0.1"}).ok());
    ASSERT_TRUE(mine_->createIngress(spec("web", "web.example.com")).ok());
  }
};

TEST_F(InstanceCommitTest, AnInstanceChangeBeingPublishedDoesNotBlockCreates) {
  controlled_.hold();
  std::thread put([&] { (void)mine_->putInstance(Instance{"vm", "10.0.0.2"}); });
  ASSERT_TRUE(controlled_.waitForHeldPublish());
  // While the instance change waits for Envoy, creates are still admitted and queued.
  Status conflict;
  std::atomic<bool> conflict_done{false};
  std::thread dup([&] {
    conflict = mine_->createIngress(spec("dup", "web.example.com")).status();
    conflict_done = true;
  });
  std::thread other([&] { (void)mine_->createIngress(spec("other", "other.example.com")); });
  const bool answered = pollUntil([&] { return conflict_done.load(); }, std::chrono::seconds(3));
  controlled_.release();
  for (auto* t : {&put, &dup, &other}) t->join();
  EXPECT_TRUE(answered) << "a conflicting create waited for the instance change's publish";
  EXPECT_EQ(conflict.reason(), "hostname_in_use");
  EXPECT_EQ(mine_->getInstance("vm")->ip, "10.0.0.2");
  EXPECT_EQ(mine_->current()->ingresses().size(), 2u);
}

TEST_F(InstanceCommitTest, AnInstanceChangeIsNotStarvedBySustainedCreates) {
  constexpr int kRounds = 30;
  std::atomic<int> round{0};
  std::atomic<int> put_done_at{0};
  std::vector<std::thread> load;
  std::mutex load_mu;
  std::thread put;
  // Every publish queues one more create before it returns, so the queue is never empty.
  controlled_.setHook([&] {
    const int r = ++round;
    if (r > kRounds) return;
    if (r == 1) {
      put = std::thread([&] {
        (void)mine_->putInstance(Instance{"vm", "10.0.0.2"});
        put_done_at = round.load();
      });
      // Queued at once by the new Manager; the old one kept it waiting outside the queue.
      (void)pollUntil([&] { return mine_->pendingMutations() >= 1; }, std::chrono::seconds(2));
    }
    const size_t before = mine_->pendingMutations();
    std::lock_guard lock(load_mu);
    load.emplace_back([&, r] {
      (void)mine_->createIngress(spec("c" + std::to_string(r), "c" + std::to_string(r) + ".e.com"));
    });
    (void)pollUntil([&] { return mine_->pendingMutations() > before; }, std::chrono::seconds(5));
  });
  ASSERT_TRUE(mine_->createIngress(spec("c0", "c0.example.com")).ok());
  ASSERT_TRUE(pollUntil([&] { return put_done_at.load() != 0; }, std::chrono::seconds(30)));
  ASSERT_TRUE(pollUntil([&] { return round.load() > kRounds; }, std::chrono::seconds(30)));
  put.join();
  {
    std::lock_guard lock(load_mu);
    for (auto& t : load) t.join();
  }
  EXPECT_LE(put_done_at.load(), 3) << "the instance change waited for the create load to stop";
  EXPECT_EQ(mine_->getInstance("vm")->ip, "10.0.0.2");
}

TEST_F(CommitRegressionTest, TargetsAreResolvedOncePerCreateAndNeverOnReads) {
  CountingResolver counting(resolver_table_);
  useManager(counting);
  IngressSpec s = spec("web", "a.example.com");
  s.rules.push_back(Rule{{"b.example.com", 80}, {"vm2", 8080}});
  s.rules.push_back(Rule{{"c.example.com", 80}, {"vm", 9090}});
  const int before = counting.calls();
  ASSERT_TRUE(mine_->createIngress(s).ok());
  EXPECT_EQ(counting.calls() - before, 2) << "one lookup per distinct instance";
  const int after_create = counting.calls();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(mine_->listIngresses().size(), 1u);
    EXPECT_TRUE(mine_->getIngress("web").ok());
  }
  EXPECT_EQ(counting.calls(), after_create) << "reads must come from the snapshot";
}

TEST_F(CommitRegressionTest, TheViewShowsWhatWasPublished) {
  useManager(resolver_table_);
  // The instance vanishes right after Envoy got the configuration: the API must still say what
  // Envoy serves (active) until a commit says otherwise.
  controlled_.setHook([&] { resolver_table_.erase("vm"); });
  auto created = mine_->createIngress(spec("web", "a.example.com"));
  ASSERT_TRUE(created.ok()) << created.status().toString();
  ASSERT_EQ(controlled_.published().size(), 1u);
  const auto& published = controlled_.published().back()->ingresses().at(0)->rules.at(0);
  EXPECT_TRUE(published.active());
  EXPECT_EQ(created->rule_status[0].state, published.status.state);
  EXPECT_EQ(mine_->getIngress("web")->rule_status[0].state, published.status.state);
  EXPECT_EQ(mine_->listIngresses()[0].rule_status[0].state, published.status.state);
  controlled_.setHook(nullptr);
  ASSERT_TRUE(mine_->reconcileInstances().ok());
  const auto& now = controlled_.published().back()->ingresses().at(0)->rules.at(0);
  EXPECT_FALSE(now.active());
  EXPECT_EQ(mine_->getIngress("web")->rule_status[0].state, RuleStatus::State::kUnresolved);
  EXPECT_EQ(mine_->getIngress("web")->rule_status[0].reason, now.status.reason);
}

TEST_F(CommitRegressionTest, ReconcileCommitsOnlyWhenAResolutionChanged) {
  CountingResolver counting(resolver_table_);
  useManager(counting);
  ASSERT_TRUE(mine_->createIngress(spec("web", "a.example.com")).ok());
  ASSERT_TRUE(mine_->createIngress(spec("api", "b.example.com", 80, "vm2")).ok());
  ASSERT_TRUE(mine_->createIngress(spec("www", "c.example.com")).ok());
  const size_t publishes = controlled_.published().size();
  const int before = counting.calls();
  ASSERT_TRUE(mine_->reconcileInstances().ok());
  EXPECT_EQ(controlled_.published().size(), publishes) << "nothing changed: nothing published";
  EXPECT_EQ(counting.calls() - before, 2) << "one lookup per distinct instance";
  const SnapshotPtr s1 = mine_->current();
  resolver_table_.set("vm2", "10.0.0.22");
  ASSERT_TRUE(mine_->reconcileInstances().ok());
  ASSERT_EQ(controlled_.published().size(), publishes + 1);
  const SnapshotPtr s2 = mine_->current();
  EXPECT_EQ(s2, controlled_.published().back());
  ASSERT_EQ(s2->ingresses().size(), 3u);
  // Unchanged entries are shared with the previous snapshot, the changed one is new.
  EXPECT_EQ(s2->ingresses()[0], s1->ingresses()[0]);
  EXPECT_NE(s2->ingresses()[1], s1->ingresses()[1]);
  EXPECT_EQ(s2->ingresses()[1]->rules[0].ip, "10.0.0.22");
  EXPECT_EQ(s2->ingresses()[2], s1->ingresses()[2]);
}

TEST_F(CommitRegressionTest, ReconcileSeesAMovedInstanceThroughTheResolverCache) {
  // With HYPEMAN_API_URL the resolver caches answers; a reconcile must ask past that cache, or an
  // instance that moved inside hypeman stays misrouted until the cache entry happens to expire.
  instances::CachingResolverOptions options;
  options.ttl = std::chrono::hours(1);  // the fake clock never reaches it
  instances::CachingResolver cached(std::make_unique<CountingResolver>(resolver_table_), clock_,
                                    options);
  useManager(cached);
  ASSERT_TRUE(mine_->createIngress(spec("api", "b.example.com", 80, "vm2")).ok());
  const std::string before = mine_->current()->ingresses()[0]->rules[0].ip;
  resolver_table_.set("vm2", "10.0.0.99");
  ASSERT_EQ(*cached.resolve("vm2"), before) << "the cache still holds the old address";
  ASSERT_TRUE(mine_->reconcileInstances().ok());
  EXPECT_EQ(mine_->current()->ingresses()[0]->rules[0].ip, "10.0.0.99");
  EXPECT_EQ(controlled_.published().back(), mine_->current());
  EXPECT_EQ(*cached.resolve("vm2"), "10.0.0.99") << "the fresh answer refreshed the cache";
}

TEST_F(InstanceCommitTest, AnInstanceChangeReResolvesOnlyTheRulesTargetingIt) {
  ASSERT_TRUE(mine_->putInstance(Instance{"vm2", "10.0.0.5"}).ok());
  ASSERT_TRUE(mine_->createIngress(spec("api", "api.example.com", 80, "vm2")).ok());
  const SnapshotPtr s1 = mine_->current();
  ASSERT_TRUE(mine_->putInstance(Instance{"vm2", "10.0.0.6"}).ok());
  const SnapshotPtr s2 = mine_->current();
  ASSERT_EQ(s2->ingresses().size(), 2u);
  EXPECT_EQ(s2->ingresses()[0], s1->ingresses()[0]);  // web targets vm: untouched, shared
  EXPECT_EQ(s2->ingresses()[1]->rules[0].ip, "10.0.0.6");
  EXPECT_EQ(s2, controlled_.published().back());
}

TEST_F(CommitRegressionTest, ABatchOfCreatesCostsOneDirectoryFsync) {
  ingress::testing::CountingFilesystem counting(real_fs_);
  store::IngressStore ingresses(counting, clock_, dir_.path());
  ASSERT_TRUE(ingresses.load().ok());
  Manager m(ingresses, *instance_store_, resolver_table_, clock_, ids_, &controlled_);
  controlled_.hold();
  std::vector<std::thread> threads;
  threads.emplace_back([&] { (void)m.createIngress(spec("first", "first.example.com")); });
  ASSERT_TRUE(controlled_.waitForHeldPublish());
  for (int i = 1; i <= 20; ++i) {
    threads.emplace_back([&, i] {
      (void)m.createIngress(spec("n" + std::to_string(i), "h" + std::to_string(i) + ".e.com"));
    });
  }
  ASSERT_TRUE(pollUntil([&] { return m.pendingMutations() >= 20; }));
  const int before = counting.dirSyncs();
  controlled_.release();
  for (auto& t : threads) t.join();
  EXPECT_EQ(m.listIngresses().size(), 21u);
  EXPECT_EQ(counting.fileWrites(), 21);
  EXPECT_EQ(counting.dirSyncs() - before, 2) << "one directory fsync per batch (2 batches)";
  reopen();
  EXPECT_EQ(manager_->listIngresses().size(), 21u);
}

}  // namespace
}  // namespace ingress::domain

namespace ingress::domain {
namespace {

TEST_F(CommitRegressionTest, AFailedDirectorySyncAcknowledgesNothingAndUndoesTheWrites) {
  ingress::testing::CountingFilesystem counting(real_fs_);
  store::IngressStore ingresses(counting, clock_, dir_.path());
  ASSERT_TRUE(ingresses.load().ok());
  Manager m(ingresses, *instance_store_, resolver_table_, clock_, ids_, &controlled_);
  ASSERT_TRUE(m.createIngress(spec("web", "a.example.com")).ok());
  counting.failSyncDir(true);
  auto failed = m.createIngress(spec("api", "b.example.com"));
  EXPECT_EQ(failed.status().code(), StatusCode::kInternal);
  EXPECT_NE(failed.status().message().find("injected fault: fsync directory"), std::string::npos);
  EXPECT_EQ(m.deleteIngress("web").code(), StatusCode::kInternal);
  counting.failSyncDir(false);
  EXPECT_EQ(m.listIngresses().size(), 1u);
  EXPECT_TRUE(m.getIngress("web").ok());
  EXPECT_EQ(ingressFiles().size(), 1u);  // the unacknowledged file was removed again
  ASSERT_EQ(controlled_.published().back()->ingresses().size(), 1u);
  EXPECT_EQ(controlled_.published().back()->ingresses()[0]->ingress.name, "web");
  // Nothing is wedged and the name is free.
  EXPECT_TRUE(m.createIngress(spec("api", "b.example.com")).ok());
}

}  // namespace
}  // namespace ingress::domain

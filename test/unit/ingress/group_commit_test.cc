// Group commit: concurrent mutations share one publish; conflicts are decided in arrival order;
// a refused batch fails only the mutation that caused it.
#include <gtest/gtest.h>

#include <condition_variable>
#include <thread>

#include "unit/ingress/manager_test_fixture.h"

namespace ingress::domain {
namespace {

// A publisher that holds every publish until opened, records batch contents, and refuses any set
// containing `refuse_host`.
class GatedPublisher final : public ConfigPublisher {
 public:
  Status publish(const SnapshotPtr& next) override {
    std::vector<Ingress> all;
    for (const auto& e : next->ingresses()) all.push_back(e->ingress);
    std::unique_lock lock(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    --waiting_;
    calls_.push_back(all.size());
    for (const auto& ing : all) {
      for (const auto& r : ing.rules) {
        if (r.match.hostname == refuse_host_) return aborted("refused", "config_rejected");
      }
    }
    return okStatus();
  }
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void waitForPublisher() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return waiting_ > 0; });
  }
  void refuse(std::string host) { refuse_host_ = std::move(host); }
  std::vector<size_t> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int waiting_ = 0;
  std::string refuse_host_;
  std::vector<size_t> calls_;
};

class GroupCommitTest : public ManagerTest {
 protected:
  void SetUp() override {
    ManagerTest::SetUp();
    gated_manager_ = std::make_unique<Manager>(*ingress_store_, *instance_store_, resolver_table_,
                                               clock_, ids_, &gated_);
  }
  void waitQueued(size_t n) {
    ASSERT_TRUE(
        ingress::testing::pollUntil([&] { return gated_manager_->pendingMutations() >= n; }));
  }
  GatedPublisher gated_;
  std::unique_ptr<Manager> gated_manager_;
};

TEST_F(GroupCommitTest, ConcurrentCreatesShareOnePublish) {
  std::vector<std::thread> threads;
  std::vector<Status> results(21);
  threads.emplace_back([&] {
    results[0] = gated_manager_->createIngress(spec("first", "first.example.com")).status();
  });
  gated_.waitForPublisher();  // the first caller is committing and holds the publish
  for (int i = 1; i <= 20; ++i) {
    threads.emplace_back([&, i] {
      results[i] = gated_manager_
                       ->createIngress(
                           spec("n" + std::to_string(i), "h" + std::to_string(i) + ".example.com"))
                       .status();
    });
  }
  waitQueued(20);
  gated_.open();
  for (auto& t : threads) t.join();
  for (const auto& st : results) EXPECT_TRUE(st.ok()) << st.toString();
  EXPECT_EQ(gated_.calls(), (std::vector<size_t>{1, 21}));
  EXPECT_EQ(gated_manager_->listIngresses().size(), 21u);
  EXPECT_EQ(ingress_store_->size(), 21u);
}

TEST_F(GroupCommitTest, ConflictsAreDecidedInArrivalOrderWithoutWaiting) {
  std::thread first([&] { (void)gated_manager_->createIngress(spec("a", "same.example.com")); });
  gated_.waitForPublisher();
  // The first create is still being published, yet its hostname is already taken.
  auto second = gated_manager_->createIngress(spec("b", "same.example.com"));
  EXPECT_EQ(second.status().reason(), "hostname_in_use");
  auto same_name = gated_manager_->createIngress(spec("a", "other.example.com"));
  EXPECT_EQ(same_name.status().reason(), "already_exists");
  gated_.open();
  first.join();
  EXPECT_EQ(gated_manager_->listIngresses().size(), 1u);
}

TEST_F(GroupCommitTest, RefusedBatchFailsOnlyTheBadMutation) {
  gated_.refuse("bad.example.com");
  std::thread first(
      [&] { (void)gated_manager_->createIngress(spec("first", "first.example.com")); });
  gated_.waitForPublisher();
  Status good1, bad, good2;
  std::thread t1(
      [&] { good1 = gated_manager_->createIngress(spec("good1", "g1.example.com")).status(); });
  waitQueued(1);
  std::thread t2(
      [&] { bad = gated_manager_->createIngress(spec("bad", "bad.example.com")).status(); });
  waitQueued(2);
  std::thread t3(
      [&] { good2 = gated_manager_->createIngress(spec("good2", "g2.example.com")).status(); });
  waitQueued(3);
  gated_.open();
  for (auto* t : {&first, &t1, &t2, &t3}) t->join();
  EXPECT_TRUE(good1.ok()) << good1.toString();
  EXPECT_TRUE(good2.ok()) << good2.toString();
  EXPECT_EQ(bad.code(), StatusCode::kAborted);
  EXPECT_EQ(bad.reason(), "config_rejected");
  std::vector<std::string> names;
  for (const auto& v : gated_manager_->listIngresses()) names.push_back(v.ingress.name);
  EXPECT_EQ(names, (std::vector<std::string>{"first", "good1", "good2"}));
  EXPECT_EQ(ingress_store_->size(), 3u);
  EXPECT_FALSE(gated_manager_->getIngress("bad").ok());
}

TEST_F(GroupCommitTest, DeleteOfAQueuedCreateFailsWhenTheCreateIsRefused) {
  gated_.refuse("doomed.example.com");
  std::thread first(
      [&] { (void)gated_manager_->createIngress(spec("first", "first.example.com")); });
  gated_.waitForPublisher();
  Status created, deleted;
  std::thread t1([&] {
    created = gated_manager_->createIngress(spec("doomed", "doomed.example.com")).status();
  });
  waitQueued(1);
  std::thread t2([&] { deleted = gated_manager_->deleteIngress("doomed"); });
  waitQueued(2);
  gated_.open();
  for (auto* t : {&first, &t1, &t2}) t->join();
  // The batch {create doomed, delete doomed} nets to nothing, so it publishes fine: both succeed.
  EXPECT_TRUE(created.ok()) << created.toString();
  EXPECT_TRUE(deleted.ok()) << deleted.toString();
  EXPECT_FALSE(gated_manager_->getIngress("doomed").ok());
  EXPECT_EQ(ingress_store_->size(), 1u);
}

}  // namespace
}  // namespace ingress::domain

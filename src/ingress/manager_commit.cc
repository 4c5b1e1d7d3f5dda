// Manager: the group-commit pipeline behind every ingress mutation (see manager.h).
//
// Locking: mutation_mu_ guards queue_, pending_, committing_ and each Op's `done`. Only the
// committer (the caller that set committing_) writes state_, and it does so under state_mu_;
// it may read state_ without state_mu_ because nobody else writes it.
#include <vector>

#include "common/log.h"
#include "ingress/manager.h"

namespace ingress::domain {

Status Manager::submit(const OpPtr& op, std::unique_lock<std::mutex>& lock) {
  INGRESS_RETURN_IF_ERROR(op->apply(pending_));
  queue_.push_back(op);
  for (;;) {
    queue_cv_.wait(lock, [&] { return op->done || !committing_; });
    if (op->done) return op->result;
    // Nobody is committing: commit everything queued so far, this caller's mutation included.
    committing_ = true;
    std::vector<OpPtr> batch(queue_.begin(), queue_.end());
    queue_.clear();
    State target = pending_;
    lock.unlock();
    const bool clean = commitBatch(batch, std::move(target));
    lock.lock();
    for (const auto& b : batch) b->done = true;
    if (!clean) rebuildPending();
    committing_ = false;
    queue_cv_.notify_all();
  }
}

bool Manager::commitBatch(std::vector<OpPtr>& batch, State target) {
  auto publish = [&](const State& s) {
    return publisher_ == nullptr ? okStatus() : publisher_->publish(makeSnapshot(s));
  };
  auto swapIn = [&](State s) {
    std::unique_lock lock(state_mu_);
    state_ = std::move(s);
  };

  Status published = publish(target);
  if (published.ok()) {
    bool all_persisted = true;
    for (auto& op : batch) {
      op->result = op->persist();
      all_persisted = all_persisted && op->result.ok();
    }
    if (all_persisted) {
      swapIn(std::move(target));
      return true;
    }
    // Some store writes failed (disk full?): commit only what is on disk, and tell the proxy.
    State committed = state_;
    for (auto& op : batch) {
      if (op->result.ok()) (void)op->apply(committed);
    }
    if (Status back = publish(committed); !back.ok()) {
      log::error("store write failed and the proxy could not be brought back in line",
                 {{"publish_error", back.toString()}});
    }
    swapIn(std::move(committed));
    return false;
  }
  if (batch.size() == 1) {
    batch[0]->result = published;
    return false;
  }
  // The batch as a whole was refused: find out whose mutation it was, one at a time.
  log::warn("batch refused; retrying its mutations one by one",
            {{"mutations", batch.size()}, {"error", published.message()}});
  for (auto& op : batch) {
    State next = state_;
    if (Status st = op->apply(next); !st.ok()) {
      op->result = st;
      continue;
    }
    if (Status st = publish(next); !st.ok()) {
      op->result = st;
      continue;
    }
    if (Status st = op->persist(); !st.ok()) {
      (void)publish(state_);
      op->result = st;
      continue;
    }
    op->result = okStatus();
    swapIn(std::move(next));
  }
  return false;
}

void Manager::rebuildPending() {
  pending_ = state_;
  for (auto it = queue_.begin(); it != queue_.end();) {
    Status st = (*it)->apply(pending_);
    if (st.ok()) {
      ++it;
      continue;
    }
    (*it)->result = st;
    (*it)->done = true;
    it = queue_.erase(it);
  }
}

size_t Manager::pendingMutations() const {
  std::lock_guard lock(mutation_mu_);
  return queue_.size();
}

void Manager::waitIdle(std::unique_lock<std::mutex>& lock) {
  queue_cv_.wait(lock, [&] { return !committing_ && queue_.empty(); });
}

}  // namespace ingress::domain

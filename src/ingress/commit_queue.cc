#include "ingress/commit_queue.h"

namespace ingress::domain {
namespace {

// Re-takes the lock and closes the batch however the commit hook left (return or throw).
class BatchGuard {
 public:
  BatchGuard(std::unique_lock<std::mutex>& lock, std::function<void(bool)> finish)
      : lock_(lock), finish_(std::move(finish)) {}
  BatchGuard(const BatchGuard&) = delete;
  BatchGuard& operator=(const BatchGuard&) = delete;
  ~BatchGuard() {
    lock_.lock();
    finish_(clean_);
  }
  void setClean(bool clean) { clean_ = clean; }

 private:
  std::unique_lock<std::mutex>& lock_;
  std::function<void(bool)> finish_;
  bool clean_ = false;
};

}  // namespace

Status CommitQueue::submit(const OpPtr& op, const std::function<Status()>& admit) {
  std::unique_lock lock(mu_);
  INGRESS_RETURN_IF_ERROR(admit());
  queue_.push_back(op);
  for (;;) {
    cv_.wait(lock, [&] { return op->done || !committing_; });
    if (op->done) return op->result;
    // Nobody is committing: commit everything queued so far, this caller's op included.
    committing_ = true;
    std::vector<OpPtr> batch(queue_.begin(), queue_.end());
    queue_.clear();
    lock.unlock();
    BatchGuard guard(lock, [&](bool clean) { finishBatch(batch, clean); });
    guard.setClean(hooks_.commit(batch));
  }
}

void CommitQueue::finishBatch(const std::vector<OpPtr>& batch, bool clean) {
  for (const auto& b : batch) b->done = true;
  if (!clean) {
    hooks_.reset_pending();
    for (auto it = queue_.begin(); it != queue_.end();) {
      Status st = hooks_.readmit(**it);
      if (st.ok()) {
        ++it;
        continue;
      }
      (*it)->result = st;
      (*it)->done = true;
      it = queue_.erase(it);
    }
  }
  committing_ = false;
  cv_.notify_all();
}

size_t CommitQueue::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

}  // namespace ingress::domain

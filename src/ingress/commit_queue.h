// CommitQueue: group commit. Callers admit an operation (validated against the pending state
// under the queue's lock), queue it and wait; one caller at a time is the committer: it takes
// everything queued, commits the batch without the lock (so others keep admitting and queueing)
// and answers every caller in it. Operations arriving meanwhile form the next batch, in arrival
// order, so nothing is starved: an operation waits for at most the batch in progress.
//
//   CommitQueue q(hooks);
//   Status st = q.submit(op, [&] { return admitAgainstPending(*op); });
//
// Exception-safe: if the commit hook throws, every operation of the batch still gets an answer
// (kInternal unless the hook set one), the pending state is rebuilt, the next caller becomes the
// committer, and the exception reaches the caller that was committing.
//
// Thread-safe. The hooks run under the queue's lock (admit, reset, readmit) or with it released
// but alone (commit): state they share needs no other lock between them.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "common/status.h"

namespace ingress::domain {

class CommitQueue {
 public:
  struct Op {
    virtual ~Op() = default;
    // Set by the commit hook; starts as kInternal so an op it never reached does not succeed.
    Status result = internalError("the commit of this change was interrupted");

   private:
    friend class CommitQueue;
    bool done = false;  // guarded by the queue's lock
  };
  using OpPtr = std::shared_ptr<Op>;

  struct Hooks {
    // Commits `batch` (arrival order), setting each op's result. Returns false when the pending
    // state no longer follows from the committed one (something failed).
    std::function<bool(const std::vector<OpPtr>& batch)> commit;
    // Under the lock, after a batch that returned false (or threw): pending := committed.
    std::function<void()> reset_pending;
    // Under the lock, then for each op still queued, in order: re-admit it against the rebuilt
    // pending state; a non-ok Status is that op's answer.
    std::function<Status(Op& op)> readmit;
  };

  explicit CommitQueue(Hooks hooks) : hooks_(std::move(hooks)) {}

  // Runs `admit` under the lock; when ok, queues `op` and returns its result once committed.
  Status submit(const OpPtr& op, const std::function<Status()>& admit);
  // Operations queued, not yet taken by a committer.
  size_t queued() const;

 private:
  void finishBatch(const std::vector<OpPtr>& batch, bool clean);  // caller holds mu_

  Hooks hooks_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<OpPtr> queue_;  // guarded by mu_
  bool committing_ = false;  // guarded by mu_
};

}  // namespace ingress::domain

// Manager::Op: one queued operation of the Manager (internal to manager*.cc).
#pragma once

#include <optional>
#include <string>

#include "ingress/manager.h"

namespace ingress::domain {

struct Manager::Op final : CommitQueue::Op {
  enum class Kind { kCreate, kDelete, kPutInstance, kDeleteInstance, kReconcile, kCertificates };
  Kind kind = Kind::kCreate;
  // kCreate: the new ingress, resolved at admission when instance_epoch_ was `epoch`.
  ResolvedIngressPtr created;
  uint64_t epoch = 0;
  // kDelete: the id or name asked for, and the id it named at admission.
  std::string key;
  std::string removed_id;
  std::string removed_name;
  // Instance ops: the instance (kDeleteInstance: only the name), and what the registry held
  // before the committer wrote it (for undo after a refused publish).
  Instance instance;
  std::optional<Instance> old_instance;
  bool instance_written = false;

  bool isIngressOp() const { return kind == Kind::kCreate || kind == Kind::kDelete; }
};

// The state of one commit attempt (manager_commit.cc).
struct Manager::Attempt {
  std::vector<Op*> ops;
  SnapshotChange change;
  ResolutionCache cache;
  std::vector<Op*> ingress_ops;    // creates and deletes taking part, in order
  std::vector<Op*> participating;  // every op whose change is in the published snapshot
  std::vector<Op*> persisted;      // ingress ops written to the store, in order
  bool store_failed = false;
};

}  // namespace ingress::domain

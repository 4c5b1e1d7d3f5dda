// Manager: the committer (see manager.h). One attempt turns a batch into one snapshot:
//   1. instance changes are written to the registry (the resolver reads it), reconciles noted;
//   2. the ingress changes form a SnapshotChange; the next snapshot re-resolves only the rules
//      of instances changed in step 1 (everything for a reconcile) and admission-time
//      resolutions taken before an instance change;
//   3. one publish (skipped when the snapshot did not change); refused → step 1 is undone;
//   4. the ingress changes are written to the store, then one directory fsync for all of them;
//      after a failed write, later changes are re-validated against what is really stored, and
//      the set that really committed is published again (best effort);
//   5. the snapshot and the committed index are swapped in under state_mu_.
// Exceptions of collaborators (publisher, stores) are turned into kInternal where they are
// called. Only the committer writes committed_, current_ and generation_, so it reads them
// without state_mu_.
#include <exception>

#include "common/log.h"
#include "ingress/manager_op.h"

namespace ingress::domain {
namespace {

template <typename F>
Status guarded(const char* what, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return internalError(std::string(what) + ": " + e.what());
  } catch (...) {
    return internalError(std::string(what) + ": unknown exception");
  }
}

Status instanceNotFound(std::string_view name) {
  return notFound("instance \"" + std::string(name) + "\" not found", "not_found");
}

}  // namespace

Status Manager::publish(const SnapshotPtr& s) {
  if (publisher_ == nullptr) return okStatus();
  return guarded("publishing the configuration", [&] { return publisher_->publish(s); });
}

bool Manager::commitBatch(const std::vector<CommitQueue::OpPtr>& batch) {
  std::vector<Op*> ops;
  ops.reserve(batch.size());
  for (const auto& b : batch) ops.push_back(static_cast<Op*>(b.get()));
  bool refused = false;
  if (attempt(ops, /*trust_admission=*/true, refused)) return true;
  if (!refused || ops.size() == 1) return false;
  // The batch as a whole was refused: find out whose change it was, one at a time.
  log::warn("batch refused; retrying its mutations one by one",
            {{"mutations", ops.size()}, {"error", ops.front()->result.message()}});
  for (Op* op : ops) {
    bool ignored = false;
    attempt({op}, /*trust_admission=*/false, ignored);
  }
  return false;
}

void Manager::writeInstances(Attempt& a) {
  bool wrote = false;
  for (Op* op : a.ops) {
    op->instance_written = false;
    if (op->kind == Op::Kind::kReconcile) {
      a.change.all_instances = true;
      a.participating.push_back(op);
      continue;
    }
    if (op->kind == Op::Kind::kCertificates) {
      if (certificates_ != nullptr) a.change.certificates = certificates_->certificates();
      a.participating.push_back(op);
      continue;
    }
    if (op->kind != Op::Kind::kPutInstance && op->kind != Op::Kind::kDeleteInstance) continue;
    const std::string& name = op->instance.name;
    op->old_instance = instances_.get(name);
    Status st;
    if (op->kind == Op::Kind::kPutInstance) {
      if (op->old_instance && *op->old_instance == op->instance) {
        op->result = okStatus();  // nothing changes
        continue;
      }
      st = guarded("writing the instance", [&] { return instances_.put(op->instance); });
    } else {
      if (!op->old_instance) {
        op->result = instanceNotFound(name);
        continue;
      }
      st = guarded("removing the instance", [&] { return instances_.remove(name); });
    }
    if (!st.ok()) {
      op->result = st;
      continue;
    }
    op->instance_written = wrote = true;
    a.change.instances.insert(name);
    a.participating.push_back(op);
  }
  if (wrote) ++instance_epoch_;
}

void Manager::undoInstances(Attempt& a) {
  bool undone = false;
  for (auto it = a.ops.rbegin(); it != a.ops.rend(); ++it) {
    Op* op = *it;
    if (!op->instance_written) continue;
    const std::string& name = op->instance.name;
    Status st = guarded("undoing an instance change", [&] {
      return op->old_instance ? instances_.put(*op->old_instance) : instances_.remove(name);
    });
    if (!st.ok()) {
      log::error("could not undo an instance change after a failed publish",
                 {{"instance", name}, {"error", st.toString()}});
    }
    op->instance_written = false;
    undone = true;
  }
  if (undone) ++instance_epoch_;
}

Status Manager::validateAgainst(Op& op, const IngressIndex& index) {
  if (op.kind == Op::Kind::kCreate) return index.check(op.created->ingress);
  const ResolvedIngressPtr* found = index.find(op.removed_id.empty() ? op.key : op.removed_id);
  if (found == nullptr) {
    return notFound("ingress \"" + op.key + "\" not found", "not_found");
  }
  op.removed_id = (*found)->ingress.id;
  op.removed_name = (*found)->ingress.name;
  return okStatus();
}

void Manager::applyTo(const Op& op, IngressIndex& index) {
  if (op.kind == Op::Kind::kCreate) {
    index.add(op.created);
  } else {
    index.remove(op.removed_id);
  }
}

void Manager::persistIngresses(Attempt& a) {
  std::optional<IngressIndex> actual;  // what is really stored, once something failed
  std::map<std::string, Ingress, std::less<>> created;  // for undoing deletes of new ones
  for (Op* op : a.ingress_ops) {
    if (a.store_failed) {
      if (!actual) {
        actual = committed_;
        for (Op* p : a.persisted) applyTo(*p, *actual);
      }
      if (Status st = validateAgainst(*op, *actual); !st.ok()) {
        op->result = st;
        continue;
      }
    }
    Status st = op->kind == Op::Kind::kCreate
                    ? guarded("storing the ingress",
                              [&] { return ingresses_.putUnsynced(op->created->ingress); })
                    : guarded("removing the ingress",
                              [&] { return ingresses_.removeUnsynced(op->removed_id); });
    if (!st.ok()) {
      op->result = st;
      a.store_failed = true;
      continue;
    }
    if (op->kind == Op::Kind::kCreate) {
      created.emplace(op->created->ingress.id, op->created->ingress);
    }
    a.persisted.push_back(op);
    if (actual) applyTo(*op, *actual);
  }
  if (a.persisted.empty()) return;
  // One directory fsync makes every write above durable; until it succeeds none is acknowledged.
  Status synced = guarded("syncing the store", [&] { return ingresses_.sync(); });
  if (synced.ok()) return;
  a.store_failed = true;
  for (auto it = a.persisted.rbegin(); it != a.persisted.rend(); ++it) {
    Op* op = *it;
    Status undo;
    if (op->kind == Op::Kind::kCreate) {
      undo = guarded("undoing a store write",
                     [&] { return ingresses_.remove(op->created->ingress.id); });
    } else {
      const ResolvedIngressPtr* old = committed_.find(op->removed_id);
      auto c = created.find(op->removed_id);
      const Ingress* ing = old != nullptr       ? &(*old)->ingress
                           : c != created.end() ? &c->second
                                                : nullptr;
      if (ing != nullptr) {
        undo = guarded("undoing a store write", [&] { return ingresses_.put(*ing); });
      }
    }
    if (!undo.ok()) {
      log::error("could not undo a store write after a failed directory sync",
                 {{"error", undo.toString()}});
    }
    op->result = synced;
  }
  a.persisted.clear();
}

bool Manager::attempt(const std::vector<Op*>& ops, bool trust_admission, bool& refused) {
  Attempt a;
  a.ops = ops;
  writeInstances(a);
  const uint64_t epoch = instance_epoch_.load();
  for (Op* op : ops) {
    if (!op->isIngressOp()) continue;
    if (!trust_admission) {
      if (Status st = validateAgainst(*op, committed_); !st.ok()) {
        op->result = st;
        continue;
      }
    }
    a.ingress_ops.push_back(op);
    a.participating.push_back(op);
  }
  auto changeOf = [&](const std::vector<Op*>& ingress_ops) {
    SnapshotChange c;
    c.instances = a.change.instances;
    c.all_instances = a.change.all_instances;
    c.certificates = a.change.certificates;
    for (Op* op : ingress_ops) {
      if (op->kind == Op::Kind::kCreate) {
        c.added.push_back({op->created, op->epoch != epoch});
      } else {
        c.removed.insert(op->removed_id);
      }
    }
    return c;
  };
  a.change = changeOf(a.ingress_ops);
  SnapshotUpdate update = resolution_.next(*current_, a.change, ++generation_, a.cache);
  if (update.changed_any) {
    Status published = publish(update.snapshot);
    if (!published.ok()) {
      undoInstances(a);
      for (Op* op : a.participating) op->result = published;
      refused = true;
      return false;
    }
    persistIngresses(a);
  }
  if (a.store_failed) {
    // Commit only what is on disk, and tell the proxy.
    a.change = changeOf(a.persisted);
    update = resolution_.next(*current_, a.change, ++generation_, a.cache);
    if (Status back = publish(update.snapshot); !back.ok()) {
      log::error("store write failed and the proxy could not be brought back in line",
                 {{"publish_error", back.toString()}});
    }
  }
  for (Op* op : a.participating) {
    if (!op->isIngressOp()) op->result = okStatus();
  }
  for (Op* op : a.persisted) op->result = okStatus();
  if (update.changed_any) swapIn(update, a);
  return !a.store_failed && trust_admission;
}

void Manager::swapIn(const SnapshotUpdate& update, const Attempt& a) {
  {
    std::unique_lock lock(state_mu_);
    for (const std::string& id : a.change.removed) committed_.remove(id);
    for (const ResolvedIngressPtr& e : update.changed) committed_.add(e);
    current_ = update.snapshot;
  }
  if (certificates_ != nullptr) certificates_->committed();
}

}  // namespace ingress::domain

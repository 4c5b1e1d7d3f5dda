// Manager: the built-in instance registry use cases and the reconcile (see manager.h).
//
// Instance changes are queued operations of the same CommitQueue as ingress changes: they are
// committed in arrival order with the batch they fall into, never holding a lock that admission
// needs. The committer writes the registry *before* publishing (the resolver reads it, so the new
// snapshot must see the new address), re-resolves only the rules that target the instance, and
// publishes when some resolution changed. If the publish fails, the registry write is undone and
// the publisher's Status is returned. Deleting an instance never touches ingresses; their rules
// become unresolved.
#include "common/log.h"
#include "ingress/manager_op.h"
#include "ingress/validation.h"

namespace ingress::domain {

Status Manager::submitInstanceOp(const OpPtr& op) {
  return queue_.submit(op, [] { return okStatus(); });
}

StatusOr<Instance> Manager::putInstance(const Instance& request) {
  auto op = std::make_shared<Op>();
  op->kind = Op::Kind::kPutInstance;
  op->instance = request;
  INGRESS_RETURN_IF_ERROR(validateInstance(op->instance));
  INGRESS_RETURN_IF_ERROR(submitInstanceOp(op));
  log::info("instance stored", {{"instance", op->instance.name}, {"ip", op->instance.ip}});
  return op->instance;
}

std::vector<Instance> Manager::listInstances() const { return instances_.all(); }

StatusOr<Instance> Manager::getInstance(std::string_view name) const {
  if (!isValidName(name)) return notFound("instance not found", "not_found");
  auto instance = instances_.get(name);
  if (!instance) return notFound("instance \"" + std::string(name) + "\" not found", "not_found");
  return *instance;
}

Status Manager::deleteInstance(std::string_view name) {
  if (!isValidName(name)) return notFound("instance not found", "not_found");
  auto op = std::make_shared<Op>();
  op->kind = Op::Kind::kDeleteInstance;
  op->instance.name = std::string(name);
  INGRESS_RETURN_IF_ERROR(submitInstanceOp(op));
  log::info("instance deleted", {{"instance", op->instance.name}});
  return okStatus();
}

Status Manager::refreshCertificates() {
  auto op = std::make_shared<Op>();
  op->kind = Op::Kind::kCertificates;
  return submitInstanceOp(op);
}

Status Manager::reconcileInstances() {
  auto op = std::make_shared<Op>();
  op->kind = Op::Kind::kReconcile;
  return submitInstanceOp(op);
}

}  // namespace ingress::domain

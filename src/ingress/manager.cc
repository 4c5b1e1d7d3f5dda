// Manager: construction, the ingress use cases and the reads (see manager.h).
#include "ingress/manager.h"

#include "common/log.h"
#include "ingress/manager_op.h"
#include "ingress/timestamp.h"
#include "ingress/validation.h"

namespace ingress::domain {
namespace {

constexpr int kIdAttempts = 16;

Status ingressNotFound(std::string_view id_or_name) {
  return notFound("ingress \"" + std::string(id_or_name) + "\" not found", "not_found");
}

bool isValidIdOrName(std::string_view s) { return isValidId(s) || isValidName(s); }

}  // namespace

Manager::Manager(store::IngressStore& ingresses, store::InstanceStore& instances,
                 instances::InstanceResolver& resolver, Clock& clock, IdGenerator& ids,
                 ConfigPublisher* publisher, ManagerLimits limits,
                 const TargetPolicy* target_policy, const CertificateCatalog* certificates)
    : ingresses_(ingresses),
      instances_(instances),
      resolution_(resolver, target_policy),
      clock_(clock),
      ids_(ids),
      publisher_(publisher),
      limits_(limits),
      certificates_(certificates),
      queue_(CommitQueue::Hooks{
          [this](const std::vector<CommitQueue::OpPtr>& batch) { return commitBatch(batch); },
          [this] {
            std::shared_lock lock(state_mu_);
            pending_ = committed_;
          },
          [this](CommitQueue::Op& op) { return admit(static_cast<Op&>(op)); }}) {
  // Oldest first, so that of two conflicting files the older one keeps its claim.
  ResolutionCache cache;
  std::vector<ResolvedIngressPtr> entries;
  std::vector<ShadowedIngress> shadowed;
  const std::vector<Ingress> stored = ingresses_.all();
  ListenerPorts listeners([&stored](std::set<uint16_t>& ports) {
    for (const Ingress& ing : stored) addListenerPorts(ing, ports);
  });
  for (const Ingress& ing : stored) {
    Status st = committed_.check(ing);
    if (!st.ok()) {
      log::warn("stored ingress conflicts with an older one; not serving it",
                {{"ingress_id", ing.id}, {"name", ing.name}, {"error", st.message()}});
      shadowed.push_back(ShadowedIngress{ing.id, ing.name, st.message()});
      continue;
    }
    ResolvedIngressPtr e = resolution_.resolve(ing, cache, listeners);
    committed_.add(e);
    entries.push_back(std::move(e));
  }
  current_ = ConfigSnapshot::make(++generation_, std::move(entries), std::move(shadowed),
                                  certificates_ != nullptr ? certificates_->certificates()
                                                           : std::vector<ServedCertificatePtr>{});
  pending_ = committed_;
}

std::string Manager::newUniqueId() const {
  for (int i = 0; i < kIdAttempts; ++i) {
    std::string id = ids_.newId();
    if (isValidId(id) && !pending_.taken(id)) return id;
  }
  return {};
}

Status Manager::admit(Op& op) {
  // Instance ops and reconciles are decided by the committer.
  if (!op.isIngressOp()) return okStatus();
  op.removed_id.clear();  // (re)admission looks a delete's id or name up afresh
  // Against the pending state, so queued creates count: of concurrent creates at the cap, the
  // ones admitted first win.
  if (op.kind == Op::Kind::kCreate && pending_.size() >= limits_.max_ingresses) {
    return resourceExhausted("at most " + std::to_string(limits_.max_ingresses) +
                                 " ingresses may exist (MAX_INGRESSES); delete one first",
                             "limit_exceeded");
  }
  if (op.kind == Op::Kind::kCreate) {
    const auto fresh = pending_.newPorts(op.created->ingress);
    if (!fresh.empty() && pending_.portCount() + fresh.size() > limits_.max_listener_ports) {
      const auto& [port, rule] = *fresh.begin();
      return resourceExhausted(rulePath(rule) + ".match.port: port " + std::to_string(port) +
                                   " would open a new listener port, and at most " +
                                   std::to_string(limits_.max_listener_ports) +
                                   " distinct ports may be in use (" +
                                   std::to_string(pending_.portCount()) +
                                   " are; MAX_LISTENER_PORTS); use a port that is already in use",
                               "limit_exceeded");
    }
  }
  if (op.kind == Op::Kind::kCreate) INGRESS_RETURN_IF_ERROR(admitListenerTargets(*op.created));
  INGRESS_RETURN_IF_ERROR(validateAgainst(op, pending_));
  applyTo(op, pending_);
  return okStatus();
}

Status Manager::admitListenerTargets(const ResolvedIngress& created) {
  // Its targets against every pending listener port: createIngress() looked at the committed
  // ports only, and a create admitted meanwhile may have opened the port a target is on.
  ListenerPorts listeners([&](std::set<uint16_t>& ports) {
    pending_.addPorts(ports);
    addListenerPorts(created.ingress, ports);
  });
  INGRESS_RETURN_IF_ERROR(resolution_.recheck(created, listeners));
  // And the other way round: a port it opens must not be where another ingress's target is
  // (a local address), or that rule would route into Envoy itself.
  for (const auto& [port, rule] : pending_.newPorts(created.ingress)) {
    std::string victim;
    pending_.forEach([&](const ResolvedIngress& e) {
      if (!victim.empty()) return;
      if (std::string r = resolution_.capturedBy(e, port); !r.empty()) {
        victim = "ingress \"" + e.ingress.name + "\" " + r;
      }
    });
    if (!victim.empty()) {
      return alreadyExists(rulePath(rule) + ".match.port: port " + std::to_string(port) +
                               " is where the target of " + victim +
                               " listens on this host; as an Envoy listener port it would "
                               "route that rule into Envoy itself",
                           "port_in_use");
    }
  }
  return okStatus();
}

StatusOr<IngressView> Manager::createIngress(const IngressSpec& request) {
  IngressSpec spec = request;
  INGRESS_RETURN_IF_ERROR(validateIngressSpec(spec));
  if (spec.rules.size() > limits_.max_rules_per_ingress) {
    return invalidArgument("rules: at most " + std::to_string(limits_.max_rules_per_ingress) +
                               " rules per ingress are allowed (MAX_RULES_PER_INGRESS)",
                           "bad_request");
  }
  for (size_t i = 0; i < spec.rules.size(); ++i) {
    if (!spec.rules[i].tls) continue;
    if (certificates_ == nullptr) {
      return invalidArgument(rulePath(i) +
                                 ".tls: this daemon has no certificate source: set ACME_EMAIL to "
                                 "get certificates from ACME, or upload one (PUT /certificates)",
                             "tls_not_configured");
    }
    INGRESS_RETURN_IF_ERROR(certificates_->admitTlsRule(spec.rules[i], rulePath(i)));
  }
  Ingress ing;
  ing.name = std::move(spec.name);
  ing.rules = std::move(spec.rules);
  auto op = std::make_shared<Op>();
  op->kind = Op::Kind::kCreate;
  // The resolver may be remote (hypeman): ask before taking any lock. This is the only lookup
  // of these targets unless an instance changes before the commit.
  op->epoch = instance_epoch_.load();
  ResolutionCache cache;
  // Envoy's listener ports once this ingress exists (a target there would loop into Envoy).
  const SnapshotPtr committed = current();
  ListenerPorts listeners([&](std::set<uint16_t>& ports) {
    addListenerPorts(ing, ports);
    for (const ResolvedIngressPtr& e : committed->ingresses()) addListenerPorts(e->ingress, ports);
  });
  INGRESS_ASSIGN_OR_RETURN(ResolvedIngressPtr resolved, resolution_.admit(ing, cache, listeners));
  std::string id;
  INGRESS_RETURN_IF_ERROR(queue_.submit(op, [&]() -> Status {
    ing.created_at = truncateToMillis(clock_.now());
    ing.id = newUniqueId();
    if (ing.id.empty()) return internalError("could not generate a unique ingress id");
    auto entry = std::make_shared<ResolvedIngress>();
    entry->ingress = ing;
    entry->rules = resolved->rules;
    op->created = std::move(entry);
    return admit(*op);
  }));
  log::info("ingress created", {{"ingress_id", ing.id}, {"name", ing.name}});
  std::shared_lock lock(state_mu_);
  if (const ResolvedIngressPtr* e = committed_.find(ing.id)) return viewOf(**e, *current_);
  // already deleted again by a later mutation of the same batch
  return viewOf(*op->created, *current_);
}

Status Manager::deleteIngress(std::string_view id_or_name) {
  if (!isValidIdOrName(id_or_name)) return notFound("ingress not found", "not_found");
  auto op = std::make_shared<Op>();
  op->kind = Op::Kind::kDelete;
  op->key = std::string(id_or_name);
  INGRESS_RETURN_IF_ERROR(queue_.submit(op, [&] { return admit(*op); }));
  log::info("ingress deleted", {{"ingress_id", op->removed_id}, {"name", op->removed_name}});
  return okStatus();
}

SnapshotPtr Manager::current() const {
  std::shared_lock lock(state_mu_);
  return current_;
}

size_t Manager::pendingMutations() const { return queue_.queued(); }

std::vector<IngressView> Manager::listIngresses() const {
  SnapshotPtr s = current();
  std::vector<IngressView> out;
  out.reserve(s->ingresses().size());
  for (const auto& e : s->ingresses()) out.push_back(viewOf(*e, *s));
  return out;
}

StatusOr<IngressView> Manager::getIngress(std::string_view id_or_name) const {
  if (!isValidIdOrName(id_or_name)) return notFound("ingress not found", "not_found");
  ResolvedIngressPtr entry;
  SnapshotPtr snapshot;
  {
    std::shared_lock lock(state_mu_);
    const ResolvedIngressPtr* found = committed_.find(id_or_name);
    if (found == nullptr) return ingressNotFound(id_or_name);
    entry = *found;
    snapshot = current_;
  }
  return viewOf(*entry, *snapshot);
}

IngressView Manager::viewOf(const ResolvedIngress& entry, const ConfigSnapshot& snapshot) const {
  IngressView v = entry.view();
  if (certificates_ == nullptr) return v;
  for (size_t i = 0; i < entry.ingress.rules.size() && i < v.rule_status.size(); ++i) {
    const Rule& rule = entry.ingress.rules[i];
    if (rule.tls) v.rule_status[i].certificate = certificates_->status(rule, snapshot);
  }
  return v;
}

}  // namespace ingress::domain

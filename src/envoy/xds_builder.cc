// XdsBuilder: the snapshot's difference with the last build, applied to per-port route tables
// and to the sets of targets and ports.
#include "envoy/xds_builder.h"

#include "common/sha256.h"
#include "envoy/cluster_builder.h"
#include "envoy/listener_builder.h"

namespace ingress::envoy {

std::string listenerName(uint16_t port) { return "ingress_" + std::to_string(port); }
std::string rdsDirName(uint16_t port) { return "rds_" + std::to_string(port); }
std::string rdsFileName(uint16_t port) { return rdsDirName(port) + "/" + kRdsFileInDir; }

std::string discoveryFile(const std::string& version, const Json& resources) {
  return dumpJson(Json{{"version_info", version}, {"resources", resources}}, 1) + "\n";
}

std::string contentVersion(const std::string& content) { return sha256Hex(content).substr(0, 16); }

XdsBuilder::XdsBuilder(BuilderSettings settings) : settings_(std::move(settings)) {}

namespace {

int64_t createdMs(const domain::Ingress& ing) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(ing.created_at.time_since_epoch())
      .count();
}

}  // namespace

void XdsBuilder::withdraw(const domain::ResolvedIngress& entry) {
  const int64_t created = createdMs(entry.ingress);
  for (const RuleRouting& r : planIngress(entry)) {
    RuleKey key{created, entry.ingress.id, r.rule_index};
    if (!r.routed) {
      unresolved_.erase(key);
      continue;
    }
    auto p = ports_.find(r.port);
    if (p == ports_.end()) continue;
    Port& port = p->second;
    auto h = port.hosts.find(r.host.hostname);
    if (h != port.hosts.end() && h->second.erase(key) != 0) {
      if (h->second.empty()) port.hosts.erase(h);
      port.dirty = true;
      auto t = targets_.find(r.target.name);
      if (t != targets_.end() && --t->second.claims == 0) {
        targets_.erase(t);
        targets_changed_ = true;
      }
    }
    port.labels.erase(key);
    if (port.hosts.empty()) {
      ports_.erase(p);
      ports_changed_ = true;
    }
  }
}

void XdsBuilder::contribute(const domain::ResolvedIngress& entry) {
  const int64_t created = createdMs(entry.ingress);
  for (RuleRouting& r : planIngress(entry)) {
    RuleKey key{created, entry.ingress.id, r.rule_index};
    if (!r.routed) {
      unresolved_[key] = std::move(r.unresolved);
      continue;
    }
    auto [p, fresh_port] = ports_.try_emplace(r.port);
    ports_changed_ = ports_changed_ || fresh_port;
    Port& port = p->second;
    port.hosts[r.host.hostname][key] = {encodeVirtualHost(r.host)};
    port.labels[key] = std::move(r.label);
    port.dirty = true;
    auto [t, fresh_target] = targets_.try_emplace(r.target.name);
    if (fresh_target) {
      t->second.cluster = std::make_shared<const std::string>(encodeCluster(r.target, settings_));
      targets_changed_ = true;
    }
    ++t->second.claims;
  }
}

void XdsBuilder::refreshClustersAndListeners() {
  if (!targets_changed_ && !ports_changed_) return;
  if (targets_changed_) {
    std::map<std::string, EncodedPtr> clusters;
    for (const auto& [name, t] : targets_) clusters.emplace_hint(clusters.end(), name, t.cluster);
    clusters_ = ClusterSet::make(std::move(clusters));
  }
  if (ports_changed_) {
    RoutingPlan plan;  // only what the listener builder reads: the ports
    for (const auto& [port, state] : ports_) plan.ports[port];
    listeners_ = buildListeners(plan, settings_);
    listeners_version_ = contentVersion(dumpJson(listeners_));
  }
  targets_changed_ = ports_changed_ = false;
}

XdsConfig XdsBuilder::build(const domain::SnapshotPtr& next) {
  // The difference: entries of `next` that the state does not hold (new or replaced), and
  // entries the state holds that `next` no longer has.
  ++stamp_;
  std::vector<domain::ResolvedIngressPtr> gone, came;
  for (const auto& e : next->ingresses()) {
    auto [it, fresh] = built_.try_emplace(e->ingress.id);
    if (!fresh && it->second.entry != e) gone.push_back(it->second.entry);
    if (fresh || it->second.entry != e) came.push_back(e);
    it->second = {e, stamp_};
  }
  if (built_.size() > next->ingresses().size()) {
    for (auto it = built_.begin(); it != built_.end();) {
      if (it->second.stamp == stamp_) {
        ++it;
        continue;
      }
      gone.push_back(it->second.entry);
      it = built_.erase(it);
    }
  }
  // Withdraw everything first, so a hostname a deleted ingress held can go to a new one.
  for (const auto& e : gone) withdraw(*e);
  for (const auto& e : came) contribute(*e);

  refreshClustersAndListeners();
  XdsConfig out;
  out.clusters = clusters_;
  out.listeners = listeners_;
  out.listeners_version = listeners_version_;
  std::string versions = clusters_->version() + listeners_version_;
  for (auto& [number, port] : ports_) {
    if (port.dirty) {
      std::vector<std::string_view> hosts;
      hosts.reserve(port.hosts.size());
      for (const auto& [hostname, claims] : port.hosts) {
        hosts.push_back(claims.rbegin()->second.encoded);
      }
      port.table = assembleRouteTable(number, hosts);
      port.dirty = false;
    }
    out.routes.emplace(number, port.table);
    versions += port.table->version;
    PortRules& rules = out.port_rules[number];
    rules.count = port.labels.size();
    for (auto it = port.labels.begin();
         it != port.labels.end() && rules.first.size() < PortRules::kNamed; ++it) {
      rules.first.push_back(it->second);
    }
  }
  out.unresolved.reserve(unresolved_.size());
  for (const auto& [key, u] : unresolved_) out.unresolved.push_back(u);
  out.version = contentVersion(versions);
  return out;
}

XdsConfig buildXds(const domain::ConfigSnapshot& snapshot, const BuilderSettings& settings) {
  // A fresh builder holds nothing to share the snapshot with: give it its own pointer.
  auto copy = domain::ConfigSnapshot::make(snapshot.generation(), snapshot.ingresses(),
                                           snapshot.shadowed());
  return XdsBuilder(settings).build(copy);
}

XdsConfig buildXds(const domain::SnapshotPtr& snapshot, const BuilderSettings& settings) {
  return XdsBuilder(settings).build(snapshot);
}

}  // namespace ingress::envoy

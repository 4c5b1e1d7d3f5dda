// XdsBuilder: the snapshot's difference with the last build, applied to per-port route tables
// and to the sets of targets and ports.
#include "envoy/xds_builder.h"

#include <algorithm>
#include <set>

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

std::string XdsBuilder::certificateOf(const HostClaim& claim) const {
  if (claim.kind != HostClaim::Kind::kForward || !claim.tls || snapshot_ == nullptr) return "";
  const domain::ServedCertificate* cert = snapshot_->certificateFor(claim.hostname);
  return cert == nullptr ? "" : cert->id;
}

void XdsBuilder::addClaim(uint16_t number, const RuleKey& key, HostClaim claim, std::string label) {
  auto [p, fresh_port] = ports_.try_emplace(number);
  ports_changed_ = ports_changed_ || fresh_port;
  Port& port = p->second;
  const ClaimKey ck{claim.kind, key};
  Claim c;
  c.certificate = certificateOf(claim);
  c.encoded = encodeVirtualHost(
      virtualHostOf(claim, c.certificate, answersChallenges(number, settings_.tls)));
  if (claim.kind == HostClaim::Kind::kForward && claim.tls) ++port.tls_claims;
  const std::string hostname = claim.hostname;
  c.claim = std::move(claim);
  port.hosts[hostname][ck] = std::move(c);
  port.labels[{ck.second, ck.first}] = std::move(label);
  port.dirty = true;
}

void XdsBuilder::removeClaim(uint16_t number, const ClaimKey& ck, const std::string& hostname,
                             const std::string& target) {
  auto p = ports_.find(number);
  if (p == ports_.end()) return;
  Port& port = p->second;
  auto h = port.hosts.find(hostname);
  if (h != port.hosts.end()) {
    auto c = h->second.find(ck);
    if (c != h->second.end()) {
      if (c->second.claim.kind == HostClaim::Kind::kForward && c->second.claim.tls) {
        --port.tls_claims;
      }
      h->second.erase(c);
      if (h->second.empty()) port.hosts.erase(h);
      port.dirty = true;
      auto t = target.empty() ? targets_.end() : targets_.find(target);
      if (t != targets_.end() && --t->second.claims == 0) {
        targets_.erase(t);
        targets_changed_ = true;
      }
    }
  }
  port.labels.erase({ck.second, ck.first});
  if (port.hosts.empty()) {
    ports_.erase(p);
    ports_changed_ = true;
  }
}

void XdsBuilder::withdraw(const domain::ResolvedIngress& entry) {
  const int64_t created = createdMs(entry.ingress);
  for (const RuleRouting& r : planIngress(entry)) {
    RuleKey key{created, entry.ingress.id, r.rule_index};
    if (r.tls) --tls_rules_;
    if (!r.routed) {
      unresolved_.erase(key);
      continue;
    }
    removeClaim(r.port, {HostClaim::Kind::kForward, key}, r.host.hostname, r.target.name);
    if (r.redirect) {
      removeClaim(settings_.tls.http_port, {HostClaim::Kind::kRedirect, key}, r.host.hostname, "");
    }
  }
}

void XdsBuilder::contribute(const domain::ResolvedIngress& entry) {
  const int64_t created = createdMs(entry.ingress);
  for (RuleRouting& r : planIngress(entry)) {
    RuleKey key{created, entry.ingress.id, r.rule_index};
    if (r.tls) ++tls_rules_;
    if (!r.routed) {
      unresolved_[key] = std::move(r.unresolved);
      continue;
    }
    if (r.redirect) {
      addClaim(settings_.tls.http_port, key, redirectClaim(r), r.label + " (redirect_http)");
    }
    addClaim(r.port, key, r.host, std::move(r.label));
    auto [t, fresh_target] = targets_.try_emplace(r.target.name);
    if (fresh_target) {
      t->second.cluster = std::make_shared<const std::string>(encodeCluster(r.target, settings_));
      targets_changed_ = true;
    }
    ++t->second.claims;
  }
}

void XdsBuilder::reassignCertificates() {
  for (auto& [number, port] : ports_) {
    if (port.tls_claims == 0 && !port.tls) continue;
    port.dirty = true;  // its chains depend on the certificates' names too
    const bool challenge = answersChallenges(number, settings_.tls);
    for (auto& [hostname, claims] : port.hosts) {
      for (auto& [ck, c] : claims) {
        std::string certificate = certificateOf(c.claim);
        if (certificate == c.certificate) continue;
        c.certificate = std::move(certificate);
        c.encoded = encodeVirtualHost(virtualHostOf(c.claim, c.certificate, challenge));
      }
    }
  }
}

void XdsBuilder::keepHttpPort() {
  const uint16_t http = settings_.tls.http_port;
  const bool wanted = tls_rules_ > 0 && settings_.tls.acme_http01_port != 0;
  auto p = ports_.find(http);
  if (wanted && p == ports_.end()) {
    ports_.try_emplace(http);
    ports_changed_ = true;
  } else if (!wanted && p != ports_.end() && p->second.hosts.empty()) {
    ports_.erase(p);
    ports_changed_ = true;
  }
}

void XdsBuilder::assemble(uint16_t number, Port& port) {
  std::vector<std::string_view> hosts;
  hosts.reserve(port.hosts.size());
  std::set<std::string> in_use;
  for (const auto& [hostname, claims] : port.hosts) {
    const Claim& winner = claims.rbegin()->second;
    hosts.push_back(winner.encoded);
    if (!winner.certificate.empty()) in_use.insert(winner.certificate);
  }
  const bool tls = port.tls_claims > 0;
  std::vector<PlannedChain> chains;
  if (tls) chains = planChains(in_use, *snapshot_);
  if (tls != port.tls || chains != port.chains) {
    port.tls = tls;
    port.chains = std::move(chains);
    chains_changed_ = true;
  }
  port.table = assembleRouteTable(number, hosts, {tls, answersChallenges(number, settings_.tls)});
  port.dirty = false;
}

void XdsBuilder::refreshSecrets() {
  std::map<std::string, SecretPtr> next;
  bool any_tls = false;
  for (const auto& [number, port] : ports_) {
    any_tls = any_tls || port.tls;
    for (const PlannedChain& c : port.chains) next[c.certificate];
  }
  const auto& certs = snapshot_->certificates();  // sorted by id
  std::map<std::string, domain::ServedCertificatePtr> sources;
  for (auto& [id, secret] : next) {
    auto it = std::lower_bound(
        certs.begin(), certs.end(), id,
        [](const domain::ServedCertificatePtr& c, const std::string& v) { return c->id < v; });
    if (it == certs.end() || (*it)->id != id) continue;  // cannot happen: chains name them
    sources[id] = *it;
    auto cached = secret_sources_.find(id);
    secret =
        cached != secret_sources_.end() && cached->second == *it
            ? secrets_.at(id)
            : buildSecret(settings_.sds_dir, id, (*it)->chain_pem, (*it)->key_pem, (*it)->serial);
  }
  secret_sources_ = std::move(sources);
  if (any_tls) {
    if (default_secret_ == nullptr) {
      default_secret_ =
          buildSecret(settings_.sds_dir, kDefaultSecret, settings_.tls.default_chain_pem,
                      settings_.tls.default_key_pem, "");
    }
    next[kDefaultSecret] = default_secret_;
  }
  secrets_ = std::move(next);
}

void XdsBuilder::refreshClustersAndListeners() {
  if (targets_changed_) {
    std::map<std::string, EncodedPtr> clusters;
    for (const auto& [name, t] : targets_) clusters.emplace_hint(clusters.end(), name, t.cluster);
    // The daemon's HTTP-01 responder, whenever ACME is on (unused clusters cost nothing, and a
    // set that does not depend on the rules changes less).
    if (settings_.tls.acme_http01_port != 0) {
      clusters[kAcmeCluster] = std::make_shared<const std::string>(
          encodeCluster({kAcmeCluster, "127.0.0.1", settings_.tls.acme_http01_port}, settings_));
    }
    clusters_ = ClusterSet::make(std::move(clusters));
  }
  if (ports_changed_ || chains_changed_) {
    RoutingPlan plan;  // only what the listener builder reads: the ports, TLS and chains
    for (const auto& [number, port] : ports_) {
      PlannedPort& p = plan.ports[number];
      p.tls = port.tls;
      p.chains = port.chains;
    }
    listeners_ = buildListeners(plan, settings_);
    listeners_version_ = contentVersion(dumpJson(listeners_));
  }
  targets_changed_ = ports_changed_ = chains_changed_ = false;
}

XdsConfig XdsBuilder::build(const domain::SnapshotPtr& next) {
  // The difference: entries of `next` that the state does not hold (new or replaced), and
  // entries the state holds that `next` no longer has.
  ++stamp_;
  snapshot_ = next;
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
  const bool certificates_changed = next->certificates() != certificates_;
  if (certificates_changed) {
    reassignCertificates();
    certificates_ = next->certificates();
  }
  keepHttpPort();
  for (auto& [number, port] : ports_) {
    if (port.dirty) assemble(number, port);
  }
  if (certificates_changed || chains_changed_ || ports_changed_) refreshSecrets();
  refreshClustersAndListeners();

  XdsConfig out;
  out.clusters = clusters_;
  out.listeners = listeners_;
  out.listeners_version = listeners_version_;
  out.secrets = secrets_;
  std::string versions = clusters_->version() + listeners_version_;
  for (const auto& [id, secret] : secrets_) versions += secret->version;
  for (auto& [number, port] : ports_) {
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
  snapshot_ = nullptr;
  return out;
}

XdsConfig buildXds(const domain::ConfigSnapshot& snapshot, const BuilderSettings& settings) {
  // A fresh builder holds nothing to share the snapshot with: give it its own pointer.
  auto copy = domain::ConfigSnapshot::make(snapshot.generation(), snapshot.ingresses(),
                                           snapshot.shadowed(), snapshot.certificates());
  return XdsBuilder(settings).build(copy);
}

XdsConfig buildXds(const domain::SnapshotPtr& snapshot, const BuilderSettings& settings) {
  return XdsBuilder(settings).build(snapshot);
}

}  // namespace ingress::envoy

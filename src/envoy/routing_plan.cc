// planRouting: the snapshot's active rules grouped by port and hostname, with TLS chains.
#include "envoy/routing_plan.h"

#include <algorithm>
#include <tuple>

namespace ingress::envoy {

std::string targetName(const std::string& ip, uint16_t port) {
  std::string safe = ip;
  std::replace(safe.begin(), safe.end(), ':', '-');
  return "target_" + safe + "_" + std::to_string(port);
}

std::vector<RuleRouting> planIngress(const domain::ResolvedIngress& entry) {
  const auto& ing = entry.ingress;
  std::vector<RuleRouting> out(ing.rules.size());
  for (size_t i = 0; i < ing.rules.size(); ++i) {
    const auto& rule = ing.rules[i];
    RuleRouting& r = out[i];
    r.rule_index = i;
    r.tls = rule.tls;
    const domain::RuleResolution* res = i < entry.rules.size() ? &entry.rules[i] : nullptr;
    if (res == nullptr || !res->active() || res->ip.empty()) {
      r.unresolved = {ing.id, i, res == nullptr ? "not resolved" : res->status.reason};
      continue;
    }
    r.routed = true;
    r.port = rule.match.port;
    r.target = {targetName(res->ip, rule.target.port), res->ip, rule.target.port};
    r.host = {HostClaim::Kind::kForward, rule.match.hostname, rule.tls, r.target.name, 0};
    r.redirect = rule.tls && rule.redirect_http;
    r.label = "ingress \"" + ing.name + "\" rules[" + std::to_string(i) + "]";
  }
  return out;
}

HostClaim redirectClaim(const RuleRouting& r) {
  return {HostClaim::Kind::kRedirect, r.host.hostname, false, "", r.port};
}

bool answersChallenges(uint16_t port, const TlsSettings& tls) {
  return tls.acme_http01_port != 0 && port == tls.http_port;
}

PlannedVirtualHost virtualHostOf(const HostClaim& claim, const std::string& certificate,
                                 bool challenge) {
  PlannedVirtualHost vh;
  vh.hostname = claim.hostname;
  vh.certificate = certificate;
  if (!certificate.empty()) {
    PlannedRoute misdirected;
    misdirected.kind = PlannedRoute::Kind::kDirectResponse;
    misdirected.unless_chain = certificate;
    misdirected.status = 421;
    misdirected.body = kMisdirectedBody;
    vh.routes.push_back(std::move(misdirected));
  }
  if (challenge) {
    PlannedRoute c;
    c.kind = PlannedRoute::Kind::kChallenge;
    c.prefix = kAcmeChallengePrefix;
    vh.routes.push_back(std::move(c));
  }
  PlannedRoute last;
  if (claim.kind == HostClaim::Kind::kRedirect) {
    last.kind = PlannedRoute::Kind::kRedirect;
    last.https_port = claim.https_port;
  } else {
    last.target = claim.target;
  }
  vh.routes.push_back(std::move(last));
  return vh;
}

namespace {

// The snapshot's preference among certificates (ConfigSnapshot::certificateFor): a user's over
// ACME's, then the later not_after, then the smaller id.
bool preferred(const domain::ServedCertificate& a, const domain::ServedCertificate& b) {
  auto key = [](const domain::ServedCertificate& c) {
    return std::make_tuple(c.source == domain::ServedCertificate::Source::kUser ? 0 : 1,
                           -c.not_after.time_since_epoch().count(), std::cref(c.id));
  };
  return key(a) < key(b);
}

}  // namespace

std::vector<PlannedChain> planChains(const std::set<std::string>& in_use,
                                     const domain::ConfigSnapshot& snapshot) {
  std::map<std::string, const domain::ServedCertificate*> owner;  // server name → certificate
  for (const auto& c : snapshot.certificates()) {
    if (!in_use.count(c->id)) continue;
    for (const auto& name : c->names) {
      const domain::ServedCertificate* serving = snapshot.certificateFor(name);
      if (serving != nullptr && in_use.count(serving->id)) {
        owner[name] = serving;
        continue;
      }
      // Not served here by its own certificate: the same for every certificate listing it,
      // so the preference alone decides.
      auto [it, fresh] = owner.try_emplace(name, c.get());
      if (!fresh && preferred(*c, *it->second)) it->second = c.get();
    }
  }
  std::map<std::string, std::vector<std::string>> names;  // certificate id → its names
  for (const std::string& id : in_use) names[id];
  for (const auto& [name, cert] : owner) names[cert->id].push_back(name);
  std::vector<PlannedChain> out;
  for (auto& [id, n] : names) {
    // A chain without server names would match every name; cannot happen (a certificate in use
    // serves at least the name it is in use for), but never emit one.
    if (!n.empty()) out.push_back({id, std::move(n)});
  }
  return out;
}

RoutingPlan planRouting(const domain::ConfigSnapshot& snapshot, const TlsSettings& tls) {
  RoutingPlan plan;
  // port → hostname → the winning claim: the last forward claim, else the last redirect.
  std::map<uint16_t, std::map<std::string, HostClaim>> hosts;
  std::set<uint16_t> tls_ports;
  bool any_tls = false;
  auto claim = [&](uint16_t port, HostClaim c) {
    auto [it, fresh] = hosts[port].try_emplace(c.hostname, c);
    if (!fresh &&
        (c.kind == HostClaim::Kind::kForward || it->second.kind == HostClaim::Kind::kRedirect)) {
      it->second = std::move(c);
    }
  };
  for (const auto& entry : snapshot.ingresses()) {
    for (RuleRouting& r : planIngress(*entry)) {
      any_tls = any_tls || r.tls;
      if (!r.routed) {
        plan.unresolved.push_back(std::move(r.unresolved));
        continue;
      }
      if (r.host.tls) tls_ports.insert(r.port);
      if (r.redirect) {
        claim(tls.http_port, redirectClaim(r));
        plan.port_rules[tls.http_port].push_back(r.label + " (redirect_http)");
      }
      claim(r.port, r.host);
      plan.port_rules[r.port].push_back(std::move(r.label));
      plan.targets.emplace(r.target.name, std::move(r.target));
    }
  }
  // http_port listens whenever a rule has tls and ACME HTTP-01 is on (challenges arrive there).
  if (any_tls && tls.acme_http01_port != 0) hosts[tls.http_port];
  for (auto& [port, by_host] : hosts) {
    PlannedPort& out = plan.ports[port];
    out.tls = tls_ports.count(port) > 0;
    out.challenge = answersChallenges(port, tls);
    std::set<std::string> in_use;
    for (auto& [hostname, c] : by_host) {
      std::string certificate;
      if (out.tls && c.kind == HostClaim::Kind::kForward && c.tls) {
        if (const auto* cert = snapshot.certificateFor(hostname)) certificate = cert->id;
      }
      if (!certificate.empty()) in_use.insert(certificate);
      out.hosts.push_back(virtualHostOf(c, certificate, out.challenge));
    }
    if (out.tls) out.chains = planChains(in_use, snapshot);
  }
  return plan;
}

}  // namespace ingress::envoy

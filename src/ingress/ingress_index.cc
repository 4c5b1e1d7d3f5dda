#include "ingress/ingress_index.h"

#include "ingress/validation.h"

namespace ingress::domain {

Status IngressIndex::check(const Ingress& ing) const {
  if (id_by_name_.count(ing.name) != 0) {
    return alreadyExists("name: an ingress named \"" + ing.name + "\" already exists",
                         "already_exists");
  }
  if (by_id_.count(ing.name) != 0) {
    return alreadyExists("name: \"" + ing.name + "\" is the id of another ingress",
                         "already_exists");
  }
  if (taken(ing.id)) return alreadyExists("id: \"" + ing.id + "\" is taken", "already_exists");
  std::map<uint16_t, std::pair<bool, size_t>> own;  // port → (tls, first rule) of `ing`
  for (size_t i = 0; i < ing.rules.size(); ++i) {
    const Rule& r = ing.rules[i];
    const Match& m = r.match;
    // A port is TLS or plain, never both: one Envoy listener serves it.
    auto [o, first] = own.emplace(m.port, std::make_pair(r.tls, i));
    auto p = rules_by_port_.find(m.port);
    const bool port_tls =
        p != rules_by_port_.end() ? tls_rules_by_port_.count(m.port) != 0 : o->second.first;
    if (port_tls != r.tls) {
      const std::string other =
          p != rules_by_port_.end()
              ? "other ingresses' rules on it are " + std::string(port_tls ? "TLS" : "plain HTTP")
              : rulePath(o->second.second) + " makes it " +
                    std::string(port_tls ? "TLS" : "plain HTTP");
      return alreadyExists(rulePath(i) + ".tls: port " + std::to_string(m.port) +
                               " cannot serve both TLS and plain HTTP (" + other + ")",
                           "port_protocol_conflict");
    }
    auto it = id_by_host_.find({m.hostname, m.port});
    if (it != id_by_host_.end()) {
      return alreadyExists(rulePath(i) + ".match: " + m.hostname + ":" + std::to_string(m.port) +
                               " is already used by ingress \"" +
                               by_id_.at(it->second)->ingress.name + "\"",
                           "hostname_in_use");
    }
  }
  return okStatus();
}

std::map<uint16_t, size_t> IngressIndex::newPorts(const Ingress& ing) const {
  std::map<uint16_t, size_t> out;
  for (size_t i = 0; i < ing.rules.size(); ++i) {
    const uint16_t port = ing.rules[i].match.port;
    if (rules_by_port_.count(port) == 0) out.emplace(port, i);
  }
  return out;
}

void IngressIndex::add(ResolvedIngressPtr entry) {
  const Ingress& ing = entry->ingress;
  remove(ing.id);  // a replaced entry's rules stop counting
  for (const Rule& r : ing.rules) {
    id_by_host_.insert_or_assign({r.match.hostname, r.match.port}, ing.id);
    ++rules_by_port_[r.match.port];
    if (r.tls) ++tls_rules_by_port_[r.match.port];
  }
  id_by_name_.insert_or_assign(ing.name, ing.id);
  by_id_.insert_or_assign(ing.id, std::move(entry));
}

void IngressIndex::remove(std::string_view id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  for (const Rule& r : it->second->ingress.rules) {
    id_by_host_.erase({r.match.hostname, r.match.port});
    auto p = rules_by_port_.find(r.match.port);
    if (p != rules_by_port_.end() && --p->second == 0) rules_by_port_.erase(p);
    if (!r.tls) continue;
    auto t = tls_rules_by_port_.find(r.match.port);
    if (t != tls_rules_by_port_.end() && --t->second == 0) tls_rules_by_port_.erase(t);
  }
  id_by_name_.erase(it->second->ingress.name);
  by_id_.erase(it);
}

const ResolvedIngressPtr* IngressIndex::find(std::string_view id_or_name) const {
  if (auto it = by_id_.find(id_or_name); it != by_id_.end()) return &it->second;
  if (auto it = id_by_name_.find(id_or_name); it != id_by_name_.end()) {
    return &by_id_.at(it->second);
  }
  return nullptr;
}

bool IngressIndex::taken(std::string_view s) const {
  return by_id_.find(s) != by_id_.end() || id_by_name_.find(s) != id_by_name_.end();
}

}  // namespace ingress::domain

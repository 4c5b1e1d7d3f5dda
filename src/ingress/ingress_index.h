// IngressIndex: the uniqueness rules of the ingress set — one ingress per id, per name and per
// hostname:port, and a port is either TLS or plain HTTP (409 port_protocol_conflict) — and the
// distinct listener ports it uses, over entries shared by pointer (copying an index copies keys and
// pointers, never an ingress).
//
//   IngressIndex idx;
//   if (Status st = idx.check(ing); st.ok()) idx.add(entry);
//
// Not thread-safe: the Manager keeps one for its pending state (guarded by the commit queue's
// lock) and one for the committed state (written by the committer under the state lock).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "ingress/snapshot.h"

namespace ingress::domain {

class IngressIndex {
 public:
  // Ok when `ing` may be added: its id, name and hostname:port pairs are free (a name may not
  // equal an existing id either). The error names the field: "rules[1].match: ...".
  Status check(const Ingress& ing) const;
  // Adds an entry that passed check() (or replaces one with the same id and ingress).
  void add(ResolvedIngressPtr entry);
  void remove(std::string_view id);
  // By exact id first, then by exact name; nullptr when absent.
  const ResolvedIngressPtr* find(std::string_view id_or_name) const;
  // True when `s` is the id or the name of an ingress.
  bool taken(std::string_view s) const;
  size_t size() const { return by_id_.size(); }
  // Distinct match ports of every rule (each one an Envoy listener once served).
  size_t portCount() const { return rules_by_port_.size(); }
  // The ports of `ing` that no ingress in the index uses yet, with the index of their first rule.
  std::map<uint16_t, size_t> newPorts(const Ingress& ing) const;
  void addPorts(std::set<uint16_t>& ports) const {
    for (const auto& [port, n] : rules_by_port_) ports.insert(port);
  }
  // Every entry, in id order.
  template <typename F>
  void forEach(F&& f) const {
    for (const auto& [id, e] : by_id_) f(*e);
  }

 private:
  using HostPort = std::pair<std::string, uint16_t>;
  std::map<std::string, ResolvedIngressPtr, std::less<>> by_id_;
  std::map<std::string, std::string, std::less<>> id_by_name_;
  std::map<HostPort, std::string> id_by_host_;
  std::map<uint16_t, size_t> rules_by_port_;      // port → number of rules on it
  std::map<uint16_t, size_t> tls_rules_by_port_;  // port → number of TLS rules on it
};

}  // namespace ingress::domain

// planLayers: one function per layer, composed in order.
#include "envoy/xds_layers.h"

namespace ingress::envoy {
namespace {

std::set<uint16_t> portsOf(const XdsConfig& c) {
  std::set<uint16_t> out;
  for (const auto& [p, r] : c.routes) out.insert(p);
  return out;
}

// Undo of a CDS write: the good clusters under their version.
void undoCds(const XdsConfig& good, ApplyLayer& l) {
  l.undo.push_back({kCdsFile, [&good] { return good.clusters->file(); }});
  if (!good.clusters->version().empty()) l.undo_confirm[cdsStatPrefix()] = good.clusters->version();
}

ApplyLayer clustersAdd(const XdsConfig& good, const XdsConfig& next, bool all) {
  ApplyLayer l;
  l.name = "clusters-add";
  l.reject_watch = {cdsStatPrefix()};
  const ClusterSet& old_set = *good.clusters;
  const ClusterSet& new_set = *next.clusters;
  // Nothing to add when every new cluster is there already (same content, same version).
  if (old_set.covers(new_set) && old_set.version() == new_set.version() && !all) return l;
  // old ∪ new; when it is just `next` (nothing to remove later), `next`'s file. The union has
  // its own content hash: a version tells Envoy's content apart, so a confirmation never
  // matches a file Envoy has not read.
  const ClusterSetPtr merged =
      old_set.namesWithin(new_set) ? next.clusters : old_set.unionWith(new_set);
  const std::string v = merged->version();
  l.writes.push_back({kCdsFile, merged->file()});
  l.confirm[cdsStatPrefix()] = v;
  undoCds(good, l);
  return l;
}

// A secret Envoy subscribes to already: the good configuration's listeners name it.
bool subscribed(const XdsConfig& good, const std::string& id) { return good.secrets.count(id) > 0; }

void confirmSecret(const Secret& secret, ApplyLayer& l) {
  l.confirm[sdsStatPrefix(secret.id)] = secret.version;
  if (!secret.serial.empty()) l.confirm_serials[secret.id] = secret.serial;
}

ApplyLayer secrets(const XdsConfig& good, const XdsConfig& next, bool all) {
  ApplyLayer l;
  l.name = "secrets";
  for (const auto& [id, secret] : next.secrets) {
    auto it = good.secrets.find(id);
    const bool had = it != good.secrets.end();
    if (had && it->second->version == secret->version && !all) continue;
    l.writes.push_back({secret->path, secret->content});
    // A rotation confirms now; a new secret once the listener naming it exists.
    if (!subscribed(good, id)) continue;
    l.reject_watch.push_back(sdsStatPrefix(id));
    confirmSecret(*secret, l);
    if (had) {
      const SecretPtr good_secret = it->second;
      l.undo.push_back({good_secret->path, [good_secret] { return good_secret->content; }});
      l.undo_confirm[sdsStatPrefix(id)] = good_secret->version;
    }
  }
  return l;
}

ApplyLayer routes(const XdsConfig& good, const XdsConfig& next, bool all) {
  ApplyLayer l;
  l.name = "routes";
  const std::set<uint16_t> old_ports = portsOf(good);
  for (const auto& [port, table] : next.routes) {
    l.reject_watch.push_back(rdsStatPrefix(port));
    auto it = good.routes.find(port);
    const bool had = it != good.routes.end();
    if (had && it->second->version == table->version && !all) continue;
    l.writes.push_back({rdsFileName(port), routeFileContent(*table)});
    // A port that listens already confirms now; a new one once its listener exists.
    if (old_ports.count(port)) l.confirm[rdsStatPrefix(port)] = table->version;
    if (had) {
      const RouteTablePtr good_table = it->second;
      l.undo.push_back({rdsFileName(port), [good_table] { return routeFileContent(*good_table); }});
      l.undo_confirm[rdsStatPrefix(port)] = good_table->version;
    }
  }
  return l;
}

ApplyLayer listeners(const XdsConfig& good, const XdsConfig& next, bool all) {
  ApplyLayer l;
  l.name = "listeners";
  l.reject_watch = {ldsStatPrefix()};
  const std::set<uint16_t> old_ports = portsOf(good), new_ports = portsOf(next);
  // Route files of new ports (written by the routes layer) confirm once the listener exists.
  for (const auto& [port, table] : next.routes) {
    if (!old_ports.count(port)) l.confirm[rdsStatPrefix(port)] = table->version;
  }
  // Secrets written by the secrets layer for new chains confirm once their listener exists.
  for (const auto& [id, secret] : next.secrets) {
    if (subscribed(good, id)) continue;
    l.reject_watch.push_back(sdsStatPrefix(id));
    confirmSecret(*secret, l);
  }
  if (next.listeners_version == good.listeners_version && !all) return l;
  l.writes.push_back({kLdsFile, discoveryFile(next.listeners_version, next.listeners)});
  l.confirm[ldsStatPrefix()] = next.listeners_version;
  for (uint16_t p : new_ports) {
    if (!old_ports.count(p)) l.open_ports.insert(p);
  }
  for (uint16_t p : old_ports) {
    if (!new_ports.count(p)) l.closed_ports.insert(p);
  }
  l.undo.push_back(
      {kLdsFile, [&good] { return discoveryFile(good.listeners_version, good.listeners); }});
  if (!good.listeners_version.empty()) l.undo_confirm[ldsStatPrefix()] = good.listeners_version;
  return l;
}

ApplyLayer clustersRemove(const XdsConfig& good, const XdsConfig& next, bool) {
  ApplyLayer l;
  l.name = "clusters-remove";
  l.reject_watch = {cdsStatPrefix()};
  // The union written by clusters-add is `next` itself when no old name is missing from it.
  if (good.clusters->namesWithin(*next.clusters)) return l;
  l.writes.push_back({kCdsFile, next.clusters->file()});
  l.confirm[cdsStatPrefix()] = next.clusters->version();
  undoCds(good, l);
  return l;
}

}  // namespace

std::string cdsStatPrefix() { return "cluster_manager.cds."; }
std::string ldsStatPrefix() { return "listener_manager.lds."; }
std::string sdsStatPrefix(const std::string& secret) { return "sds." + secret + "."; }
std::string rdsStatPrefix(uint16_t port) {
  return "http." + listenerName(port) + ".rds." + listenerName(port) + ".";
}

std::vector<ApplyLayer> planLayers(const XdsConfig& good, const XdsConfig& next, bool rewrite_all) {
  using LayerFn = ApplyLayer (*)(const XdsConfig&, const XdsConfig&, bool);
  static constexpr LayerFn kOrder[] = {clustersAdd, secrets, routes, listeners, clustersRemove};
  std::vector<ApplyLayer> out;
  for (LayerFn f : kOrder) out.push_back(f(good, next, rewrite_all));
  return out;
}

}  // namespace ingress::envoy

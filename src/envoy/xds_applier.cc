#include "envoy/xds_applier.h"

#include <set>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"

namespace ingress::envoy {
namespace {

using std::chrono::milliseconds;

// Longest pause between two polls of Envoy's stats (or of the ports) while waiting for a change.
// Polls start 1 ms apart and double up to this; Envoy answers a stats poll in ~1 ms (measured with
// 10,000 ingresses, bench/), so 5 ms keeps the detection lag small without busy-polling Envoy.
constexpr milliseconds kMaxPollInterval(5);

Json byName(const Json& resources) {
  Json out = Json::object();
  for (const auto& r : resources) out[r.value("name", "")] = r;
  return out;
}

// old ∪ new, new winning, sorted by name (a Json object iterates sorted).
Json unionByName(const Json& old_list, const Json& new_list) {
  Json merged = byName(old_list);
  for (const auto& r : new_list) merged[r.value("name", "")] = r;
  Json out = Json::array();
  for (auto& [name, r] : merged.items()) out.push_back(r);
  return out;
}

std::map<uint16_t, Json> readRoutes(const Filesystem& fs, const std::string& dir) {
  std::map<uint16_t, Json> routes;
  auto names = fs.listDir(dir);
  if (!names.ok()) return routes;
  for (const auto& n : *names) {
    if (n.rfind("rds_", 0) != 0 || n.size() < 10 || n.substr(n.size() - 5) != ".json") continue;
    int port = std::atoi(n.substr(4, n.size() - 9).c_str());
    if (port <= 0 || port > 65535) continue;
    auto text = fs.readFile(joinPath(dir, n));
    if (!text.ok()) continue;
    auto j = parseJsonStrict(*text, 64);
    if (!j.ok() || !(*j)["resources"].is_array() || (*j)["resources"].empty()) continue;
    routes[static_cast<uint16_t>(port)] = (*j)["resources"][0];
  }
  return routes;
}

Json readResources(const Filesystem& fs, const std::string& path, std::string* version) {
  auto text = fs.readFile(path);
  if (!text.ok()) return Json::array();
  auto j = parseJsonStrict(*text, 64);
  if (!j.ok() || !(*j)["resources"].is_array()) return Json::array();
  if (version != nullptr && (*j)["version_info"].is_string()) *version = (*j)["version_info"];
  return (*j)["resources"];
}

// True when a TCP connection to address:port is accepted (by the kernel's listen queue).
bool accepts(const std::string& address, uint16_t port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
  } else {
    return false;
  }
  int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::string cdsStatPrefix() { return "cluster_manager.cds."; }
std::string ldsStatPrefix() { return "listener_manager.lds."; }
std::string rdsStatPrefix(uint16_t port) {
  return "http." + listenerName(port) + ".rds." + listenerName(port) + ".";
}

XdsApplier::XdsApplier(Filesystem& fs, const AdminClient& admin, Clock& clock, std::string xds_dir,
                       std::string probe_address)
    : fs_(fs), admin_(admin), clock_(clock), xds_dir_(std::move(xds_dir)),
      probe_address_(std::move(probe_address)) {
  current_.clusters = Json::array();
  current_.listeners = Json::array();
}

void XdsApplier::loadCurrent() {
  current_.clusters = readResources(fs_, joinPath(xds_dir_, "cds.json"), &current_.version);
  current_.listeners = readResources(fs_, joinPath(xds_dir_, "lds.json"), nullptr);
  // Only the routes of ports that have a listener are live; other files are leftovers.
  std::set<std::string> listening;
  for (const auto& l : current_.listeners) listening.insert(l.value("name", ""));
  current_.routes.clear();
  for (auto& [port, route] : readRoutes(fs_, xds_dir_)) {
    if (listening.count(listenerName(port))) current_.routes[port] = std::move(route);
  }
}

Status XdsApplier::writeCds(const std::string& version, const Json& clusters) {
  return fs_.writeFileAtomicNoSync(joinPath(xds_dir_, "cds.json"),
                                   discoveryFile(version, clusters), 0600);
}
Status XdsApplier::writeLds(const std::string& version, const Json& listeners) {
  return fs_.writeFileAtomicNoSync(joinPath(xds_dir_, "lds.json"),
                                   discoveryFile(version, listeners), 0600);
}
Status XdsApplier::writeRds(uint16_t port, const std::string& version, const Json& route) {
  return fs_.writeFileAtomicNoSync(joinPath(xds_dir_, rdsFileName(port)),
                                   discoveryFile(version, Json::array({route})), 0600);
}

Status XdsApplier::writeAll(const XdsConfig& config) {
  INGRESS_RETURN_IF_ERROR(fs_.makeDirs(xds_dir_, 0700));
  for (const auto& [port, route] : config.routes) {
    INGRESS_RETURN_IF_ERROR(writeRds(port, config.version, route));
  }
  INGRESS_RETURN_IF_ERROR(writeCds(config.version, config.clusters));
  INGRESS_RETURN_IF_ERROR(writeLds(config.version, config.listeners));
  // Leftover route files of ports without a listener (safe: Envoy is not running yet).
  for (const auto& [port, route] : readRoutes(fs_, xds_dir_)) {
    if (!config.routes.count(port)) (void)fs_.removeFile(joinPath(xds_dir_, rdsFileName(port)));
  }
  current_ = config;
  return okStatus();
}

StatusOr<std::map<std::string, uint64_t>> XdsApplier::rejectCounters(
    const std::vector<std::string>& prefixes) {
  std::map<std::string, uint64_t> out;
  if (prefixes.empty()) return out;
  INGRESS_ASSIGN_OR_RETURN(auto stats,
                           admin_.statsMatching("update_(rejected|failure)$"));
  for (const auto& p : prefixes) {
    for (const char* k : {"update_rejected", "update_failure"}) {
      auto it = stats.find(p + k);
      out[p + k] = it == stats.end() ? 0 : std::strtoull(it->second.c_str(), nullptr, 10);
    }
  }
  return out;
}

Status XdsApplier::waitFor(const std::map<std::string, std::string>& expect,
                           const std::map<std::string, uint64_t>& reject_baseline,
                           std::chrono::steady_clock::time_point deadline) {
  milliseconds interval(1);
  for (;;) {
    auto stats = admin_.statsMatching("(version_text|update_rejected|update_failure)$");
    if (stats.ok()) {
      for (const auto& [name, base] : reject_baseline) {
        auto it = stats->find(name);
        if (it != stats->end() && std::strtoull(it->second.c_str(), nullptr, 10) > base) {
          return aborted("Envoy rejected the new configuration (" + name +
                             " rose); the previous configuration stays in place",
                         "config_rejected");
        }
      }
      bool all = true;
      for (const auto& [prefix, version] : expect) {
        auto it = stats->find(prefix + "version_text");
        if (it == stats->end() || it->second != version) {
          all = false;
          break;
        }
      }
      if (all) return okStatus();
    }
    if (clock_.monotonicNow() >= deadline) {
      return deadlineExceeded("Envoy did not confirm the new configuration in time",
                              "apply_timeout");
    }
    clock_.sleepFor(interval);
    interval = std::min(interval * 2, kMaxPollInterval);
  }
}

Status XdsApplier::waitPorts(const std::set<uint16_t>& open, const std::set<uint16_t>& closed,
                             std::chrono::steady_clock::time_point deadline) {
  milliseconds interval(1);
  for (;;) {
    bool done = true;
    for (uint16_t p : open) done = done && accepts(probe_address_, p);
    for (uint16_t p : closed) done = done && !accepts(probe_address_, p);
    if (done) return okStatus();
    if (clock_.monotonicNow() >= deadline) {
      return deadlineExceeded("Envoy applied the listeners, but a port did not open or close in "
                              "time (is the port in use, or below 1024 without privileges?)",
                              "apply_timeout");
    }
    clock_.sleepFor(interval);
    interval = std::min(interval * 2, kMaxPollInterval);
  }
}

void XdsApplier::restore(const XdsConfig& good) {
  log::warn("restoring the last good Envoy configuration", {{"version", good.version}});
  Status st = writeAll(good);
  if (!st.ok()) log::error("cannot restore Envoy configuration", {{"error", st.message()}});
}

Status XdsApplier::apply(const XdsConfig& next, std::chrono::milliseconds timeout) {
  const auto deadline = clock_.monotonicNow() + timeout;
  // The last good configuration. current_ is replaced only on success (at the end) or by
  // restore() with these same contents, so a reference is enough: no copy of every resource.
  const XdsConfig& good = current_;
  const auto started = clock_.monotonicNow();
  milliseconds envoy_wait{0};
  auto timed = [&](Status st, std::chrono::steady_clock::time_point t0) {
    envoy_wait += std::chrono::duration_cast<milliseconds>(clock_.monotonicNow() - t0);
    return st;
  };
  std::set<uint16_t> old_ports, new_ports;
  for (const auto& [p, r] : good.routes) old_ports.insert(p);
  for (const auto& [p, r] : next.routes) new_ports.insert(p);

  std::vector<std::string> prefixes{cdsStatPrefix(), ldsStatPrefix()};
  for (uint16_t p : new_ports) prefixes.push_back(rdsStatPrefix(p));
  auto baseline = rejectCounters(prefixes);
  if (!baseline.ok()) return baseline.status().withContext("reading Envoy's stats");

  auto fail = [&](Status st) {
    restore(good);
    return st;
  };

  // 1. Clusters: add before anything routes to them.
  const Json cds_union = unionByName(good.clusters, next.clusters);
  const bool cds_final_differs = cds_union != next.clusters;
  if (cds_union != good.clusters) {
    const std::string v = cds_final_differs ? next.version + "-add" : next.version;
    INGRESS_RETURN_IF_ERROR(writeCds(v, cds_union));
    const auto t0 = clock_.monotonicNow();
    if (Status st = timed(waitFor({{cdsStatPrefix(), v}}, *baseline, deadline), t0); !st.ok()) {
      return fail(st);
    }
  }
  // 2. Routes of changed ports. Ports that already listen confirm now; new ports confirm once
  //    their listener exists (step 3).
  std::map<std::string, std::string> expect;
  std::map<std::string, std::string> existing;
  for (const auto& [port, route] : next.routes) {
    auto it = good.routes.find(port);
    if (it != good.routes.end() && it->second == route) continue;
    INGRESS_RETURN_IF_ERROR(writeRds(port, next.version, route));
    expect[rdsStatPrefix(port)] = next.version;
    if (old_ports.count(port)) existing[rdsStatPrefix(port)] = next.version;
  }
  if (!existing.empty()) {
    const auto t0 = clock_.monotonicNow();
    if (Status st = timed(waitFor(existing, *baseline, deadline), t0); !st.ok()) return fail(st);
  }
  // 3. Listeners.
  if (next.listeners != good.listeners) {
    INGRESS_RETURN_IF_ERROR(writeLds(next.version, next.listeners));
    expect[ldsStatPrefix()] = next.version;
  }
  if (!expect.empty()) {
    const auto t0 = clock_.monotonicNow();
    if (Status st = timed(waitFor(expect, *baseline, deadline), t0); !st.ok()) return fail(st);
  }
  if (next.listeners != good.listeners) {
    std::set<uint16_t> opened, closed;
    for (uint16_t p : new_ports) {
      if (!old_ports.count(p)) opened.insert(p);
    }
    for (uint16_t p : old_ports) {
      if (!new_ports.count(p)) closed.insert(p);
    }
    const auto t0 = clock_.monotonicNow();
    if (Status st = timed(waitPorts(opened, closed, deadline), t0); !st.ok()) return fail(st);
  }
  // 4. Clusters nothing routes to any more.
  if (cds_final_differs) {
    INGRESS_RETURN_IF_ERROR(writeCds(next.version, next.clusters));
    const auto t0 = clock_.monotonicNow();
    if (Status st = timed(waitFor({{cdsStatPrefix(), next.version}}, *baseline, deadline), t0);
        !st.ok()) {
      return fail(st);
    }
  }
  // Route files of closed ports stay: a draining listener may still watch its file, and a
  // missing file would count as an update failure. Stale files are removed by writeAll() before
  // Envoy starts.
  // Where the time went (bench/ reads this): waiting for Envoy vs everything else here.
  log::debug("xds apply timing",
             {{"version", next.version},
              {"total_ms", std::chrono::duration_cast<milliseconds>(clock_.monotonicNow() -
                                                                   started).count()},
              {"envoy_wait_ms", envoy_wait.count()}});
  current_ = next;
  return okStatus();
}

}  // namespace ingress::envoy

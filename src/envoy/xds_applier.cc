// XdsApplier: runs the layers of xds_layers.h against Envoy's files and admin API.
#include "envoy/xds_applier.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "common/log.h"

namespace ingress::envoy {
namespace {

// A counter of a statsMatching answer; 0 when absent (Envoy leaves out counters that never rose).
uint64_t counterIn(const std::map<std::string, std::string>& stats, const std::string& name) {
  auto it = stats.find(name);
  return it == stats.end() ? 0 : std::strtoull(it->second.c_str(), nullptr, 10);
}

using std::chrono::milliseconds;

// Longest pause between two polls of Envoy's stats (or of the ports) while waiting for a change.
// Polls start 1 ms apart and double up to this; Envoy answers a stats poll in ~1 ms (measured with
// 10,000 ingresses, bench/), so 5 ms keeps the detection lag small without busy-polling Envoy.
constexpr milliseconds kMaxPollInterval(5);
// How long a rollback waits for Envoy to confirm the restored files (at most the apply timeout).
constexpr milliseconds kMaxRollbackWait(5000);
// When, while a confirmation is missing, the reject counters are read (see waitFor).
constexpr milliseconds kFirstRejectCheck(16);
constexpr milliseconds kMaxRejectCheckInterval(1000);

// A listener's port; 0 when it has none.
uint16_t listenerPort(const Json& l) {
  if (!l.is_object() || !l.contains("address") || !l["address"].is_object()) return 0;
  const Json& a = l["address"];
  if (!a.contains("socket_address") || !a["socket_address"].is_object()) return 0;
  const Json& sa = a["socket_address"];
  if (!sa.contains("port_value") || !sa["port_value"].is_number_unsigned()) return 0;
  const uint64_t p = sa["port_value"].get<uint64_t>();
  return p <= 65535 ? static_cast<uint16_t>(p) : 0;
}

std::set<uint16_t> listenerPorts(const Json& listeners) {
  std::set<uint16_t> out;
  for (const auto& l : listeners) {
    if (uint16_t p = listenerPort(l); p != 0) out.insert(p);
  }
  return out;
}

// `port 8443 (ingress "web" rules[0])`: the port and the rules of `config` on it.
std::string portLabel(const XdsConfig& config, uint16_t port) {
  std::string out = "port " + std::to_string(port);
  auto it = config.port_rules.find(port);
  if (it == config.port_rules.end() || it->second.first.empty()) return out;
  const PortRules& rules = it->second;
  out += " (";
  for (size_t i = 0; i < rules.first.size(); ++i) out += (i ? ", " : "") + rules.first[i];
  if (rules.count > rules.first.size()) {
    out += " and " + std::to_string(rules.count - rules.first.size()) + " more";
  }
  return out + ")";
}

// The ports of the rds_<port> folders (rdsDirName) in the directory; anything else is not ours.
std::set<uint16_t> routeFolderPorts(const Filesystem& fs, const std::string& dir) {
  std::set<uint16_t> ports;
  auto names = fs.listDir(dir);
  if (!names.ok()) return ports;
  for (const auto& n : *names) {
    if (n.rfind("rds_", 0) != 0 || n.size() < 5 || n.size() > 9 ||
        n.find_first_not_of("0123456789", 4) != std::string::npos) {
      continue;
    }
    int port = std::atoi(n.substr(4).c_str());
    if (port <= 0 || port > 65535 || rdsDirName(static_cast<uint16_t>(port)) != n) continue;
    ports.insert(static_cast<uint16_t>(port));
  }
  return ports;
}

// The route tables on disk, by port: each folder's route file that reads back.
std::map<uint16_t, RouteTablePtr> readRoutes(const Filesystem& fs, const std::string& dir) {
  std::map<uint16_t, RouteTablePtr> routes;
  for (uint16_t port : routeFolderPorts(fs, dir)) {
    auto text = fs.readFile(joinPath(dir, rdsFileName(port)));
    if (!text.ok()) continue;
    auto table = parseRouteFile(port, *text);
    if (table.ok()) routes[port] = std::move(*table);
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

}  // namespace

XdsApplier::XdsApplier(Filesystem& fs, const AdminApi& admin, Clock& clock, std::string xds_dir,
                       std::string probe_address, std::string bind_address)
    : fs_(fs),
      admin_(admin),
      owned_probe_(
          std::make_unique<TcpPortProbe>(std::move(probe_address), std::move(bind_address))),
      probe_(*owned_probe_),
      clock_(clock),
      xds_dir_(std::move(xds_dir)) {}

XdsApplier::XdsApplier(Filesystem& fs, const AdminApi& admin, const PortProbe& probe, Clock& clock,
                       std::string xds_dir)
    : fs_(fs), admin_(admin), probe_(probe), clock_(clock), xds_dir_(std::move(xds_dir)) {}

void XdsApplier::loadCurrent() {
  std::string cds_version;
  const Json clusters = readResources(fs_, joinPath(xds_dir_, kCdsFile), &cds_version);
  current_.clusters = ClusterSet::fromJson(clusters, cds_version);
  current_.listeners =
      readResources(fs_, joinPath(xds_dir_, kLdsFile), &current_.listeners_version);
  // Secrets are not read back: the next apply writes every one again and confirms it (the
  // same content keeps its version, so Envoy's readout matches at once).
  current_.secrets.clear();
  served_serials_.clear();
  current_.version.clear();  // what Envoy serves is known by the versions of its parts
  // Only the routes of ports that have a listener are live; other files are leftovers.
  std::set<std::string> listening;
  for (const auto& l : current_.listeners) listening.insert(l.value("name", ""));
  current_.routes.clear();
  for (auto& [port, route] : readRoutes(fs_, xds_dir_)) {
    if (listening.count(listenerName(port))) current_.routes[port] = std::move(route);
  }
  in_sync_ = true;
}

Status XdsApplier::checkNewPortsFree(const XdsConfig& next) const {
  const std::set<uint16_t> ours = listenerPorts(current_.listeners);
  for (uint16_t port : listenerPorts(next.listeners)) {
    if (ours.count(port)) continue;
    Status st = probe_.bindable(port);
    if (st.code() == StatusCode::kAlreadyExists) {
      return alreadyExists(
          portLabel(next, port) + " is in use by another process; nothing was changed",
          "port_in_use");
    }
    // Another probe failure is no verdict: Envoy's own bind decides (and explains a reject).
    if (!st.ok()) log::debug("port probe failed", {{"port", port}, {"error", st.message()}});
  }
  return okStatus();
}

std::string XdsApplier::describeListenerReject() const {
  const std::string fallback =
      "Envoy rejected the new listeners; the previous configuration stays in place";
  if (applying_ == nullptr) return fallback;
  auto errors = admin_.listenerErrors();
  if (!errors.ok() || errors->empty()) return fallback;
  std::map<std::string, const Json*> good;
  for (const auto& l : current_.listeners) good[l.value("name", "")] = &l;
  std::string out;
  for (const auto& l : applying_->listeners) {
    const std::string name = l.value("name", "");
    auto g = good.find(name);
    if (g != good.end() && *g->second == l) continue;  // unchanged: not this update's fault
    auto e = errors->find(name);
    if (e == errors->end()) continue;
    const uint16_t port = listenerPort(l);
    const std::string what = port == 0 ? name : portLabel(*applying_, port);
    out +=
        (out.empty() ? "" : "; ") + ("Envoy rejected the listener on " + what + ": " + e->second);
  }
  return out.empty() ? fallback : out + "; the previous configuration stays in place";
}

Status XdsApplier::writeFile(const XdsFile& f) {
  const bool absolute = !f.name.empty() && f.name[0] == '/';
  const std::string path = absolute ? f.name : joinPath(xds_dir_, f.name);
  // A route file's folder (and the SDS directory) is created before its first write, so it
  // exists before the listener whose subscription watches it (the routes and secrets layers
  // precede the listeners layer).
  if (auto slash = path.rfind('/'); slash != std::string::npos && slash > 0) {
    INGRESS_RETURN_IF_ERROR(fs_.makeDirs(path.substr(0, slash), 0700));
  }
  // 0600: SDS files hold private keys.
  return fs_.writeFileAtomicNoSync(path, f.content, 0600);
}

Status XdsApplier::writeAll(const XdsConfig& config) {
  in_sync_ = false;
  INGRESS_RETURN_IF_ERROR(fs_.makeDirs(xds_dir_, 0700));
  for (const auto& [port, table] : config.routes) {
    INGRESS_RETURN_IF_ERROR(writeFile({rdsFileName(port), routeFileContent(*table)}));
  }
  INGRESS_RETURN_IF_ERROR(writeFile({kCdsFile, config.clusters->file()}));
  for (const auto& [id, secret] : config.secrets) {
    INGRESS_RETURN_IF_ERROR(writeFile({secret->path, secret->content}));
  }
  INGRESS_RETURN_IF_ERROR(
      writeFile({kLdsFile, discoveryFile(config.listeners_version, config.listeners)}));
  // Leftover SDS files (certificates no longer in use) in the SDS directory.
  if (!config.secrets.empty()) {
    const std::string sds_dir = dirName(config.secrets.begin()->second->path);
    std::set<std::string> keep;
    for (const auto& [id, secret] : config.secrets) keep.insert(baseName(secret->path));
    auto names = fs_.listDir(sds_dir);
    for (const auto& n : names.ok() ? *names : std::vector<std::string>{}) {
      if (n.size() > 5 && n.ends_with(".json") && n[0] != '.' && !keep.count(n)) {
        (void)fs_.removeFile(joinPath(sds_dir, n));
      }
    }
  }
  // Leftover route files of ports without a listener (safe: Envoy is not running yet); their
  // empty folders stay.
  // (Only the folders are listed: the files themselves need not be read.)
  for (uint16_t port : routeFolderPorts(fs_, xds_dir_)) {
    if (!config.routes.count(port)) (void)fs_.removeFile(joinPath(xds_dir_, rdsFileName(port)));
  }
  current_ = config;
  in_sync_ = true;
  served_serials_.clear();  // written, not confirmed: the next apply confirms them
  return okStatus();
}

StatusOr<std::map<std::string, uint64_t>> XdsApplier::rejectBaseline(
    const std::vector<std::string>& prefixes) {
  std::map<std::string, uint64_t> out;
  if (prefixes.empty()) return out;
  if (!reject_seen_valid_) {
    INGRESS_ASSIGN_OR_RETURN(auto stats, admin_.statsMatching("update_(rejected|failure)$"));
    reject_seen_.clear();
    for (const auto& [name, value] : stats) {
      reject_seen_[name] = std::strtoull(value.c_str(), nullptr, 10);
    }
    reject_seen_valid_ = true;
  }
  // A subscription Envoy does not have yet (a new port's routes) starts from 0.
  for (const auto& p : prefixes) {
    for (const char* k : {"update_rejected", "update_failure"}) {
      auto it = reject_seen_.find(p + k);
      out[p + k] = it == reject_seen_.end() ? 0 : it->second;
    }
  }
  return out;
}

Status XdsApplier::rejectedSince(const std::map<std::string, uint64_t>& baseline) const {
  if (baseline.empty()) return okStatus();
  auto counters = admin_.statsMatching("update_(rejected|failure)$");
  if (!counters.ok()) return okStatus();
  for (const auto& [name, base] : baseline) {
    if (counterIn(*counters, name) <= base) continue;
    if (name.rfind(ldsStatPrefix(), 0) == 0) {
      return aborted(describeListenerReject(), "config_rejected");
    }
    return aborted("Envoy rejected the new configuration (" + name +
                       " rose); the previous configuration stays in place",
                   "config_rejected");
  }
  return okStatus();
}

// Each poll reads the expected version_text readouts (cheap: Envoy walks only its text
// readouts); a subscription confirms by showing its new version. A refused file never changes
// version_text, so while a confirmation is missing the reject counters are read too, but they
// are a walk of every stat (~135 ms at 10,000 clusters): first after kFirstRejectCheck, then at
// doubling intervals up to kMaxRejectCheckInterval. A reject is reported within ~20 ms on a small
// Envoy and costs a large one only a few walks while it reloads a large file.
Status XdsApplier::waitFor(const std::map<std::string, std::string>& expect,
                           const std::map<std::string, uint64_t>& reject_baseline,
                           std::chrono::steady_clock::time_point deadline) {
  milliseconds interval(1);
  milliseconds reject_interval = kFirstRejectCheck;
  auto next_reject_check = clock_.monotonicNow() + reject_interval;
  for (;;) {
    auto versions = admin_.textReadoutsMatching("version_text$");
    if (versions.ok()) {
      bool all = true;
      for (const auto& [prefix, version] : expect) {
        auto it = versions->find(prefix + "version_text");
        if (it == versions->end() || it->second != version) {
          all = false;
          break;
        }
      }
      if (all) return okStatus();
    }
    if (clock_.monotonicNow() >= next_reject_check) {
      INGRESS_RETURN_IF_ERROR(rejectedSince(reject_baseline));
      reject_interval = std::min(reject_interval * 2, kMaxRejectCheckInterval);
      next_reject_check = clock_.monotonicNow() + reject_interval;
    }
    if (clock_.monotonicNow() >= deadline) {
      return deadlineExceeded("Envoy did not confirm the new configuration in time",
                              "apply_timeout");
    }
    clock_.sleepFor(interval);
    interval = std::min(interval * 2, kMaxPollInterval);
  }
}

namespace {

// A serial as /certs prints it: lowercase hex; compared without separators or leading zeros.
std::string canonicalSerial(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == ':' || c == ' ') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  const size_t first = out.find_first_not_of('0');
  return first == std::string::npos ? "0" : out.substr(first);
}

}  // namespace

Status XdsApplier::waitSerials(const std::map<std::string, std::string>& serials,
                               std::chrono::steady_clock::time_point deadline) {
  milliseconds interval(1);
  for (;;) {
    auto served = admin_.servedCertificateSerials();
    if (served.ok()) {
      std::set<std::string> have;
      for (const auto& s : *served) have.insert(canonicalSerial(s));
      bool all = true;
      for (const auto& [id, serial] : serials) all = all && have.count(canonicalSerial(serial));
      if (all) return okStatus();
    }
    if (clock_.monotonicNow() >= deadline) {
      std::string ids;
      for (const auto& [id, serial] : serials) ids += (ids.empty() ? "" : ", ") + id;
      return deadlineExceeded("Envoy did not serve the new certificates (" + ids + ") in time",
                              "apply_timeout");
    }
    clock_.sleepFor(interval);
    interval = std::min(interval * 2, kMaxPollInterval);
  }
}

std::map<std::string, std::string> XdsApplier::servedSerials() const { return served_serials_; }

Status XdsApplier::waitPorts(const std::set<uint16_t>& open, const std::set<uint16_t>& closed,
                             std::chrono::steady_clock::time_point deadline) {
  milliseconds interval(1);
  for (;;) {
    bool done = true;
    for (uint16_t p : open) done = done && probe_.accepts(p);
    for (uint16_t p : closed) done = done && !probe_.accepts(p);
    if (done) return okStatus();
    if (clock_.monotonicNow() >= deadline) {
      return deadlineExceeded(
          "Envoy applied the listeners, but a port did not open or close in "
          "time (is the port in use, or below 1024 without privileges?)",
          "apply_timeout");
    }
    clock_.sleepFor(interval);
    interval = std::min(interval * 2, kMaxPollInterval);
  }
}

Status XdsApplier::rollback(const std::vector<ApplyLayer>& layers, size_t started, Status cause,
                            milliseconds timeout) {
  log::warn("restoring the last good Envoy configuration",
            {{"version", current_.version}, {"error", cause.message()}});
  reject_seen_valid_ = false;  // something was refused, or may have been: read them afresh
  std::set<std::string> restored;
  std::map<std::string, std::string> confirm;
  bool ok = true;
  for (size_t i = started; i-- > 0;) {
    for (const XdsUndo& u : layers[i].undo) {
      if (!restored.insert(u.name).second) continue;
      if (Status st = writeFile({u.name, u.render()}); !st.ok()) {
        log::error("cannot restore Envoy configuration",
                   {{"file", u.name}, {"error", st.message()}});
        ok = false;
      }
    }
    confirm.insert(layers[i].undo_confirm.begin(), layers[i].undo_confirm.end());
  }
  if (ok && !confirm.empty()) {
    const auto deadline = clock_.monotonicNow() + std::min(timeout, kMaxRollbackWait);
    if (Status st = waitFor(confirm, {}, deadline); !st.ok()) {
      log::error("Envoy did not confirm the restored configuration", {{"error", st.message()}});
      ok = false;
    }
  }
  in_sync_ = in_sync_ && ok;
  return cause;
}

Status XdsApplier::apply(const XdsConfig& next, milliseconds timeout) {
  const auto started_at = clock_.monotonicNow();
  const auto deadline = started_at + timeout;
  INGRESS_RETURN_IF_ERROR(checkNewPortsFree(next));
  applying_ = &next;
  struct Clear {
    const XdsConfig*& p;
    ~Clear() { p = nullptr; }
  } clear{applying_};
  // current_ is the last good configuration; it is replaced only on success.
  const std::vector<ApplyLayer> layers = planLayers(current_, next, !in_sync_);
  const auto planned_at = clock_.monotonicNow();
  std::vector<std::string> watch;
  for (const auto& l : layers) {
    if (!l.empty()) watch.insert(watch.end(), l.reject_watch.begin(), l.reject_watch.end());
  }
  auto baseline = rejectBaseline(watch);
  if (!baseline.ok()) return baseline.status().withContext("reading Envoy's stats");
  const auto baseline_at = clock_.monotonicNow();

  std::chrono::nanoseconds envoy_wait{0}, writing{0};
  auto timed = [&](auto&& wait) {
    const auto t0 = clock_.monotonicNow();
    Status st = wait();
    envoy_wait += clock_.monotonicNow() - t0;
    return st;
  };
  for (size_t i = 0; i < layers.size(); ++i) {
    const ApplyLayer& layer = layers[i];
    if (layer.empty()) continue;
    const auto write_started = clock_.monotonicNow();
    for (const XdsFile& f : layer.writes) {
      if (Status st = writeFile(f); !st.ok()) {
        return rollback(layers, i + 1, st.withContext("writing " + f.name), timeout);
      }
    }
    writing += clock_.monotonicNow() - write_started;
    if (!layer.confirm.empty()) {
      Status st = timed([&] { return waitFor(layer.confirm, *baseline, deadline); });
      if (!st.ok()) return rollback(layers, i + 1, st, timeout);
    }
    if (!layer.confirm_serials.empty()) {
      Status st = timed([&] { return waitSerials(layer.confirm_serials, deadline); });
      if (!st.ok()) return rollback(layers, i + 1, st, timeout);
    }
    if (!layer.open_ports.empty() || !layer.closed_ports.empty()) {
      Status st = timed([&] { return waitPorts(layer.open_ports, layer.closed_ports, deadline); });
      if (!st.ok()) return rollback(layers, i + 1, st, timeout);
    }
  }
  // Every certificate of `next` is served once this returns: those this apply saw in /certs,
  // those seen by an earlier apply and unchanged, and the rest (written before Envoy started,
  // writeAll) checked now.
  std::map<std::string, std::string> served, unconfirmed;
  for (const auto& [id, secret] : next.secrets) {
    if (secret->serial.empty()) continue;
    served[id] = secret->serial;
    bool seen = false;
    for (const auto& l : layers) {
      auto it = l.confirm_serials.find(id);
      seen = seen || (it != l.confirm_serials.end() && it->second == secret->serial);
    }
    auto before = served_serials_.find(id);
    if (!seen && (before == served_serials_.end() || before->second != secret->serial)) {
      unconfirmed[id] = secret->serial;
    }
  }
  if (!unconfirmed.empty()) {
    Status st = timed([&] { return waitSerials(unconfirmed, deadline); });
    if (!st.ok()) return rollback(layers, layers.size(), st, timeout);
  }
  // Where the time went (bench/ reads this), in milliseconds to 0.01: planning, reading the
  // reject counters, writing files, waiting for Envoy (ports included).
  auto ms = [](std::chrono::nanoseconds d) {
    return static_cast<double>(d.count() / 10000) / 100.0;
  };
  log::debug("xds apply timing", {{"version", next.version},
                                  {"total_ms", ms(clock_.monotonicNow() - started_at)},
                                  {"plan_ms", ms(planned_at - started_at)},
                                  {"baseline_ms", ms(baseline_at - planned_at)},
                                  {"write_ms", ms(writing)},
                                  {"envoy_wait_ms", ms(envoy_wait)}});
  current_ = next;
  in_sync_ = true;
  served_serials_ = std::move(served);
  return okStatus();
}

}  // namespace ingress::envoy

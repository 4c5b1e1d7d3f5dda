// XdsApplier: puts an XdsConfig live in a running Envoy through its watched xDS files, layer by
// layer (xds_layers.h: clusters-add → routes → listeners → clusters-remove), in an order that
// never routes to a missing cluster, and confirms each layer through the admin API: the
// version_text of each subscription, and for listeners that new ports accept connections and
// closed ports refuse them.
//
// Each file is written to a temp name outside the watched directory's view and renamed into
// place (Envoy reloads only on a rename into the watched directory); xDS files are not fsynced,
// they are regenerated from the durable store at every start.
//
// Before anything is written, every port the change opens is bind-probed on the listen address
// (bind without SO_REUSEPORT, as Envoy binds): a port another process holds is refused at once
// with kAlreadyExists/"port_in_use" naming the port and its rules, nothing written. Envoy's
// listeners do not set SO_REUSEPORT either, so a port taken between the probe and Envoy's bind
// makes Envoy reject the listener: the message of that config_rejected carries Envoy's reason
// (/config_dump error_state), the port and the rules on it.
//
// Every failure — a write error, a rise of update_rejected / update_failure, a timeout — goes
// through one rollback: the started layers are undone in reverse order (the last good content of
// every file they wrote), Envoy's confirmation of the undo is awaited, and the error returned:
// kAborted/"config_rejected", kDeadlineExceeded/"apply_timeout", or the write error. Rollback
// never deletes a file: route files of closed or never-opened ports may be watched by a
// draining listener. If the undo itself cannot be written or confirmed, the next apply rewrites
// every file instead of trusting the last good state. writeAll(), used before Envoy starts, is
// the only place that removes leftover route files.
//
//   XdsApplier applier(fs, admin, clock, xds_dir, "127.0.0.1");
//   applier.loadCurrent();
//   Status st = applier.apply(buildXds(snapshot, settings), std::chrono::seconds(10));
//
// Not thread-safe: one apply at a time (the caller serializes). Borrows fs, admin, probe, clock.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>

#include "common/clock.h"
#include "common/filesystem.h"
#include "common/status.h"
#include "envoy/admin_api.h"
#include "envoy/port_probe.h"
#include "envoy/xds_builder.h"
#include "envoy/xds_layers.h"

namespace ingress::envoy {

class XdsApplier {
 public:
  // `probe_address` is where listeners can be reached from this host (the listen address, or
  // loopback for a wildcard); `bind_address` the listen address itself (default: the probe
  // address); probed with a TcpPortProbe.
  XdsApplier(Filesystem& fs, const AdminApi& admin, Clock& clock, std::string xds_dir,
             std::string probe_address = "127.0.0.1", std::string bind_address = "");
  XdsApplier(Filesystem& fs, const AdminApi& admin, const PortProbe& probe, Clock& clock,
             std::string xds_dir);

  // Reads the files currently on disk as the last good configuration.
  void loadCurrent();
  // Writes every file at once without asking Envoy, and removes leftover route files. Only
  // before Envoy starts.
  Status writeAll(const XdsConfig& config);
  Status apply(const XdsConfig& next, std::chrono::milliseconds timeout);
  const XdsConfig& current() const { return current_; }
  // Certificate id → serial of every certificate of the configuration the last successful
  // apply() put live: each was seen in Envoy's /certs when it was written (new or rotated), so
  // Envoy serves it. Empty after loadCurrent() and writeAll() until the next apply().
  std::map<std::string, std::string> servedSerials() const;
  // False after a rollback that could not be written or confirmed: the next apply rewrites
  // every file.
  bool inSync() const { return in_sync_; }
  // Envoy may have restarted underneath (its counters start from 0 again): the next apply reads
  // the reject counters afresh before it relies on them.
  void forgetRejectCounters() { reject_seen_valid_ = false; }

 private:
  Status writeFile(const XdsFile& f);
  // kAlreadyExists/"port_in_use" when a port `next` opens is bound by another process.
  Status checkNewPortsFree(const XdsConfig& next) const;
  // The message of an LDS reject: Envoy's reason for each listener of `next` that changed.
  std::string describeListenerReject() const;
  // Waits until every `expect` (stat prefix → version) is reported, or a reject counter rises.
  Status waitFor(const std::map<std::string, std::string>& expect,
                 const std::map<std::string, uint64_t>& reject_baseline,
                 std::chrono::steady_clock::time_point deadline);
  // The reject counters of `prefixes` before this apply: the last values read, read again only
  // when they are not known to be current.
  StatusOr<std::map<std::string, uint64_t>> rejectBaseline(
      const std::vector<std::string>& prefixes);
  // kAborted/"config_rejected" when a counter of `baseline` rose above it; ok otherwise,
  // including when Envoy could not be asked (the caller polls again).
  Status rejectedSince(const std::map<std::string, uint64_t>& baseline) const;
  // Waits until Envoy's /certs shows every serial (certificate id → serial).
  Status waitSerials(const std::map<std::string, std::string>& serials,
                     std::chrono::steady_clock::time_point deadline);
  Status waitPorts(const std::set<uint16_t>& open, const std::set<uint16_t>& closed,
                   std::chrono::steady_clock::time_point deadline);
  // The one failure path: undoes layers [0, started) in reverse order and returns `cause`.
  Status rollback(const std::vector<ApplyLayer>& layers, size_t started, Status cause,
                  std::chrono::milliseconds timeout);

  Filesystem& fs_;
  const AdminApi& admin_;
  std::unique_ptr<PortProbe> owned_probe_;
  const PortProbe& probe_;
  Clock& clock_;
  std::string xds_dir_;
  XdsConfig current_;
  const XdsConfig* applying_ = nullptr;  // during apply(): the configuration being applied
  bool in_sync_ = true;
  // Every subscription's update_rejected / update_failure as last read. Reading them walks every
  // stat Envoy has, which grows with its clusters (~135 ms at 10,000), so they are not read on
  // every apply: while applies succeed they cannot have risen (a confirmed file was accepted and
  // nothing else writes Envoy's files). A failed apply, or Envoy restarting, makes them unknown.
  std::map<std::string, uint64_t> reject_seen_;
  bool reject_seen_valid_ = false;
  std::map<std::string, std::string> served_serials_;
};

}  // namespace ingress::envoy

// XdsApplier: puts an XdsConfig live in a running Envoy through its watched xDS files, in an
// order that never routes to a missing cluster, and confirms each step through the admin API.
//
//   1. CDS := old ∪ new clusters          (new targets exist before any route uses them)
//   2. RDS files of ports whose routes changed
//   3. LDS (new ports open; ports without rules close)
//   4. CDS := new clusters                (old targets go once nothing routes to them)
// Route files of closed ports are kept while Envoy runs (a draining listener may still watch
// them); writeAll(), used before Envoy starts, removes leftovers.
// After step 3 it waits until new ports accept connections and closed ports refuse them.
// xDS files are written atomically but not fsynced: they are regenerated from the durable store
// at every start. Each file is renamed into place (Envoy reloads only on a rename into the watched directory) and
// each step waits until Envoy reports the new version_text, or a rise of update_rejected /
// update_failure. On a reject or a timeout the last good files are restored and the error
// returned: kAborted/"config_rejected" or kDeadlineExceeded/"apply_timeout".
//
// Not thread-safe: one apply at a time (the caller serializes).
#pragma once

#include <chrono>
#include <set>

#include "common/clock.h"
#include "common/filesystem.h"
#include "common/status.h"
#include "envoy/admin_client.h"
#include "envoy/xds_builder.h"

namespace ingress::envoy {

class XdsApplier {
 public:
  // `probe_address` is where listeners can be reached from this host (the listen address, or
  // loopback for a wildcard); after a listener change the applier connects there until new ports
  // accept and removed ports refuse, so "applied" means a client can already see it.
  XdsApplier(Filesystem& fs, const AdminClient& admin, Clock& clock, std::string xds_dir,
             std::string probe_address = "127.0.0.1");

  // Reads the files currently on disk as the last good configuration.
  void loadCurrent();
  // Writes every file at once without asking Envoy, and removes leftover route files. Only
  // before Envoy starts.
  Status writeAll(const XdsConfig& config);
  Status apply(const XdsConfig& next, std::chrono::milliseconds timeout);
  const XdsConfig& current() const { return current_; }

 private:
  struct Step;
  Status writeCds(const std::string& version, const Json& clusters);
  Status writeLds(const std::string& version, const Json& listeners);
  Status writeRds(uint16_t port, const std::string& version, const Json& route);
  // Waits until every `expect` (stat prefix → version) is reported, or a reject counter rises.
  Status waitFor(const std::map<std::string, std::string>& expect,
                 const std::map<std::string, uint64_t>& reject_baseline,
                 std::chrono::steady_clock::time_point deadline);
  StatusOr<std::map<std::string, uint64_t>> rejectCounters(
      const std::vector<std::string>& prefixes);
  void restore(const XdsConfig& good);
  Status waitPorts(const std::set<uint16_t>& open, const std::set<uint16_t>& closed,
                   std::chrono::steady_clock::time_point deadline);

  Filesystem& fs_;
  const AdminClient& admin_;
  Clock& clock_;
  std::string xds_dir_;
  std::string probe_address_;
  XdsConfig current_;
};

// The admin stat prefix of each subscription.
std::string cdsStatPrefix();
std::string ldsStatPrefix();
std::string rdsStatPrefix(uint16_t port);

}  // namespace ingress::envoy

// The layers of one xDS apply: an ordered list, each layer a set of files to rename into the
// watched directory, the admin signal that confirms it, and how to undo it. The applier runs
// the layers in order and, on any failure, undoes the started ones in reverse order.
//
//   clusters-add     CDS := old ∪ new clusters  (new targets exist before any route uses them)
//   secrets          SDS files of new and rotated certificates (before any listener names them);
//                    a rotation is confirmed when Envoy's /certs shows the new serial
//   routes           RDS files of ports whose routes changed
//   listeners        LDS (new ports open, ports without rules close); probed by connecting; the
//                    secrets of new filter chains confirmed (version and serial)
//   clusters-remove  CDS := new clusters        (old targets go once nothing routes to them)
//
// Undo restores the last good content of a file and never deletes one: a route file of a new
// port may be watched by a listener that is now draining, an SDS file by a draining chain. SDS
// files no longer referenced stay until the next start (writeAll removes them).
//
//   for (const ApplyLayer& l : planLayers(good, next, /*rewrite_all=*/false)) ...
//
// Pure; no I/O.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "envoy/xds_builder.h"

namespace ingress::envoy {

struct XdsFile {
  std::string name;     // file name inside the xDS directory, or an absolute path (SDS files)
  std::string content;  // DiscoveryResponse (JSON, or binary for route tables)
};

// A file's last good content, rendered only if a rollback needs it (serializing a large route
// table on every apply would be wasted work). It reads the `good` configuration given to
// planLayers(), which must outlive the layers.
struct XdsUndo {
  std::string name;
  std::function<std::string()> render;
};

struct ApplyLayer {
  std::string name;
  std::vector<XdsFile> writes;                 // renamed into place in this order
  std::map<std::string, std::string> confirm;  // admin stat prefix → expected version_text
  // Certificate id → the serial Envoy's /certs must show, once `confirm` holds.
  std::map<std::string, std::string> confirm_serials;
  std::vector<std::string> reject_watch;            // stat prefixes whose update_rejected /
                                                    // update_failure rising means a reject
  std::set<uint16_t> open_ports, closed_ports;      // probed after `confirm` holds
  std::vector<XdsUndo> undo;                        // last good content of the files it writes
  std::map<std::string, std::string> undo_confirm;  // what confirms the undo in Envoy
  bool empty() const {
    return writes.empty() && confirm.empty() && confirm_serials.empty() && open_ports.empty() &&
           closed_ports.empty();
  }
};

// The layers that take Envoy from `good` (what it serves) to `next`. With `rewrite_all` every
// file of `next` is written even when `good` has the same content (the files on disk may not
// be `good` any more, e.g. after a rollback that could not be written). The layers' undo reads
// `good`: it must outlive them.
std::vector<ApplyLayer> planLayers(const XdsConfig& good, const XdsConfig& next, bool rewrite_all);

// The admin stat prefix of each subscription.
std::string cdsStatPrefix();
std::string ldsStatPrefix();
std::string rdsStatPrefix(uint16_t port);
std::string sdsStatPrefix(const std::string& secret);

inline constexpr char kCdsFile[] = "cds.json";
inline constexpr char kLdsFile[] = "lds.json";

}  // namespace ingress::envoy

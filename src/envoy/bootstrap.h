// Renders Envoy's bootstrap: node, admin, and file-based LDS/CDS from {DATA_DIR}/envoy/xds/.
// Pure and deterministic: the same options give the same bytes, so a changed bootstrap (which
// needs a hot restart) is detected by comparing hashes.
#pragma once

#include <cstdint>
#include <string>

#include "common/json.h"

namespace ingress::envoy {

struct BootstrapOptions {
  std::string node_id = "ingressd";
  std::string admin_address = "127.0.0.1";
  uint16_t admin_port = 9901;
  std::string xds_dir;  // watched directory holding lds.json, cds.json, rds_<port>.json
  // Test-only: adds a field Envoy rejects, to prove that a bad bootstrap is refused.
  bool inject_invalid_field = false;
};

Json renderBootstrap(const BootstrapOptions& options);
// The bootstrap as written to disk (pretty JSON, trailing newline).
std::string renderBootstrapText(const BootstrapOptions& options);

// An empty xDS file (a DiscoveryResponse with no resources).
std::string emptyDiscoveryResponse();

}  // namespace ingress::envoy

// AdminApi: what the xDS applier needs from Envoy's admin API — readiness and stats (version_text
// of each subscription, update_rejected / update_failure counters). AdminClient is the real one
// (HTTP to the admin port); unit tests script a fake Envoy behind this interface.
//
//   const AdminApi& admin = client;
//   auto stats = admin.statsMatching("version_text$");  // name → value text
//
// Implementations must be thread-safe for const calls.
#pragma once

#include <map>
#include <string>

#include "common/status.h"

namespace ingress::envoy {

class AdminApi {
 public:
  virtual ~AdminApi() = default;
  // True when Envoy is LIVE (/ready answers 200).
  virtual bool ready() const = 0;
  // Every stat whose name matches the (RE2) regex: name → value text (counters as digits, text
  // readouts without their quotes). An error when Envoy cannot be asked.
  virtual StatusOr<std::map<std::string, std::string>> statsMatching(
      const std::string& regex) const = 0;
};

}  // namespace ingress::envoy

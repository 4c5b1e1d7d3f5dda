// AdminApi: what the xDS applier needs from Envoy's admin API — readiness, stats (version_text
// of each subscription, update_rejected / update_failure counters) and why a listener failed.
// AdminClient is the real one (HTTP to the admin port); unit tests script a fake Envoy behind this
// interface.
//
//   const AdminApi& admin = client;
//   auto stats = admin.statsMatching("version_text$");  // name → value text
//
// Implementations must be thread-safe for const calls.
#pragma once

#include <map>
#include <set>
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
  // Like statsMatching, restricted to text readouts (e.g. each subscription's version_text).
  // Cheaper on a real Envoy: /stats walks every stat it holds (~100 per listener), except when
  // asked for one type. The default, for fakes: statsMatching.
  virtual StatusOr<std::map<std::string, std::string>> textReadoutsMatching(
      const std::string& regex) const {
    return statsMatching(regex);
  }
  // The last failed update of each dynamic listener that has one: listener name → Envoy's
  // reason (/config_dump's dynamic_listeners[].error_state.details, e.g. "cannot bind
  // '0.0.0.0:80': Address already in use"). Envoy clears it when the listener next updates
  // successfully. The default, for fakes without listener errors: none.
  virtual StatusOr<std::map<std::string, std::string>> listenerErrors() const {
    return std::map<std::string, std::string>{};
  }
  // The serial of every certificate Envoy serves (/certs: cert_chain[].serial_number, lowercase
  // hex). The default, for fakes without TLS: none.
  virtual StatusOr<std::set<std::string>> servedCertificateSerials() const {
    return std::set<std::string>{};
  }
};

}  // namespace ingress::envoy

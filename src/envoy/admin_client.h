// A client of Envoy's admin API (http://address:port), the real AdminApi. Thread-safe; each call
// is one request.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "common/status.h"
#include "envoy/admin_api.h"

namespace ingress::envoy {

struct ServerInfo {
  std::string state;  // "LIVE", "DRAINING", "PRE_INITIALIZING", "INITIALIZING"
  uint32_t restart_epoch = 0;
  uint32_t base_id = 0;
  std::string config_path;
  std::string version;
};

// The error_state.details of every dynamic listener in a /config_dump body (with or without
// ?resource=dynamic_listeners), by listener name. Exposed for tests.
StatusOr<std::map<std::string, std::string>> parseListenerErrors(const std::string& body);

class AdminClient final : public AdminApi {
 public:
  explicit AdminClient(std::string base_url,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));
  const std::string& baseUrl() const { return base_url_; }

  // True when /ready answers 200 (server LIVE).
  bool ready() const override;
  StatusOr<ServerInfo> serverInfo() const;
  // Value of one counter or gauge; kNotFound when Envoy has no such stat.
  StatusOr<uint64_t> stat(const std::string& name) const;
  // Every stat whose name matches the (RE2) regex: name → value text (counters as digits, text
  // readouts without their quotes).
  StatusOr<std::map<std::string, std::string>> statsMatching(
      const std::string& regex) const override;
  // GET /stats?type=TextReadouts: walks only the text readouts.
  StatusOr<std::map<std::string, std::string>> textReadoutsMatching(
      const std::string& regex) const override;
  // GET /config_dump?resource=dynamic_listeners: error_state.details by listener name.
  StatusOr<std::map<std::string, std::string>> listenerErrors() const override;
  StatusOr<std::set<std::string>> servedCertificateSerials() const override;
  // POST /drain_listeners?graceful: listeners drain for --drain-time-s, then close.
  Status drainListenersGracefully() const;
  // GET of any admin path, returning the body of a 200.
  StatusOr<std::string> get(const std::string& path_and_query) const;

 private:
  std::string base_url_;
  std::chrono::milliseconds timeout_;
};

}  // namespace ingress::envoy

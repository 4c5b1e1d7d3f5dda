// Pebble: Let's Encrypt's test CA (Debian's `pebble` package) plus `pebble-challtestsrv` as its
// DNS server, on free loopback ports, for ACME integration tests. Generates the CA and the
// localhost certificate of Pebble's own HTTPS listener (openssl CLI), writes the config, starts
// both, polls until they answer, and stops and reaps them on destruction.
//
//   PebbleOptions o;
//   o.http_port = responder_port;          // where Pebble connects for HTTP-01
//   Pebble pebble(o);                       // ASSERTs readiness (gtest)
//   settings.directory_url = pebble.directoryUrl();
//   settings.ca_bundle = pebble.caBundlePath();
//   std::string root = pebble.rootCertificatePem();  // the issuing root (new at every start)
//
// Every name resolves to 127.0.0.1 through challtestsrv; TXT records are set with
// setTxt()/clearTxt() or by POSTing to challtestsrvUrl() + "/set-txt".
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/status.h"
#include "test_common/test_env.h"

namespace ingress::testing {

struct PebbleOptions {
  int http_port = 5002;                       // HTTP-01 validation port
  int certificate_validity_seconds = 0;       // 0 = Pebble's default (5 years)
  std::vector<std::string> domain_blocklist;  // → rejectedIdentifier
  int nonce_reject_percent = 0;               // PEBBLE_WFE_NONCEREJECT
  int authz_reuse_percent = 0;                // PEBBLE_AUTHZREUSE
};

class Pebble {
 public:
  explicit Pebble(PebbleOptions options);
  ~Pebble();
  Pebble(const Pebble&) = delete;
  Pebble& operator=(const Pebble&) = delete;

  bool ready() const { return ready_; }
  std::string directoryUrl() const;
  // The CA of Pebble's own HTTPS listener (for ACME_CA_BUNDLE), not the issuing root.
  std::string caBundlePath() const { return dir_.file("listener-ca.pem"); }
  // GET https://<management>/roots/0: the root the issued chains lead to.
  std::string rootCertificatePem() const;
  std::string challtestsrvUrl() const;
  // challtestsrv's DNS server, "127.0.0.1:<port>" (for DNS_RESOLVERS).
  std::string dnsAddress() const;
  Status setTxt(const std::string& fqdn, const std::string& value) const;
  Status clearTxt(const std::string& fqdn) const;
  std::string logs() const;

 private:
  TempDir dir_;
  PebbleOptions options_;
  int acme_port_ = 0;
  int management_port_ = 0;
  int tls_port_ = 0;
  int dns_port_ = 0;
  int challtestsrv_port_ = 0;
  pid_t pebble_pid_ = -1;
  pid_t challtestsrv_pid_ = -1;
  bool ready_ = false;
};

}  // namespace ingress::testing

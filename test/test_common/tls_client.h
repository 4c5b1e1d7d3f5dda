// TlsSession: HTTPS requests through libcurl for tests, with what HTTPS tests need to see: the
// name the client resolves to 127.0.0.1 (`--resolve`), the CA it trusts, HTTP/1.1 or HTTP/2, the
// serial of the certificate the server presented, and whether a request reused the connection
// (one easy handle keeps its connection alive between calls).
//
//   TlsSession s({.port = 8443, .ca_file = root_path, .http2 = true});
//   auto r = s.get("api.example.test", "/hello");
//   r->status, r->body, r->serial, r->new_connections (0: the connection was reused)
//
// Not thread-safe (one handle); one session per connection a test wants to keep.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace ingress::testing {

struct TlsSessionOptions {
  int port = 443;
  std::string ca_file;   // PEM roots to verify with; empty: do not verify (self-signed tests)
  bool http2 = false;    // ALPN h2 (else http/1.1 only)
  bool send_sni = true;  // false: connect to 127.0.0.1 by address (no SNI is sent)
  std::string sni_host;  // the name in the URL (SNI) when it differs from the Host header
  long timeout_ms = 10000;
};

struct TlsResponse {
  long status = 0;
  std::string body;
  std::string serial;        // lowercase hex, no separators, of the server's leaf certificate
  long new_connections = 0;  // connections this request opened (0: reused)
  long http_version = 0;     // 11 or 2
  std::string location;      // Location header, if any
};

class TlsSession {
 public:
  explicit TlsSession(TlsSessionOptions options);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;
  // GET https://<host>:<port><path> with Host: host (the URL's host is sni_host when set).
  StatusOr<TlsResponse> get(const std::string& host, const std::string& path = "/");

 private:
  TlsSessionOptions options_;
  void* curl_ = nullptr;
  void* resolve_ = nullptr;
};

// The serial (lowercase hex) of the leaf certificate a TLS server on 127.0.0.1:`port` presents
// for `sni` (empty: no SNI), without verifying it; an error when the handshake fails.
StatusOr<std::string> servedSerial(int port, const std::string& sni);

}  // namespace ingress::testing

// Transport: the HTTP seam of the ACME client and of the Cloudflare DNS solver. The real one
// (HttpTransport) is libcurl through common/http_client.h; unit tests use a fake that plays the
// ACME server (test/unit/acme/fake_acme_server.h).
//
//   HttpTransport transport({.ca_bundle = "/etc/ingressd/pebble-ca.pem"});
//   StatusOr<HttpResponse> r = transport.send(request);
#pragma once

#include <chrono>
#include <string>

#include "common/http_client.h"
#include "common/status.h"

namespace ingress::acme {

class Transport {
 public:
  virtual ~Transport() = default;
  // kUnavailable when the server cannot be reached; any HTTP status is a success here.
  virtual StatusOr<HttpResponse> send(const HttpRequest& request) = 0;
};

struct HttpTransportOptions {
  std::string ca_bundle;                       // PEM file of CAs to trust; empty = the system store
  std::chrono::milliseconds timeout{30000};    // per request (connect + transfer)
  std::string user_agent = "ingressd-acme/1";  // RFC 8555 §6.1: clients send a User-Agent
};

// Thread-safe (each call is its own curl handle).
class HttpTransport final : public Transport {
 public:
  explicit HttpTransport(HttpTransportOptions options) : options_(std::move(options)) {}
  StatusOr<HttpResponse> send(const HttpRequest& request) override;

 private:
  HttpTransportOptions options_;
};

}  // namespace ingress::acme

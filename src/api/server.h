// Server: the REST API over HTTP/1.1 (Boost.Beast + Asio, kept out of this header). The same
// machinery serves /metrics: Server::create(options, handler) with an api::MetricsHandler.
//
//   ServerOptions opts;
//   opts.listen = "127.0.0.1:0";                       // port 0: an ephemeral port
//   auth::JwtAuthenticator auth(secret, clock);
//   StatusOr<std::unique_ptr<Server>> s = Server::create(opts, service, auth);
//   if (!s.ok()) return s.status();                    // bad address, address in use, ...
//   INGRESS_RETURN_IF_ERROR((*s)->start());
//   uint16_t port = (*s)->port();
//   ...
//   (*s)->stop(std::chrono::seconds(5));               // graceful: in-flight requests finish
//
// What the server enforces before a request reaches the router: HTTP/1.1 framing (Content-Length
// together with Transfer-Encoding, duplicate or negative Content-Length, bare LF → 400), a Host
// header on HTTP/1.1 and never two (→ 400), at most one Authorization header (→ 400), header
// size (→ 431) and body size, chunked bodies included (→ 413), a deadline for reading each whole
// request (slow-drip clients are disconnected; others are not delayed), an idle keep-alive
// timeout and a write timeout. Absolute-form targets ("GET http://host/ingresses") reach the
// handler in origin form ("/ingresses"). Every response carries X-Request-Id; every error body
// the server itself writes is {"code","message"} (a handler's responses are its own).
//
// Connection caps: at most `max_connections` open connections, and at most
// `max_connections_per_client` from one source IP (loopback clients included: every local
// client usually shares 127.0.0.1). A connection beyond either cap is accepted, answered at once
// with 503 {"code":"too_many_connections"} (Connection: close, Retry-After: 1) without reading
// its request, and closed; a client that already sent its request may see a reset instead. If
// accept() fails (e.g. EMFILE: "out of file descriptors") the server logs it and retries after
// a back-off; it never spins or exits.
//
// Threads: `threads` I/O threads run Asio; service calls run on a separate pool of
// `handler_threads`, so slow service calls (waiting for Envoy) never stall I/O or /health.
//
// Ownership and thread-safety: the server keeps references to the service and the
// authenticator, which must outlive it. create/start/stop/~Server are called from one owning
// thread; port() may be called from any thread after create().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/http_message.h"
#include "api/readiness.h"
#include "auth/auth.h"
#include "common/status.h"
#include "ingress/certificate_service.h"
#include "ingress/service.h"

namespace ingress::api {

class Router;

struct ServerOptions {
  // How logs name this listener ("API listening", "metrics listening").
  std::string name = "API";
  // host:port. IPv6 hosts in brackets ("[::1]:8080"); port 0 binds an ephemeral port.
  std::string listen = "127.0.0.1:8080";
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  // Deadline for reading one whole request (headers and body) once its first byte arrived; a
  // fresh connection must also send its first byte within it.
  std::chrono::milliseconds request_timeout{10'000};
  // How long a keep-alive connection may sit between requests.
  std::chrono::milliseconds idle_timeout{60'000};
  // Deadline for writing one response.
  std::chrono::milliseconds write_timeout{10'000};
  // Open connections at most (1..1,000,000), and from one source IP (1..max_connections).
  size_t max_connections = 1024;
  size_t max_connections_per_client = 256;
  int threads = 2;          // I/O threads (1..64)
  int handler_threads = 4;  // threads calling the service (1..256)
  // GET /ready of the API router (the (service, auth) create()); empty: ready, no checks.
  ReadinessSource readiness;
  // /certificates of the API router; null: those routes are 404.
  domain::CertificateService* certificates = nullptr;
  // Metrics hook (optional): called after every answer — on a handler thread after the router
  // answered a request, on an I/O thread for what the server refused itself (framing errors,
  // 400/413/431 with the method and target as far as they were read, 503
  // too_many_connections with both empty) — with the raw method and target, the status and the
  // handling time. Must be thread-safe and quick; it must not keep the target (it may carry
  // tenant data).
  std::function<void(std::string_view method, std::string_view target, int status,
                     std::chrono::nanoseconds elapsed)>
      on_response;
};

class Server {
 public:
  // Validates the options and binds the listening socket (so port() is known and an address in
  // use fails here: kUnavailable). Does not accept connections until start().
  static StatusOr<std::unique_ptr<Server>> create(const ServerOptions& options,
                                                  domain::IngressService& service,
                                                  const auth::Authenticator& auth);
  // The same machinery (limits, timeouts, graceful stop) answering with another handler, e.g.
  // the /metrics listener (MetricsHandler). Keeps a reference to `handler`, which must outlive
  // the server.
  static StatusOr<std::unique_ptr<Server>> create(const ServerOptions& options,
                                                  const RequestHandler& handler);
  ~Server();  // stop(0ms) if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts the threads and accepting. kFailedPrecondition when called twice or after stop().
  Status start();
  // The bound port (useful with port 0).
  uint16_t port() const;
  // Stops accepting, closes idle keep-alive connections, lets requests in flight finish (their
  // responses carry Connection: close) for up to `grace`, then closes what is left and joins
  // all threads. A service call still running after `grace` is waited for (it cannot be
  // interrupted), but its connection is already closed. Idempotent.
  void stop(std::chrono::milliseconds grace);

  class Impl;

 private:
  static StatusOr<std::unique_ptr<Server>> create(const ServerOptions& options,
                                                  std::unique_ptr<Router> own_router,
                                                  const RequestHandler& handler);
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ingress::api

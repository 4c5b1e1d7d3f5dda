// MetricsServer: a minimal HTTP/1.1 responder for one route, GET|HEAD /metrics (anything else
// with a query string is the same route), on its own thread with plain sockets. Every
// connection gets exactly one response and is closed (Connection: close).
//
//   auto s = MetricsServer::create({.listen = "127.0.0.1:9464"}, [&] { return reg.render(); });
//   if (!s.ok()) return s.status();   // bad address (kInvalidArgument), in use (kUnavailable)
//   INGRESS_RETURN_IF_ERROR((*s)->start());
//   ...
//   (*s)->stop();                     // idempotent; also done by the destructor
//
// Robustness: connections are served one at a time; a request head must arrive within
// `read_timeout` and fit in `max_request_bytes` (else 408 / 431, or just a close); malformed
// request lines get 400, other paths 404, other methods 405; a response must be written within
// `write_timeout`. A request body is never read. Nothing a client sends can crash the thread.
//
// Thread-safety: create/start/stop from one owning thread; port() from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/status.h"

namespace ingress::telemetry {

struct MetricsServerOptions {
  std::string listen = "127.0.0.1:9464";  // IP:port, [IPv6]:port; port 0: ephemeral
  std::chrono::milliseconds read_timeout{2000};
  std::chrono::milliseconds write_timeout{5000};
  size_t max_request_bytes = 8192;
};

class MetricsServer {
 public:
  using Render = std::function<std::string()>;
  static StatusOr<std::unique_ptr<MetricsServer>> create(const MetricsServerOptions& options,
                                                         Render render);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  Status start();
  void stop();
  uint16_t port() const { return port_; }

 private:
  MetricsServer(MetricsServerOptions options, Render render, int listen_fd, uint16_t port);
  void run();
  void serve(int fd);

  const MetricsServerOptions options_;
  const Render render_;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};
  uint16_t port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

// The HTTP response for one request head (exposed for tests). `head` is everything up to and
// including the blank line.
std::string metricsResponse(std::string_view head, const MetricsServer::Render& render);

}  // namespace ingress::telemetry

// A tiny HTTP/1.1 backend for tests: listens on a loopback address (127.0.0.x, port 0 → any),
// answers every request 200 with body "<name> <Host header>" and echoes request headers it was
// asked about (X-Forwarded-For / X-Forwarded-Proto) as response headers. Keep-alive supported.
// A request for /slow/<ms> is answered after <ms> milliseconds (an in-flight request).
// Thread per connection; stops and joins on destruction.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ingress::testing {

class HttpBackend {
 public:
  // With `reuse_port` the listening socket sets SO_REUSEPORT (a service meant to share its port).
  HttpBackend(std::string name, std::string address = "127.0.0.1", uint16_t port = 0,
              bool reuse_port = false);
  ~HttpBackend();
  HttpBackend(const HttpBackend&) = delete;
  HttpBackend& operator=(const HttpBackend&) = delete;

  const std::string& address() const { return address_; }
  uint16_t port() const { return port_; }
  uint64_t requests() const { return requests_.load(); }
  // Requests received whose response has not been sent yet.
  uint64_t inFlight() const { return in_flight_.load(); }
  // Headers of the most recent request (lowercased names), for assertions.
  std::string lastHeader(const std::string& name) const;

 private:
  void acceptLoop();
  void serve(int fd);

  std::string name_;
  std::string address_;
  uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> in_flight_{0};
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> last_headers_;
  std::vector<std::thread> threads_;
  std::vector<int> conn_fds_;
  std::thread acceptor_;
};

}  // namespace ingress::testing

// FakeHypeman: a loopback stand-in for the hypeman API, for end-to-end tests of ingressd with
// HYPEMAN_API_URL set. Answers GET /instances/<name> the way src/instances/hypeman_resolver.cc
// reads it: 200 {"name": ..., "network": {"ip": ...}} for a known instance, 404 otherwise.
// The test moves and removes instances while ingressd runs:
//
//   FakeHypeman hypeman;
//   hypeman.set("vm-a", "127.0.0.2");   // known, at 127.0.0.2
//   inst.env()["HYPEMAN_API_URL"] = hypeman.url();
//   hypeman.set("vm-a", "127.0.0.3");   // it moved
//   hypeman.remove("vm-a");             // it vanished: 404 from now on
//   hypeman.lookups("vm-a");            // GET /instances/vm-a answered so far
//
// Plain POSIX sockets on 127.0.0.1 (port 0 → any), one thread, one request per connection
// (answers carry "Connection: close"). Thread-safe; stops and joins on destruction.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace ingress::testing {

class FakeHypeman {
 public:
  FakeHypeman() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 64) != 0) {
      if (fd_ >= 0) ::close(fd_);
      throw std::runtime_error("FakeHypeman: cannot listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }

  ~FakeHypeman() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

  FakeHypeman(const FakeHypeman&) = delete;
  FakeHypeman& operator=(const FakeHypeman&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The instance `name` now has address `ip`.
  void set(const std::string& name, const std::string& ip) {
    std::lock_guard lock(mu_);
    ips_[name] = ip;
  }
  // The instance `name` no longer exists (404).
  void remove(const std::string& name) {
    std::lock_guard lock(mu_);
    ips_.erase(name);
  }
  // How many lookups of `name` were answered.
  int lookups(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = lookups_.find(name);
    return it == lookups_.end() ? 0 : it->second;
  }

 private:
  static std::string answer(int status, const std::string& body) {
    return "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Not Found") +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
  }

  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) continue;
      handle(conn);
      ::close(conn);
    }
  }

  // The response to a request head "GET /instances/<name> HTTP/1.1 ...".
  std::string respond(const std::string& head) {
    static const std::string kPrefix = "GET /instances/";
    if (head.rfind(kPrefix, 0) != 0) return answer(404, R"({"code":"not_found"})");
    const size_t end = head.find(' ', kPrefix.size());
    if (end == std::string::npos) return answer(404, R"({"code":"not_found"})");
    const std::string name = head.substr(kPrefix.size(), end - kPrefix.size());
    std::lock_guard lock(mu_);
    ++lookups_[name];
    auto it = ips_.find(name);
    if (it == ips_.end()) return answer(404, R"({"code":"not_found"})");
    // Names reaching here passed isValidHypemanInstanceRef: no characters to escape in JSON.
    return answer(200, R"({"name":")" + name + R"(","state":"Running","network":{"ip":")" +
                           it->second + R"("}})");
  }

  void handle(int conn) {
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
      pollfd p{conn, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) return;
      ssize_t n = ::recv(conn, buf, sizeof buf, 0);
      if (n <= 0) return;
      head.append(buf, static_cast<size_t>(n));
    }
    const std::string out = respond(head);
    std::string_view rest = out;
    while (!rest.empty()) {
      ssize_t n = ::send(conn, rest.data(), rest.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      rest.remove_prefix(static_cast<size_t>(n));
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> ips_;  // guarded by mu_
  std::map<std::string, int> lookups_;      // guarded by mu_
};

}  // namespace ingress::testing

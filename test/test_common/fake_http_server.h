// FakeHttpServer: a tiny HTTP/1.1 server on 127.0.0.1 (port 0) for client tests, built on plain
// POSIX sockets and one thread. Each connection gets one canned answer, then is closed.
//
//   FakeHttpServer server([](const std::string& head) { return FakeHttpServer::json(200, "{}"); });
//   server.url();            // "http://127.0.0.1:<port>"
//   server.requests();       // raw request heads seen so far
//
// A handler returning std::nullopt makes the server hold the connection open without answering
// until the server is destroyed (to test client timeouts). Thread-safe accessors.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ingress::testing {

class FakeHttpServer {
 public:
  using Handler = std::function<std::optional<std::string>(const std::string& request_head)>;

  explicit FakeHttpServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 16) != 0) {
      throw std::runtime_error("FakeHttpServer: cannot listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }

  ~FakeHttpServer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
    ::close(fd_);
  }

  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

  // A complete response with a JSON body.
  static std::string json(int status, const std::string& body) {
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
           "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
           body;
  }

 private:
  bool stopping() {
    std::lock_guard lock(mu_);
    return stopping_;
  }

  void serve() {
    while (!stopping()) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) continue;
      handle(conn);
      ::close(conn);
    }
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
    {
      std::lock_guard lock(mu_);
      requests_.push_back(head);
    }
    std::optional<std::string> response = handler_(head);
    if (!response) {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_; });
      return;
    }
    std::string_view out = *response;
    while (!out.empty()) {
      ssize_t n = ::send(conn, out.data(), out.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      out.remove_prefix(static_cast<size_t>(n));
    }
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;              // guarded by mu_
  std::vector<std::string> requests_;  // guarded by mu_
};

}  // namespace ingress::testing

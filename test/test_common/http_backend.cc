#include "test_common/http_backend.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

namespace ingress::testing {

HttpBackend::HttpBackend(std::string name, std::string address, uint16_t port, bool reuse_port)
    : name_(std::move(name)), address_(std::move(address)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reuse_port) ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ::inet_pton(AF_INET, address_.c_str(), &addr.sin_addr);
  addr.sin_port = htons(port);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 128) != 0) {
    throw std::runtime_error("HttpBackend: cannot listen on " + address_);
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { acceptLoop(); });
}

HttpBackend::~HttpBackend() {
  stop_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::lock_guard lock(mu_);
    for (int fd : conn_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : threads_) t.join();
  ::close(listen_fd_);
}

std::string HttpBackend::lastHeader(const std::string& name) const {
  std::lock_guard lock(mu_);
  for (const auto& [k, v] : last_headers_) {
    if (k == name) return v;
  }
  return {};
}

void HttpBackend::acceptLoop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mu_);
    conn_fds_.push_back(fd);
    threads_.emplace_back([this, fd] { serve(fd); });
  }
}

void HttpBackend::serve(int fd) {
  std::string buf;
  char chunk[8192];
  while (!stop_) {
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) {
        ::close(fd);
        return;
      }
      buf.append(chunk, static_cast<size_t>(n));
    }
    std::string head = buf.substr(0, end);
    // Request line: METHOD SP PATH SP VERSION
    std::string path;
    if (auto sp1 = head.find(' '); sp1 != std::string::npos) {
      auto sp2 = head.find(' ', sp1 + 1);
      path = head.substr(sp1 + 1, sp2 == std::string::npos ? std::string::npos : sp2 - sp1 - 1);
    }
    buf.erase(0, end + 4);
    std::vector<std::pair<std::string, std::string>> headers;
    size_t pos = head.find("\r\n");
    size_t content_length = 0;
    while (pos != std::string::npos && pos < head.size()) {
      size_t next = head.find("\r\n", pos + 2);
      std::string line =
          head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string k = line.substr(0, colon);
        std::transform(k.begin(), k.end(), k.begin(), ::tolower);
        std::string v = line.substr(colon + 1);
        v.erase(0, v.find_first_not_of(' '));
        if (k == "content-length") content_length = std::stoul(v);
        headers.emplace_back(k, v);
      }
      pos = next;
    }
    while (buf.size() < content_length) {
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buf.append(chunk, static_cast<size_t>(n));
    }
    buf.erase(0, std::min(buf.size(), content_length));
    std::string host, xff, xfp;
    for (const auto& [k, v] : headers) {
      if (k == "host") host = v;
      if (k == "x-forwarded-for") xff = v;
      if (k == "x-forwarded-proto") xfp = v;
    }
    {
      std::lock_guard lock(mu_);
      last_headers_ = headers;
    }
    ++requests_;
    if (path.rfind("/slow/", 0) == 0) {
      ++in_flight_;
      const auto ms = std::strtol(path.c_str() + 6, nullptr, 10);
      const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
      while (!stop_ && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      --in_flight_;
    }
    std::string body = name_ + " " + host;
    std::string resp = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\nX-Backend: " + name_ +
                       "\r\nX-Seen-Forwarded-For: " + xff + "\r\nX-Seen-Forwarded-Proto: " + xfp +
                       "\r\n\r\n" + body;
    if (::send(fd, resp.data(), resp.size(), MSG_NOSIGNAL) < 0) break;
  }
  ::close(fd);
}

}  // namespace ingress::testing

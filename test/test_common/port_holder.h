// PortHolder: a plain listening TCP socket on 127.0.0.1:<free port>, bound WITHOUT SO_REUSEPORT,
// so Envoy's own bind of that port fails and it rejects the listener (a real LDS reject, counted
// as listener_manager.lds.update_rejected). With `reuse_port`, the socket sets SO_REUSEPORT, as
// a service meant to share its port would (Envoy's listeners do not set it, so they still cannot
// bind). Closes the socket on destruction.
//
//   PortHolder held;                      // or PortHolder held(/*reuse_port=*/true);
//   ... a rule on held.port() → Envoy refuses the configuration ...
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cstdint>
#include <stdexcept>

namespace ingress::testing {

class PortHolder {
 public:
  explicit PortHolder(bool reuse_port = false) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    if (reuse_port && fd_ >= 0) ::setsockopt(fd_, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(fd_, 1) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      throw std::runtime_error("PortHolder: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(a.sin_port);
  }
  ~PortHolder() {
    if (fd_ >= 0) ::close(fd_);
  }
  PortHolder(const PortHolder&) = delete;
  PortHolder& operator=(const PortHolder&) = delete;
  int port() const { return port_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace ingress::testing

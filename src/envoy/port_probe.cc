// TcpPortProbe: one blocking loopback connect, or one bind, per probe.
#include "envoy/port_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ingress::envoy {
namespace {

// Fills `ss` with address:port; 0 when the address is not an IP literal.
socklen_t socketAddress(const std::string& address, uint16_t port, sockaddr_storage& ss) {
  ss = {};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return sizeof *v4;
  }
  if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return sizeof *v6;
  }
  return 0;
}

}  // namespace

bool TcpPortProbe::accepts(uint16_t port) const {
  sockaddr_storage ss{};
  const socklen_t len = socketAddress(address_, port, ss);
  if (len == 0) return false;
  int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0;
  ::close(fd);
  return ok;
}

Status TcpPortProbe::bindable(uint16_t port) const {
  sockaddr_storage ss{};
  const socklen_t len = socketAddress(bind_address_, port, ss);
  if (len == 0) return invalidArgument("not an IP address: " + bind_address_);
  int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errnoError("socket", errno);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (ss.ss_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  const int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len);
  const int err = errno;
  ::close(fd);
  if (rc == 0) return okStatus();
  const std::string what = "bind " + bind_address_ + ":" + std::to_string(port);
  if (err == EADDRINUSE) return alreadyExists(what + ": " + std::strerror(err), "port_in_use");
  return errnoError(what, err);
}

}  // namespace ingress::envoy

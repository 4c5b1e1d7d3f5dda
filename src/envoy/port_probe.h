// PortProbe: can a client on this host connect to a listener port, and could a listener bind
// one? The xDS applier probes after a listener change, so "applied" means new ports accept and
// removed ports refuse; and before opening a port, whether another process holds it (then the
// change is refused with port_in_use instead of letting Envoy fail to bind). TcpPortProbe uses
// real sockets; unit tests use a fake that follows the fake Envoy's listeners.
//
//   TcpPortProbe probe("127.0.0.1", "0.0.0.0");
//   if (probe.accepts(8080)) ...
//   if (Status st = probe.bindable(8443); st.code() == StatusCode::kAlreadyExists) ...
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace ingress::envoy {

class PortProbe {
 public:
  virtual ~PortProbe() = default;
  // True when a TCP connection to the port is accepted (by the kernel's listen queue).
  virtual bool accepts(uint16_t port) const = 0;
  // Ok when a listener could bind the port now: kAlreadyExists when another socket listens on
  // it (EADDRINUSE), another error when the probe itself failed (the caller lets Envoy try).
  // The default, for fakes that do not model other processes: always ok.
  virtual Status bindable(uint16_t) const { return okStatus(); }
};

// Connects to `connect_address` and binds `bind_address` (IPv4 or IPv6 literals; the bind
// address defaults to the connect address). bindable() binds the way Envoy binds a listener
// without SO_REUSEPORT: SO_REUSEADDR on, IPV6_V6ONLY on for IPv6, no listen(); the socket is
// closed at once. Thread-safe (no state but the addresses).
class TcpPortProbe final : public PortProbe {
 public:
  explicit TcpPortProbe(std::string connect_address, std::string bind_address = "")
      : address_(std::move(connect_address)),
        bind_address_(bind_address.empty() ? address_ : std::move(bind_address)) {}
  bool accepts(uint16_t port) const override;
  Status bindable(uint16_t port) const override;

 private:
  std::string address_;
  std::string bind_address_;
};

}  // namespace ingress::envoy

// PortProbe: can a client on this host connect to a listener port? The xDS applier probes after
// a listener change, so "applied" means new ports accept and removed ports refuse. TcpPortProbe
// connects over TCP; unit tests use a fake that follows the fake Envoy's listeners.
//
//   TcpPortProbe probe("127.0.0.1");
//   if (probe.accepts(8080)) ...
#pragma once

#include <cstdint>
#include <string>

namespace ingress::envoy {

class PortProbe {
 public:
  virtual ~PortProbe() = default;
  // True when a TCP connection to the port is accepted (by the kernel's listen queue).
  virtual bool accepts(uint16_t port) const = 0;
};

// Connects to `address` (an IPv4 or IPv6 literal). Thread-safe (no state but the address).
class TcpPortProbe final : public PortProbe {
 public:
  explicit TcpPortProbe(std::string address) : address_(std::move(address)) {}
  bool accepts(uint16_t port) const override;

 private:
  std::string address_;
};

}  // namespace ingress::envoy

#include "exe/own_sockets.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cstring>
#include <utility>

namespace ingress::exe {
namespace {

std::vector<Cidr> addressesOf(std::string_view ip, const std::vector<Cidr>& local) {
  StatusOr<IpAddress> bind = parseIpAddress(ip);
  if (!bind.ok()) return {};
  return domain::ownSocketAddresses(*bind, local);
}

// The IP of an ifaddrs sockaddr, and the prefix length of its netmask.
bool fromSockaddr(const sockaddr* addr, const sockaddr* mask, Cidr& out) {
  if (addr == nullptr) return false;
  const uint8_t* bytes = nullptr;
  const uint8_t* mask_bytes = nullptr;
  size_t n = 0;
  if (addr->sa_family == AF_INET) {
    bytes = reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(addr)->sin_addr);
    if (mask != nullptr) {
      mask_bytes =
          reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in*>(mask)->sin_addr);
    }
    n = 4;
  } else if (addr->sa_family == AF_INET6) {
    bytes =
        reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr);
    if (mask != nullptr) {
      mask_bytes =
          reinterpret_cast<const uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr);
    }
    n = 16;
  } else {
    return false;
  }
  out = Cidr{};
  out.address.v6 = n == 16;
  std::memcpy(out.address.bytes.data(), bytes, n);
  out.prefix = static_cast<uint8_t>(n * 8);
  if (mask_bytes != nullptr) {
    unsigned prefix = 0;
    while (prefix < n * 8 && (mask_bytes[prefix / 8] & (0x80u >> (prefix % 8))) != 0) ++prefix;
    out.prefix = static_cast<uint8_t>(prefix);
  }
  return true;
}

}  // namespace

std::vector<Cidr> localAddresses() {
  std::vector<Cidr> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    Cidr c;
    if (!fromSockaddr(i->ifa_addr, i->ifa_netmask, c)) continue;
    // An IPv4-mapped form never appears here; parse-level mapping is not needed.
    if ((i->ifa_flags & IFF_LOOPBACK) != 0) {
      out.push_back(cidrNetwork(c));
    } else {
      c.prefix = static_cast<uint8_t>(c.address.v6 ? 128 : 32);
      out.push_back(c);
    }
  }
  ::freeifaddrs(list);
  return out;
}

void addOwnSockets(domain::TargetPolicy& policy, const Settings& settings,
                   const std::vector<Cidr>& local) {
  policy.addOwnSocket(
      {addressesOf(settings.envoy_admin_address, local), settings.envoy_admin_port, "Envoy admin"});
  policy.setListenerAddresses(addressesOf(settings.envoy_listen_address, local));
  for (const auto& [listen, what] : {std::pair{settings.api_listen, "API listener"},
                                     std::pair{settings.metrics_listen, "metrics listener"}}) {
    StatusOr<HostPort> hp = parseHostPort(listen, {.allow_port_zero = true});
    if (hp.ok() && hp->port != 0) {
      policy.addOwnSocket({addressesOf(hp->host, local), hp->port, what});
    }
  }
}

void addListenSocket(domain::TargetPolicy& policy, std::string_view listen, uint16_t bound_port,
                     std::string what, const std::vector<Cidr>& local) {
  StatusOr<HostPort> hp = parseHostPort(listen, {.allow_port_zero = true});
  if (!hp.ok() || hp->port != 0) return;  // a fixed port was added by addOwnSockets
  policy.addOwnSocket({addressesOf(hp->host, local), bound_port, std::move(what)});
}

}  // namespace ingress::exe

#include "ingress/target_policy.h"

#include <mutex>
#include <utility>

namespace ingress::domain {
namespace {

bool anyContains(const std::vector<Cidr>& ranges, const IpAddress& ip) {
  for (const Cidr& c : ranges) {
    if (c.contains(ip)) return true;
  }
  return false;
}

Cidr single(const IpAddress& ip) { return Cidr{ip, static_cast<uint8_t>(ip.v6 ? 128 : 32)}; }

bool isUnspecified(const IpAddress& ip) {
  for (uint8_t b : ip.bytes) {
    if (b != 0) return false;
  }
  return true;
}

bool isLoopback(const IpAddress& ip) {
  if (!ip.v6) return ip.bytes[0] == 127;
  for (int i = 0; i < 15; ++i) {
    if (ip.bytes[i] != 0) return false;
  }
  return ip.bytes[15] == 1;
}

IpAddress unspecified(bool v6) {
  IpAddress ip;
  ip.v6 = v6;
  return ip;
}

}  // namespace

std::vector<Cidr> ownSocketAddresses(const IpAddress& bind, const std::vector<Cidr>& local) {
  std::vector<Cidr> out;
  if (isUnspecified(bind)) {
    out = local;
    out.push_back(*parseCidr("127.0.0.0/8"));
    out.push_back(*parseCidr("::1"));
    out.push_back(single(unspecified(false)));
    out.push_back(single(unspecified(true)));
    return out;
  }
  out.push_back(single(bind));
  if (isLoopback(bind)) out.push_back(single(unspecified(bind.v6)));
  return out;
}

TargetPolicy::TargetPolicy(std::vector<Cidr> deny, std::vector<OwnSocket> own,
                           std::vector<Cidr> listener_addresses)
    : deny_(std::move(deny)),
      own_(std::move(own)),
      listener_addresses_(std::move(listener_addresses)) {}

void TargetPolicy::addOwnSocket(OwnSocket socket) {
  std::unique_lock lock(mu_);
  own_.push_back(std::move(socket));
}

void TargetPolicy::setListenerAddresses(std::vector<Cidr> addresses) {
  std::unique_lock lock(mu_);
  listener_addresses_ = std::move(addresses);
}

std::string TargetPolicy::refusal(std::string_view ip_text, uint16_t port,
                                  const std::function<bool(uint16_t)>& is_listener_port) const {
  StatusOr<IpAddress> ip = parseIpAddress(ip_text);
  if (!ip.ok()) return "\"" + std::string(ip_text) + "\" is not an IP address";
  const std::string target = formatHostPort(HostPort{std::string(ip_text), port});
  {
    std::shared_lock lock(mu_);
    for (const OwnSocket& s : own_) {
      if (s.port == port && anyContains(s.addresses, *ip)) {
        return target + " is this daemon's " + s.what;
      }
    }
    if (is_listener_port && anyContains(listener_addresses_, *ip) && is_listener_port(port)) {
      return target + " is one of this daemon's Envoy ingress listeners";
    }
  }
  for (const Cidr& c : deny_) {
    if (c.contains(*ip)) {
      return std::string(ip_text) + " is in TARGET_DENY_CIDRS (" + formatCidr(c) + ")";
    }
  }
  return "";
}

}  // namespace ingress::domain

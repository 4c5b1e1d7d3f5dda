// parseHostPort / formatHostPort (see host_port.h).
#include "common/host_port.h"

#include <arpa/inet.h>

#include <cctype>

namespace ingress {
namespace {

Status bad(const std::string& why) { return invalidArgument(why); }

bool isHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (unsigned char c : host) {
    if (std::isalnum(c) == 0 && c != '-' && c != '.') return false;
  }
  return true;
}

}  // namespace

bool isIpv6Literal(std::string_view host) {
  std::string s(host);
  unsigned char buf[16];
  return inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool isIpLiteral(std::string_view host) {
  std::string s(host);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || isIpv6Literal(host);
}

StatusOr<HostPort> parseHostPort(std::string_view text, const HostPortRules& rules) {
  HostPort out;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return bad("missing ']' after the IPv6 address");
    out.host = std::string(text.substr(1, close - 1));
    if (!isIpv6Literal(out.host)) return bad("brackets must hold an IPv6 address");
    if (close + 1 >= text.size() || text[close + 1] != ':') return bad("missing port");
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("missing port");
    out.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
    if (out.host.find(':') != std::string::npos) {
      const std::string example = "[" + out.host + "]:" + std::string(port);
      return bad("IPv6 addresses go in brackets, e.g. " + example);
    }
    if (out.host.empty()) {
      if (!rules.allow_empty_host) return bad("missing host");
    } else if (!isIpLiteral(out.host)) {
      if (!rules.allow_hostname) return bad("host must be an IP address");
      if (!isHostName(out.host)) return bad("invalid host name");
    }
  }
  const unsigned lo = rules.allow_port_zero ? 0 : 1;
  const std::string range = "port must be " + std::to_string(lo) + "..65535";
  if (port.empty()) return bad("missing port");
  if (port.size() > 5) return bad(range);
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return bad(range);
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value < lo || value > 65535) return bad(range);
  out.port = static_cast<uint16_t>(value);
  return out;
}

std::string formatHostPort(const HostPort& hp) {
  const bool v6 = hp.host.find(':') != std::string::npos;
  return (v6 ? "[" + hp.host + "]" : hp.host) + ":" + std::to_string(hp.port);
}

}  // namespace ingress

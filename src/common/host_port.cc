// parseHostPort / formatHostPort (see host_port.h).
#include "common/host_port.h"

#include <arpa/inet.h>

#include <algorithm>
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

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// ::ffff:a.b.c.d
bool isMapped(const IpAddress& ip) {
  if (!ip.v6) return false;
  for (int i = 0; i < 10; ++i) {
    if (ip.bytes[i] != 0) return false;
  }
  return ip.bytes[10] == 0xFF && ip.bytes[11] == 0xFF;
}

IpAddress unmapped(const IpAddress& ip) {
  IpAddress v4;
  std::copy(ip.bytes.begin() + 12, ip.bytes.end(), v4.bytes.begin());
  return v4;
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

StatusOr<IpAddress> parseIpAddress(std::string_view text) {
  if (text.empty()) return bad("empty address");
  if (text.size() > INET6_ADDRSTRLEN || text.find('\0') != std::string_view::npos) {
    return bad("not an IPv4 or IPv6 address");
  }
  const std::string s(text);
  IpAddress ip;
  if (inet_pton(AF_INET, s.c_str(), ip.bytes.data()) == 1) return ip;
  if (inet_pton(AF_INET6, s.c_str(), ip.bytes.data()) != 1) {
    return bad("not an IPv4 or IPv6 address");
  }
  ip.v6 = true;
  if (isMapped(ip)) ip = unmapped(ip);
  return ip;
}

std::string formatIpAddress(const IpAddress& ip) {
  char out[INET6_ADDRSTRLEN] = {};
  inet_ntop(ip.v6 ? AF_INET6 : AF_INET, ip.bytes.data(), out, sizeof out);
  return out;
}

bool Cidr::contains(const IpAddress& ip) const {
  if (ip.v6 != address.v6) return false;
  for (unsigned bit = 0; bit < prefix; bit += 8) {
    const unsigned n = std::min(8u, prefix - bit);
    const auto mask = static_cast<uint8_t>(0xFFu << (8 - n));
    if ((ip.bytes[bit / 8] & mask) != address.bytes[bit / 8]) return false;
  }
  return true;
}

StatusOr<Cidr> parseCidr(std::string_view text) {
  const size_t slash = text.find('/');
  const std::string_view addr = text.substr(0, slash);
  const std::string s(addr);
  Cidr c;
  if (inet_pton(AF_INET, s.c_str(), c.address.bytes.data()) != 1) {
    if (addr.size() > INET6_ADDRSTRLEN ||
        inet_pton(AF_INET6, s.c_str(), c.address.bytes.data()) != 1) {
      return bad("\"" + s + "\" is not an IPv4 or IPv6 address");
    }
    c.address.v6 = true;
  }
  const unsigned max = c.address.v6 ? 128 : 32;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const std::string range = "prefix length must be 0.." + std::to_string(max);
    if (digits.empty() || digits.size() > 3) return bad(range);
    prefix = 0;
    for (char ch : digits) {
      if (ch < '0' || ch > '9') return bad(range);
      prefix = prefix * 10 + static_cast<unsigned>(ch - '0');
    }
    if (prefix > max) return bad(range);
  }
  c.prefix = static_cast<uint8_t>(prefix);
  for (unsigned bit = 0; bit < max; ++bit) {
    if (bit < prefix) continue;
    if ((c.address.bytes[bit / 8] & (0x80u >> (bit % 8))) != 0) {
      return bad("host bits are set (did you mean " + formatCidr(cidrNetwork(c)) + "?)");
    }
  }
  if (c.address.v6 && prefix >= 96 && isMapped(c.address)) {
    c.address = unmapped(c.address);
    c.prefix = static_cast<uint8_t>(prefix - 96);
  }
  return c;
}

StatusOr<std::vector<Cidr>> parseCidrList(std::string_view text) {
  std::vector<Cidr> out;
  size_t start = 0;
  size_t item = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view raw = trim(text.substr(start, comma - start));
    ++item;
    if (raw.empty()) {
      // Blank lists are fine; a blank between commas is a typo.
      if (!trim(text).empty()) return bad("item " + std::to_string(item) + " is empty");
    } else {
      StatusOr<Cidr> c = parseCidr(raw);
      if (!c.ok()) {
        return bad("item " + std::to_string(item) + " (\"" + std::string(raw) +
                   "\"): " + c.status().message());
      }
      out.push_back(*c);
    }
    start = comma + 1;
  }
  return out;
}

Cidr cidrNetwork(Cidr c) {
  const unsigned max = c.address.v6 ? 128 : 32;
  for (unsigned bit = c.prefix; bit < max; ++bit) {
    c.address.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  }
  return c;
}

std::string formatCidr(const Cidr& cidr) {
  return formatIpAddress(cidr.address) + "/" + std::to_string(cidr.prefix);
}

std::string formatHostPort(const HostPort& hp) {
  const bool v6 = hp.host.find(':') != std::string::npos;
  return (v6 ? "[" + hp.host + "]" : hp.host) + ":" + std::to_string(hp.port);
}

StatusOr<HostPort> parseHostPort(std::string_view text, uint16_t default_port,
                                 const HostPortRules& rules) {
  const bool bracketed = !text.empty() && text.front() == '[';
  const bool has_port = bracketed ? text.find("]:") != std::string_view::npos
                                  : text.find(':') != std::string_view::npos;
  if (has_port) return parseHostPort(text, rules);
  return parseHostPort(std::string(text) + ":" + std::to_string(default_port), rules);
}

}  // namespace ingress

// HostPort: the one parser of "host:port" values in the project: API_LISTEN, METRICS_LISTEN,
// OTEL_ENDPOINT and DNS_RESOLVERS (settings), the API and metrics listeners, ingressctl's --api
// and the ACME DNS-01 resolvers.
//
//   StatusOr<HostPort> hp = parseHostPort("[::1]:8080", {.allow_port_zero = true});
//   hp->host == "::1"; hp->port == 8080; formatHostPort(*hp) == "[::1]:8080"
//
// Accepted forms: "IPv4:port", "[IPv6]:port" and, when allowed, "name:port" (letters, digits,
// '-' and '.', at most 253 characters) and ":port" (an empty host). An IPv6 address without
// brackets ("::1:8080") is refused with a message that says to use brackets, since its last
// group cannot be told from a port. The port is decimal digits only, 1..65535 (0 too when
// allowed: an ephemeral port).
//
// Errors are kInvalidArgument; the message says what is wrong ("missing port", "IPv6 addresses
// go in brackets, e.g. [::1]:8080") but not which setting or flag: callers add that.
//
// Cidr: an address range "10.0.0.0/8", "fe80::/10" or a bare address (a /32 or /128).
//
//   StatusOr<std::vector<Cidr>> deny = parseCidrList("127.0.0.0/8, ::1/128");
//   StatusOr<IpAddress> ip = parseIpAddress("::ffff:127.0.0.1");   // checked as 127.0.0.1
//   (*deny)[0].contains(*ip) == true; formatCidr((*deny)[0]) == "127.0.0.0/8"
//
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are IPv4 everywhere: parseIpAddress turns them
// into the IPv4 address, and a mapped range ("::ffff:127.0.0.0/104") is the IPv4 range, so a
// deny rule for 127.0.0.0/8 cannot be bypassed by writing the address in its mapped form.
//
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace ingress {

struct HostPort {
  std::string host;  // without brackets: "127.0.0.1", "::1", "localhost", or "" when allowed
  uint16_t port = 0;
  bool operator==(const HostPort&) const = default;
};

struct HostPortRules {
  bool allow_hostname = false;    // DNS names besides IP literals
  bool allow_empty_host = false;  // ":8080"
  bool allow_port_zero = false;   // listen addresses: 0 binds an ephemeral port
};

StatusOr<HostPort> parseHostPort(std::string_view text, const HostPortRules& rules = {});
// The same, where the port may be left out ("10.0.0.1", "[::1]"): it is then `default_port`.
StatusOr<HostPort> parseHostPort(std::string_view text, uint16_t default_port,
                                 const HostPortRules& rules = {});

// "host:port", with brackets around an IPv6 host.
std::string formatHostPort(const HostPort& hp);

// IPv4 dotted quad or IPv6 (no brackets).
bool isIpLiteral(std::string_view host);
bool isIpv6Literal(std::string_view host);

// An IP address in network byte order; IPv4 uses bytes[0..3].
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
  bool operator==(const IpAddress&) const = default;
};

// An IPv4 or IPv6 literal (no brackets, no zone); an IPv4-mapped IPv6 address becomes IPv4.
StatusOr<IpAddress> parseIpAddress(std::string_view text);
// The canonical text (inet_ntop): "127.0.0.1", "2001:db8::1".
std::string formatIpAddress(const IpAddress& ip);

struct Cidr {
  IpAddress address;   // the network address: host bits are zero
  uint8_t prefix = 0;  // 0..32 for IPv4, 0..128 for IPv6
  bool contains(const IpAddress& ip) const;
  bool operator==(const Cidr&) const = default;
};

// "a.b.c.d/n", "v6/n" or a bare address (the whole prefix). Host bits must be zero
// ("10.0.0.1/8" is refused: it is likely a typo). A mapped IPv6 range ::ffff:0:0/96 or longer
// becomes the IPv4 range. Errors are kInvalidArgument naming what is wrong.
StatusOr<Cidr> parseCidr(std::string_view text);
// Comma-separated CIDRs; blanks around items are ignored, an empty list (or only blanks) is
// no CIDR. An error names the item: "item 2 (\"10.0.0/8\"): ...".
StatusOr<std::vector<Cidr>> parseCidrList(std::string_view text);
// `cidr` with its host bits cleared: the network it names ("10.1.2.3/8" → "10.0.0.0/8").
Cidr cidrNetwork(Cidr cidr);
// "127.0.0.0/8"; the inverse of parseCidr.
std::string formatCidr(const Cidr& cidr);

}  // namespace ingress

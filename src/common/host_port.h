// HostPort: the one parser of "host:port" values in the project: API_LISTEN, METRICS_LISTEN and
// OTEL_ENDPOINT (settings), the API and metrics listeners, and ingressctl's --api.
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
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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

// "host:port", with brackets around an IPv6 host.
std::string formatHostPort(const HostPort& hp);

// IPv4 dotted quad or IPv6 (no brackets).
bool isIpLiteral(std::string_view host);
bool isIpv6Literal(std::string_view host);

}  // namespace ingress

#include "cli/endpoint.h"

#include <cctype>

#include "common/host_port.h"

namespace ingress::cli {
namespace {

bool isUnreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '~';
}

bool hasSpaceOrControl(std::string_view s) {
  for (unsigned char c : s) {
    if (c <= ' ' || c == 0x7f) return true;
  }
  return false;
}

// "host:port" through the common parser; a listen address ("0.0.0.0", "[::]", empty host) means
// "every local address", so connect through loopback.
StatusOr<ApiEndpoint> parseHostAndPort(std::string_view api) {
  StatusOr<HostPort> hp = parseHostPort(api, {.allow_hostname = true, .allow_empty_host = true});
  if (!hp.ok()) {
    return invalidArgument("--api \"" + std::string(api) +
                           "\": " + std::string(hp.status().message()) +
                           " (expected host:port, http://host:port or unix:/path)");
  }
  HostPort connect = *hp;
  if (connect.host.empty() || connect.host == "0.0.0.0") connect.host = "127.0.0.1";
  if (connect.host == "::") connect.host = "::1";
  ApiEndpoint e;
  e.display = formatHostPort(connect);
  e.base_url = "http://" + e.display;
  return e;
}

}  // namespace

StatusOr<ApiEndpoint> parseApiEndpoint(std::string_view api) {
  if (api.empty()) return invalidArgument("--api is empty");
  if (hasSpaceOrControl(api)) return invalidArgument("--api contains whitespace");
  if (api.starts_with("unix:")) {
    std::string_view path = api.substr(5);
    if (path.empty()) return invalidArgument("--api unix: needs a socket path");
    ApiEndpoint e;
    e.base_url = "http://localhost";
    e.unix_socket = std::string(path);
    e.display = std::string(api);
    return e;
  }
  const size_t scheme_end = api.find("://");
  if (scheme_end == std::string_view::npos) return parseHostAndPort(api);
  const std::string_view scheme = api.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return invalidArgument("--api \"" + std::string(api) + "\": scheme must be http or https");
  }
  std::string_view rest = api.substr(scheme_end + 3);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  const std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.empty()) return invalidArgument("--api \"" + std::string(api) + "\": no host");
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return invalidArgument("--api \"" + std::string(api) + "\": no query or fragment allowed");
  }
  ApiEndpoint e;
  e.base_url = std::string(scheme) + "://" + std::string(rest);
  e.display = std::string(authority);
  return e;
}

std::string encodePathSegment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  for (unsigned char c : segment) {
    if (isUnreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string buildUrl(const ApiEndpoint& endpoint, std::string_view path) {
  return endpoint.base_url + std::string(path);
}

}  // namespace ingress::cli

#include "cli/endpoint.h"

#include <cctype>

namespace ingress::cli {
namespace {

bool isUnreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '~';
}

bool validPort(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  int value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return value >= 1 && value <= 65535;
}

bool hasSpaceOrControl(std::string_view s) {
  for (unsigned char c : s) {
    if (c <= ' ' || c == 0x7f) return true;
  }
  return false;
}

StatusOr<ApiEndpoint> parseHostPort(std::string_view api) {
  const auto bad = [&](std::string_view why) {
    return invalidArgument("--api \"" + std::string(api) + "\": " + std::string(why) +
                           " (expected host:port, http://host:port or unix:/path)");
  };
  std::string_view host;
  std::string_view port;
  if (!api.empty() && api.front() == '[') {
    const size_t close = api.find(']');
    if (close == std::string_view::npos) return bad("unterminated '['");
    host = api.substr(0, close + 1);
    if (close + 1 >= api.size() || api[close + 1] != ':') return bad("missing port");
    port = api.substr(close + 2);
  } else {
    const size_t colon = api.rfind(':');
    if (colon == std::string_view::npos) return bad("missing port");
    host = api.substr(0, colon);
    port = api.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad("IPv6 addresses need brackets");
  }
  if (!validPort(port)) return bad("port must be 1..65535");
  if (host.find('/') != std::string_view::npos || host.find('@') != std::string_view::npos) {
    return bad("invalid host");
  }
  // A listen address means "every local address": connect through loopback.
  std::string connect_host(host);
  if (host.empty() || host == "0.0.0.0") connect_host = "127.0.0.1";
  if (host == "[::]") connect_host = "[::1]";
  ApiEndpoint e;
  e.display = connect_host + ":" + std::string(port);
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
  if (scheme_end == std::string_view::npos) return parseHostPort(api);
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

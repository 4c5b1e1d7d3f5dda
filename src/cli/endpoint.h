// Where ingressctl sends its requests: parsing of --api / API_LISTEN and URL building.
//
// --api accepts what a user naturally has at hand:
//   "127.0.0.1:8080", "localhost:8080", "[::1]:8080"  host:port (the daemon's API_LISTEN value);
//   ":8080", "0.0.0.0:8080", "[::]:8080"              wildcard listen addresses → loopback;
//   "http://host:8080", "https://host/prefix/"         a full base URL (trailing '/' dropped);
//   "unix:/run/ingressd.sock"                          the daemon's unix socket.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace ingress::cli {

inline constexpr std::string_view kDefaultApi = "127.0.0.1:8080";

struct ApiEndpoint {
  std::string base_url;     // "http://127.0.0.1:8080", never with a trailing '/'
  std::string unix_socket;  // set for "unix:" endpoints (base_url is then http://localhost)
  std::string display;      // how messages name it: "127.0.0.1:8080", "unix:/run/x.sock"
  bool operator==(const ApiEndpoint&) const = default;
};

// kInvalidArgument naming the problem for anything else.
StatusOr<ApiEndpoint> parseApiEndpoint(std::string_view api);

// Percent-encodes every byte except letters, digits, '-', '_' and '~' (dots are encoded too),
// so an ID or name can never change the path ("a/b" → "a%2Fb", ".." → "%2E%2E").
std::string encodePathSegment(std::string_view segment);

// base_url + path; `path` starts with '/'.
std::string buildUrl(const ApiEndpoint& endpoint, std::string_view path);

}  // namespace ingress::cli

// A small blocking HTTP client (libcurl) for Envoy's admin API, the hypeman API and tests.
// Thread-safe: each call uses its own easy handle. Call initHttpClientGlobal() once in main
// before starting threads.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace ingress {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // http://host:port/path
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{2000};
  std::string unix_socket;  // connect through this unix socket instead of TCP
  std::string ca_bundle;    // PEM file of CAs to trust for https (empty: the system's store)
  size_t max_response_bytes = 8 << 20;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string header(std::string_view name) const;
};

void initHttpClientGlobal();

// RFC 3986 percent-encoding of everything but the unreserved characters (ALPHA DIGIT - . _ ~),
// for a query parameter's value.
std::string percentEncode(std::string_view s);

// kUnavailable when the connection fails or times out; any HTTP status is a success here.
StatusOr<HttpResponse> httpCall(const HttpRequest& request);
inline StatusOr<HttpResponse> httpGet(const std::string& url,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
  HttpRequest r;
  r.url = url;
  r.timeout = timeout;
  return httpCall(r);
}

}  // namespace ingress

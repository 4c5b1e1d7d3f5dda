// A client of ingressd's REST API for end-to-end tests: mints HS256 tokens with the test secret
// and sends JSON requests over real HTTP.
#pragma once

#include <chrono>
#include <string>

#include "common/http_client.h"
#include "common/json.h"

namespace ingress::testing {

inline constexpr char kTestJwtSecret[] = "e2e-test-secret-0123456789abcdef0123456789";

class ApiClient {
 public:
  explicit ApiClient(int port, std::string secret = kTestJwtSecret);
  // A valid token for `ttl` from now.
  std::string token(std::chrono::seconds ttl = std::chrono::seconds(300)) const;
  // Sends a request; `token` empty → a fresh valid one, "-" → no Authorization header.
  StatusOr<HttpResponse> call(const std::string& method, const std::string& path,
                              const std::string& body = {}, std::string token = {},
                              const std::string& content_type = "application/json") const;
  StatusOr<HttpResponse> call(const std::string& method, const std::string& path,
                              const Json& body) const {
    return call(method, path, dumpJson(body));
  }
  // Polls GET /health until it answers 200 or `timeout` passes.
  bool waitHealthy(std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  std::string secret_;
};

Json ingressBody(const std::string& name, const std::string& host, int port,
                 const std::string& instance, int target_port);

}  // namespace ingress::testing

#include "e2e/api_client.h"

#include "auth/jwt.h"
#include "test_common/test_env.h"

namespace ingress::testing {

ApiClient::ApiClient(int port, std::string secret) : port_(port), secret_(std::move(secret)) {}

std::string ApiClient::token(std::chrono::seconds ttl) const {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  return auth::mintJwtHs256(secret_,
                            Json{{"sub", "e2e"}, {"iat", now}, {"exp", now + ttl.count()}});
}

StatusOr<HttpResponse> ApiClient::call(const std::string& method, const std::string& path,
                                       const std::string& body, std::string tok,
                                       const std::string& content_type) const {
  HttpRequest r;
  r.method = method;
  r.url = baseUrl() + path;
  r.body = body;
  r.timeout = std::chrono::seconds(30);
  if (tok.empty()) tok = token();
  if (tok != "-") r.headers.emplace_back("Authorization", "Bearer " + tok);
  if (!body.empty() && !content_type.empty()) r.headers.emplace_back("Content-Type", content_type);
  return httpCall(r);
}

bool ApiClient::waitHealthy(std::chrono::milliseconds timeout) const {
  return pollUntil(
      [&] {
        auto r = call("GET", "/health", "", "-");
        return r.ok() && r->status == 200;
      },
      timeout);
}

Json ingressBody(const std::string& name, const std::string& host, int port,
                 const std::string& instance, int target_port) {
  return {{"name", name},
          {"rules",
           {{{"match", {{"hostname", host}, {"port", port}}},
             {"target", {{"instance", instance}, {"port", target_port}}}}}}};
}

}  // namespace ingress::testing

#include "instances/hypeman_resolver.h"

#include "common/http_client.h"
#include "common/json.h"
#include "ingress/validation.h"

namespace ingress::instances {
namespace {

constexpr size_t kMaxRefLength = 128;

Status instanceNotFound(std::string_view name) {
  return notFound("instance \"" + std::string(name) + "\" not found",
                  std::string(kInstanceNotFound));
}

}  // namespace

bool isValidHypemanInstanceRef(std::string_view name) {
  if (name.empty() || name.size() > kMaxRefLength || name == "." || name == "..") return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

HypemanResolver::HypemanResolver(HypemanResolverOptions options) : options_(std::move(options)) {
  while (!options_.api_url.empty() && options_.api_url.back() == '/') options_.api_url.pop_back();
}

bool HypemanResolver::exists(std::string_view name) {
  auto r = resolve(name);
  return r.ok() || r.status().code() == StatusCode::kFailedPrecondition;
}

StatusOr<std::string> HypemanResolver::resolve(std::string_view name) {
  // Only unreserved URL characters pass, so the name needs no percent-encoding.
  if (!isValidHypemanInstanceRef(name)) {
    return notFound("instance name is not valid", std::string(kInstanceNotFound));
  }
  HttpRequest req;
  req.url = options_.api_url + "/instances/" + std::string(name);
  req.timeout = options_.timeout;
  req.max_response_bytes = options_.max_response_bytes;
  req.headers.emplace_back("Accept", "application/json");
  if (!options_.api_token.empty()) {
    req.headers.emplace_back("Authorization", "Bearer " + options_.api_token);
  }
  const std::string what = "hypeman API lookup of instance \"" + std::string(name) + "\"";
  auto resp = httpCall(req);
  if (!resp.ok()) return unavailable(what + " failed: " + resp.status().message());
  if (resp->status == 404) return instanceNotFound(name);
  if (resp->status != 200) {
    return unavailable(what + " failed: HTTP status " + std::to_string(resp->status));
  }
  auto doc = parseJsonStrict(resp->body);
  if (!doc.ok()) return unavailable(what + ": malformed answer: " + doc.status().message());
  const Json& j = *doc;
  if (!j.is_object()) return unavailable(what + ": answer is not a JSON object");
  auto network = j.find("network");
  if (network == j.end() || network->is_null()) {
    return failedPrecondition("instance \"" + std::string(name) + "\" has no network address");
  }
  if (!network->is_object()) return unavailable(what + ": network is not an object");
  auto ip = network->find("ip");
  const bool no_ip = ip == network->end() || ip->is_null() ||
                     (ip->is_string() && ip->get_ref<const std::string&>().empty());
  if (no_ip) {
    return failedPrecondition("instance \"" + std::string(name) + "\" has no IP address yet");
  }
  if (!ip->is_string()) return unavailable(what + ": network.ip is not a string");
  auto canonical = domain::canonicalIp(ip->get<std::string>(), "network.ip");
  if (!canonical.ok()) return unavailable(what + ": " + canonical.status().message());
  return *canonical;
}

}  // namespace ingress::instances

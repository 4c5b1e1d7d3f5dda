// HypemanResolver: resolves instances through the hypeman API,
//   GET {api_url}/instances/{id-or-name}   Authorization: Bearer {token}
// reading `network.ip` from the JSON answer.
//
//   200 with a valid network.ip   the address (canonical form)
//   200 without one               kFailedPrecondition (the instance exists, has no address yet)
//   404                           kNotFound / "instance_not_found"
//   anything else, timeouts,      kUnavailable (the message never contains the token)
//   oversized or malformed answers
// Names are checked ([A-Za-z0-9._-], 1..128, not "." or "..") before they go into the URL, so a
// target can never address another API path.
//
// Thread-safe (each call is an independent HTTP request); holds no connection between calls.
#pragma once

#include <chrono>
#include <string>
#include <utility>

#include "instances/resolver.h"

namespace ingress::instances {

struct HypemanResolverOptions {
  std::string api_url;    // HYPEMAN_API_URL, e.g. "http://127.0.0.1:8080" (trailing '/' ok)
  std::string api_token;  // HYPEMAN_API_TOKEN; no Authorization header when empty
  std::chrono::milliseconds timeout{2000};
  size_t max_response_bytes = 64 * 1024;
};

class HypemanResolver final : public InstanceResolver {
 public:
  explicit HypemanResolver(HypemanResolverOptions options);
  // Default timeout and response cap.
  HypemanResolver(std::string api_url, std::string api_token)
      : HypemanResolver(HypemanResolverOptions{std::move(api_url), std::move(api_token)}) {}
  bool exists(std::string_view name) override;
  StatusOr<std::string> resolve(std::string_view name) override;

 private:
  HypemanResolverOptions options_;
};

// Whether `name` may be put into the hypeman URL path.
bool isValidHypemanInstanceRef(std::string_view name);

}  // namespace ingress::instances

#include "acme/transport.h"

namespace ingress::acme {

StatusOr<HttpResponse> HttpTransport::send(const HttpRequest& request) {
  HttpRequest r = request;
  if (r.ca_bundle.empty()) r.ca_bundle = options_.ca_bundle;
  r.timeout = options_.timeout;
  r.headers.emplace_back("User-Agent", options_.user_agent);
  return httpCall(r);
}

}  // namespace ingress::acme

// The REST requests ingressctl sends, built from parsed arguments (no I/O here, so the mapping
// argument → method, path and body is unit-tested).
//
//   StatusOr<ApiRequest> r = createIngressRequest({.name = "web", .hostname = "a.example.com",
//                                                  .instance = "vm1", .target_port = 8080});
//   // POST /ingresses {"name":"web","rules":[{"match":{...},"target":{...}}]}
//   StatusOr<ApiRequest> c = putCertificateRequest("shop", chain_pem, key_pem);
//   // PUT /certificates/shop {"certificate":"...","private_key":"..."}
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ingress::cli {

struct ApiRequest {
  std::string method;               // "GET", "POST", "PUT", "DELETE"
  std::string path;                 // "/ingresses/web", already percent-encoded
  std::optional<std::string> body;  // JSON text; set for POST/PUT
  bool operator==(const ApiRequest&) const = default;
};

// `create NAME --host H [--port N] --instance I --target-port P [--tls [--redirect-http]]`:
// one rule. The port defaults to 443 with --tls, else 80.
struct CreateRuleArgs {
  std::string name;
  std::string hostname;
  std::optional<int> port;
  std::string instance;
  int target_port = 0;
  bool tls = false;
  bool redirect_http = false;
};

// kInvalidArgument naming the missing or out-of-range flag, or --redirect-http without --tls.
// Values are otherwise passed through: the server validates names and hostnames and its message
// is the one users should see. "tls"/"redirect_http" are sent only when set, so a plain rule is
// the same document older servers accept.
StatusOr<ApiRequest> createIngressRequest(const CreateRuleArgs& args);
// `create -f FILE`: the document is sent as given after checking it is one JSON object.
StatusOr<ApiRequest> createIngressRequestFromDocument(std::string_view json_text);

ApiRequest listIngressesRequest();
// `id_or_name` must be non-empty (kInvalidArgument).
StatusOr<ApiRequest> getIngressRequest(std::string_view id_or_name);
StatusOr<ApiRequest> deleteIngressRequest(std::string_view id_or_name);

StatusOr<ApiRequest> putInstanceRequest(std::string_view name, std::string_view ip);
ApiRequest listInstancesRequest();
StatusOr<ApiRequest> getInstanceRequest(std::string_view name);
StatusOr<ApiRequest> deleteInstanceRequest(std::string_view name);

// `certs put NAME --cert FILE --key FILE`: the PEM texts as read (the server validates them and
// names the field it refuses). kInvalidArgument for an empty name or an empty text. The body
// holds the private key: callers must never print or log it.
StatusOr<ApiRequest> putCertificateRequest(std::string_view name, std::string_view chain_pem,
                                           std::string_view key_pem);
ApiRequest listCertificatesRequest();
StatusOr<ApiRequest> getCertificateRequest(std::string_view name);
StatusOr<ApiRequest> deleteCertificateRequest(std::string_view name);

}  // namespace ingress::cli

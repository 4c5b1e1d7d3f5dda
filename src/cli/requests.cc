#include "cli/requests.h"

#include "cli/endpoint.h"
#include "common/json.h"

namespace ingress::cli {
namespace {

Status requireNonEmpty(std::string_view value, std::string_view what) {
  if (value.empty()) return invalidArgument(std::string(what) + " is required");
  return okStatus();
}

Status requirePort(int port, std::string_view flag) {
  if (port < 1 || port > 65535) {
    return invalidArgument(std::string(flag) + " must be 1..65535, got " + std::to_string(port));
  }
  return okStatus();
}

StatusOr<ApiRequest> onResource(std::string method, std::string_view collection,
                                std::string_view key, std::string_view what) {
  INGRESS_RETURN_IF_ERROR(requireNonEmpty(key, what));
  return ApiRequest{std::move(method), std::string(collection) + "/" + encodePathSegment(key),
                    std::nullopt};
}

}  // namespace

StatusOr<ApiRequest> createIngressRequest(const CreateRuleArgs& args) {
  INGRESS_RETURN_IF_ERROR(requireNonEmpty(args.name, "NAME"));
  INGRESS_RETURN_IF_ERROR(requireNonEmpty(args.hostname, "--host"));
  INGRESS_RETURN_IF_ERROR(requireNonEmpty(args.instance, "--instance"));
  const int port = args.port.value_or(args.tls ? 443 : 80);
  INGRESS_RETURN_IF_ERROR(requirePort(port, "--port"));
  INGRESS_RETURN_IF_ERROR(requirePort(args.target_port, "--target-port"));
  if (args.redirect_http && !args.tls) {
    return invalidArgument("--redirect-http needs --tls (it redirects plain HTTP to the TLS rule)");
  }
  Json rule = {{"match", {{"hostname", args.hostname}, {"port", port}}},
               {"target", {{"instance", args.instance}, {"port", args.target_port}}}};
  if (args.tls) rule["tls"] = true;
  if (args.redirect_http) rule["redirect_http"] = true;
  Json body = {{"name", args.name}, {"rules", Json::array({rule})}};
  return ApiRequest{"POST", "/ingresses", dumpJson(body)};
}

StatusOr<ApiRequest> createIngressRequestFromDocument(std::string_view json_text) {
  StatusOr<Json> doc = parseJsonStrict(json_text);
  if (!doc.ok()) return doc.status().withContext("ingress document is not valid JSON");
  if (!doc->is_object()) {
    return invalidArgument("ingress document must be a JSON object, got " +
                           std::string(jsonTypeName(*doc)));
  }
  return ApiRequest{"POST", "/ingresses", std::string(json_text)};
}

ApiRequest listIngressesRequest() { return {"GET", "/ingresses", std::nullopt}; }

StatusOr<ApiRequest> getIngressRequest(std::string_view id_or_name) {
  return onResource("GET", "/ingresses", id_or_name, "ID|NAME");
}

StatusOr<ApiRequest> deleteIngressRequest(std::string_view id_or_name) {
  return onResource("DELETE", "/ingresses", id_or_name, "ID|NAME");
}

StatusOr<ApiRequest> putInstanceRequest(std::string_view name, std::string_view ip) {
  INGRESS_ASSIGN_OR_RETURN(ApiRequest r, onResource("PUT", "/instances", name, "NAME"));
  INGRESS_RETURN_IF_ERROR(requireNonEmpty(ip, "IP"));
  r.body = dumpJson(Json{{"ip", ip}});
  return r;
}

ApiRequest listInstancesRequest() { return {"GET", "/instances", std::nullopt}; }

StatusOr<ApiRequest> getInstanceRequest(std::string_view name) {
  return onResource("GET", "/instances", name, "NAME");
}

StatusOr<ApiRequest> deleteInstanceRequest(std::string_view name) {
  return onResource("DELETE", "/instances", name, "NAME");
}

StatusOr<ApiRequest> putCertificateRequest(std::string_view name, std::string_view chain_pem,
                                           std::string_view key_pem) {
  INGRESS_ASSIGN_OR_RETURN(ApiRequest r, onResource("PUT", "/certificates", name, "NAME"));
  if (chain_pem.empty()) return invalidArgument("--cert: the certificate file is empty");
  if (key_pem.empty()) return invalidArgument("--key: the private key file is empty");
  r.body = dumpJson(Json{{"certificate", chain_pem}, {"private_key", key_pem}});
  return r;
}

ApiRequest listCertificatesRequest() { return {"GET", "/certificates", std::nullopt}; }

StatusOr<ApiRequest> getCertificateRequest(std::string_view name) {
  return onResource("GET", "/certificates", name, "NAME");
}

StatusOr<ApiRequest> deleteCertificateRequest(std::string_view name) {
  return onResource("DELETE", "/certificates", name, "NAME");
}

}  // namespace ingress::cli

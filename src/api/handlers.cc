#include "api/handlers.h"

#include <string>
#include <utility>

#include "ingress/codec.h"

namespace ingress::api {
namespace {

ApiResponse jsonResponse(int status, const Json& body) {
  ApiResponse r;
  r.status = status;
  r.body = dumpJson(body);
  return r;
}

ApiResponse noContent() {
  ApiResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

}  // namespace

StatusOr<ApiResponse> handleCreateIngress(domain::IngressService& service, const Json& body) {
  INGRESS_ASSIGN_OR_RETURN(domain::IngressSpec spec, domain::decodeIngressSpec(body));
  INGRESS_ASSIGN_OR_RETURN(domain::IngressView view, service.createIngress(spec));
  ApiResponse r = jsonResponse(201, domain::encodeIngressView(view));
  r.headers.emplace_back("Location", "/ingresses/" + view.ingress.id);
  return r;
}

StatusOr<ApiResponse> handleListIngresses(const domain::IngressService& service) {
  Json items = Json::array();
  for (const domain::IngressView& v : service.listIngresses()) {
    items.push_back(domain::encodeIngressView(v));
  }
  return jsonResponse(200, items);
}

StatusOr<ApiResponse> handleGetIngress(const domain::IngressService& service,
                                       std::string_view id_or_name) {
  INGRESS_ASSIGN_OR_RETURN(domain::IngressView view, service.getIngress(id_or_name));
  return jsonResponse(200, domain::encodeIngressView(view));
}

StatusOr<ApiResponse> handleDeleteIngress(domain::IngressService& service,
                                          std::string_view id_or_name) {
  INGRESS_RETURN_IF_ERROR(service.deleteIngress(id_or_name));
  return noContent();
}

StatusOr<ApiResponse> handlePutInstance(domain::IngressService& service, std::string_view name,
                                        const Json& body) {
  INGRESS_ASSIGN_OR_RETURN(domain::Instance instance, domain::decodeInstanceSpec(name, body));
  INGRESS_ASSIGN_OR_RETURN(domain::Instance stored, service.putInstance(instance));
  return jsonResponse(200, domain::encodeInstance(stored));
}

StatusOr<ApiResponse> handleListInstances(const domain::IngressService& service) {
  Json items = Json::array();
  for (const domain::Instance& i : service.listInstances()) {
    items.push_back(domain::encodeInstance(i));
  }
  return jsonResponse(200, items);
}

StatusOr<ApiResponse> handleGetInstance(const domain::IngressService& service,
                                        std::string_view name) {
  INGRESS_ASSIGN_OR_RETURN(domain::Instance instance, service.getInstance(name));
  return jsonResponse(200, domain::encodeInstance(instance));
}

StatusOr<ApiResponse> handleDeleteInstance(domain::IngressService& service, std::string_view name) {
  INGRESS_RETURN_IF_ERROR(service.deleteInstance(name));
  return noContent();
}

}  // namespace ingress::api

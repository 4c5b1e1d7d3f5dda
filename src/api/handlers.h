// Handlers of the resource routes: decode the (already parsed, strict) JSON body, call the
// IngressService, encode the result. Errors come back as Status; the router maps them.
// Stateless functions; thread-safe as far as the service is.
#pragma once

#include <string_view>

#include "api/http_message.h"
#include "common/json.h"
#include "common/status.h"
#include "ingress/certificate_service.h"
#include "ingress/service.h"

namespace ingress::api {

// POST /ingresses → 201 with the ingress and a Location header.
StatusOr<ApiResponse> handleCreateIngress(domain::IngressService& service, const Json& body);
// GET /ingresses → 200 with a JSON array in service order (created_at, then id).
//
// `query` is the raw query string (without '?'). Without `limit` the whole list comes back, as
// always. `limit=N` (1..kMaxListLimit) returns at most N items; when more follow, the response
// carries `X-Next-Cursor: <cursor>` and `Link: </ingresses?limit=N&cursor=<cursor>>;
// rel="next"`. `cursor=<cursor>` (with or without limit) starts after the item the cursor names,
// so a page is stable while ingresses are created or deleted (new ones sort last). The body
// stays a plain array, so clients that ignore the headers do not break. A bad limit or cursor
// is 400 bad_request naming the parameter; other parameters are ignored.
inline constexpr size_t kMaxListLimit = 1000;
StatusOr<ApiResponse> handleListIngresses(const domain::IngressService& service,
                                          std::string_view query = {});
StatusOr<ApiResponse> handleGetIngress(const domain::IngressService& service,
                                       std::string_view id_or_name);
// → 204 without a body.
StatusOr<ApiResponse> handleDeleteIngress(domain::IngressService& service,
                                          std::string_view id_or_name);

// PUT /instances/{name} with {"ip": "..."} → 200 with the stored instance (created or replaced).
StatusOr<ApiResponse> handlePutInstance(domain::IngressService& service, std::string_view name,
                                        const Json& body);
StatusOr<ApiResponse> handleListInstances(const domain::IngressService& service);
StatusOr<ApiResponse> handleGetInstance(const domain::IngressService& service,
                                        std::string_view name);
StatusOr<ApiResponse> handleDeleteInstance(domain::IngressService& service, std::string_view name);

// PUT /certificates/{name} with {"certificate": "<PEM chain, leaf first>", "private_key":
// "<PEM>"} → 200 with the certificate (never its key).
StatusOr<ApiResponse> handlePutCertificate(domain::CertificateService& service,
                                           std::string_view name, const Json& body);
StatusOr<ApiResponse> handleListCertificates(const domain::CertificateService& service);
StatusOr<ApiResponse> handleGetCertificate(const domain::CertificateService& service,
                                           std::string_view name);
StatusOr<ApiResponse> handleDeleteCertificate(domain::CertificateService& service,
                                              std::string_view name);
// {"name","id","source","dns_names","serial","issuer","not_before","not_after","stored_at",
//  "serving"}
Json encodeCertificateInfo(const domain::CertificateInfoView& c);

}  // namespace ingress::api

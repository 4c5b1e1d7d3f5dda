#include "api/handlers.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "ingress/codec.h"
#include "ingress/timestamp.h"

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

Status badParam(std::string_view name, std::string_view why) {
  return invalidArgument(std::string(name) + ": " + std::string(why), "bad_request");
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoding ('+' is a space in query strings); nullopt on a broken escape.
std::optional<std::string> percentDecode(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '+') {
      out.push_back(' ');
    } else if (v[i] != '%') {
      out.push_back(v[i]);
    } else {
      if (i + 2 >= v.size()) return std::nullopt;
      const int hi = hexValue(v[i + 1]);
      const int lo = hexValue(v[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    }
  }
  return out;
}

struct ListParams {
  std::optional<size_t> limit;
  std::optional<std::string> cursor;  // decoded, still opaque
};

StatusOr<ListParams> parseListParams(std::string_view query) {
  ListParams p;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view raw = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (key != "limit" && key != "cursor") continue;
    std::optional<std::string> value = percentDecode(raw);
    if (!value) return badParam(key, "invalid percent-encoding");
    if (key == "limit") {
      if (p.limit) return badParam("limit", "given more than once");
      const std::string expected = "must be an integer from 1 to " + std::to_string(kMaxListLimit);
      if (value->empty() || value->size() > 4 ||
          !std::all_of(value->begin(), value->end(),
                       [](unsigned char c) { return std::isdigit(c) != 0; })) {
        return badParam("limit", expected);
      }
      const size_t n = std::stoul(*value);
      if (n < 1 || n > kMaxListLimit) return badParam("limit", expected);
      p.limit = n;
    } else {
      if (p.cursor) return badParam("cursor", "given more than once");
      p.cursor = std::move(value);
    }
  }
  return p;
}

// A cursor names the last item of a page: "<created_at ms>.<id>" (clients treat it as opaque;
// docs/openapi.yaml gives its pattern, and every string of that pattern is accepted). Order key
// of the list: (created_at, id).
using ListKey = std::pair<int64_t, std::string>;

ListKey keyOf(const domain::Ingress& ing) {
  return {std::chrono::duration_cast<std::chrono::milliseconds>(ing.created_at.time_since_epoch())
              .count(),
          ing.id};
}

std::string encodeCursor(const ListKey& key) {
  return std::to_string(key.first) + "." + key.second;
}

bool isLowerAlnum(unsigned char c) { return std::isdigit(c) != 0 || (c >= 'a' && c <= 'z'); }

// ^[0-9]{1,18}\.[a-z0-9]{1,64}$
StatusOr<ListKey> decodeCursor(std::string_view cursor) {
  const Status invalid = badParam("cursor", "not a cursor returned by this API");
  const size_t dot = cursor.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 18) return invalid;
  const std::string_view ms = cursor.substr(0, dot);
  const std::string_view id = cursor.substr(dot + 1);
  if (id.empty() || id.size() > 64) return invalid;
  if (!std::all_of(ms.begin(), ms.end(), [](unsigned char c) { return std::isdigit(c) != 0; }) ||
      !std::all_of(id.begin(), id.end(), isLowerAlnum)) {
    return invalid;
  }
  return ListKey{std::stoll(std::string(ms)), std::string(id)};
}

}  // namespace

StatusOr<ApiResponse> handleCreateIngress(domain::IngressService& service, const Json& body) {
  INGRESS_ASSIGN_OR_RETURN(domain::IngressSpec spec, domain::decodeIngressSpec(body));
  INGRESS_ASSIGN_OR_RETURN(domain::IngressView view, service.createIngress(spec));
  ApiResponse r = jsonResponse(201, domain::encodeIngressView(view));
  r.headers.emplace_back("Location", "/ingresses/" + view.ingress.id);
  return r;
}

StatusOr<ApiResponse> handleListIngresses(const domain::IngressService& service,
                                          std::string_view query) {
  INGRESS_ASSIGN_OR_RETURN(ListParams params, parseListParams(query));
  std::optional<ListKey> after;
  if (params.cursor) {
    INGRESS_ASSIGN_OR_RETURN(ListKey k, decodeCursor(*params.cursor));
    after = std::move(k);
  }
  const std::vector<domain::IngressView> all = service.listIngresses();
  auto it = all.begin();
  if (after) {
    it = std::upper_bound(
        all.begin(), all.end(), *after,
        [](const ListKey& k, const domain::IngressView& v) { return k < keyOf(v.ingress); });
  }
  const size_t left = static_cast<size_t>(all.end() - it);
  const size_t n = params.limit ? std::min(*params.limit, left) : left;
  Json items = Json::array();
  for (auto end = it + static_cast<std::ptrdiff_t>(n); it != end; ++it) {
    items.push_back(domain::encodeIngressView(*it));
  }
  ApiResponse r = jsonResponse(200, items);
  if (n > 0 && it != all.end()) {
    const std::string next = encodeCursor(keyOf((it - 1)->ingress));
    r.headers.emplace_back("X-Next-Cursor", next);
    r.headers.emplace_back("Link", "</ingresses?limit=" + std::to_string(*params.limit) +
                                       "&cursor=" + next + ">; rel=\"next\"");
  }
  return r;
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

Json encodeCertificateInfo(const domain::CertificateInfoView& c) {
  return Json{{"name", c.name},
              {"id", c.id},
              {"source", c.source},
              {"dns_names", c.dns_names},
              {"serial", c.serial},
              {"issuer", c.issuer},
              {"not_before", domain::formatTimestamp(c.not_before)},
              {"not_after", domain::formatTimestamp(c.not_after)},
              {"stored_at", domain::formatTimestamp(c.stored_at)},
              {"serving", c.serving}};
}

StatusOr<ApiResponse> handlePutCertificate(domain::CertificateService& service,
                                           std::string_view name, const Json& body) {
  if (!body.is_object()) return badParam("body", "expected object");
  for (const auto& [key, value] : body.items()) {
    if (key != "certificate" && key != "private_key") {
      return badParam(key.size() > 64 ? key.substr(0, 64) + "..." : key, "unknown field");
    }
  }
  std::string pem[2];
  const char* fields[2] = {"certificate", "private_key"};
  for (int i = 0; i < 2; ++i) {
    auto it = body.find(fields[i]);
    if (it == body.end()) return badParam(fields[i], "is required (PEM text)");
    if (!it->is_string()) return badParam(fields[i], "expected a string of PEM text");
    pem[i] = it->get<std::string>();
  }
  INGRESS_ASSIGN_OR_RETURN(domain::CertificateInfoView stored,
                           service.putCertificate(name, pem[0], pem[1]));
  return jsonResponse(200, encodeCertificateInfo(stored));
}

StatusOr<ApiResponse> handleListCertificates(const domain::CertificateService& service) {
  Json items = Json::array();
  for (const auto& c : service.listCertificates()) items.push_back(encodeCertificateInfo(c));
  return jsonResponse(200, items);
}

StatusOr<ApiResponse> handleGetCertificate(const domain::CertificateService& service,
                                           std::string_view name) {
  INGRESS_ASSIGN_OR_RETURN(domain::CertificateInfoView c, service.getCertificate(name));
  return jsonResponse(200, encodeCertificateInfo(c));
}

StatusOr<ApiResponse> handleDeleteCertificate(domain::CertificateService& service,
                                              std::string_view name) {
  INGRESS_RETURN_IF_ERROR(service.deleteCertificate(name));
  return noContent();
}

}  // namespace ingress::api

// JSON <-> domain types, for the REST API and for the store's files.
//
// Decoders are strict: unknown fields, missing required fields and wrong types are
// kInvalidArgument / "bad_request" with the field path first in the message:
//   rules[0].match.port: expected integer, got string
//   rules[2].target.colour: unknown field
// Ports must be JSON integers (80.5, "80", true, -1 and 65536 are rejected).
//
// API shapes:
//   request   {"name": "...", "rules": [{"match": {"hostname": "...", "port": 80},
//                                         "target": {"instance": "...", "port": 8080}}]}
//             (match.port defaults to 80)
//   response  the same plus "id", "created_at" (RFC 3339 UTC, milliseconds), and per rule
//             "status": "active" | "unresolved" and "reason" when unresolved.
//   instance  PUT body {"ip": "10.100.0.10"}; response {"name": "...", "ip": "..."}
// Store shapes carry "version": 1 and are validated as strictly as requests.
//
// Pure functions, thread-safe.
#pragma once

#include <string_view>

#include "common/json.h"
#include "common/status.h"
#include "ingress/model.h"

namespace ingress::domain {

inline constexpr int kStoreFormatVersion = 1;

// Structure and types only (plus port ranges, which the types need); run
// validateIngressSpec() on the result for names, hostnames and uniqueness.
StatusOr<IngressSpec> decodeIngressSpec(const Json& body);
Json encodeIngressView(const IngressView& view);
// {"state","source"[,"id","serial","expires_at","last_error","last_error_at","next_attempt_at"]}
Json encodeCertificateStatus(const CertificateStatus& status);

Json encodeStoredIngress(const Ingress& ingress);
// Also validates every value (id, name, hostnames, created_at).
StatusOr<Ingress> decodeStoredIngress(const Json& j);

// `name` comes from the URL path; the body carries only the ip. Validated; ip canonical.
StatusOr<Instance> decodeInstanceSpec(std::string_view name, const Json& body);
Json encodeInstance(const Instance& instance);

Json encodeStoredInstance(const Instance& instance);
StatusOr<Instance> decodeStoredInstance(const Json& j);

}  // namespace ingress::domain

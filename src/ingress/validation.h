// Validation of everything a client can put into an ingress or an instance: names, hostnames,
// ports, IP literals, and the whole IngressSpec.
//
// Every error is kInvalidArgument with reason "bad_request" and a message that starts with the
// field path, e.g. `rules[1].match.hostname: must not contain a port`. The one exception is a
// (hostname, port) pair used twice in one spec: kAlreadyExists / "hostname_in_use".
//
// Hostname policy (RFC 1123): labels of 1..63 characters [a-z0-9-], not starting or ending with
// '-', at most 253 characters in all, single-label names allowed. Uppercase is accepted and
// lowercased (validateIngressSpec does that in place). Rejected: empty, scheme, port, path,
// whitespace, control or non-ASCII characters, a `*` anywhere but as the whole first label in
// front of two or more labels (`*.example.com` is accepted: it routes the names one label under
// example.com that have no rule of their own), a trailing dot (we do not strip it:
// "a.com." and "a.com" would otherwise be two spellings of one key), and names whose last label
// is all digits (those are IPv4 addresses, not DNS names).
//
// Pure functions, thread-safe, no allocation beyond the returned Status.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "ingress/model.h"

namespace ingress::domain {

inline constexpr size_t kMaxNameLength = 63;
inline constexpr size_t kMaxHostnameLength = 253;
inline constexpr size_t kMaxLabelLength = 63;
inline constexpr size_t kMinRules = 1;
inline constexpr size_t kMaxRules = 100;

// `^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`, 1..63 characters. Used for ingress and instance names.
Status validateName(std::string_view name, std::string_view field = "name");
bool isValidName(std::string_view name);

// Accepts upper- and lowercase; callers store lowercaseHostname() of it.
Status validateHostname(std::string_view hostname, std::string_view field = "hostname");
std::string lowercaseHostname(std::string_view hostname);

// 1..65535.
Status validatePort(int64_t port, std::string_view field = "port");

// An IPv4 or IPv6 literal (inet_pton), not the unspecified address; returns the canonical form
// (inet_ntop), e.g. "2001:DB8::0:1" -> "2001:db8::1".
StatusOr<std::string> canonicalIp(std::string_view ip, std::string_view field = "ip");

// Lowercases every hostname in place, then checks name, rule count, every rule (redirect_http
// needs tls), and that no (hostname, port) appears twice. TLS policy (allowed domains,
// certificate sources, ports) needs the daemon's settings: see tls_policy.h.
Status validateIngressSpec(IngressSpec& spec);

// validateName on the name and canonicalIp on the ip (replaced by its canonical form).
Status validateInstance(Instance& instance);

// "rules[3]" and friends, for messages.
std::string rulePath(size_t index);

}  // namespace ingress::domain

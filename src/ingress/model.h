// The domain model: an Ingress routes (hostname, port) pairs to (instance, port) targets.
//
// Shaped so that later features slot in without reshaping: a Match can grow a path prefix, a
// Rule can grow TLS settings, and Target is a single element today but rules could carry
// several. Values are plain data; validation lives in validation.h, JSON in codec.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ingress::domain {

inline constexpr uint16_t kDefaultMatchPort = 80;

struct Match {
  // Lowercase DNS name without a port; or a wildcard `*.example.com` (one leading `*` label),
  // which routes any name under example.com that has no rule of its own.
  std::string hostname;
  uint16_t port = kDefaultMatchPort;
  bool operator==(const Match&) const = default;
};

struct Target {
  std::string instance;  // name (or id) of a VM instance, resolved to an IP by an InstanceResolver
  uint16_t port = 0;
  bool operator==(const Target&) const = default;
};

struct Rule {
  Match match;
  Target target;
  // Terminate TLS for match.hostname on match.port with a certificate from a user upload that
  // covers it or else from ACME.
  bool tls = false;
  // Answer plain HTTP for match.hostname on the plain HTTP port (HTTP_PORT, 80) with a 308 to
  // https (requires tls). The ACME HTTP-01 challenge path is answered before the redirect.
  bool redirect_http = false;
  bool operator==(const Rule&) const = default;
};

// What a client asks for (POST body).
struct IngressSpec {
  std::string name;
  std::vector<Rule> rules;
};

// A stored ingress.
struct Ingress {
  std::string id;    // 24 chars [a-z0-9], starts with a letter
  std::string name;  // ^[a-z0-9]([a-z0-9-]*[a-z0-9])?$, 1..63
  std::vector<Rule> rules;
  std::chrono::system_clock::time_point created_at;  // millisecond precision, UTC
  bool operator==(const Ingress&) const = default;
};

// The certificate of a TLS rule's hostname, as the API shows it (filled by the certificate
// manager, certs/).
struct CertificateStatus {
  // pending: no certificate serves the hostname yet (an order is under way or waiting to be
  //   retried); active: Envoy serves a valid certificate for it; renewing: it does, and a
  //   renewal is under way or being retried; failed: no certificate serves it and the last
  //   attempt failed (`last_error`; the next attempt is at `next_attempt_at`).
  enum class State { kPending, kActive, kRenewing, kFailed };
  State state = State::kPending;
  std::string source;  // "user" or "acme": where its certificate comes (or will come) from
  std::string id;      // the certificate serving it, when one does
  std::string serial;  // lowercase hex, as Envoy's /certs shows it
  std::optional<std::chrono::system_clock::time_point> expires_at;
  std::string last_error;
  std::optional<std::chrono::system_clock::time_point> last_error_at;
  std::optional<std::chrono::system_clock::time_point> next_attempt_at;
};
const char* certificateStateName(CertificateStatus::State state);

// Whether a rule is routed right now (filled by the routing layer; `active` until it exists).
struct RuleStatus {
  enum class State { kActive, kUnresolved };
  State state = State::kActive;
  std::string reason;  // set when unresolved, e.g. "instance \"web\" not found"
  std::optional<CertificateStatus> certificate;  // for a TLS rule
};

// An ingress as the API shows it: the stored object plus the live status of each rule.
struct IngressView {
  Ingress ingress;
  std::vector<RuleStatus> rule_status;  // same length and order as ingress.rules
};

// A VM instance of the built-in registry.
struct Instance {
  std::string name;  // same syntax as an ingress name
  std::string ip;    // IPv4 or IPv6 literal, canonical form
  bool operator==(const Instance&) const = default;
};

}  // namespace ingress::domain

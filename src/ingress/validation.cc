#include "ingress/validation.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <map>
#include <utility>

namespace ingress::domain {
namespace {

Status bad(std::string_view field, std::string_view problem) {
  return invalidArgument(std::string(field) + ": " + std::string(problem), "bad_request");
}

bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
char toLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Checks one label of an already lowercased, character-checked hostname.
Status checkLabel(std::string_view label, std::string_view field) {
  if (label.empty()) return bad(field, "must not contain an empty label (\"..\" or a leading dot)");
  if (label.size() > kMaxLabelLength) {
    return bad(field, "label longer than " + std::to_string(kMaxLabelLength) + " characters");
  }
  if (label.front() == '-' || label.back() == '-') {
    return bad(field, "a label must not start or end with '-'");
  }
  return okStatus();
}

}  // namespace

std::string rulePath(size_t index) { return "rules[" + std::to_string(index) + "]"; }

bool isValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  for (char c : name) {
    if (!isLowerAlnum(c) && c != '-') return false;
  }
  return name.front() != '-' && name.back() != '-';
}

Status validateName(std::string_view name, std::string_view field) {
  if (name.empty()) return bad(field, "must not be empty");
  if (name.size() > kMaxNameLength) {
    return bad(field, "longer than " + std::to_string(kMaxNameLength) + " characters");
  }
  if (!isValidName(name)) {
    return bad(field,
               "must consist of lowercase letters, digits and '-', and start and end with a "
               "letter or digit");
  }
  return okStatus();
}

std::string lowercaseHostname(std::string_view hostname) {
  std::string out(hostname);
  for (char& c : out) c = toLower(c);
  return out;
}

Status validateHostname(std::string_view hostname, std::string_view field) {
  if (hostname.empty()) return bad(field, "must not be empty");
  if (hostname.size() > kMaxHostnameLength) {
    return bad(field, "longer than " + std::to_string(kMaxHostnameLength) + " characters");
  }
  if (hostname.find("://") != std::string_view::npos) {
    return bad(field, "must be a bare hostname without a scheme");
  }
  // Character classes first, so that the messages below can assume printable ASCII.
  for (char ch : hostname) {
    auto c = static_cast<unsigned char>(ch);
    if (c == ' ' || (c >= '\t' && c <= '\r')) return bad(field, "must not contain whitespace");
    if (c < 0x20 || c == 0x7f) return bad(field, "must not contain control characters");
    if (c >= 0x80) {
      return bad(field, "must be an ASCII DNS name (use the punycode form of IDNs)");
    }
  }
  if (hostname.find(':') != std::string_view::npos) return bad(field, "must not contain a port");
  if (hostname.find('/') != std::string_view::npos) return bad(field, "must not contain a path");
  if (hostname.find('*') != std::string_view::npos) {
    // One wildcard label in front of at least two labels: `*.example.com`.
    if (hostname.size() < 2 || hostname.compare(0, 2, "*.") != 0 ||
        hostname.find('*', 1) != std::string_view::npos) {
      return bad(field, "a wildcard must be the whole first label, as in *.example.com");
    }
    const std::string_view rest = hostname.substr(2);
    if (rest.find('.') == std::string_view::npos) {
      return bad(field, "a wildcard needs at least two labels after it, as in *.example.com");
    }
    return validateHostname(rest, field);
  }
  for (char ch : hostname) {
    char c = toLower(ch);
    if (!isLowerAlnum(c) && c != '-' && c != '.') {
      return bad(field, "may contain only letters, digits, '-' and '.'");
    }
  }
  if (hostname.back() == '.') return bad(field, "must not end with a dot");
  size_t start = 0;
  std::string_view last;
  while (true) {
    size_t dot = hostname.find('.', start);
    std::string_view label = hostname.substr(
        start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    INGRESS_RETURN_IF_ERROR(checkLabel(label, field));
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  bool all_digits = true;
  for (char c : last) all_digits = all_digits && isDigit(c);
  if (all_digits) return bad(field, "must be a DNS name, not an IP address or a number");
  return okStatus();
}

Status validatePort(int64_t port, std::string_view field) {
  if (port < 1 || port > 65535) return bad(field, "must be between 1 and 65535");
  return okStatus();
}

StatusOr<std::string> canonicalIp(std::string_view ip, std::string_view field) {
  if (ip.empty()) return bad(field, "must not be empty");
  if (ip.size() > INET6_ADDRSTRLEN || ip.find('\0') != std::string_view::npos) {
    return bad(field, "must be an IPv4 or IPv6 address");
  }
  const std::string text(ip);
  char out[INET6_ADDRSTRLEN] = {};
  in_addr v4{};
  in6_addr v6{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    if (v4.s_addr == htonl(INADDR_ANY)) return bad(field, "must not be the unspecified address");
    ::inet_ntop(AF_INET, &v4, out, sizeof out);
    return std::string(out);
  }
  if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_UNSPECIFIED(&v6)) return bad(field, "must not be the unspecified address");
    ::inet_ntop(AF_INET6, &v6, out, sizeof out);
    return std::string(out);
  }
  return bad(field, "must be an IPv4 or IPv6 address");
}

Status validateIngressSpec(IngressSpec& spec) {
  INGRESS_RETURN_IF_ERROR(validateName(spec.name, "name"));
  if (spec.rules.size() < kMinRules) return bad("rules", "at least one rule is required");
  if (spec.rules.size() > kMaxRules) {
    return bad("rules", "at most " + std::to_string(kMaxRules) + " rules are allowed");
  }
  std::map<std::pair<std::string, uint16_t>, size_t> seen;
  for (size_t i = 0; i < spec.rules.size(); ++i) {
    Rule& rule = spec.rules[i];
    const std::string path = rulePath(i);
    INGRESS_RETURN_IF_ERROR(validateHostname(rule.match.hostname, path + ".match.hostname"));
    rule.match.hostname = lowercaseHostname(rule.match.hostname);
    INGRESS_RETURN_IF_ERROR(validatePort(rule.match.port, path + ".match.port"));
    INGRESS_RETURN_IF_ERROR(validateName(rule.target.instance, path + ".target.instance"));
    INGRESS_RETURN_IF_ERROR(validatePort(rule.target.port, path + ".target.port"));
    if (rule.redirect_http && !rule.tls) {
      return bad(path + ".redirect_http", "requires tls: true (it redirects plain HTTP to https)");
    }
    auto [it, inserted] = seen.emplace(std::make_pair(rule.match.hostname, rule.match.port), i);
    if (!inserted) {
      return alreadyExists(path + ".match: " + rule.match.hostname + ":" +
                               std::to_string(rule.match.port) + " is already used by " +
                               rulePath(it->second),
                           "hostname_in_use");
    }
  }
  return okStatus();
}

Status validateInstance(Instance& instance) {
  INGRESS_RETURN_IF_ERROR(validateName(instance.name, "name"));
  INGRESS_ASSIGN_OR_RETURN(instance.ip, canonicalIp(instance.ip, "ip"));
  return okStatus();
}

}  // namespace ingress::domain

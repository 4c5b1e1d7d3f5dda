#include "certs/allowed_domains.h"

#include "ingress/validation.h"

namespace ingress::certs {

StatusOr<AllowedDomains> AllowedDomains::parse(std::string_view csv) {
  AllowedDomains out;
  size_t start = 0;
  while (start <= csv.size()) {
    size_t comma = csv.find(',', start);
    if (comma == std::string_view::npos) comma = csv.size();
    std::string_view entry = csv.substr(start, comma - start);
    while (!entry.empty() && (entry.front() == ' ' || entry.front() == '\t'))
      entry.remove_prefix(1);
    while (!entry.empty() && (entry.back() == ' ' || entry.back() == '\t')) entry.remove_suffix(1);
    start = comma + 1;
    if (entry.empty()) continue;
    if (entry == "*") {
      out.any_ = true;
      continue;
    }
    Status st = domain::validateHostname(
        entry, "TLS_ALLOWED_DOMAINS entry \"" + std::string(entry.substr(0, 64)) + "\"");
    if (!st.ok()) return st;
    std::string name = domain::lowercaseHostname(entry);
    if (name.compare(0, 2, "*.") == 0) {
      out.wildcard_parents_.insert(name.substr(2));
    } else {
      out.exact_.insert(std::move(name));
    }
  }
  return out;
}

bool AllowedDomains::allows(const std::string& hostname) const {
  if (any_) return true;
  if (exact_.count(hostname) != 0) return true;
  const size_t dot = hostname.find('.');
  if (dot == std::string::npos || dot == 0) return false;
  // One label under a listed parent; `*.example.com` is itself that one label.
  const std::string_view label = std::string_view(hostname).substr(0, dot);
  if (label.find('*') != std::string_view::npos && label != "*") return false;
  return wildcard_parents_.count(std::string_view(hostname).substr(dot + 1)) != 0;
}

}  // namespace ingress::certs

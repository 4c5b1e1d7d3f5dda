// AllowedDomains: TLS_ALLOWED_DOMAINS, which hostnames may get a certificate from ACME.
//
//   exact names          api.example.com
//   *.example.com        exactly one label under example.com (not the apex, not two labels),
//                        and the wildcard hostname *.example.com itself
//   *                    anything
//   empty                nothing (the default: ACME issues only for names an operator listed)
//
//   auto allowed = AllowedDomains::parse("api.example.com, *.apps.example.com");
//   allowed->allows("x.apps.example.com");  // true
//
// Immutable after parse; thread-safe.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ingress::certs {

class AllowedDomains {
 public:
  // Comma-separated (spaces ignored), case-insensitive. A bad entry is kInvalidArgument naming it.
  static StatusOr<AllowedDomains> parse(std::string_view csv);
  bool allows(const std::string& hostname) const;
  bool empty() const { return !any_ && exact_.empty() && wildcard_parents_.empty(); }

 private:
  bool any_ = false;
  std::set<std::string, std::less<>> exact_;
  std::set<std::string, std::less<>> wildcard_parents_;  // "example.com" for "*.example.com"
};

}  // namespace ingress::certs

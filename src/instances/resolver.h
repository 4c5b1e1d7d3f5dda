// InstanceResolver: turns the instance named in a rule target into an IP address. The Manager
// uses it to check that targets exist (on create) and to report each rule's status; the Envoy
// config builder uses it to fill cluster addresses.
//
// Errors of resolve():
//   kNotFound / "instance_not_found"   no such instance
//   kFailedPrecondition                the instance exists but has no usable address yet
//   kUnavailable                       the source of truth could not be asked (retry later)
// Implementations are thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace ingress::instances {

inline constexpr std::string_view kInstanceNotFound = "instance_not_found";

class InstanceResolver {
 public:
  virtual ~InstanceResolver() = default;
  // True when the instance exists (even if it has no address yet); false when it does not or
  // when that cannot be determined.
  virtual bool exists(std::string_view name) = 0;
  // The instance's IP literal (IPv4 or IPv6, canonical form).
  virtual StatusOr<std::string> resolve(std::string_view name) = 0;
  // Like resolve(), but asks the source of truth even when a cache in front of it holds an
  // answer (the periodic reconcile uses it). Resolvers without a cache just resolve().
  virtual StatusOr<std::string> resolveFresh(std::string_view name) { return resolve(name); }
};

}  // namespace ingress::instances

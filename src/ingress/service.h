// IngressService: the use cases behind the REST API. api/ talks only to this interface; the
// real implementation is Manager (manager.h), tests of api/ may use a fake.
//
// Thread-safety: every method may be called concurrently. Mutations are serialized inside, so
// that of 50 concurrent creates of one hostname exactly one succeeds.
//
// Errors (Status code / reason → what api/ makes of them):
//   kInvalidArgument / "bad_request"          400, message names the field: rules[1].match.port
//   kInvalidArgument / "instance_not_found"   400
//   kInvalidArgument / "target_denied"        400, the instance resolves to a denied address
//   kNotFound        / "not_found"            404
//   kAlreadyExists   / "already_exists"       409 (name taken)
//   kAlreadyExists   / "hostname_in_use"      409, message names the ingress holding it
//   kAborted         / "config_rejected"      500 (Envoy refused; nothing changed)
//   kDeadlineExceeded/ "apply_timeout"        504 (not confirmed in time; nothing stored, the
//                                              previous configuration restored)
//   kResourceExhausted/"resource_exhausted"   503 (ingressd ran out of descriptors/memory/disk)
//   anything else                              500 internal_error
#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "ingress/model.h"

namespace ingress::domain {

class IngressService {
 public:
  virtual ~IngressService() = default;

  virtual StatusOr<IngressView> createIngress(const IngressSpec& spec) = 0;
  // Sorted by created_at, then id.
  virtual std::vector<IngressView> listIngresses() const = 0;
  // Looks up by exact id first, then by exact name.
  virtual StatusOr<IngressView> getIngress(std::string_view id_or_name) const = 0;
  virtual Status deleteIngress(std::string_view id_or_name) = 0;

  // Built-in instance registry. putInstance creates or replaces.
  virtual StatusOr<Instance> putInstance(const Instance& instance) = 0;
  // Sorted by name.
  virtual std::vector<Instance> listInstances() const = 0;
  virtual StatusOr<Instance> getInstance(std::string_view name) const = 0;
  virtual Status deleteInstance(std::string_view name) = 0;
};

}  // namespace ingress::domain

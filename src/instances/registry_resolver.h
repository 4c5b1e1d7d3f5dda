// RegistryResolver: resolves instances from the built-in registry (InstanceStore), for
// installations without a hypeman API. Thread-safe (the store is); borrows the store.
#pragma once

#include "instances/resolver.h"
#include "store/instance_store.h"

namespace ingress::instances {

class RegistryResolver final : public InstanceResolver {
 public:
  explicit RegistryResolver(const store::InstanceStore& store) : store_(store) {}
  bool exists(std::string_view name) override;
  StatusOr<std::string> resolve(std::string_view name) override;

 private:
  const store::InstanceStore& store_;
};

}  // namespace ingress::instances

#include "instances/registry_resolver.h"

#include "ingress/validation.h"

namespace ingress::instances {

bool RegistryResolver::exists(std::string_view name) {
  return domain::isValidName(name) && store_.get(name).has_value();
}

StatusOr<std::string> RegistryResolver::resolve(std::string_view name) {
  if (!domain::isValidName(name)) {
    return notFound("instance name is not valid", std::string(kInstanceNotFound));
  }
  auto instance = store_.get(name);
  if (!instance) {
    return notFound("instance \"" + std::string(name) + "\" not found",
                    std::string(kInstanceNotFound));
  }
  return instance->ip;
}

}  // namespace ingress::instances

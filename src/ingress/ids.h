// Ingress ids: 24 characters of [a-z0-9], the first a letter (so an id is never all digits and
// always matches the name syntax too), drawn uniformly from a CSPRNG (~122 bits).
//
// IdGenerator is an interface so tests can hand out predictable ids. RandomIdGenerator is
// thread-safe (getrandom(2) has no state of ours).
#pragma once

#include <string>
#include <string_view>

namespace ingress::domain {

inline constexpr size_t kIdLength = 24;

class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  virtual std::string newId() = 0;
};

class RandomIdGenerator final : public IdGenerator {
 public:
  // Aborts the process if the kernel CSPRNG is unavailable (getrandom never fails on Linux
  // >= 3.17 once the pool is initialised; ids must not silently lose entropy).
  std::string newId() override;
};

bool isValidId(std::string_view id);

}  // namespace ingress::domain

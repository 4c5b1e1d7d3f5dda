// Fuzzes validateHostname (and canonicalIp, which parses the other user-supplied address).
// Invariants for accepted hostnames: at most 253 characters, lowercase form made only of
// [a-z0-9.-], and the lowercase form is itself accepted. canonicalIp is idempotent.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ingress/validation.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ingress;
  using namespace ingress::domain;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Status st = validateHostname(input, "h");
  if (st.ok()) {
    check(!input.empty() && input.size() <= kMaxHostnameLength);
    const std::string lower = lowercaseHostname(input);
    for (char c : lower) {
      check((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.');
    }
    check(validateHostname(lower, "h").ok());
  } else {
    check(st.code() == StatusCode::kInvalidArgument && st.reason() == "bad_request");
    check(st.message().rfind("h: ", 0) == 0);
  }
  auto ip = canonicalIp(input, "ip");
  if (ip.ok()) {
    auto again = canonicalIp(*ip, "ip");
    check(again.ok() && *again == *ip);
  }
  return 0;
}

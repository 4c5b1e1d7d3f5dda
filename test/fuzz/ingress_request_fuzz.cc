// Fuzzes the path of a POST /ingresses body below the HTTP layer: strict JSON parse ->
// decodeIngressSpec -> validateIngressSpec. Crashes (sanitizers) and broken invariants abort:
//   - every rejection is kInvalidArgument/"bad_request" or kAlreadyExists/"hostname_in_use"
//     with a message of the form "<field>: <problem>";
//   - an accepted spec round-trips through the store format unchanged and encodes for the API.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/json.h"
#include "ingress/codec.h"
#include "ingress/validation.h"

namespace {

using namespace ingress;
using namespace ingress::domain;

void check(bool ok) {
  if (!ok) std::abort();
}

void checkRejection(const Status& st) {
  const bool bad_request =
      st.code() == StatusCode::kInvalidArgument && st.reason() == "bad_request";
  const bool in_use = st.code() == StatusCode::kAlreadyExists && st.reason() == "hostname_in_use";
  check(bad_request || in_use);
  check(st.message().find(": ") != std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;  // the API caps bodies long before this
  auto json = parseJsonStrict(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!json.ok()) return 0;
  auto spec = decodeIngressSpec(*json);
  if (!spec.ok()) {
    checkRejection(spec.status());
    return 0;
  }
  IngressSpec s = *spec;
  Status st = validateIngressSpec(s);
  if (!st.ok()) {
    checkRejection(st);
    return 0;
  }
  check(s.rules.size() >= kMinRules && s.rules.size() <= kMaxRules);
  Ingress ing{"a00000000000000000000000", s.name, s.rules, {}};
  auto back = decodeStoredIngress(encodeStoredIngress(ing));
  check(back.ok() && *back == ing);
  IngressView view{ing, std::vector<RuleStatus>(ing.rules.size())};
  auto reparsed = parseJsonStrict(dumpJson(encodeIngressView(view)));
  check(reparsed.ok());
  return 0;
}

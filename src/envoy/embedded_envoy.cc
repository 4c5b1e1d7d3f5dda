#include "envoy/embedded_envoy.h"

extern "C" {
extern const char ingress_envoy_zst_start[];
extern const char ingress_envoy_zst_end[];
}

namespace ingress::envoy {

const EnvoyBinarySource& embeddedEnvoy() {
  static const EnvoyBinarySource source{
      std::string_view(ingress_envoy_zst_start,
                       static_cast<size_t>(ingress_envoy_zst_end - ingress_envoy_zst_start)),
      INGRESS_ENVOY_VERSION, INGRESS_ENVOY_SHA256, INGRESS_ARCH};
  return source;
}

}  // namespace ingress::envoy

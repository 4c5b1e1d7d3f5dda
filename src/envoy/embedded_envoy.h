// The Envoy binary compiled into ingressd (zstd-compressed), with its version and the sha256 of
// the uncompressed binary. Linked only into ingressd, so tests stay small.
#pragma once

#include "envoy/binary.h"

namespace ingress::envoy {

const EnvoyBinarySource& embeddedEnvoy();

}  // namespace ingress::envoy

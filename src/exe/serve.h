// `ingressd serve`: the composition root. Creates the real Clock, Filesystem and
// ProcessLauncher, extracts Envoy, starts or adopts the supervisor, serves the API until
// SIGTERM/SIGINT, and then leaves Envoy serving (or stops it with ENVOY_STOP_ON_SHUTDOWN=true).
#pragma once

#include "exe/settings.h"

namespace ingress::exe {

// Blocks until a stop signal; returns the process exit code.
int runServe(const Settings& settings);

}  // namespace ingress::exe

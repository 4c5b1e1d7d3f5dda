// Probe: the domain model including an Envoy header (a dependency pointing up). Must not compile.
#include "envoy/xds_builder.h"

int layeringProbeUpward() { return 0; }

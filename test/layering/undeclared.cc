// Probe: the store including a header of a library it does not declare (instances builds on the
// store, not the other way round). Must not compile.
#include "instances/resolver.h"

int layeringProbeUndeclared() { return 0; }

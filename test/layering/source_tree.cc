// Probe: a header that lives in src/ but whose library is not linked, named the way every source
// names headers. Must not compile: src/ itself is on no include path.
#include "api/server.h"

int layeringProbeSourceTree() { return 0; }

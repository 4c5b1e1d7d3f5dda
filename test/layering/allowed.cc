// Control probe: code of the store module may include its own headers and those of the libraries
// it declares (ingress_model, ingress_common). Must compile.
#include "common/status.h"
#include "ingress/model.h"
#include "store/ingress_store.h"

int layeringProbeAllowed() { return 0; }

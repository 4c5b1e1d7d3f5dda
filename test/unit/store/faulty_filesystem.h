// Moved to test/test_common/faulty_filesystem.h (shared by the store, use-case and Envoy tests).
#pragma once

#include "test_common/faulty_filesystem.h"

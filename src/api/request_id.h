// Request ids: 32 lowercase hex characters (128 random bits), sent back as X-Request-Id and
// written to the log with every failed request. Thread-safe (a generator per thread).
#pragma once

#include <string>

namespace ingress::api {

std::string newRequestId();

}  // namespace ingress::api

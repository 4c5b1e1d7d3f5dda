// The OpenAPI 3.1 document of the REST API (docs/openapi.yaml), compiled into the binary at
// build time and served at GET /openapi.yaml. Thread-safe (immutable static data).
#pragma once

#include <string_view>

namespace ingress::api {

std::string_view openApiYaml();

}  // namespace ingress::api

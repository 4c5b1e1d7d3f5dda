// Strict JSON for everything that crosses a trust boundary (request bodies, files on disk,
// Envoy admin answers).
//
// parseJsonStrict() adds what nlohmann::json lacks: a nesting-depth cap (its dump() recurses and
// crashes on deep input), rejection of duplicate object keys (it silently keeps the last), and a
// Status instead of an exception. dumpJson() never throws on invalid UTF-8 (it replaces).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ingress {

using Json = nlohmann::json;

inline constexpr int kDefaultMaxJsonDepth = 32;

// kInvalidArgument with a message naming the position for malformed input, too-deep nesting or
// a duplicate key.
StatusOr<Json> parseJsonStrict(std::string_view text, int max_depth = kDefaultMaxJsonDepth);

// Compact (indent < 0) or pretty output; invalid UTF-8 in strings is replaced, never thrown.
std::string dumpJson(const Json& j, int indent = -1);

// A short human name of a JSON value's type: "string", "number", "object", ...
std::string_view jsonTypeName(const Json& j);

}  // namespace ingress

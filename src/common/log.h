// Structured logging: one JSON object per line on stderr ({"time","level","msg",...fields}).
// Thread-safe. Fields are escaped through the JSON library, so tenant-supplied strings cannot
// forge log lines.
//
//   log::info("ingress created", {{"ingress_id", id}, {"name", name}});
#pragma once

#include <string_view>

#include "common/json.h"
#include "common/status.h"

namespace ingress::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Parses "debug", "info", "warn"/"warning", "error" (any case).
StatusOr<Level> parseLevel(std::string_view text);
void setLevel(Level level);
// Adds `component` to every line this process writes (e.g. "serve", "supervisor").
void setComponent(std::string_view component);

void write(Level level, std::string_view message, const Json& fields = Json::object());
inline void debug(std::string_view m, const Json& f = Json::object()) {
  write(Level::kDebug, m, f);
}
inline void info(std::string_view m, const Json& f = Json::object()) { write(Level::kInfo, m, f); }
inline void warn(std::string_view m, const Json& f = Json::object()) { write(Level::kWarn, m, f); }
inline void error(std::string_view m, const Json& f = Json::object()) {
  write(Level::kError, m, f);
}

}  // namespace ingress::log

#include "common/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

namespace ingress::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::mutex g_mu;
std::string g_component;  // guarded by g_mu

spdlog::logger& logger() {
  static auto* l = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto* lg = new spdlog::logger("ingress", sink);
    lg->set_pattern("%v");
    lg->set_level(spdlog::level::trace);
    lg->flush_on(spdlog::level::trace);
    return lg;
  }();
  return *l;
}

std::string_view levelName(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[80];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms.count()));
  return out;
}

}  // namespace

StatusOr<Level> parseLevel(std::string_view text) {
  std::string s(text);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "debug" || s == "trace") return Level::kDebug;
  if (s == "info") return Level::kInfo;
  if (s == "warn" || s == "warning") return Level::kWarn;
  if (s == "error") return Level::kError;
  return invalidArgument("unknown log level \"" + std::string(text) +
                         "\" (expected debug, info, warn or error)");
}

void setLevel(Level level) { g_level.store(level); }

void setComponent(std::string_view component) {
  std::lock_guard lock(g_mu);
  g_component = component;
}

void write(Level level, std::string_view message, const Json& fields) {
  if (level < g_level.load()) return;
  Json line = Json::object();
  line["time"] = timestamp();
  line["level"] = levelName(level);
  {
    std::lock_guard lock(g_mu);
    if (!g_component.empty()) line["component"] = g_component;
  }
  line["msg"] = message;
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      if (!line.contains(it.key())) line[it.key()] = it.value();
    }
  }
  logger().info(dumpJson(line));
}

}  // namespace ingress::log

#include "envoy/launch.h"

#include <sys/resource.h>

namespace ingress::envoy {

EnvoyPaths::EnvoyPaths(const std::string& data_dir_in)
    : data_dir(data_dir_in),
      dir(joinPath(data_dir_in, "envoy")),
      // "xds2": the layout of listeners without SO_REUSEPORT and one route folder per port. A
      // new directory, so that adopting an Envoy of the old layout hot restarts it onto the new
      // files (serve writes them first) instead of updating listeners in place, which Envoy
      // refuses when only enable_reuse_port changes.
      xds_dir(joinPath(dir, "xds2")),
      bootstrap(joinPath(dir, "bootstrap.json")),
      launch(joinPath(dir, "launch.json")),
      envoy_pid(joinPath(dir, "envoy.pid")),
      supervisor_pid(joinPath(dir, "supervisor.pid")),
      state(joinPath(dir, "supervisor-state.json")),
      envoy_log(joinPath(dir, "envoy.log")),
      envoy_stdout(joinPath(dir, "envoy-stdout.log")),
      supervisor_log(joinPath(dir, "supervisor.log")) {}

Json encodeLaunchSpec(const LaunchSpec& s) {
  return {{"envoy_binary", s.envoy_binary},
          {"bootstrap_path", s.bootstrap_path},
          {"base_id", s.base_id},
          {"drain_time_s", s.drain_time_s},
          {"parent_shutdown_time_s", s.parent_shutdown_time_s},
          {"log_path", s.log_path},
          {"stdout_path", s.stdout_path},
          {"log_level", s.log_level},
          {"admin_address", s.admin_address},
          {"admin_port", s.admin_port},
          {"log_max_bytes", s.log_max_bytes}};
}

StatusOr<LaunchSpec> decodeLaunchSpec(const Json& j) {
  try {
    LaunchSpec s;
    s.envoy_binary = j.at("envoy_binary").get<std::string>();
    s.bootstrap_path = j.at("bootstrap_path").get<std::string>();
    s.base_id = j.at("base_id").get<uint32_t>();
    s.drain_time_s = j.at("drain_time_s").get<int>();
    s.parent_shutdown_time_s = j.at("parent_shutdown_time_s").get<int>();
    s.log_path = j.at("log_path").get<std::string>();
    s.stdout_path = j.at("stdout_path").get<std::string>();
    s.log_level = j.at("log_level").get<std::string>();
    s.admin_address = j.at("admin_address").get<std::string>();
    s.admin_port = j.at("admin_port").get<uint16_t>();
    // Optional: launch specs written before log rotation existed lack it.
    if (j.contains("log_max_bytes")) s.log_max_bytes = j.at("log_max_bytes").get<uint64_t>();
    return s;
  } catch (const std::exception& e) {
    return invalidArgument(std::string("launch spec: ") + e.what());
  }
}

StatusOr<LaunchSpec> readLaunchSpec(const Filesystem& fs, const std::string& path) {
  INGRESS_ASSIGN_OR_RETURN(std::string text, fs.readFileLimited(path, 64 * 1024));
  INGRESS_ASSIGN_OR_RETURN(Json j, parseJsonStrict(text));
  auto spec = decodeLaunchSpec(j);
  if (!spec.ok()) return spec.status().withContext(path);
  return spec;
}

std::vector<std::string> envoyArgv(const LaunchSpec& s, uint32_t epoch) {
  return {s.envoy_binary, "-c", s.bootstrap_path, "--restart-epoch", std::to_string(epoch),
          "--base-id", std::to_string(s.base_id), "--drain-time-s", std::to_string(s.drain_time_s),
          "--parent-shutdown-time-s", std::to_string(s.parent_shutdown_time_s),
          // Route files are binary protobuf written by our own encoder from Envoy's own messages,
          // so no field is unknown; skipping the check saves ~40 % of a large table's reload.
          // What Envoy loaded is compared with what we meant through /config_dump (tests).
          "--ignore-unknown-dynamic-fields", "--log-path", s.log_path, "-l", s.log_level};
}

uint32_t baseIdForDataDir(const std::string& canonical_data_dir) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (unsigned char c : canonical_data_dir) {
    h ^= c;
    h *= 1099511628211ull;
  }
  // 1..1,000,000 slots × 40 keeps base_id * 10 + epoch well inside uint32.
  return static_cast<uint32_t>((h % 1000000) + 1) * 40;
}

uint64_t raiseOpenFileLimit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur != lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return lim.rlim_cur;
}

std::string adminUrl(const std::string& address, uint16_t port) {
  const bool v6 = address.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace ingress::envoy

// What the Envoy builders need besides the snapshot, and the names they share: listener and
// route configuration names, route file names. Included by every builder and by the applier.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ingress::envoy {

inline constexpr char kNotFoundBody[] = "No ingress found for this hostname";

struct BuilderSettings {
  std::string listen_address = "0.0.0.0";
  std::string xds_dir;  // where rds_<port>.json lives (Envoy watches this directory)
  std::chrono::milliseconds connect_timeout{5000};
};

std::string listenerName(uint16_t port);  // also the route configuration's name
std::string rdsFileName(uint16_t port);

}  // namespace ingress::envoy

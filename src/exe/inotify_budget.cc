#include "exe/inotify_budget.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>

namespace ingress::exe {

InotifyBudget readInotifyBudget(const std::string& proc, uid_t uid,
                                const std::vector<pid_t>& exclude) {
  InotifyBudget b;
  {
    std::ifstream f(proc + "/sys/fs/inotify/max_user_instances");
    long v = 0;
    if (f >> v && v > 0) b.max_user_instances = v;
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(proc, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::atol(name.c_str()));
    if (std::find(exclude.begin(), exclude.end(), pid) != exclude.end()) continue;
    struct stat st {};
    if (::stat(entry.path().c_str(), &st) != 0 || st.st_uid != uid) continue;
    std::error_code fd_ec;
    for (const auto& fd : std::filesystem::directory_iterator(entry.path() / "fd", fd_ec)) {
      char buf[64];
      const ssize_t n = ::readlink(fd.path().c_str(), buf, sizeof buf);
      if (n > 0 && std::string_view(buf, static_cast<size_t>(n)) == "anon_inode:inotify") {
        ++b.in_use;
      }
    }
  }
  return b;
}

Status checkInotifyBudget(const InotifyBudget& budget, size_t max_listener_ports,
                          size_t max_certificates, std::string* warning) {
  if (budget.max_user_instances <= 0) return okStatus();
  const long need =
      static_cast<long>(max_listener_ports + max_certificates + 1 + kEnvoyBaseInotifyInstances);
  const long left = std::max(0L, budget.max_user_instances - budget.in_use);
  const std::string numbers =
      "MAX_LISTENER_PORTS=" + std::to_string(max_listener_ports) +
      " and MAX_CERTIFICATES=" + std::to_string(max_certificates) + " need up to " +
      std::to_string(need) + " inotify instances for Envoy (one per listener port, one per " +
      "certificate and the default one, " + std::to_string(kEnvoyBaseInotifyInstances) +
      " for listeners and clusters), and " +
      "fs.inotify.max_user_instances=" + std::to_string(budget.max_user_instances) + " leaves " +
      std::to_string(left) + " (" + std::to_string(budget.in_use) +
      " in use by this user's processes)";
  if (left < need) {
    return failedPrecondition(
        numbers +
        "; lower MAX_LISTENER_PORTS or MAX_CERTIFICATES, or raise fs.inotify.max_user_instances");
  }
  if (left < 2 * need && warning != nullptr) {
    *warning = numbers + "; a hot restart (both Envoys for a moment) needs " +
               std::to_string(2 * need) + ", so it could fail at the cap";
  }
  return okStatus();
}

}  // namespace ingress::exe

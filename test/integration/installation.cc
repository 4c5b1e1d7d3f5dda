#include "integration/installation.h"

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/json.h"
#include "ingress/codec.h"

namespace ingress::testing {
namespace {

using std::chrono::milliseconds;

pid_t readPid(const std::string& path) {
  std::ifstream f(path);
  long pid = 0;
  if (!(f >> pid)) return 0;
  return static_cast<pid_t>(pid);
}

}  // namespace

int Installation::scenarioExisting() {
  const char* v = std::getenv("INGRESS_SCENARIO_EXISTING");
  const int n = v != nullptr ? std::atoi(v) : 0;
  return n >= 0 && n <= 100000 ? n : 0;
}

void Installation::seedIngresses(int n, int port, const std::string& instance, int target_port,
                                 const std::string& suffix) {
  const auto base =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()) -
      std::chrono::hours(24);
  for (int i = 0; i < n; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "seed%020d", i);
    domain::Ingress ing;
    ing.id = id;
    ing.name = "seed-" + std::to_string(i);
    domain::Rule rule;
    rule.match.hostname = "seed-" + std::to_string(i) + "." + suffix;
    rule.match.port = static_cast<uint16_t>(port);
    rule.target.instance = instance;
    rule.target.port = static_cast<uint16_t>(target_port);
    ing.rules.push_back(rule);
    ing.created_at = base + std::chrono::milliseconds(i);
    storeIngress(ing);
  }
}

bool Installation::storeIngress(const domain::Ingress& ingress) {
  const std::string dir = dir_.path() + "/ingresses";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  const std::string path = dir + "/" + ingress.id + ".json";
  {
    std::ofstream f(path, std::ios::trunc);
    f << dumpJson(domain::encodeStoredIngress(ingress), 2) << "\n";
    if (!f) return false;
  }
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  return !ec;
}

bool processAlive(pid_t pid) {
  ProcessLauncherImpl p;
  return p.isAlive(pid);
}

void reapChildren() {
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
  }
}

std::vector<pid_t> zombieChildrenOf(pid_t parent) {
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return out;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::ifstream stat("/proc/" + std::string(e->d_name) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    long ppid = 0;
    std::istringstream rest(line.substr(close + 2));
    rest >> state >> ppid;
    if (state == 'Z' && ppid == parent) out.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(d);
  return out;
}

Installation::Installation() : admin_port_(freeLoopbackPort()), api_port_(freeLoopbackPort()) {
  static const bool subreaper = [] { return ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0; }();
  (void)subreaper;
}

Installation::~Installation() { shutdown(); }

pid_t Installation::startServe() {
  SpawnOptions o;
  o.argv = {ingressdBinary(), "serve"};
  o.extra_env = {"DATA_DIR=" + dir_.path(),
                 "ENVOY_ADMIN_PORT=" + std::to_string(admin_port_),
                 "ENVOY_LISTEN_ADDRESS=127.0.0.1",
                 "API_LISTEN=127.0.0.1:" + std::to_string(api_port_),
                 "METRICS_LISTEN=127.0.0.1:0",
                 "ENVOY_DRAIN_TIME_S=1",
                 "ENVOY_PARENT_SHUTDOWN_TIME_S=3",
                 "LOG_LEVEL=debug",
                 std::string("TARGET_DENY_CIDRS=") + kLoopbackTargetDenyCidrs};
  for (const auto& [k, v] : env_) o.extra_env.push_back(k + "=" + v);
  o.stdout_path = dir_.file("serve-" + std::to_string(++serve_count_) + ".log");
  auto pid = processes_.spawn(o);
  serve_pid_ = pid.ok() ? *pid : 0;
  if (serve_pid_ != 0) all_pids_.push_back(serve_pid_);
  return serve_pid_;
}

pid_t Installation::startServeAndWaitReady(std::chrono::milliseconds timeout) {
  pid_t pid = startServe();
  const bool ok = pollUntil(
      [&] {
        return currentServeLog().find("\"msg\":\"envoy is serving\"") != std::string::npos &&
               ready();
      },
      timeout);
  return ok ? pid : 0;
}

std::optional<ExitStatus> Installation::waitServeExit(std::chrono::milliseconds timeout) {
  auto r = processes_.waitChild(serve_pid_, timeout);
  if (!r.ok() || !r->has_value()) return std::nullopt;
  return **r;
}

void Installation::signalServe(int sig) {
  if (serve_pid_ != 0) ::kill(serve_pid_, sig);
}

std::string Installation::serveLog() const {
  std::string all;
  for (int i = 1; i <= serve_count_; ++i) {
    auto text = fs_.readFile(dir_.file("serve-" + std::to_string(i) + ".log"));
    if (text.ok()) all += *text;
  }
  return all;
}

std::string Installation::currentServeLog() const {
  auto text = fs_.readFile(dir_.file("serve-" + std::to_string(serve_count_) + ".log"));
  return text.ok() ? *text : "";
}

bool Installation::ready() const { return admin().ready(); }

envoy::AdminClient Installation::admin() const {
  return envoy::AdminClient("http://127.0.0.1:" + std::to_string(admin_port_), milliseconds(500));
}

pid_t Installation::envoyPid() const { return readPid(paths().envoy_pid); }
pid_t Installation::supervisorPid() const { return readPid(paths().supervisor_pid); }

StatusOr<envoy::SupervisorState> Installation::state() const {
  return envoy::readSupervisorState(fs_, paths().state);
}

void Installation::shutdown() {
  pid_t sup = supervisorPid();
  if (sup != 0) all_pids_.push_back(sup);
  if (pid_t e = envoyPid()) all_pids_.push_back(e);
  if (serve_pid_ != 0 && processAlive(serve_pid_)) ::kill(serve_pid_, SIGKILL);
  if (sup != 0 && processAlive(sup)) {
    ::kill(sup, SIGTERM);
    pollUntil(
        [&] {
          reapChildren();
          return !processAlive(sup);
        },
        std::chrono::seconds(15));
  }
  for (pid_t p : all_pids_) {
    if (processAlive(p)) ::kill(p, SIGKILL);
  }
  pollUntil(
      [&] {
        reapChildren();
        for (pid_t p : all_pids_) {
          if (processAlive(p)) return false;
        }
        return true;
      },
      std::chrono::seconds(10));
  all_pids_.clear();
}

}  // namespace ingress::testing

// ingress_bench: create-to-routable latency and create throughput of a real `ingressd serve`
// (real Envoy), with 0 / 100 / 1,000 / 10,000 existing ingresses. See docs/benchmarks.md.
//
// Per scenario (N existing ingresses):
//   1. A fresh DATA_DIR is seeded before serve starts: 4 instances in the instance store and N
//      ingress files written with the store codec (encodeStoredIngress), spread over 4 listener
//      ports, 4 instances and 25 target ports each (100 clusters + the 4 real backends).
//   2. `ingressd serve` starts (Envoy included) and must be ready.
//   3. latency: K sequential POST /ingresses; each sample is the time from sending the request
//      to the 201 (the API answers once Envoy routes it). Right after each 201 one request goes
//      through Envoy with the new Host header and must reach the expected real backend
//      (HttpBackend on 127.0.0.x), else the sample counts as "not routed".
//   4. throughput (scenarios listed in --throughput-at): M creates by 1 client, then M creates
//      by C concurrent clients, in the same run; creates/s and their ratio.
//   5. profile: the publishes serve logged during each phase (apply ms, from its debug log), the
//      builder's time for the scenario's ingress set in this process, and the cost of one admin
//      stats poll of the kind the applier makes.
//
// Ports scenarios (--ports-at 4,32,...: P listener ports, each with one ingress): K sequential
// creates of a new hostname on one of the first 4 ports (a route change of one port while P are
// open), each timed to its 201 and checked through Envoy; the applier's apply and Envoy-wait
// times from serve's log; the inotify instances Envoy holds (anon_inode:inotify links in
// /proc/<envoy>/fd). Listed counts run one after another in the same process, for a
// side-by-side comparison of apply cost against the number of ports.
//
// Churn scenarios (--churn-at 10000 [--churn-pairs 1000 --churn-clients 8 --churn-arenas 0,2]):
// N seeded ingresses all on ONE listener port (the shape real hosts have), then C clients each
// create an ingress and delete it again until P pairs are done; serve's and Envoy's RSS
// (VmRSS, and serve's peak VmHWM, from /proc) at start and after the churn. Each listed arena
// setting is a fresh serve run one after another in the same process: 0 leaves serve's own
// default, any other value sets glibc's MALLOC_ARENA_MAX for serve (side-by-side comparison).
//
// Output: a markdown summary on stdout, and JSON (--json FILE). Bounded: every loop has a fixed
// count and every wait a deadline; loopback only.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/filesystem.h"
#include "common/http_client.h"
#include "common/json.h"
#include "e2e/api_client.h"
#include "envoy/xds_builder.h"
#include "ingress/codec.h"
#include "ingress/snapshot.h"
#include "integration/installation.h"
#include "store/instance_store.h"
#include "test_common/http_backend.h"
#include "test_common/test_env.h"

namespace ingress::bench {
namespace {

using Clk = std::chrono::steady_clock;
using testing::ApiClient;
using testing::HttpBackend;
using testing::Installation;

constexpr int kListenPorts = 4;  // churn and smoke scenarios; --listen-ports for the others
constexpr int kInstances = 4;
constexpr int kTargetPortsPerInstance = 25;

double msSince(Clk::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clk::now() - t0).count();
}

// Nearest-rank percentile (p in 0..100) of an unsorted sample.
double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  rank = std::clamp<size_t>(rank, 1, v.size());
  return v[rank - 1];
}

struct Options {
  std::vector<int> existing{0, 100, 1000, 10000};
  int samples = 50;        // latency samples for N <= 1000
  int samples_large = 20;  // latency samples for N > 1000
  int creates = 200;       // creates per throughput phase
  int clients = 32;        // concurrent clients of the second throughput phase
  std::vector<int> throughput_at{1000};
  std::string json_path;
  std::string md_path;
  bool smoke = false;
  bool builder_only = false;  // time the builder in-process for each N and exit (for profiling)
  std::vector<int> ports_at;  // ports scenarios instead of the existing-ingress ones
  int port_samples = 40;      // creates per ports scenario
  std::vector<int> churn_at;  // churn scenarios instead of the existing-ingress ones
  int churn_pairs = 1000;     // create+delete pairs per churn scenario
  int churn_clients = 8;
  std::vector<int> churn_arenas{0};  // MALLOC_ARENA_MAX for serve per run; 0: serve's default
  int listen_ports = kListenPorts;   // listener ports the scenario's ingresses spread over
  // Distinct target ports per instance among the seeded ingresses (clusters = 4 × this); with
  // 10,000 every seeded ingress of a 40,000 set has a cluster of its own, as when each ingress
  // routes to a VM of its own.
  int target_ports = kTargetPortsPerInstance;
};

std::vector<int> parseList(const std::string& s) {
  std::vector<int> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(std::stoi(item));
  }
  return out;
}

// A valid 24-character ingress id from a prefix letter string and a number.
std::string seedId(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "seed%020d", i);
  return buf;
}

struct Env {
  std::vector<std::unique_ptr<HttpBackend>> backends;  // instance k → backend k
  std::vector<uint16_t> listen_ports;
  int target_ports = kTargetPortsPerInstance;  // distinct target ports per instance (seeded)
};

// Writes instances (through InstanceStore) and N ingresses (store codec, plain writes: the bench
// does not need fsync) into the DATA_DIR before serve starts.
Status seed(Installation& inst, int n, const Env& env) {
  FilesystemImpl fs;
  ClockImpl clock;
  store::InstanceStore instances(fs, clock, inst.dataDir());
  INGRESS_RETURN_IF_ERROR(instances.load());
  for (int k = 0; k < kInstances; ++k) {
    INGRESS_RETURN_IF_ERROR(instances.put(
        {"vm-" + std::to_string(k), env.backends[static_cast<size_t>(k)]->address()}));
  }
  const auto base =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()) -
      std::chrono::milliseconds(n + 1000);
  for (int i = 0; i < n; ++i) {
    domain::Ingress ing;
    ing.id = seedId(i);
    ing.name = "seed-" + std::to_string(i);
    domain::Rule rule;
    rule.match.hostname = "seed-" + std::to_string(i) + ".bench.test";
    rule.match.port = env.listen_ports[static_cast<size_t>(i) % env.listen_ports.size()];
    rule.target.instance = "vm-" + std::to_string(i % kInstances);
    rule.target.port = static_cast<uint16_t>(20000 + (i / kInstances) % env.target_ports);
    ing.rules.push_back(rule);
    ing.created_at = base + std::chrono::milliseconds(i);
    if (!inst.storeIngress(ing)) return internalError("cannot write seed ingress " + ing.id);
  }
  return okStatus();
}

// The same ingress set serve builds from, for timing the builder in this process.
std::vector<domain::Ingress> seededSet(int n, const Env& env) {
  std::vector<domain::Ingress> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    domain::Ingress ing;
    ing.id = seedId(i);
    ing.name = "seed-" + std::to_string(i);
    ing.rules.push_back({{"seed-" + std::to_string(i) + ".bench.test",
                          env.listen_ports[static_cast<size_t>(i) % env.listen_ports.size()]},
                         {"vm-" + std::to_string(i % kInstances),
                          static_cast<uint16_t>(20000 + (i / kInstances) % env.target_ports)}});
    out.push_back(std::move(ing));
  }
  return out;
}

// Median wall time (ms) of buildXds + serializing every file, over a few runs.
Json timeBuilder(int n, const Env& env) {
  auto set = seededSet(n, env);
  envoy::BuilderSettings s;
  s.listen_address = "127.0.0.1";
  s.xds_dir = "/tmp/xds";
  // Every rule resolved, as the use cases hand it to the builder.
  std::vector<domain::ResolvedIngressPtr> entries;
  for (auto& ing : set) {
    auto e = std::make_shared<domain::ResolvedIngress>();
    for (const auto& rule : ing.rules) {
      e->rules.push_back(
          {{}, "127.0.0." + std::to_string(2 + (rule.target.instance.back() - '0'))});
    }
    e->ingress = std::move(ing);
    entries.push_back(std::move(e));
  }
  if (entries.empty()) return {{"build_ms_p50", 0}, {"change_ms_p50", 0}};
  // One more ingress, on the first port, for the change an incremental build handles.
  auto extra = std::make_shared<domain::ResolvedIngress>(*entries.front());
  extra->ingress.id = seedId(n + 1);
  extra->ingress.name = "extra";
  extra->ingress.rules[0].match.hostname = "extra.bench.test";
  extra->ingress.created_at += std::chrono::hours(1);
  std::vector<domain::ResolvedIngressPtr> with_extra = entries;
  with_extra.push_back(extra);
  const domain::SnapshotPtr snapshot = domain::ConfigSnapshot::make(1, std::move(entries));
  const domain::SnapshotPtr plus_one = domain::ConfigSnapshot::make(2, std::move(with_extra));
  std::vector<double> build_ms, change_ms, dump_ms;
  const int runs = n >= 10000 ? 3 : 5;
  for (int r = 0; r < runs; ++r) {
    auto t0 = Clk::now();
    auto cfg = envoy::buildXds(snapshot, s);
    build_ms.push_back(msSince(t0));
    t0 = Clk::now();
    size_t bytes = cfg.clusters->file().size() +
                   envoy::discoveryFile(cfg.listeners_version, cfg.listeners).size();
    for (const auto& [p, table] : cfg.routes) bytes += envoy::routeFileContent(*table).size();
    dump_ms.push_back(msSince(t0));
    (void)bytes;
  }
  // By difference: a builder that built `snapshot` builds it plus one ingress, and back.
  envoy::XdsBuilder builder(s);
  (void)builder.build(snapshot);
  for (int r = 0; r < 2 * runs; ++r) {
    auto t0 = Clk::now();
    auto cfg = builder.build(r % 2 == 0 ? plus_one : snapshot);
    change_ms.push_back(msSince(t0));
  }
  return {{"build_ms_p50", percentile(build_ms, 50)},
          {"change_ms_p50", percentile(change_ms, 50)},
          {"dump_all_files_ms_p50", percentile(dump_ms, 50)}};
}

// Timings serve logs at debug level for each publish, from line `from` of its log:
//   "envoy configuration applied": ms (the applier's whole apply), build_ms (the builder)
//   "xds apply timing": envoy_wait_ms (waiting for Envoy to confirm, ports included)
struct PublishTimes {
  std::vector<double> apply, build, envoy_wait, plan, baseline, write, total;
};
PublishTimes publishTimes(const Installation& inst, size_t* from_line) {
  PublishTimes out;
  std::istringstream in(inst.currentServeLog());
  std::string line;
  size_t idx = 0;
  auto num = [](const Json& j, const char* k, std::vector<double>& to) {
    if (j.contains(k) && j[k].is_number()) to.push_back(j[k].get<double>());
  };
  while (std::getline(in, line)) {
    if (idx++ < *from_line) continue;
    const bool applied = line.find("envoy configuration applied") != std::string::npos;
    const bool timing = line.find("xds apply timing") != std::string::npos;
    if (!applied && !timing) continue;
    auto j = Json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    if (applied) {
      num(j, "ms", out.apply);
      num(j, "build_ms", out.build);
    } else {
      num(j, "envoy_wait_ms", out.envoy_wait);
      num(j, "plan_ms", out.plan);
      num(j, "baseline_ms", out.baseline);
      num(j, "write_ms", out.write);
      num(j, "total_ms", out.total);
    }
  }
  *from_line = idx;
  return out;
}

size_t logLines(const Installation& inst) {
  const std::string log = inst.currentServeLog();
  return static_cast<size_t>(std::count(log.begin(), log.end(), '\n'));
}

Json phaseProfile(const PublishTimes& t) {
  const auto& applied = t.apply;
  double sum = std::accumulate(applied.begin(), applied.end(), 0.0);
  return {{"publishes", applied.size()},
          {"apply_ms_p50", percentile(applied, 50)},
          {"apply_ms_p99", percentile(applied, 99)},
          {"apply_ms_sum", sum},
          {"build_ms_p50", percentile(t.build, 50)},
          {"envoy_wait_ms_p50", percentile(t.envoy_wait, 50)},
          {"plan_ms_p50", percentile(t.plan, 50)},
          {"baseline_ms_p50", percentile(t.baseline, 50)},
          {"write_ms_p50", percentile(t.write, 50)},
          {"applier_total_ms_p50", percentile(t.total, 50)},
          {"envoy_wait_ms_p99", percentile(t.envoy_wait, 99)}};
}

StatusOr<HttpResponse> viaEnvoy(uint16_t port, const std::string& host) {
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/bench";
  r.headers = {{"Host", host}};
  r.timeout = std::chrono::seconds(5);
  return httpCall(r);
}

Json createBody(const std::string& name, const std::string& host, uint16_t port,
                const std::string& instance, uint16_t target_port) {
  return testing::ingressBody(name, host, port, instance, target_port);
}

// An Env with the kInstances real backends (instance k → backend k on 127.0.0.(2+k)).
Env withBackends() {
  Env env;
  for (int k = 0; k < kInstances; ++k) {
    env.backends.push_back(
        std::make_unique<HttpBackend>("b" + std::to_string(k), "127.0.0." + std::to_string(2 + k)));
  }
  return env;
}

// Starts serve with the bench's generous timeouts (large seeded stores); false, with
// res["error"] set and serve's log on stderr, when it does not become ready.
bool startBenchServe(Installation& inst, Json& res, int seeded) {
  inst.env()["JWT_SECRET"] = testing::kTestJwtSecret;
  // Room for the seeded set and what the scenario creates (the default cap is 20,000).
  inst.env()["MAX_INGRESSES"] = std::to_string(std::max(20000, seeded + 5000));
  inst.env()["ENVOY_APPLY_TIMEOUT"] = "30";
  inst.env()["ENVOY_READY_TIMEOUT"] = "120";
  if (inst.startServeAndWaitReady(std::chrono::seconds(180)) != 0) return true;
  res["error"] = "serve did not become ready";
  std::cerr << inst.serveLog() << "\n";
  return false;
}

// The JSON and markdown files --json / --md ask for.
void writeResults(const Json& all, const std::string& md, const Options& o) {
  if (!o.json_path.empty()) std::ofstream(o.json_path) << all.dump(2) << "\n";
  if (!o.md_path.empty()) std::ofstream(o.md_path) << md;
}

// GET /ingresses (the whole list) and a /metrics scrape at this size: medians of 5, and sizes.
Json timeReads(const Installation& inst, ApiClient& api) {
  Json out;
  auto timed = [](auto&& call) {
    std::vector<double> ms;
    size_t bytes = 0;
    for (int i = 0; i < 5; ++i) {
      auto t0 = Clk::now();
      auto r = call();
      ms.push_back(msSince(t0));
      if (r.ok() && r->status == 200) bytes = r->body.size();
    }
    return Json{{"p50_ms", percentile(ms, 50)}, {"bytes", bytes}};
  };
  // The whole list (~220 bytes an ingress: 11 MB at 50,000, past the client's default cap).
  out["list"] = timed([&] {
    HttpRequest r;
    r.url = api.baseUrl() + "/ingresses";
    r.headers = {{"Authorization", "Bearer " + api.token()}};
    r.max_response_bytes = size_t{256} << 20;
    r.timeout = std::chrono::seconds(30);
    return httpCall(r);
  });
  // The metrics listener's port, from serve's log ("metrics listening").
  int metrics_port = 0;
  std::istringstream log(inst.currentServeLog());
  for (std::string line; std::getline(log, line);) {
    if (line.find("\"metrics listening\"") == std::string::npos) continue;
    auto j = Json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("port") && j["port"].is_number()) metrics_port = j["port"];
  }
  if (metrics_port != 0) {
    out["metrics"] = timed([&] {
      HttpRequest r;
      r.url = "http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics";
      return httpCall(r);
    });
  }
  return out;
}

Json runScenario(int n, const Options& o) {
  Json res = {{"existing", n}, {"listen_ports", o.listen_ports}, {"target_ports", o.target_ports}};
  Env env = withBackends();
  env.target_ports = o.target_ports;
  Installation inst;
  while (env.listen_ports.size() < static_cast<size_t>(o.listen_ports)) {
    const int p = testing::freeLoopbackPort();
    if (p == inst.adminPort() || p == inst.apiPort() ||
        std::count(env.listen_ports.begin(), env.listen_ports.end(), p) != 0) {
      continue;
    }
    env.listen_ports.push_back(static_cast<uint16_t>(p));
  }
  auto t0 = Clk::now();
  if (Status st = seed(inst, n, env); !st.ok()) {
    res["error"] = "seeding: " + st.message();
    return res;
  }
  res["seed_ms"] = msSince(t0);
  res["builder"] = timeBuilder(n, env);

  t0 = Clk::now();
  if (!startBenchServe(inst, res, n)) return res;
  ApiClient api(inst.apiPort());
  if (!testing::pollUntil(
          [&] {
            auto r = api.call("GET", "/health", "", "-");
            return r.ok() && r->status == 200;
          },
          std::chrono::seconds(30))) {
    res["error"] = "API not healthy";
    return res;
  }
  res["startup_ms"] = msSince(t0);

  // One admin stats poll, as the applier makes it while waiting for Envoy.
  {
    auto admin = inst.admin();
    std::vector<double> poll;
    for (int i = 0; i < 10; ++i) {
      auto p0 = Clk::now();
      (void)admin.statsMatching("(version_text|update_rejected|update_failure)$");
      poll.push_back(msSince(p0));
    }
    res["stats_poll_ms_p50"] = percentile(poll, 50);
  }

  int created = 0;
  auto create = [&](const std::string& prefix, int k, int ki) -> StatusOr<HttpResponse> {
    const auto port = env.listen_ports[static_cast<size_t>(k) % env.listen_ports.size()];
    const auto& b = *env.backends[static_cast<size_t>(ki % kInstances)];
    return api.call("POST", "/ingresses",
                    createBody(prefix + "-" + std::to_string(k),
                               prefix + "-" + std::to_string(k) + ".bench.test", port,
                               "vm-" + std::to_string(ki % kInstances), b.port()));
  };

  // Warm-up (not measured): opens every listener port and the 4 clusters once.
  for (int k = 0; k < std::max(o.listen_ports, kInstances); ++k) {
    auto r = create("warm", k, k);
    if (!r.ok() || r->status != 201) {
      res["error"] = "warm-up create failed: " + (r.ok() ? r->body : r.status().message());
      return res;
    }
    ++created;
  }

  // (a) create-to-routable latency.
  const int samples = n > 1000 ? o.samples_large : o.samples;
  std::vector<double> lat;
  int not_routed = 0, failed = 0;
  size_t log_from = logLines(inst);
  for (int k = 0; k < samples; ++k) {
    const auto port = env.listen_ports[static_cast<size_t>(k) % env.listen_ports.size()];
    const std::string host = "lat-" + std::to_string(k) + ".bench.test";
    auto s0 = Clk::now();
    auto r = create("lat", k, k);
    const double ms = msSince(s0);
    if (!r.ok() || r->status != 201) {
      ++failed;
      continue;
    }
    ++created;
    lat.push_back(ms);
    auto via = viaEnvoy(port, host);
    const std::string want = "b" + std::to_string(k % kInstances) + " ";
    if (!via.ok() || via->status != 200 || via->body.rfind(want, 0) != 0) ++not_routed;
  }
  res["latency"] = {{"samples", lat.size()},
                    {"failed", failed},
                    {"not_routed_after_201", not_routed},
                    {"p50_ms", percentile(lat, 50)},
                    {"p99_ms", percentile(lat, 99)},
                    {"min_ms", percentile(lat, 0)},
                    {"max_ms", percentile(lat, 100)}};
  res["latency_profile"] = phaseProfile(publishTimes(inst, &log_from));
  res["reads"] = timeReads(inst, api);

  // (b) creates per second, 1 client then C clients, same run.
  if (std::count(o.throughput_at.begin(), o.throughput_at.end(), n) != 0) {
    auto phase = [&](const std::string& prefix, int clients) -> Json {
      std::atomic<int> next{0}, ok{0}, bad{0};
      size_t from = logLines(inst);
      auto p0 = Clk::now();
      std::vector<std::thread> threads;
      for (int c = 0; c < clients; ++c) {
        threads.emplace_back([&] {
          for (int k = next++; k < o.creates; k = next++) {
            auto r = create(prefix, k, k);
            (r.ok() && r->status == 201 ? ok : bad)++;
          }
        });
      }
      for (auto& t : threads) t.join();
      const double secs = msSince(p0) / 1000.0;
      Json j = {{"clients", clients}, {"creates", o.creates},
                {"ok", ok.load()},    {"failed", bad.load()},
                {"seconds", secs},    {"creates_per_s", ok.load() / secs}};
      j["profile"] = phaseProfile(publishTimes(inst, &from));
      return j;
    };
    Json one = phase("tp1", 1);
    Json many = phase("tpc", o.clients);
    created += one["ok"].get<int>() + many["ok"].get<int>();
    res["throughput"] = {{"one", one},
                         {"many", many},
                         {"ratio", many["creates_per_s"].get<double>() /
                                       std::max(1e-9, one["creates_per_s"].get<double>())}};
  }
  res["created"] = created;

  // Envoy's own view of its xDS update times (histograms), for the analysis.
  if (auto st = inst.admin().get("/stats?filter=update_duration"); st.ok()) {
    res["envoy_update_duration"] = *st;
  }
  return res;
}

// Inotify instances a process holds: its fds that are inotify instances.
int inotifyInstances(pid_t pid) {
  int n = 0;
  std::error_code ec;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    char buf[64];
    ssize_t len = ::readlink(e.path().c_str(), buf, sizeof buf - 1);
    if (len > 0 && std::string_view(buf, static_cast<size_t>(len)) == "anon_inode:inotify") ++n;
  }
  return n;
}

// A /proc/<pid>/status field in kB ("VmRSS", "VmHWM"); 0 when unreadable.
long statusKb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0)
      return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return 0;
}

Json memoryOf(const Installation& inst) {
  return {{"serve_rss_mb", statusKb(inst.servePid(), "VmRSS") / 1024.0},
          {"serve_hwm_mb", statusKb(inst.servePid(), "VmHWM") / 1024.0},
          {"envoy_rss_mb", statusKb(inst.envoyPid(), "VmRSS") / 1024.0}};
}

Json runChurnScenario(int n, int arenas, const Options& o) {
  Json res = {{"existing", n}, {"arena_max", arenas}};
  Env env = withBackends();
  Installation inst;
  uint16_t port = 0;
  while (port == 0) {
    const int p = testing::freeLoopbackPort();
    if (p != inst.adminPort() && p != inst.apiPort()) port = static_cast<uint16_t>(p);
  }
  env.listen_ports.assign(kListenPorts, port);  // every seeded ingress on the one port
  if (Status st = seed(inst, n, env); !st.ok()) {
    res["error"] = "seeding: " + st.message();
    return res;
  }
  if (arenas > 0) inst.env()["MALLOC_ARENA_MAX"] = std::to_string(arenas);
  auto t0 = Clk::now();
  if (!startBenchServe(inst, res, n)) return res;
  res["startup_ms"] = msSince(t0);
  ApiClient api(inst.apiPort());
  res["at_start"] = memoryOf(inst);

  std::atomic<int> next{0}, ok{0}, bad{0};
  std::mutex mu;
  std::string first_error;
  t0 = Clk::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < o.churn_clients; ++c) {
    threads.emplace_back([&] {
      for (int k = next++; k < o.churn_pairs; k = next++) {
        const std::string name = "churn-" + std::to_string(k);
        auto r = api.call(
            "POST", "/ingresses",
            createBody(name, name + ".bench.test", port, "vm-" + std::to_string(k % kInstances),
                       env.backends[static_cast<size_t>(k % kInstances)]->port()));
        std::string id;
        if (r.ok() && r->status == 201) {
          auto j = Json::parse(r->body, nullptr, false);
          if (j.is_object() && j.contains("id")) id = j["id"].get<std::string>();
        }
        if (!id.empty()) r = api.call("DELETE", "/ingresses/" + id);
        if (!id.empty() && r.ok() && (r->status == 204 || r->status == 200)) {
          ++ok;
          continue;
        }
        ++bad;
        std::lock_guard lock(mu);
        if (first_error.empty()) first_error = r.ok() ? r->body : r.status().message();
      }
    });
  }
  for (auto& t : threads) t.join();
  const double secs = msSince(t0) / 1000.0;
  res["churn"] = {{"pairs", o.churn_pairs}, {"clients", o.churn_clients},
                  {"ok", ok.load()},        {"failed", bad.load()},
                  {"seconds", secs},        {"pairs_per_s", ok.load() / secs}};
  if (!first_error.empty()) res["churn"]["first_error"] = first_error;
  res["after_churn"] = memoryOf(inst);
  return res;
}

Json runPortsScenario(int ports, const Options& o) {
  Json res = {{"ports", ports}};
  Env env = withBackends();
  Installation inst;
  std::vector<uint16_t> listen;
  while (static_cast<int>(listen.size()) < ports) {
    const int p = testing::freeLoopbackPort();
    if (p == inst.adminPort() || p == inst.apiPort() ||
        std::count(listen.begin(), listen.end(), p) != 0) {
      continue;
    }
    listen.push_back(static_cast<uint16_t>(p));
  }
  if (Status st = seed(inst, 0, env); !st.ok()) {
    res["error"] = "seeding: " + st.message();
    return res;
  }
  inst.env()["JWT_SECRET"] = testing::kTestJwtSecret;
  inst.env()["MAX_LISTENER_PORTS"] = std::to_string(std::max(ports, 32));
  if (inst.startServeAndWaitReady(std::chrono::seconds(120)) == 0) {
    res["error"] = "serve did not become ready";
    std::cerr << inst.serveLog() << "\n";
    return res;
  }
  ApiClient api(inst.apiPort());
  const pid_t envoy = inst.envoyPid();
  res["inotify_at_start"] = inotifyInstances(envoy);
  auto create = [&](const std::string& name, uint16_t port, int k) {
    const auto& b = *env.backends[static_cast<size_t>(k % kInstances)];
    return api.call("POST", "/ingresses",
                    createBody(name, name + ".bench.test", port,
                               "vm-" + std::to_string(k % kInstances), b.port()));
  };
  // Every port opened, one ingress each (not measured).
  for (int i = 0; i < ports; ++i) {
    auto r = create("port-" + std::to_string(i), listen[static_cast<size_t>(i)], i);
    if (!r.ok() || r->status != 201) {
      res["error"] = "opening port " + std::to_string(listen[static_cast<size_t>(i)]) + ": " +
                     (r.ok() ? r->body : r.status().message());
      return res;
    }
  }
  res["inotify_open"] = inotifyInstances(envoy);
  {
    auto admin = inst.admin();
    std::vector<double> poll;
    for (int i = 0; i < 10; ++i) {
      auto p0 = Clk::now();
      (void)admin.statsMatching("(version_text|update_rejected|update_failure)$");
      poll.push_back(msSince(p0));
    }
    res["stats_poll_ms_p50"] = percentile(poll, 50);
  }
  std::vector<double> lat;
  int failed = 0, not_routed = 0;
  size_t log_from = logLines(inst);
  for (int k = 0; k < o.port_samples; ++k) {
    const uint16_t port = listen[static_cast<size_t>(k % std::min(ports, 4))];
    const std::string name = "chg-" + std::to_string(k);
    auto s0 = Clk::now();
    auto r = create(name, port, k);
    const double ms = msSince(s0);
    if (!r.ok() || r->status != 201) {
      ++failed;
      continue;
    }
    lat.push_back(ms);
    auto via = viaEnvoy(port, name + ".bench.test");
    const std::string want = "b" + std::to_string(k % kInstances) + " ";
    if (!via.ok() || via->status != 200 || via->body.rfind(want, 0) != 0) ++not_routed;
  }
  res["inotify_after"] = inotifyInstances(envoy);
  res["latency"] = {{"samples", lat.size()},
                    {"failed", failed},
                    {"not_routed_after_201", not_routed},
                    {"p50_ms", percentile(lat, 50)},
                    {"p99_ms", percentile(lat, 99)}};
  res["latency_profile"] = phaseProfile(publishTimes(inst, &log_from));
  return res;
}

std::string fmt(double v, int prec = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v);
  return buf;
}

std::string churnMarkdown(const Json& all) {
  std::ostringstream md;
  md << "| existing (one port) | MALLOC_ARENA_MAX | pairs ok / failed | pairs/s | serve RSS MB "
        "start "
        "/ after | serve peak MB | Envoy RSS MB start / after | startup s |\n"
     << "|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& s : all["scenarios"]) {
    const std::string arena = s["arena_max"].get<int>() == 0
                                  ? "serve's default"
                                  : std::to_string(s["arena_max"].get<int>());
    if (s.contains("error")) {
      md << "| " << s["existing"].get<int>() << " | " << arena
         << " | error: " << s["error"].get<std::string>() << " ||||||\n";
      continue;
    }
    const auto& c = s["churn"];
    const auto& a = s["at_start"];
    const auto& b = s["after_churn"];
    md << "| " << s["existing"].get<int>() << " | " << arena << " | " << c["ok"].get<int>() << " / "
       << c["failed"].get<int>() << " | " << fmt(c["pairs_per_s"]) << " | "
       << fmt(a["serve_rss_mb"], 0) << " / " << fmt(b["serve_rss_mb"], 0) << " | "
       << fmt(b["serve_hwm_mb"], 0) << " | " << fmt(a["envoy_rss_mb"], 0) << " / "
       << fmt(b["envoy_rss_mb"], 0) << " | " << fmt(s["startup_ms"].get<double>() / 1000, 1)
       << " |\n";
  }
  return md.str();
}

std::string portsMarkdown(const Json& all) {
  std::ostringstream md;
  md << "| ports | samples | create p50 ms | create p99 ms | apply p50 ms | Envoy wait p50 ms | "
        "not routed | Envoy inotify instances (start / ports open / after) |\n"
     << "|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& s : all["scenarios"]) {
    if (s.contains("error")) {
      md << "| " << s["ports"].get<int>() << " | error: " << s["error"].get<std::string>()
         << " |||||||\n";
      continue;
    }
    const auto& l = s["latency"];
    const auto& p = s["latency_profile"];
    md << "| " << s["ports"].get<int>() << " | " << l["samples"].get<int>() << " | "
       << fmt(l["p50_ms"]) << " | " << fmt(l["p99_ms"]) << " | " << fmt(p["apply_ms_p50"]) << " | "
       << fmt(p["envoy_wait_ms_p50"]) << " | " << l["not_routed_after_201"].get<int>() << " | "
       << s["inotify_at_start"].get<int>() << " / " << s["inotify_open"].get<int>() << " / "
       << s["inotify_after"].get<int>() << " |\n";
  }
  return md.str();
}

std::string markdown(const Json& all) {
  std::ostringstream md;
  md << "| existing | samples | p50 ms | p99 ms | max ms | not routed | apply p50 ms | of which "
        "Envoy wait p50 ms | build p50 ms (in serve) | build ms (bench process) | stats poll ms | "
        "startup s |\n"
     << "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& s : all["scenarios"]) {
    if (s.contains("error")) {
      md << "| " << s["existing"].get<int>() << " | error: " << s["error"].get<std::string>()
         << " ||||||||||\n";
      continue;
    }
    const auto& l = s["latency"];
    const auto& p = s["latency_profile"];
    md << "| " << s["existing"].get<int>() << " | " << l["samples"].get<int>() << " | "
       << fmt(l["p50_ms"]) << " | " << fmt(l["p99_ms"]) << " | " << fmt(l["max_ms"]) << " | "
       << l["not_routed_after_201"].get<int>() << " | " << fmt(p["apply_ms_p50"]) << " | "
       << fmt(p["envoy_wait_ms_p50"]) << " | " << fmt(p["build_ms_p50"]) << " | "
       << fmt(s["builder"]["build_ms_p50"]) << " | " << fmt(s["stats_poll_ms_p50"]) << " | "
       << fmt(s["startup_ms"].get<double>() / 1000, 1) << " |\n";
  }
  md << "\n| existing | clients | creates | ok | seconds | creates/s | publishes | creates/publish "
        "| ratio C/1 |\n"
     << "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& s : all["scenarios"]) {
    if (!s.contains("throughput")) continue;
    for (const char* k : {"one", "many"}) {
      const auto& t = s["throughput"][k];
      const int pubs = t["profile"]["publishes"].get<int>();
      md << "| " << s["existing"].get<int>() << " | " << t["clients"].get<int>() << " | "
         << t["creates"].get<int>() << " | " << t["ok"].get<int>() << " | " << fmt(t["seconds"], 2)
         << " | " << fmt(t["creates_per_s"]) << " | " << pubs << " | "
         << fmt(pubs ? t["ok"].get<double>() / pubs : 0, 2) << " | "
         << (std::string(k) == "many" ? fmt(s["throughput"]["ratio"], 2) : "") << " |\n";
    }
  }
  return md.str();
}

int run(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--existing")
      o.existing = parseList(val());
    else if (a == "--samples")
      o.samples = std::stoi(val());
    else if (a == "--samples-large")
      o.samples_large = std::stoi(val());
    else if (a == "--creates")
      o.creates = std::stoi(val());
    else if (a == "--clients")
      o.clients = std::stoi(val());
    else if (a == "--throughput-at")
      o.throughput_at = parseList(val());
    else if (a == "--json")
      o.json_path = val();
    else if (a == "--md")
      o.md_path = val();
    else if (a == "--smoke")
      o.smoke = true;
    else if (a == "--builder-only")
      o.builder_only = true;
    else if (a == "--target-ports")
      o.target_ports = std::clamp(std::stoi(val()), 1, 40000);
    else if (a == "--listen-ports")
      o.listen_ports = std::max(1, std::stoi(val()));
    else if (a == "--ports-at")
      o.ports_at = parseList(val());
    else if (a == "--port-samples")
      o.port_samples = std::stoi(val());
    else if (a == "--churn-at")
      o.churn_at = parseList(val());
    else if (a == "--churn-pairs")
      o.churn_pairs = std::stoi(val());
    else if (a == "--churn-clients")
      o.churn_clients = std::stoi(val());
    else if (a == "--churn-arenas")
      o.churn_arenas = parseList(val());
    else {
      std::cerr << "usage: ingress_bench [--existing 0,100,1000,10000] [--samples 50] "
                   "[--samples-large 20] [--creates 200] [--clients 32] [--throughput-at 1000] "
                   "[--listen-ports 4] [--target-ports 25] [--json FILE] [--md FILE] [--smoke] "
                   "[--ports-at 4,32 "
                   "[--port-samples 40]] "
                   "[--churn-at 10000 [--churn-pairs 1000] [--churn-clients 8] "
                   "[--churn-arenas 0,2]]\n";
      return 2;
    }
  }
  if (o.smoke) {
    o.existing = {100};
    o.samples = 5;
    o.creates = 12;
    o.clients = 4;
    o.throughput_at = {100};
  }
  ::signal(SIGPIPE, SIG_IGN);
  initHttpClientGlobal();

  if (o.builder_only) {
    Env env;
    for (int k = 0; k < o.listen_ports; ++k)
      env.listen_ports.push_back(static_cast<uint16_t>(10080 + k));
    env.target_ports = o.target_ports;
    for (int n : o.existing) std::cout << n << ": " << dumpJson(timeBuilder(n, env)) << "\n";
    return 0;
  }
  if (!o.churn_at.empty()) {
    Json all = {{"scenarios", Json::array()}};
    bool ok = true;
    for (int n : o.churn_at) {
      for (int arenas : o.churn_arenas) {
        std::cerr << "churn scenario: " << n << " existing on one port, MALLOC_ARENA_MAX "
                  << (arenas ? std::to_string(arenas) : "serve's default") << "\n";
        Json s = runChurnScenario(n, arenas, o);
        ok = ok && !s.contains("error") && s["churn"]["failed"].get<int>() == 0;
        std::cerr << "  " << dumpJson(s) << "\n";
        all["scenarios"].push_back(std::move(s));
      }
    }
    const std::string md = churnMarkdown(all);
    std::cout << md;
    writeResults(all, md, o);
    if (!ok) std::cerr << "FAILED: a churn scenario errored or a create/delete failed\n";
    return ok ? 0 : 1;
  }
  if (!o.ports_at.empty()) {
    Json all = {{"scenarios", Json::array()}, {"port_samples", o.port_samples}};
    bool ok = true;
    for (int p : o.ports_at) {
      std::cerr << "ports scenario: " << p << " listener ports\n";
      Json s = runPortsScenario(p, o);
      ok = ok && !s.contains("error") && s["latency"]["failed"].get<int>() == 0 &&
           s["latency"]["not_routed_after_201"].get<int>() == 0;
      std::cerr << "  " << dumpJson(s) << "\n";
      all["scenarios"].push_back(std::move(s));
    }
    const std::string md = portsMarkdown(all);
    std::cout << md;
    writeResults(all, md, o);
    if (!ok) std::cerr << "FAILED: a scenario errored, a create failed or a route was missing\n";
    return ok ? 0 : 1;
  }
  Json all = {{"scenarios", Json::array()}};
  all["options"] = {
      {"existing", o.existing}, {"samples", o.samples}, {"samples_large", o.samples_large},
      {"creates", o.creates},   {"clients", o.clients}, {"throughput_at", o.throughput_at}};
  all["machine"] = {{"cores", std::thread::hardware_concurrency()}};
  bool ok = true;
  for (int n : o.existing) {
    std::cerr << "scenario: " << n << " existing ingresses\n";
    auto t0 = Clk::now();
    Json s = runScenario(n, o);
    s["scenario_s"] = msSince(t0) / 1000;
    ok = ok && !s.contains("error") && s["latency"]["failed"].get<int>() == 0 &&
         s["latency"]["not_routed_after_201"].get<int>() == 0;
    std::cerr << "  " << dumpJson(s.contains("latency") ? s["latency"] : s) << "\n";
    all["scenarios"].push_back(std::move(s));
  }
  const std::string md = markdown(all);
  std::cout << md;
  writeResults(all, md, o);
  if (!ok) std::cerr << "FAILED: a scenario errored, a create failed or a route was missing\n";
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace ingress::bench

int main(int argc, char** argv) { return ingress::bench::run(argc, argv); }

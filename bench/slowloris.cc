// slowloris_bench: one client holds 20,000 half-open connections against Envoy's ingress
// listener, then against the API, while 4 well-behaved keep-alive clients use an ingress and a
// fifth keeps creating ingresses. See docs/operations.md ("Slowloris") for a recorded run.
//
// The attacker (one source address, 127.0.0.3) runs in forked processes, each with its own
// descriptor limit, so 20,000 connections fit under a 20,000-descriptor hard limit. Each
// connection sends a request line and one header, then one more header line every 2 s, never
// the blank line that ends the headers; a connection the server closes is reopened 1 s later,
// so the pressure never lets up. Per phase the bench reports:
//   - the keep-alive clients' requests, failures, latency p50/p99/max and longest gap without a
//     success (LoadHarness, the same connections across every phase);
//   - a new client: one new connection through Envoy every 500 ms (what a visitor arriving
//     during the attack sees; at Envoy's global connection cap it is refused);
//   - creates: POST /ingresses every 500 ms from 127.0.0.1, each answered once Envoy routes it;
//   - Envoy's RSS (VmRSS, sampled every 250 ms) and its connection counters;
//   - the attacker: connections opened, how many the server cut, and after how long (cut at
//     once, i.e. refused at a cap, or cut after the header/request timeout).
// Bounded: fixed phase lengths, every wait has a deadline, loopback only. Python-free on
// purpose: it reuses the project's test support (Installation, LoadHarness, ApiClient).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/http_client.h"
#include "common/json.h"
#include "e2e/api_client.h"
#include "envoy/builder_settings.h"
#include "integration/installation.h"
#include "integration/load_harness.h"
#include "test_common/http_backend.h"
#include "test_common/test_env.h"

namespace ingress::bench {
namespace {

using Clk = std::chrono::steady_clock;
using namespace std::chrono_literals;
using testing::ApiClient;
using testing::HttpBackend;
using testing::Installation;
using testing::LoadHarness;
using testing::LoadReport;

constexpr char kAttacker[] = "127.0.0.3";
constexpr int kPerProcess = 7000;  // connections per attacker process

double secondsSince(Clk::time_point t0) {
  return std::chrono::duration<double>(Clk::now() - t0).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto r = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  return v[std::min(v.size() - 1, r == 0 ? 0 : r - 1)];
}

struct Options {
  int connections = 20000;
  int phase_s = 30;     // each attack phase
  int baseline_s = 10;  // before the first attack, and the recovery after each
  std::string header_timeout = "10";
  std::string api_request_timeout = "10";
  std::string json_path;
  std::string md_path;
};

// ---- the attacker --------------------------------------------------------------------------

// What one attacker process saw. Lifetimes are from connect to the server's close.
struct FloodCounts {
  uint64_t opened = 0;          // connects that completed
  uint64_t connect_errors = 0;  // connects refused or timed out
  uint64_t cut_at_once = 0;     // closed by the server within 1 s
  uint64_t cut_later = 0;       // closed by the server after 1 s or more
  uint64_t answered = 0;        // the server wrote something before closing (e.g. 408, 503)
  uint64_t max_open = 0;
  std::vector<double> later_lifetimes_s;  // of cut_later (at most 5,000 kept)
};

// One attacker process: keeps `n` half-open connections to 127.0.0.1:port from kAttacker for
// `seconds`, writing its counts as JSON to `out_fd` when done.
[[noreturn]] void floodProcess(int n, int port, double seconds, int out_fd) {
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &rl);
  signal(SIGPIPE, SIG_IGN);
  enum class St { kIdle, kConnecting, kOpen };
  struct Slot {
    int fd = -1;
    St st = St::kIdle;
    Clk::time_point at;  // kIdle: when to (re)open; otherwise when the connect completed
    Clk::time_point next_trickle;
    bool answered = false;
  };
  std::vector<Slot> slots(static_cast<size_t>(n));
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  FloodCounts c;
  uint64_t open_now = 0;
  const auto start = Clk::now();
  const auto end =
      start + std::chrono::duration_cast<Clk::duration>(std::chrono::duration<double>(seconds));
  // Ramp: at most 500 new connects per 25 ms tick per process (~20,000/s per process).
  for (size_t i = 0; i < slots.size(); ++i) slots[i].at = start;
  sockaddr_in src{};
  src.sin_family = AF_INET;
  ::inet_pton(AF_INET, kAttacker, &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  const std::string head = "GET /slow HTTP/1.1\r\nHost: slow.example.com\r\nX-Slow-0: 0\r\n";

  auto closeSlot = [&](Slot& s, bool by_server) {
    if (s.st == St::kOpen) --open_now;
    if (by_server && s.st == St::kOpen) {
      const double life = std::chrono::duration<double>(Clk::now() - s.at).count();
      if (life < 1.0) {
        ++c.cut_at_once;
      } else {
        ++c.cut_later;
        if (c.later_lifetimes_s.size() < 5000) c.later_lifetimes_s.push_back(life);
      }
      if (s.answered) ++c.answered;
    }
    ::epoll_ctl(ep, EPOLL_CTL_DEL, s.fd, nullptr);
    ::close(s.fd);
    s.fd = -1;
    s.st = St::kIdle;
    s.answered = false;
    s.at = Clk::now() + 1s;  // the attacker comes back
  };

  std::vector<epoll_event> events(1024);
  while (Clk::now() < end) {
    const auto now = Clk::now();
    int budget = 500;
    for (size_t i = 0; i < slots.size(); ++i) {
      Slot& s = slots[i];
      if (s.st == St::kIdle && s.at <= now && budget > 0) {
        --budget;
        s.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s.fd < 0) {
          ++c.connect_errors;
          s.at = now + 1s;
          continue;
        }
        int one = 1;
        ::setsockopt(s.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        ::bind(s.fd, reinterpret_cast<sockaddr*>(&src), sizeof src);
        const int rc = ::connect(s.fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
        if (rc != 0 && errno != EINPROGRESS) {
          ++c.connect_errors;
          ::close(s.fd);
          s.fd = -1;
          s.at = now + 1s;
          continue;
        }
        s.st = St::kConnecting;
        s.at = now;
        epoll_event ev{};
        ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
        ev.data.u64 = i;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, s.fd, &ev);
      } else if (s.st == St::kOpen && s.next_trickle <= now) {
        const std::string line = "X-Slow-" + std::to_string(i % 1000) + ": 1\r\n";
        if (::send(s.fd, line.data(), line.size(), MSG_NOSIGNAL) < 0 && errno != EAGAIN) {
          closeSlot(s, true);
          continue;
        }
        s.next_trickle = now + 2s;
      } else if (s.st == St::kConnecting && now - s.at > 10s) {
        ++c.connect_errors;
        closeSlot(s, false);
      }
    }
    const int k = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 25);
    for (int e = 0; e < k; ++e) {
      Slot& s = slots[events[static_cast<size_t>(e)].data.u64];
      if (s.fd < 0) continue;
      const uint32_t got = events[static_cast<size_t>(e)].events;
      if (s.st == St::kConnecting) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0 || (got & (EPOLLERR | EPOLLHUP)) != 0) {
          ++c.connect_errors;
          closeSlot(s, false);
          continue;
        }
        if ((got & EPOLLOUT) == 0) continue;
        s.st = St::kOpen;
        s.at = Clk::now();
        s.next_trickle = s.at + 2s;
        ++c.opened;
        c.max_open = std::max(c.max_open, ++open_now);
        ::send(s.fd, head.data(), head.size(), MSG_NOSIGNAL);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u64 = events[static_cast<size_t>(e)].data.u64;
        ::epoll_ctl(ep, EPOLL_CTL_MOD, s.fd, &ev);
        continue;
      }
      char buf[4096];
      for (;;) {
        const ssize_t r = ::recv(s.fd, buf, sizeof buf, 0);
        if (r > 0) {
          s.answered = true;
          continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        closeSlot(s, true);  // EOF or reset
        break;
      }
    }
  }
  Json lifetimes = Json::array();
  for (double v : c.later_lifetimes_s) lifetimes.push_back(v);
  const std::string out = dumpJson(Json{{"opened", c.opened},
                                        {"connect_errors", c.connect_errors},
                                        {"cut_at_once", c.cut_at_once},
                                        {"cut_later", c.cut_later},
                                        {"answered", c.answered},
                                        {"max_open", c.max_open},
                                        {"open_at_end", open_now},
                                        {"later_lifetimes_s", lifetimes}});
  size_t off = 0;
  while (off < out.size()) {
    const ssize_t w = ::write(out_fd, out.data() + off, out.size() - off);
    if (w <= 0) break;
    off += static_cast<size_t>(w);
  }
  ::_exit(0);
}

// The attacker: `n` connections over ceil(n / kPerProcess) processes.
class Flood {
 public:
  Flood(int n, int port, double seconds) {
    for (int left = n; left > 0; left -= kPerProcess) {
      int p[2];
      if (::pipe2(p, O_CLOEXEC) != 0) break;
      const pid_t pid = ::fork();
      if (pid == 0) {
        ::close(p[0]);
        floodProcess(std::min(left, kPerProcess), port, seconds, p[1]);
      }
      ::close(p[1]);
      children_.push_back({pid, p[0]});
      ++processes_;
    }
  }
  // Waits for every process (they stop on their own after `seconds`) and sums their counts.
  Json wait() {
    Json sum = {{"opened", 0},   {"connect_errors", 0}, {"cut_at_once", 0}, {"cut_later", 0},
                {"answered", 0}, {"max_open", 0},       {"open_at_end", 0}};
    std::vector<double> lifetimes;
    for (auto& [pid, fd] : children_) {
      std::string text;
      char buf[65536];
      ssize_t r;
      while ((r = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(r));
      ::close(fd);
      int st = 0;
      ::waitpid(pid, &st, 0);
      Json j = Json::parse(text, nullptr, false);
      if (!j.is_object()) continue;
      for (auto& [k, v] : sum.items()) v = v.get<uint64_t>() + j.value(k, uint64_t{0});
      for (const Json& l : j["later_lifetimes_s"]) lifetimes.push_back(l.get<double>());
    }
    children_.clear();
    sum["processes"] = processes_;
    sum["cut_later_lifetime_p50_s"] = percentile(lifetimes, 50);
    sum["cut_later_lifetime_min_s"] = percentile(lifetimes, 0);
    sum["cut_later_lifetime_max_s"] = percentile(lifetimes, 100);
    return sum;
  }
  ~Flood() {
    for (auto& [pid, fd] : children_) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      ::close(fd);
    }
  }

 private:
  std::vector<std::pair<pid_t, int>> children_;
  int processes_ = 0;
};

// ---- observers -----------------------------------------------------------------------------

long rssKb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// Samples, every 250 ms on its own thread: Envoy's RSS; every 500 ms: one new client's request
// through Envoy and one create through the API. Each sample is stamped, so phases are windows.
class Observer {
 public:
  struct Sample {
    Clk::time_point at;
    double ms;
    long status;  // 0: connection failed
  };
  Observer(pid_t envoy, int listen_port, const std::string& backend_host, const ApiClient& api,
           const std::string& instance, uint16_t target_port)
      : envoy_(envoy) {
    threads_.emplace_back([this] {
      while (!stop_) {
        const long kb = rssKb(envoy_);
        {
          std::lock_guard l(mu_);
          rss_.push_back({Clk::now(), static_cast<double>(kb), 0});
        }
        std::this_thread::sleep_for(250ms);
      }
    });
    threads_.emplace_back([this, listen_port, backend_host] {
      while (!stop_) {
        HttpRequest r;
        r.url = "http://127.0.0.1:" + std::to_string(listen_port) + "/new";
        r.headers = {{"Host", backend_host}};
        r.timeout = 5s;
        const auto t0 = Clk::now();
        auto res = httpCall(r);
        record(fresh_, t0, res.ok() ? res->status : 0);
        std::this_thread::sleep_for(500ms);
      }
    });
    threads_.emplace_back([this, &api, instance, target_port, listen_port] {
      for (int i = 0; !stop_; ++i) {
        const std::string name = "during-" + std::to_string(i);
        const auto t0 = Clk::now();
        auto res = api.call(
            "POST", "/ingresses",
            testing::ingressBody(name, name + ".example.com", listen_port, instance, target_port));
        record(creates_, t0, res.ok() ? res->status : 0);
        std::this_thread::sleep_for(500ms);
      }
    });
  }
  ~Observer() { stop(); }
  void stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  // Summaries of the samples in [from, to).
  Json window(Clk::time_point from, Clk::time_point to) const {
    std::lock_guard l(mu_);
    auto calls = [&](const std::vector<Sample>& v, long want) {
      uint64_t n = 0, good = 0;
      std::vector<double> ms;
      Json statuses = Json::object();
      for (const Sample& s : v) {
        if (s.at < from || s.at >= to) continue;
        ++n;
        const std::string k = s.status == 0 ? "failed" : std::to_string(s.status);
        statuses[k] = statuses.value(k, 0) + 1;
        if (s.status == want) {
          ++good;
          ms.push_back(s.ms);
        }
      }
      return Json{{"sent", n},
                  {"ok", good},
                  {"statuses", statuses},
                  {"p50_ms", percentile(ms, 50)},
                  {"p99_ms", percentile(ms, 99)},
                  {"max_ms", percentile(ms, 100)}};
    };
    double peak = 0;
    double last = 0;
    for (const Sample& s : rss_) {
      if (s.at < from || s.at >= to) continue;
      peak = std::max(peak, s.ms);
      last = s.ms;
    }
    return Json{{"new_client", calls(fresh_, 200)},
                {"creates", calls(creates_, 201)},
                {"envoy_rss_peak_mb", peak / 1024},
                {"envoy_rss_end_mb", last / 1024}};
  }

 private:
  void record(std::vector<Sample>& v, Clk::time_point t0, long status) {
    const double ms = std::chrono::duration<double, std::milli>(Clk::now() - t0).count();
    std::lock_guard l(mu_);
    v.push_back({t0, ms, status});
  }

  pid_t envoy_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<Sample> rss_;  // ms holds kB
  std::vector<Sample> fresh_;
  std::vector<Sample> creates_;
  std::vector<std::thread> threads_;
};

Json loadJson(const LoadReport& r) {
  return {{"sent", r.sent},
          {"ok", r.ok},
          {"failed", r.failed()},
          {"p50_ms", r.p50_ms},
          {"p99_ms", r.p99_ms},
          {"max_ms", r.max_ms},
          {"longest_gap_ms", r.longest_gap.count()}};
}

// Envoy's counters of interest (admin ignores the global connection cap).
Json envoyCounters(const envoy::AdminClient& admin, int port) {
  const std::string l = envoy::listenerName(static_cast<uint16_t>(port));
  Json out = Json::object();
  for (const std::string& name :
       {"http." + l + ".downstream_rq_header_timeout", "http." + l + ".downstream_cx_active",
        "listener.127.0.0.1_" + std::to_string(port) + ".downstream_global_cx_overflow",
        "listener.127.0.0.1_" + std::to_string(port) + ".downstream_cx_overflow",
        std::string("connection_limit.") + l + ".limited_connections"}) {
    auto v = admin.stat(name);
    out[name] = v.ok() ? Json(*v) : Json(nullptr);
  }
  return out;
}

std::string fmt(double v, int prec = 1) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(prec);
  o << v;
  return o.str();
}

std::string markdown(const Json& all) {
  std::ostringstream md;
  md << "| phase | keep-alive: ok / failed | p50 / p99 / max ms | longest gap ms | new client "
        "200 / sent | creates 201 / sent (p50 / p99 ms) | Envoy RSS peak MB |\n"
        "|---|---|---|---|---|---|---|\n";
  for (const Json& p : all["phases"]) {
    const Json& k = p["keepalive"];
    const Json& n = p["new_client"];
    const Json& c = p["creates"];
    md << "| " << p["name"].get<std::string>() << " | " << k["ok"] << " / " << k["failed"] << " | "
       << fmt(k["p50_ms"], 2) << " / " << fmt(k["p99_ms"], 2) << " / " << fmt(k["max_ms"], 1)
       << " | " << k["longest_gap_ms"] << " | " << n["ok"] << " / " << n["sent"] << " | " << c["ok"]
       << " / " << c["sent"] << " (" << fmt(c["p50_ms"]) << " / " << fmt(c["p99_ms"]) << ") | "
       << fmt(p["envoy_rss_peak_mb"]) << " |\n";
  }
  md << "\n| attack | opened | cut at once | cut later (lifetime p50, min..max s) | answered | "
        "max open | connect errors |\n|---|---|---|---|---|---|---|\n";
  for (const Json& p : all["phases"]) {
    if (!p.contains("attacker")) continue;
    const Json& a = p["attacker"];
    md << "| " << p["name"].get<std::string>() << " | " << a["opened"] << " | " << a["cut_at_once"]
       << " | " << a["cut_later"] << " (" << fmt(a["cut_later_lifetime_p50_s"]) << ", "
       << fmt(a["cut_later_lifetime_min_s"]) << ".." << fmt(a["cut_later_lifetime_max_s"]) << ") | "
       << a["answered"] << " | " << a["max_open"] << " | " << a["connect_errors"] << " |\n";
  }
  return md.str();
}

int run(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--connections") {
      o.connections = std::stoi(next());
    } else if (a == "--phase-seconds") {
      o.phase_s = std::stoi(next());
    } else if (a == "--baseline-seconds") {
      o.baseline_s = std::stoi(next());
    } else if (a == "--json") {
      o.json_path = next();
    } else if (a == "--md") {
      o.md_path = next();
    } else if (a == "--smoke") {
      o.connections = 600;
      o.phase_s = 5;
      o.baseline_s = 2;
      o.header_timeout = "2";
      o.api_request_timeout = "2";
    } else {
      std::cerr << "usage: slowloris_bench [--connections N] [--phase-seconds S] "
                   "[--baseline-seconds S] [--smoke] [--json FILE] [--md FILE]\n";
      return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  HttpBackend backend("slowloris-backend", "127.0.0.2");
  Installation inst;
  inst.env()["JWT_SECRET"] = testing::kTestJwtSecret;
  inst.env()["ENVOY_REQUEST_HEADERS_TIMEOUT"] = o.header_timeout;
  inst.env()["API_REQUEST_TIMEOUT"] = o.api_request_timeout;
  if (inst.startServeAndWaitReady() == 0) {
    std::cerr << "serve did not become ready:\n" << inst.serveLog();
    return 1;
  }
  ApiClient api(inst.apiPort());
  if (!api.waitHealthy()) return 1;
  int listen_port = 0;
  for (;;) {
    listen_port = testing::freeLoopbackPort();
    if (listen_port != inst.adminPort() && listen_port != inst.apiPort() &&
        listen_port != backend.port()) {
      break;
    }
  }
  auto put = api.call("PUT", "/instances/vm", Json{{"ip", backend.address()}});
  auto made =
      api.call("POST", "/ingresses",
               testing::ingressBody("good", "good.example.com", listen_port, "vm", backend.port()));
  if (!put.ok() || put->status != 200 || !made.ok() || made->status != 201) {
    std::cerr << "setup failed: " << (made.ok() ? made->body : made.status().toString()) << "\n";
    return 1;
  }
  const pid_t envoy = inst.envoyPid();
  const auto admin = inst.admin();

  LoadHarness load(
      {{"http://127.0.0.1:" + std::to_string(listen_port) + "/keepalive", "good.example.com"}}, 4,
      3600);
  load.start();
  Observer obs(envoy, listen_port, "good.example.com", api, "vm", backend.port());

  struct Phase {
    std::string name;
    Clk::time_point from, to;
    Json attacker;
    Json counters_after;
  };
  std::vector<Phase> phases;
  auto quiet = [&](const std::string& name, int s) {
    Phase p{name, Clk::now(), {}, {}, {}};
    std::this_thread::sleep_for(std::chrono::seconds(s));  // a measured phase, not a wait
    p.to = Clk::now();
    p.counters_after = envoyCounters(admin, listen_port);
    phases.push_back(p);
  };
  auto attack = [&](const std::string& name, int port) {
    Phase p{name, Clk::now(), {}, {}, {}};
    std::cerr << "slowloris: " << o.connections << " connections against " << name << " for "
              << o.phase_s << " s\n";
    Flood flood(o.connections, port, o.phase_s);
    p.attacker = flood.wait();
    p.to = Clk::now();
    p.counters_after = envoyCounters(admin, listen_port);
    phases.push_back(p);
  };

  const auto t0 = Clk::now();
  quiet("baseline", o.baseline_s);
  attack("Envoy listener", listen_port);
  quiet("after (Envoy)", o.baseline_s);
  attack("API", inst.apiPort());
  quiet("after (API)", o.baseline_s);
  obs.stop();
  load.stop();
  const double total_s = secondsSince(t0);

  Json all = {{"connections", o.connections},
              {"phase_seconds", o.phase_s},
              {"header_timeout_s", o.header_timeout},
              {"api_request_timeout_s", o.api_request_timeout},
              {"cores", std::thread::hardware_concurrency()},
              {"total_seconds", total_s},
              {"phases", Json::array()}};
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  all["nofile_hard"] = rl.rlim_max;
  for (const Phase& p : phases) {
    Json j = obs.window(p.from, p.to);
    j["name"] = p.name;
    j["seconds"] = std::chrono::duration<double>(p.to - p.from).count();
    j["keepalive"] = loadJson(load.window(p.from, p.to));
    if (!p.attacker.is_null()) j["attacker"] = p.attacker;
    j["envoy_counters_after"] = p.counters_after;
    all["phases"].push_back(j);
  }
  const std::string md = markdown(all);
  std::cout << md;
  if (!o.json_path.empty()) std::ofstream(o.json_path) << all.dump(2) << "\n";
  if (!o.md_path.empty()) std::ofstream(o.md_path) << md;
  // The bench fails when the well-behaved clients were not served (a smoke check, not a figure).
  for (const Json& p : all["phases"]) {
    if (p["keepalive"]["ok"].get<uint64_t>() == 0 || p["creates"]["ok"].get<uint64_t>() == 0) {
      std::cerr << "slowloris: no success in phase " << p["name"] << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace ingress::bench

int main(int argc, char** argv) { return ingress::bench::run(argc, argv); }

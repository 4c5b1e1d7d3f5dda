// tls_bench: HTTPS through the Envoy that ingressd configures, measured beside a hand-minimal
// Envoy TLS configuration on the same certificate, and the time from POSTing a TLS rule to the
// first verified HTTPS response with an ACME CA (Debian's Pebble). See docs/benchmarks.md
// "HTTPS".
//
//   tls_bench [--rounds 5] [--seconds 5] [--hs-clients 4] [--ka-clients 8] [--posts 10]
//             [--no-load] [--no-acme] [--json FILE] [--md FILE] [--smoke]
//             [--variants no_reuse_port,exact_balance,sni,hcm,limits,overload,ours_static,
//                         ours_files,ours_files+hot_restart,...]   (diagnostics: more targets)
//
// 1. Throughput. One backend (HttpBackend on 127.0.0.2, keep-alive) behind two Envoys that run
//    side by side from the same binary with the same worker count:
//    - "ours": `ingressd serve` (test/integration/installation.h) with a user certificate for
//      bench.example.test (ECDSA P-256, tls::makeSelfSigned) uploaded by PUT /certificates/bench
//      and one rule {bench.example.test:<port> → vm:<backend port>, tls: true};
//    - "minimal": a second Envoy with a static bootstrap written here: one listener, one filter
//      chain (DownstreamTlsContext with the same certificate and key inline, ALPN h2,http/1.1),
//      an HTTP connection manager with one route to one static cluster (the same backend).
//    The load is this file's own OpenSSL client (SNI and Host bench.example.test, ALPN http/1.1,
//    no certificate verification and no session resumption: every connection is a full
//    handshake), threads with one blocking connection each:
//    - handshakes/s: a new TLS connection per request (`Connection: close`), counted per
//      completed 200;
//    - requests/s: keep-alive connections, one request in flight on each.
//    Rounds alternate the targets (A B, then B A, ...) for both loads; medians per target and
//    the ratio ours / minimal (of the medians, and the median of the per-round ratios). Before
//    the rounds: the backend alone (plain HTTP keep-alive, the same client) to show it is not the
//    bottleneck, and a short warm-up of each Envoy.
// 2. POST → HTTPS. Pebble + challtestsrv (test_common/pebble.h, PEBBLE_VA_NOSLEEP), a fresh
//    serve with ACME settings as in test/e2e/https_test.cc; N times, sequentially: POST a TLS
//    rule for n<i>.example.test, then poll an HTTPS GET verified against Pebble's root (a new
//    connection each poll, every 10 ms) until it answers 200; the sample is the time from
//    sending the POST to that response. p50 / p90 / max (nearest rank).
//
// Output: a markdown summary on stdout (and --md FILE), every number in JSON (--json FILE).
// Exit status 1 when a phase failed (a target did not come up, a run had no successful request,
// a POST did not become reachable); a ratio below the 0.95 is reported, not a failure.
// Bounded: every run has a fixed duration, every wait a deadline; loopback only.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/http_client.h"
#include "common/json.h"
#include "common/process.h"
#include "e2e/api_client.h"
#include "envoy/admin_client.h"
#include "integration/installation.h"
#include "test_common/http_backend.h"
#include "test_common/pebble.h"
#include "test_common/test_env.h"
#include "test_common/tls_client.h"
#include "tls/x509.h"

namespace ingress::bench {
namespace {

using Clk = std::chrono::steady_clock;
using testing::ApiClient;
using testing::HttpBackend;
using testing::Installation;

constexpr char kHost[] = "bench.example.test";

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

// The middle value (the mean of the two middle ones for an even count).
double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Options {
  int rounds = 5;
  double seconds = 5;
  int hs_clients = 4;  // threads of the handshake load (one connection at a time each)
  int ka_clients = 8;  // keep-alive connections (a thread each)
  int posts = 10;
  bool load = true;
  bool acme = true;
  std::string json_path;
  std::string md_path;
  bool smoke = false;
  // Diagnostic variants of the minimal Envoy, each one more target (see minimalBootstrap).
  std::vector<std::string> variants;
};

// ---------------------------------------------------------------------------------------------
// The load client: blocking sockets, one connection per thread, HTTP/1.1 over TLS (or plain).

struct LoadSpec {
  int port = 0;
  bool tls = true;
  bool close_each = false;  // `Connection: close`: a new connection (and handshake) per request
  int clients = 1;
  double seconds = 1;
  std::string address = "127.0.0.1";
};

struct LoadResult {
  uint64_t ok = 0;      // 200s completed before the deadline
  uint64_t failed = 0;  // connect/handshake/read errors and non-200 answers
  double seconds = 0;
  double perSecond() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
  std::string first_error;
};

// A client SSL_CTX: no verification (the certificate is checked once, separately), ALPN
// http/1.1, no session cache, so every connection is a full handshake.
SSL_CTX* clientContext() {
  static SSL_CTX* ctx = [] {
    SSL_CTX* c = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
    static const unsigned char alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    SSL_CTX_set_alpn_protos(c, alpn, sizeof alpn);
    return c;
  }();
  return ctx;
}

class Conn {
 public:
  ~Conn() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
  }
  // Connects to address:port (and completes the TLS handshake); nullptr with `error` set.
  static std::unique_ptr<Conn> open(const std::string& address, int port, bool tls,
                                    std::string* error) {
    auto c = std::unique_ptr<Conn>(new Conn());
    c->fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd_ < 0) return fail(error, "socket");
    const int one = 1;
    ::setsockopt(c->fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{5, 0};
    ::setsockopt(c->fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(c->fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, address.c_str(), &a.sin_addr);
    if (::connect(c->fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      return fail(error, std::string("connect: ") + std::strerror(errno));
    }
    if (!tls) return c;
    c->ssl_ = SSL_new(clientContext());
    SSL_set_tlsext_host_name(c->ssl_, kHost);
    SSL_set_fd(c->ssl_, c->fd_);
    if (SSL_connect(c->ssl_) != 1) {
      const unsigned long e = ERR_get_error();
      ERR_clear_error();
      char buf[256];
      ERR_error_string_n(e, buf, sizeof buf);
      return fail(error, std::string("handshake: ") + buf);
    }
    return c;
  }

  // Sends one GET and reads the whole response (Content-Length framed). False on any error or
  // a status other than 200; `keep` tells whether the connection may carry another request.
  bool request(const std::string& req, bool* keep, std::string* error) {
    if (!writeAll(req)) return failed(error, "write");
    size_t head_end;
    while ((head_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!readSome()) return failed(error, "read (head)");
    }
    const std::string_view head(buf_.data(), head_end);
    const bool ok = head.rfind("HTTP/1.1 200", 0) == 0;
    size_t length = 0;
    bool has_length = false;
    *keep = true;
    size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos < head.size()) {
      size_t next = head.find("\r\n", pos + 2);
      std::string line(
          head.substr(pos + 2, next == std::string_view::npos ? head.npos : next - pos - 2));
      std::transform(line.begin(), line.end(), line.begin(), ::tolower);
      if (line.rfind("content-length:", 0) == 0) {
        length = std::strtoul(line.c_str() + 15, nullptr, 10);
        has_length = true;
      } else if (line.rfind("connection:", 0) == 0 && line.find("close") != std::string::npos) {
        *keep = false;
      }
      pos = next;
    }
    if (!has_length) return failed(error, "response without content-length");
    while (buf_.size() < head_end + 4 + length) {
      if (!readSome()) return failed(error, "read (body)");
    }
    buf_.erase(0, head_end + 4 + length);
    if (!ok) return failed(error, "status: " + std::string(head.substr(0, head.find('\r'))));
    return true;
  }

  SSL* ssl() const { return ssl_; }

 private:
  Conn() = default;
  static std::unique_ptr<Conn> fail(std::string* error, const std::string& what) {
    if (error != nullptr && error->empty()) *error = what;
    return nullptr;
  }
  static bool failed(std::string* error, const std::string& what) {
    if (error != nullptr && error->empty()) *error = what;
    return false;
  }
  bool writeAll(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      const int n =
          ssl_ != nullptr
              ? SSL_write(ssl_, s.data() + off, static_cast<int>(s.size() - off))
              : static_cast<int>(::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL));
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  bool readSome() {
    char chunk[16384];
    const int n = ssl_ != nullptr ? SSL_read(ssl_, chunk, sizeof chunk)
                                  : static_cast<int>(::recv(fd_, chunk, sizeof chunk, 0));
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  SSL* ssl_ = nullptr;
  std::string buf_;
};

LoadResult runLoad(const LoadSpec& spec) {
  const std::string req = std::string("GET /bench HTTP/1.1\r\nHost: ") + kHost +
                          "\r\nUser-Agent: tls_bench\r\n" +
                          (spec.close_each ? "Connection: close\r\n" : "") + "\r\n";
  std::atomic<uint64_t> ok{0}, failed{0};
  std::mutex mu;
  std::string first_error;
  const auto t0 = Clk::now();
  const auto deadline =
      t0 + std::chrono::duration_cast<Clk::duration>(std::chrono::duration<double>(spec.seconds));
  std::vector<std::thread> threads;
  for (int t = 0; t < spec.clients; ++t) {
    threads.emplace_back([&] {
      std::unique_ptr<Conn> conn;
      uint64_t my_ok = 0, my_failed = 0;
      std::string error;
      while (Clk::now() < deadline) {
        if (conn == nullptr) conn = Conn::open(spec.address, spec.port, spec.tls, &error);
        bool keep = false;
        const bool done = conn != nullptr && conn->request(req, &keep, &error);
        if (Clk::now() >= deadline) break;  // completed after the window: not counted
        if (done) {
          ++my_ok;
        } else {
          ++my_failed;
          std::this_thread::sleep_for(std::chrono::milliseconds(1));  // no hot loop on errors
        }
        if (!done || !keep || spec.close_each) conn.reset();
      }
      ok += my_ok;
      failed += my_failed;
      if (!error.empty()) {
        std::lock_guard lock(mu);
        if (first_error.empty()) first_error = error;
      }
    });
  }
  for (auto& t : threads) t.join();
  LoadResult r;
  r.ok = ok;
  r.failed = failed;
  r.seconds = spec.seconds;
  r.first_error = first_error;
  return r;
}

Json resultJson(const LoadResult& r) {
  Json j = {{"ok", r.ok}, {"failed", r.failed}, {"seconds", r.seconds}, {"per_s", r.perSecond()}};
  if (!r.first_error.empty()) j["first_error"] = r.first_error;
  return j;
}

// What one connection to `port` negotiates (version, cipher, group, ALPN), and whether the
// request through it is answered 200.
Json probeConnection(int port) {
  std::string error;
  auto c = Conn::open("127.0.0.1", port, true, &error);
  if (c == nullptr) return {{"error", error}};
  const unsigned char* alpn = nullptr;
  unsigned int alpn_len = 0;
  SSL_get0_alpn_selected(c->ssl(), &alpn, &alpn_len);
  const int group = SSL_get_negotiated_group(c->ssl());
  Json j = {{"version", SSL_get_version(c->ssl())},
            {"cipher", SSL_get_cipher_name(c->ssl())},
            {"group", group != 0 ? OBJ_nid2sn(group) : ""},
            {"alpn", std::string(reinterpret_cast<const char*>(alpn), alpn_len)},
            {"resumed", SSL_session_reused(c->ssl()) == 1}};
  bool keep = false;
  j["request_ok"] =
      c->request(std::string("GET / HTTP/1.1\r\nHost: ") + kHost + "\r\n\r\n", &keep, &error);
  if (!error.empty()) j["error"] = error;
  return j;
}

// ---------------------------------------------------------------------------------------------
// The minimal Envoy: a static bootstrap with one TLS listener in front of the backend.

// Pieces of ours' configuration, read from its files, for the diagnostic variants.
struct OursPieces {
  Json hcm;               // the connection manager of its TLS chain (rds replaced below)
  Json connection_limit;  // the connection_limit network filter
  Json buffer_limit;      // listener per_connection_buffer_limit_bytes
  Json overload;          // the bootstrap's overload_manager
  Json listener;          // its whole TLS listener (lds.json), SDS references kept
  Json route_config;      // its route table as Envoy loaded it (config_dump)
  Json cluster;           // the backend's cluster (cds.json)
  std::string data_dir;   // its DATA_DIR (variant ours_files copies its envoy/ folder)
  int port = 0;           // its TLS listener port
};

// Variant ours_files: a copy of ours' whole envoy/ folder (bootstrap, the xDS files it watches,
// SDS files) in `dir`, with the listener and admin ports changed (and +exact_balance: its
// listener balanced with connection_balance_config exact_balance); the bootstrap's path.
std::string copyOursFiles(const OursPieces& ours, const std::string& dir, int port, int admin_port,
                          bool exact_balance) {
  namespace fs = std::filesystem;
  const std::string from = ours.data_dir + "/envoy";
  const std::string to = dir + "/envoy";
  std::error_code ec;
  fs::copy(from, to, fs::copy_options::recursive, ec);
  auto rewrite = [&](const std::string& path, const std::function<void(Json&)>& edit) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos)) {
      text.replace(pos, from.size(), to);
      pos += to.size();
    }
    Json j = Json::parse(text, nullptr, false);
    if (!j.is_object()) return;
    edit(j);
    std::ofstream(path) << dumpJson(j, 2);
  };
  rewrite(to + "/bootstrap.json",
          [&](Json& b) { b["admin"]["address"]["socket_address"]["port_value"] = admin_port; });
  rewrite(to + "/xds2/lds.json", [&](Json& lds) {
    for (auto& l : lds["resources"]) {
      auto& sa = l["address"]["socket_address"];
      if (sa.value("port_value", 0) != ours.port) continue;
      sa["port_value"] = port;
      if (exact_balance) l["connection_balance_config"] = {{"exact_balance", Json::object()}};
    }
  });
  (void)fs::remove(to + "/envoy.pid", ec);
  return to + "/bootstrap.json";
}

// `variant`: "" for the minimal configuration, or features of ours' listener joined by '+', to
// attribute a difference (diagnostics, --variants):
//   no_reuse_port  enable_reuse_port: false (ours: one shared accept socket, no SO_REUSEPORT)
//   exact_balance  with no_reuse_port, connection_balance_config exact_balance
//   sni            the tls_inspector listener filter and a filter chain matched by server_names
//   hcm            ours' connection manager settings (its route table stays the minimal one)
//   limits         ours' connection_limit filter and per-connection buffer limit
//   overload       ours' overload manager (bootstrap)
//   ours_files     ours' own bootstrap and xDS/SDS files (a copy, ports changed), dynamic as in
//                  ours, launched by the bench (hot restart disabled; +hot_restart: enabled, with
//                  ours' restart flags)
//   ours_static    ours' own listener, route table, cluster and overload manager, static (the
//                  route table inline instead of RDS; certificates still from its SDS files)
Json minimalBootstrap(int port, int admin_port, const tls::SelfSigned& cert,
                      const HttpBackend& backend, const std::string& variant,
                      const OursPieces& ours) {
  auto has = [&](const std::string& f) {
    return ("+" + variant + "+").find("+" + f + "+") != std::string::npos;
  };
  const Json tls_context = {
      {"@type",
       "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext"},
      {"common_tls_context",
       {{"alpn_protocols", Json::array({"h2", "http/1.1"})},
        {"tls_certificates",
         Json::array({{{"certificate_chain", {{"inline_string", cert.chain_pem}}},
                       {"private_key", {{"inline_string", cert.key_pem}}}}})}}}};
  Json hcm = {
      {"@type",
       "type.googleapis.com/"
       "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"},
      {"stat_prefix", "minimal"},
      {"route_config",
       {{"name", "minimal"},
        {"virtual_hosts",
         Json::array({{{"name", "backend"},
                       {"domains", Json::array({"*"})},
                       {"routes", Json::array({{{"match", {{"prefix", "/"}}},
                                                {"route", {{"cluster", "backend"}}}}})}}})}}},
      {"http_filters",
       Json::array(
           {{{"name", "envoy.filters.http.router"},
             {"typed_config",
              {{"@type",
                "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}}}})}};
  Json listener = {
      {"name", "minimal_tls"},
      {"address", {{"socket_address", {{"address", "127.0.0.1"}, {"port_value", port}}}}},
      {"filter_chains",
       Json::array(
           {{{"transport_socket",
              {{"name", "envoy.transport_sockets.tls"}, {"typed_config", tls_context}}},
             {"filters", Json::array({{{"name", "envoy.filters.network.http_connection_manager"},
                                       {"typed_config", hcm}}})}}})}};
  if (has("hcm") && ours.hcm.is_object()) {
    Json h = ours.hcm;
    h.erase("rds");
    h["route_config"] = hcm["route_config"];
    listener["filter_chains"][0]["filters"][0]["typed_config"] = h;
  }
  if (has("limits")) {
    auto& filters = listener["filter_chains"][0]["filters"];
    filters.insert(filters.begin(), ours.connection_limit);
    listener["per_connection_buffer_limit_bytes"] = ours.buffer_limit;
  }
  if (has("no_reuse_port") || has("exact_balance")) listener["enable_reuse_port"] = false;
  if (has("exact_balance"))
    listener["connection_balance_config"] = {{"exact_balance", Json::object()}};
  if (has("sni")) {
    listener["listener_filters"] =
        Json::array({{{"name", "envoy.filters.listener.tls_inspector"},
                      {"typed_config",
                       {{"@type",
                         "type.googleapis.com/"
                         "envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector"}}}}});
    listener["filter_chains"][0]["filter_chain_match"] = {{"server_names", Json::array({kHost})}};
  }
  const Json cluster = {
      {"name", "backend"},
      {"type", "STATIC"},
      {"connect_timeout", "5s"},
      {"load_assignment",
       {{"cluster_name", "backend"},
        {"endpoints",
         Json::array(
             {{{"lb_endpoints", Json::array({{{"endpoint",
                                               {{"address",
                                                 {{"socket_address",
                                                   {{"address", backend.address()},
                                                    {"port_value", backend.port()}}}}}}}}})}}})}}}};
  return {
      {"admin",
       {{"address", {{"socket_address", {{"address", "127.0.0.1"}, {"port_value", admin_port}}}}}}},
      {"static_resources",
       {{"listeners", Json::array({listener})}, {"clusters", Json::array({cluster})}}}};
}

class MinimalEnvoy {
 public:
  // `extra_args`: flags copied from ingressd's Envoy that shape the data path (--concurrency).
  MinimalEnvoy(const tls::SelfSigned& cert, const HttpBackend& backend,
               const std::vector<std::string>& extra_args, const std::string& variant,
               const OursPieces& ours)
      : port_(testing::freeLoopbackPort()), admin_port_(testing::freeLoopbackPort()) {
    std::string bootstrap = dir_.file("bootstrap.json");
    if (variant.rfind("ours_files", 0) == 0) {
      bootstrap = copyOursFiles(ours, dir_.path(), port_, admin_port_,
                                variant.find("exact_balance") != std::string::npos);
    } else {
      std::ofstream(bootstrap) << dumpJson(
          minimalBootstrap(port_, admin_port_, cert, backend, variant, ours), 2);
    }
    SpawnOptions o;
    // Envoy's default log level (info), as ingressd's ENVOY_LOG_LEVEL default.
    o.argv = {testing::envoyBinary(), "-c", bootstrap, "-l", "info", "--log-path",
              dir_.file("envoy.log")};
    if (variant.find("hot_restart") != std::string::npos) {
      // As ours: hot restart on (a base id of its own), ours' restart and xDS flags.
      o.argv.insert(o.argv.end(),
                    {"--restart-epoch", "0", "--base-id",
                     std::to_string(4000000 + ::getpid() % 100000 * 40), "--drain-time-s", "1",
                     "--parent-shutdown-time-s", "3", "--ignore-unknown-dynamic-fields"});
    } else {
      // No hot restart: its shared memory would clash with ingressd's Envoy's base id.
      o.argv.push_back("--disable-hot-restart");
    }
    o.argv.insert(o.argv.end(), extra_args.begin(), extra_args.end());
    o.stdout_path = dir_.file("envoy-stdout.log");
    // A session of its own, as serve's supervisor gives ours (daemon.cc): with the kernel's
    // autogroup scheduling (sched_autogroup_enabled) a session is a CPU group shared fairly with
    // the others, so an Envoy in the bench's own session would share its group with the load
    // client and be scheduled differently from ours.
    o.new_session = true;
    auto pid = processes_.spawn(o);
    if (!pid.ok()) return;
    pid_ = *pid;
    ready_ = testing::pollUntil([&] { return admin().ready(); }, std::chrono::seconds(30),
                                std::chrono::milliseconds(50));
  }
  ~MinimalEnvoy() {
    if (pid_ <= 0) return;
    (void)processes_.signal(pid_, SIGTERM);
    auto st = processes_.waitChild(pid_, std::chrono::seconds(10));
    if (!st.ok() || !st->has_value()) {
      (void)processes_.signal(pid_, SIGKILL);
      (void)processes_.waitChild(pid_, std::chrono::seconds(5));
    }
  }
  bool ready() const { return ready_; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  envoy::AdminClient admin() const {
    return envoy::AdminClient("http://127.0.0.1:" + std::to_string(admin_port_));
  }
  std::string log() const {
    std::ifstream in(dir_.file("envoy.log"));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  testing::TempDir dir_;
  int port_;
  int admin_port_;
  ProcessLauncherImpl processes_;
  pid_t pid_ = 0;
  bool ready_ = false;
};

// The command line of a live process (argv from /proc).
std::vector<std::string> commandLine(pid_t pid) {
  ProcessLauncherImpl p;
  return p.commandLine(pid);
}

// Flags of ingressd's Envoy the minimal one must share for a fair comparison: the worker count
// (--concurrency, when serve passes one; otherwise both use Envoy's default) and the CPU-set
// awareness flag.
std::vector<std::string> dataPathFlags(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == "--concurrency" && i + 1 < argv.size()) {
      out.push_back(argv[i]);
      out.push_back(argv[i + 1]);
    } else if (argv[i] == "--cpuset-threads") {
      out.push_back(argv[i]);
    }
  }
  return out;
}

// The worker count an Envoy reports (/server_info command_line_options.concurrency).
int envoyConcurrency(const envoy::AdminClient& admin) {
  auto body = admin.get("/server_info");
  if (!body.ok()) return -1;
  Json j = Json::parse(*body, nullptr, false);
  if (!j.is_object()) return -1;
  return j["command_line_options"].value("concurrency", -1);
}

// ---------------------------------------------------------------------------------------------
// Part 1: throughput, ours beside minimal.

// CPU time (user + system) a process has used so far, in ms; 0 when it is gone.
double cpuMs(pid_t pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close_paren = text.rfind(')');
  if (close_paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(close_paren + 2));
  std::string f;
  double ticks = 0;
  // Fields from the state (3rd): utime is the 14th, stime the 15th.
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(f);
  }
  return ticks * 1000.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// The processes whose CPU a run accounts for.
struct Pids {
  pid_t ours_envoy = 0, serve = 0, supervisor = 0, minimal_envoy = 0;
};

Json cpuSnapshot(const Pids& p) {
  return {{"ours_envoy", cpuMs(p.ours_envoy)},
          {"serve", cpuMs(p.serve)},
          {"supervisor", cpuMs(p.supervisor)},
          {"minimal_envoy", cpuMs(p.minimal_envoy)},
          {"bench", cpuMs(::getpid())}};
}

Json cpuDelta(const Json& before, const Json& after) {
  Json d = Json::object();
  for (const auto& [k, v] : after.items()) d[k] = v.get<double>() - before[k].get<double>();
  return d;
}

// serve with the certificate uploaded and the one TLS rule; the listener port in *tls_port.
bool startOurs(Installation& inst, const tls::SelfSigned& cert, const HttpBackend& backend,
               int* tls_port, Json& res) {
  inst.env()["JWT_SECRET"] = testing::kTestJwtSecret;
  // No ACME: a user certificate covers the name. HTTP_PORT only keeps serve off port 80 (no rule
  // here redirects, so it does not listen).
  inst.env()["HTTP_PORT"] = std::to_string(testing::freeLoopbackPort());
  if (inst.startServeAndWaitReady(std::chrono::seconds(60)) == 0) {
    res["error"] = "serve did not become ready";
    std::cerr << inst.serveLog() << "\n";
    return false;
  }
  ApiClient api(inst.apiPort());
  if (!api.waitHealthy()) {
    res["error"] = "serve not healthy";
    return false;
  }
  auto check = [&](const char* what, const StatusOr<HttpResponse>& r, long want) {
    if (r.ok() && r->status == want) return true;
    res["error"] = std::string(what) + ": " +
                   (r.ok() ? std::to_string(r->status) + " " + r->body : r.status().toString());
    return false;
  };
  if (!check("PUT /instances/vm", api.call("PUT", "/instances/vm", Json{{"ip", backend.address()}}),
             200)) {
    return false;
  }
  if (!check("PUT /certificates/bench",
             api.call("PUT", "/certificates/bench",
                      Json{{"certificate", cert.chain_pem}, {"private_key", cert.key_pem}}),
             200)) {
    return false;
  }
  *tls_port = testing::freeLoopbackPort();
  const Json rule = {{"match", {{"hostname", kHost}, {"port", *tls_port}}},
                     {"target", {{"instance", "vm"}, {"port", backend.port()}}},
                     {"tls", true}};
  if (!check(
          "POST /ingresses",
          api.call("POST", "/ingresses", Json{{"name", "bench"}, {"rules", Json::array({rule})}}),
          201)) {
    return false;
  }
  // Envoy serves the uploaded certificate for the name.
  const std::string serial = tls::inspectCertificate(cert.chain_pem)->serial;
  std::string served;
  if (!testing::pollUntil(
          [&] {
            auto s = testing::servedSerial(*tls_port, kHost);
            served = s.ok() ? *s : s.status().toString();
            return s.ok() && *s == serial;
          },
          std::chrono::seconds(20), std::chrono::milliseconds(50))) {
    res["error"] = "ours does not serve the uploaded certificate: " + served;
    return false;
  }
  return true;
}

// Stats of an Envoy that would explain a difference: limited connections, 4xx/5xx, overload,
// handshakes, and the upstream connections it opened for its requests.
Json envoyStats(const envoy::AdminClient& admin) {
  auto s = admin.statsMatching(
      "(connection_limit\\..*limited_connections|downstream_rq_[45]xx|downstream_cx_overload_"
      "reject|ssl\\.handshake|ssl\\.connection_error|downstream_cx_total|upstream_cx_total|"
      "upstream_rq_total|upstream_cx_destroy_local|upstream_cx_destroy_remote|"
      "upstream_cx_max_requests|upstream_cx_idle_timeout)$");
  Json j = Json::object();
  if (s.ok()) {
    for (const auto& [k, v] : *s) {
      if (k.find("admin") == std::string::npos && v != "0") j[k] = v;
    }
  }
  return j;
}

// Reads ours' listener (lds.json) and bootstrap for the diagnostic variants.
OursPieces oursPieces(const Installation& inst) {
  OursPieces p;
  p.data_dir = inst.dataDir();
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return Json::parse(text, nullptr, false);
  };
  const Json lds = read(inst.paths().xds_dir + "/lds.json");
  if (lds.is_object() && lds.contains("resources")) {
    for (const auto& l : lds["resources"]) {
      if (!l.contains("filter_chains") || !l.contains("listener_filters")) continue;  // TLS only
      const Json& filters = l["filter_chains"][0]["filters"];
      p.connection_limit = filters[0];
      p.hcm = filters[1]["typed_config"];
      p.buffer_limit = l.value("per_connection_buffer_limit_bytes", Json(32768));
      p.listener = l;
      p.port = l["address"]["socket_address"].value("port_value", 0);
    }
  }
  const Json cds = read(inst.paths().xds_dir + "/cds.json");
  if (cds.is_object() && cds.contains("resources")) {
    for (const auto& c : cds["resources"]) {
      if (c.value("name", "").rfind("target_", 0) == 0) p.cluster = c;
    }
  }
  auto dump = inst.admin().get("/config_dump?resource=dynamic_route_configs");
  if (dump.ok()) {
    Json d = Json::parse(*dump, nullptr, false);
    if (d.is_object()) {
      for (const auto& rc : d.value("configs", Json::array())) {
        Json r = rc.value("route_config", Json());
        if (r.is_object() && r.value("name", "") == p.listener.value("name", "-")) {
          r.erase("@type");
          p.route_config = r;
        }
      }
    }
  }
  const Json bootstrap = read(inst.paths().bootstrap);
  if (bootstrap.is_object()) p.overload = bootstrap.value("overload_manager", Json::object());
  return p;
}

Json runThroughput(const Options& o, bool* ok) {
  Json res;
  auto cert = tls::makeSelfSigned(kHost, std::chrono::system_clock::now(), std::chrono::hours(24));
  if (!cert.ok()) {
    res["error"] = "makeSelfSigned: " + cert.status().toString();
    *ok = false;
    return res;
  }
  HttpBackend backend("backend", "127.0.0.2");
  Installation inst;
  int ours_port = 0;
  if (!startOurs(inst, *cert, backend, &ours_port, res)) {
    *ok = false;
    return res;
  }
  const std::vector<std::string> ours_argv = commandLine(inst.envoyPid());
  const std::vector<std::string> flags = dataPathFlags(ours_argv);
  // The minimal Envoy, then one per diagnostic variant (--variants).
  std::vector<std::unique_ptr<MinimalEnvoy>> minimals;
  const OursPieces pieces = oursPieces(inst);
  std::vector<std::string> minimal_names = {""};
  minimal_names.insert(minimal_names.end(), o.variants.begin(), o.variants.end());
  for (const std::string& v : minimal_names) {
    minimals.push_back(std::make_unique<MinimalEnvoy>(*cert, backend, flags, v, pieces));
    if (!minimals.back()->ready()) {
      res["error"] = "the minimal Envoy (" + (v.empty() ? "plain" : v) + ") did not become ready";
      std::cerr << minimals.back()->log() << "\n";
      *ok = false;
      return res;
    }
  }
  struct Target {
    std::string name;
    int port;
    pid_t pid;
    envoy::AdminClient admin;
  };
  std::vector<Target> targets = {{"ours", ours_port, inst.envoyPid(), inst.admin()}};
  for (size_t k = 0; k < minimals.size(); ++k) {
    targets.push_back({minimal_names[k].empty() ? "minimal" : "minimal+" + minimal_names[k],
                       minimals[k]->port(), minimals[k]->pid(), minimals[k]->admin()});
  }
  const size_t n = targets.size();
  res["envoy"] = {{"flags_copied", flags}, {"cores", std::thread::hardware_concurrency()}};
  for (const auto& t : targets) {
    res["envoy"][t.name + "_concurrency"] = envoyConcurrency(t.admin);
    res["connection"][t.name] = probeConnection(t.port);
  }
  std::cerr << "tls_bench: " << dumpJson(res["envoy"]) << "\n  " << dumpJson(res["connection"])
            << "\n";

  // The backend alone (plain keep-alive, the same client and connection count).
  LoadResult direct = runLoad({.port = backend.port(),
                               .tls = false,
                               .close_each = false,
                               .clients = o.ka_clients,
                               .seconds = o.seconds,
                               .address = backend.address()});
  res["backend_direct"] = resultJson(direct);
  std::cerr << "  backend alone: " << dumpJson(res["backend_direct"]) << "\n";
  const double warm = o.smoke ? 0.5 : 2;
  for (const auto& t : targets) {
    (void)runLoad({.port = t.port,
                   .tls = true,
                   .close_each = false,
                   .clients = o.ka_clients,
                   .seconds = warm});
  }

  Json rounds = Json::array();
  std::vector<std::vector<double>> hs(n), ka(n), hs_cpu(n), ka_cpu(n);
  std::vector<double> hs_ratio, ka_ratio;  // ours / minimal per round
  for (int r = 0; r < o.rounds; ++r) {
    // The order rotates every round: A B, B A, ... for two targets.
    std::vector<size_t> order(n);
    for (size_t k = 0; k < n; ++k) order[k] = (static_cast<size_t>(r) + k) % n;
    std::string order_text;
    for (size_t i : order) order_text += (order_text.empty() ? "" : ",") + targets[i].name;
    Json round = {{"round", r + 1}, {"order", order_text}};
    for (bool close_each : {true, false}) {
      std::vector<double> rate(n, 0);
      for (size_t i : order) {
        const Pids pids{inst.envoyPid(), inst.servePid(), inst.supervisorPid(), targets[i].pid};
        const Json cpu0 = cpuSnapshot(pids);
        // Half-way through, how the target's workers share the connections.
        Json workers;
        std::thread sampler([&] {
          std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds / 2));
          auto s =
              targets[i].admin.statsMatching("^listener\\..*worker_[0-9]+\\.downstream_cx_active$");
          if (!s.ok()) return;
          for (const auto& [k, v] : *s) {
            if (k.find("admin") == std::string::npos) workers[k.substr(k.find("worker_"))] = v;
          }
        });
        LoadResult lr = runLoad({.port = targets[i].port,
                                 .tls = true,
                                 .close_each = close_each,
                                 .clients = close_each ? o.hs_clients : o.ka_clients,
                                 .seconds = o.seconds});
        sampler.join();
        rate[i] = lr.perSecond();
        if (lr.ok == 0) *ok = false;
        Json rj = resultJson(lr);
        // CPU ms of each process during the run ("target_envoy": the Envoy under load), and
        // that Envoy's CPU µs per request.
        Json cpu = cpuDelta(cpu0, cpuSnapshot(pids));
        cpu["target_envoy"] = cpu["minimal_envoy"];
        cpu.erase("minimal_envoy");
        if (i == 0) cpu.erase("ours_envoy");
        rj["cpu_ms"] = cpu;
        rj["envoy_cpu_us_per_request"] =
            lr.ok > 0 ? cpu["target_envoy"].get<double>() * 1000 / static_cast<double>(lr.ok) : 0;
        rj["active_connections_by_worker_mid_run"] = workers;
        (close_each ? hs_cpu : ka_cpu)[i].push_back(rj["envoy_cpu_us_per_request"]);
        (close_each ? hs : ka)[i].push_back(rate[i]);
        round[targets[i].name][close_each ? "handshakes" : "keepalive"] = std::move(rj);
      }
      const double ratio = rate[1] > 0 ? rate[0] / rate[1] : 0;
      (close_each ? hs_ratio : ka_ratio).push_back(ratio);
      round[close_each ? "handshakes_ratio" : "keepalive_ratio"] = ratio;
    }
    std::cerr << "  round " << r + 1 << " (" << order_text << "): handshakes/s";
    for (size_t i = 0; i < n; ++i) std::cerr << " " << targets[i].name << " " << hs[i].back();
    std::cerr << "; req/s";
    for (size_t i = 0; i < n; ++i) std::cerr << " " << targets[i].name << " " << ka[i].back();
    std::cerr << "\n";
    rounds.push_back(std::move(round));
  }
  res["rounds"] = std::move(rounds);
  auto ratioOf = [](double a, double b) { return b > 0 ? a / b : 0; };
  res["targets"] = Json::array();
  for (size_t i = 0; i < n; ++i) {
    res["targets"].push_back({{"name", targets[i].name},
                              {"handshakes_per_s", median(hs[i])},
                              {"requests_per_s", median(ka[i])},
                              {"handshakes_vs_minimal", ratioOf(median(hs[i]), median(hs[1]))},
                              {"requests_vs_minimal", ratioOf(median(ka[i]), median(ka[1]))},
                              {"envoy_cpu_us_per_handshake", median(hs_cpu[i])},
                              {"envoy_cpu_us_per_request", median(ka_cpu[i])}});
  }
  res["ratios"] = {{"handshakes", ratioOf(median(hs[0]), median(hs[1]))},
                   {"requests", ratioOf(median(ka[0]), median(ka[1]))},
                   {"handshakes_median_of_rounds", median(hs_ratio)},
                   {"requests_median_of_rounds", median(ka_ratio)}};
  for (const auto& t : targets) res["stats"][t.name] = envoyStats(t.admin);
  res["backend_requests"] = backend.requests();
  return res;
}

// ---------------------------------------------------------------------------------------------
// Part 2: POST of a TLS rule → the first verified HTTPS response, with Pebble.

// The wall time of a serve log line's "time" ("2025-01-02T03:04:05.678Z").
std::optional<std::chrono::system_clock::time_point> logTime(const Json& line) {
  const std::string t = line.value("time", "");
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(t.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(::timegm(&tm)) + std::chrono::milliseconds(ms);
}

// From serve's log: ms after `posted` at which the certificate manager logged "ordering a
// certificate" and "certificate active" for `host` (-1 when absent).
Json timeline(const std::string& log, const std::string& host,
              std::chrono::system_clock::time_point posted) {
  Json out = {{"ordering_ms", -1}, {"active_ms", -1}};
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("\"hostname\":\"" + host + "\"") == std::string::npos) continue;
    Json j = Json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    const std::string msg = j.value("msg", "");
    const char* key = msg == "ordering a certificate" ? "ordering_ms"
                      : msg == "certificate active"   ? "active_ms"
                                                      : nullptr;
    auto at = logTime(j);
    if (key == nullptr || !at || out[key].get<double>() >= 0) continue;
    out[key] = std::chrono::duration<double, std::milli>(*at - posted).count();
  }
  return out;
}

Json runPostToHttps(const Options& o, bool* ok) {
  Json res;
  testing::TempDir tmp;
  HttpBackend backend("backend", "127.0.0.2");
  const int http_port = testing::freeLoopbackPort();
  const int tls_port = testing::freeLoopbackPort();
  testing::PebbleOptions po;
  po.http_port = http_port;
  testing::Pebble pebble(po);
  if (!pebble.ready()) {
    res["error"] = "pebble did not start";
    std::cerr << pebble.logs() << "\n";
    *ok = false;
    return res;
  }
  const std::string root_file = tmp.file("root.pem");
  std::ofstream(root_file) << pebble.rootCertificatePem();
  Installation inst;
  auto& env = inst.env();
  env["JWT_SECRET"] = testing::kTestJwtSecret;
  env["ACME_DIRECTORY_URL"] = pebble.directoryUrl();
  env["ACME_CA_BUNDLE"] = pebble.caBundlePath();
  env["ACME_EMAIL"] = "ops@example.test";
  env["TLS_ALLOWED_DOMAINS"] = "*";
  env["HTTP_PORT"] = std::to_string(http_port);
  if (inst.startServeAndWaitReady(std::chrono::seconds(60)) == 0) {
    res["error"] = "serve did not become ready";
    std::cerr << inst.serveLog() << "\n";
    *ok = false;
    return res;
  }
  ApiClient api(inst.apiPort());
  auto put = api.call("PUT", "/instances/vm", Json{{"ip", backend.address()}});
  if (!api.waitHealthy() || !put.ok() || put->status != 200) {
    res["error"] = "serve not healthy or PUT /instances failed";
    *ok = false;
    return res;
  }
  std::vector<double> total_ms, created_ms, ordering_ms, active_ms;
  Json samples = Json::array();
  // serve's certificate manager looks for new TLS rules once a second (and 10 ms after an order
  // completes). Back-to-back samples would POST right after the previous order, inside that
  // 10 ms look, and never see the wait for the next look; a random pause of 0.2–1.2 s before each
  // POST puts it at a uniformly random point of the manager's period, as a real client's would be.
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> gap_ms(200, 1200);
  for (int i = 0; i < o.posts; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(gap_ms(rng)));
    const std::string host = "n" + std::to_string(i) + ".example.test";
    const Json rule = {{"match", {{"hostname", host}, {"port", tls_port}}},
                       {"target", {{"instance", "vm"}, {"port", backend.port()}}},
                       {"tls", true}};
    const auto t0 = Clk::now();
    const auto posted = std::chrono::system_clock::now();
    auto created =
        api.call("POST", "/ingresses",
                 Json{{"name", "n" + std::to_string(i)}, {"rules", Json::array({rule})}});
    const double created_at = msSince(t0);
    if (!created.ok() || created->status != 201) {
      res["error"] = "POST " + host + ": " +
                     (created.ok() ? std::to_string(created->status) + " " + created->body
                                   : created.status().toString());
      *ok = false;
      break;
    }
    int polls = 0;
    std::string last;
    const bool served = testing::pollUntil(
        [&] {
          ++polls;
          testing::TlsSession s({.port = tls_port, .ca_file = root_file, .timeout_ms = 2000});
          auto r = s.get(host, "/");
          last = r.ok() ? std::to_string(r->status) : r.status().toString();
          return r.ok() && r->status == 200;
        },
        std::chrono::seconds(60), std::chrono::milliseconds(10));
    const double ms = msSince(t0);
    samples.push_back({{"host", host},
                       {"post_201_ms", created_at},
                       {"https_ms", served ? Json(ms) : Json(nullptr)},
                       {"polls", polls},
                       {"serve_log", timeline(inst.currentServeLog(), host, posted)}});
    if (!served) {
      res["error"] = host + " not served with a verified certificate within 60 s: " + last;
      std::cerr << inst.currentServeLog() << "\n";
      *ok = false;
      break;
    }
    total_ms.push_back(ms);
    created_ms.push_back(created_at);
    const Json& tl = samples.back()["serve_log"];
    ordering_ms.push_back(tl["ordering_ms"].get<double>());
    active_ms.push_back(tl["active_ms"].get<double>());
    std::cerr << "  " << host << ": 201 after " << created_at << " ms, verified HTTPS 200 after "
              << ms << " ms\n";
  }
  res["samples"] = std::move(samples);
  res["post_to_https_ms"] = {{"p50", percentile(total_ms, 50)},
                             {"p90", percentile(total_ms, 90)},
                             {"max", percentile(total_ms, 100)},
                             {"min", percentile(total_ms, 0)},
                             {"n", total_ms.size()}};
  res["post_to_201_ms_p50"] = percentile(created_ms, 50);
  // Where the time goes (serve's log, ms resolution): POST → the manager starts the order,
  // → the certificate is active (issued and taken by Envoy).
  res["post_to_ordering_ms_p50"] = percentile(ordering_ms, 50);
  res["post_to_active_ms_p50"] = percentile(active_ms, 50);
  return res;
}

// ---------------------------------------------------------------------------------------------

std::string fmt(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string markdown(const Json& all) {
  std::ostringstream md;
  if (all.contains("throughput")) {
    const Json& t = all["throughput"];
    if (t.contains("error")) {
      md << "throughput: error: " << t["error"].get<std::string>() << "\n\n";
    } else {
      const Json& r = t["ratios"];
      md << "| target | handshakes/s (median) | vs minimal | HTTPS req/s keep-alive (median) | vs "
            "minimal | Envoy CPU µs per handshake / per request "
            "|\n|---|---:|---:|---:|---:|---:|\n";
      for (const auto& tg : t["targets"]) {
        const std::string name = tg["name"].get<std::string>();
        const bool ours = name == "ours";
        const char* b = ours ? "**" : "";
        md << "| " << (ours ? "ours (ingressd)" : name) << " | " << fmt(tg["handshakes_per_s"])
           << " | " << b << fmt(tg["handshakes_vs_minimal"], 3) << b << " | "
           << fmt(tg["requests_per_s"]) << " | " << b << fmt(tg["requests_vs_minimal"], 3) << b
           << " | " << fmt(tg["envoy_cpu_us_per_handshake"]) << " / "
           << fmt(tg["envoy_cpu_us_per_request"]) << " |\n";
      }
      md << "\nRatio ours / minimal: handshakes " << fmt(r["handshakes"], 3) << ", requests "
         << fmt(r["requests"], 3) << " (of the medians); median of the per-round ratios: "
         << fmt(r["handshakes_median_of_rounds"], 3) << " and "
         << fmt(r["requests_median_of_rounds"], 3) << ".\n\n";
      md << "| round | target | handshakes/s | req/s | failed | connections per worker "
            "(keep-alive, mid-run) |\n|---:|---|---:|---:|---:|---|\n";
      for (const auto& rd : t["rounds"]) {
        for (const auto& tg : t["targets"]) {
          const std::string name = tg["name"].get<std::string>();
          if (!rd.contains(name)) continue;
          const Json& x = rd[name];
          std::string workers;
          for (const auto& [k, v] :
               x["keepalive"]["active_connections_by_worker_mid_run"].items()) {
            workers += (workers.empty() ? "" : ", ") + k + " " + v.get<std::string>();
          }
          md << "| " << rd["round"].get<int>() << " | " << name << " | "
             << fmt(x["handshakes"]["per_s"]) << " | " << fmt(x["keepalive"]["per_s"]) << " | "
             << x["handshakes"]["failed"].get<uint64_t>() + x["keepalive"]["failed"].get<uint64_t>()
             << " | " << workers << " |\n";
        }
      }
      const Json& c = t["connection"]["ours"];
      md << "\nBackend alone (plain HTTP keep-alive, same client): "
         << fmt(t["backend_direct"]["per_s"]) << " req/s. Envoy workers: ours "
         << t["envoy"]["ours_concurrency"].get<int>() << ", minimal "
         << t["envoy"]["minimal_concurrency"].get<int>()
         << ". Negotiated: " << c.value("version", "?") << " " << c.value("cipher", "?") << " "
         << c.value("group", "?") << ", ALPN " << c.value("alpn", "?") << ".\n\n";
    }
  }
  if (all.contains("post_to_https")) {
    const Json& p = all["post_to_https"];
    if (p.contains("error")) md << "POST → HTTPS: error: " << p["error"].get<std::string>() << "\n";
    if (p.contains("post_to_https_ms")) {
      const Json& q = p["post_to_https_ms"];
      md << "| POST → verified HTTPS 200 | n | p50 ms | p90 ms | max ms | min ms | p50 POST → "
            "201 | p50 POST → order starts | p50 POST → certificate active |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
         << "| Pebble, HTTP-01 | " << q["n"].get<int>() << " | " << fmt(q["p50"]) << " | "
         << fmt(q["p90"]) << " | " << fmt(q["max"]) << " | " << fmt(q["min"]) << " | "
         << fmt(p["post_to_201_ms_p50"]) << " | " << fmt(p["post_to_ordering_ms_p50"]) << " | "
         << fmt(p["post_to_active_ms_p50"]) << " |\n";
    }
  }
  return md.str();
}

int run(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string { return i + 1 < argc ? argv[++i] : "0"; };
    if (a == "--rounds")
      o.rounds = std::max(1, std::stoi(val()));
    else if (a == "--seconds")
      o.seconds = std::max(0.2, std::stod(val()));
    else if (a == "--hs-clients")
      o.hs_clients = std::max(1, std::stoi(val()));
    else if (a == "--ka-clients")
      o.ka_clients = std::max(1, std::stoi(val()));
    else if (a == "--posts")
      o.posts = std::max(1, std::stoi(val()));
    else if (a == "--no-load")
      o.load = false;
    else if (a == "--no-acme")
      o.acme = false;
    else if (a == "--json")
      o.json_path = val();
    else if (a == "--md")
      o.md_path = val();
    else if (a == "--smoke")
      o.smoke = true;
    else if (a == "--variants") {
      std::stringstream ss(val());
      std::string v;
      while (std::getline(ss, v, ',')) {
        if (!v.empty()) o.variants.push_back(v);
      }
    } else {
      std::cerr << "usage: tls_bench [--rounds 5] [--seconds 5] [--hs-clients 4] [--ka-clients 8] "
                   "[--posts 10] [--no-load] [--no-acme] [--json FILE] [--md FILE] [--smoke] "
                   "[--variants no_reuse_port,exact_balance,sni,hcm,limits,overload,sni+hcm]\n";
      return 2;
    }
  }
  if (o.smoke) {
    o.rounds = 1;
    o.seconds = 1;
    o.posts = 2;
  }
  ::signal(SIGPIPE, SIG_IGN);
  initHttpClientGlobal();
  OPENSSL_init_ssl(0, nullptr);

  bool ok = true;
  Json all = {{"options",
               {{"rounds", o.rounds},
                {"seconds", o.seconds},
                {"hs_clients", o.hs_clients},
                {"ka_clients", o.ka_clients},
                {"posts", o.posts},
                {"smoke", o.smoke}}},
              {"machine", {{"cores", std::thread::hardware_concurrency()}}}};
  if (o.load) {
    std::cerr << "tls_bench: throughput, ours beside minimal (" << o.rounds << " rounds of "
              << o.seconds << " s per target and load)\n";
    all["throughput"] = runThroughput(o, &ok);
  }
  if (o.acme) {
    std::cerr << "tls_bench: POST → verified HTTPS with Pebble (" << o.posts << " rules)\n";
    all["post_to_https"] = runPostToHttps(o, &ok);
  }
  const std::string md = markdown(all);
  std::cout << md;
  if (!o.json_path.empty()) std::ofstream(o.json_path) << all.dump(2) << "\n";
  if (!o.md_path.empty()) std::ofstream(o.md_path) << md;
  if (all.contains("throughput") && all["throughput"].contains("ratios")) {
    for (const char* k : {"handshakes", "requests"}) {
      const double r = all["throughput"]["ratios"][k].get<double>();
      if (r < 0.95) {
        std::cerr << "NOTE: " << k << " ratio ours/minimal " << r << " is below the issue's 0.95"
                  << (o.smoke ? " (smoke: 1 s runs, not meaningful)" : "") << "\n";
      }
    }
  }
  if (!ok) std::cerr << "FAILED: a phase errored (see the JSON / stderr)\n";
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace ingress::bench

int main(int argc, char** argv) { return ingress::bench::run(argc, argv); }

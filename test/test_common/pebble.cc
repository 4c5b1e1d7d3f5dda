#include "test_common/pebble.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>

#include "common/http_client.h"
#include "common/json.h"
#include "common/process.h"

namespace ingress::testing {
namespace {

ProcessLauncherImpl& launcher() {
  static ProcessLauncherImpl l;
  return l;
}

bool run(const std::vector<std::string>& argv) {
  StatusOr<RunResult> r = launcher().run(argv, std::chrono::seconds(30));
  if (!r.ok() || !r->status.exited || r->status.code != 0) {
    ADD_FAILURE() << argv[0] << " " << (argv.size() > 1 ? argv[1] : "")
                  << " failed: " << (r.ok() ? r->output : r.status().toString());
    return false;
  }
  return true;
}

void stop(pid_t pid) {
  if (pid <= 0) return;
  (void)launcher().signal(pid, SIGTERM);
  auto done = launcher().waitChild(pid, std::chrono::seconds(5));
  if (!done.ok() || !done->has_value()) {
    (void)launcher().signal(pid, SIGKILL);
    (void)launcher().waitChild(pid, std::chrono::seconds(5));
  }
}

std::string readAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

Pebble::Pebble(PebbleOptions options) : options_(std::move(options)) {
  acme_port_ = freeLoopbackPort();
  management_port_ = freeLoopbackPort();
  tls_port_ = freeLoopbackPort();
  dns_port_ = freeLoopbackPort();
  challtestsrv_port_ = freeLoopbackPort();
  const std::string d = dir_.path();
  // Pebble's listener: a throwaway CA and a localhost/127.0.0.1 certificate.
  std::ofstream(d + "/ext.cnf") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
  if (!run({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-keyout", d + "/listener-ca.key", "-out",
            d + "/listener-ca.pem", "-days", "2", "-subj",
            "/CN=ingress test pebble listener CA"}) ||
      !run({"/usr/bin/openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", d + "/key.pem", "-out", d + "/cert.csr", "-subj",
            "/CN=localhost"}) ||
      !run({"/usr/bin/openssl", "x509", "-req", "-in", d + "/cert.csr", "-CA",
            d + "/listener-ca.pem", "-CAkey", d + "/listener-ca.key", "-CAcreateserial", "-out",
            d + "/cert.pem", "-days", "2", "-extfile", d + "/ext.cnf"})) {
    return;
  }
  Json config{{"listenAddress", "127.0.0.1:" + std::to_string(acme_port_)},
              {"managementListenAddress", "127.0.0.1:" + std::to_string(management_port_)},
              {"certificate", d + "/cert.pem"},
              {"privateKey", d + "/key.pem"},
              {"httpPort", options_.http_port},
              {"tlsPort", tls_port_},
              {"ocspResponderURL", ""},
              {"externalAccountBindingRequired", false}};
  if (options_.certificate_validity_seconds > 0) {
    config["certificateValidityPeriod"] = options_.certificate_validity_seconds;
  }
  if (!options_.domain_blocklist.empty()) config["domainBlocklist"] = options_.domain_blocklist;
  std::ofstream(d + "/pebble.json") << Json{{"pebble", config}}.dump(2);

  SpawnOptions cts;
  cts.argv = {"/usr/bin/pebble-challtestsrv",
              "-dns01",
              "127.0.0.1:" + std::to_string(dns_port_),
              "-management",
              "127.0.0.1:" + std::to_string(challtestsrv_port_),
              "-http01",
              "",
              "-https01",
              "",
              "-tlsalpn01",
              "",
              "-defaultIPv4",
              "127.0.0.1",
              "-defaultIPv6",
              ""};
  cts.stdout_path = d + "/challtestsrv.log";
  StatusOr<pid_t> c = launcher().spawn(cts);
  if (!c.ok()) {
    ADD_FAILURE() << "starting pebble-challtestsrv: " << c.status().toString();
    return;
  }
  challtestsrv_pid_ = *c;

  SpawnOptions peb;
  peb.argv = {"/usr/bin/pebble", "-config",    d + "/pebble.json",
              "-strict",         "-dnsserver", "127.0.0.1:" + std::to_string(dns_port_)};
  peb.extra_env = {"PEBBLE_VA_NOSLEEP=1",
                   "PEBBLE_WFE_NONCEREJECT=" + std::to_string(options_.nonce_reject_percent),
                   "PEBBLE_AUTHZREUSE=" + std::to_string(options_.authz_reuse_percent)};
  peb.stdout_path = d + "/pebble.log";
  StatusOr<pid_t> p = launcher().spawn(peb);
  if (!p.ok()) {
    ADD_FAILURE() << "starting pebble: " << p.status().toString();
    return;
  }
  pebble_pid_ = *p;

  ready_ = pollUntil(
      [&] {
        HttpRequest dir;
        dir.url = directoryUrl();
        dir.ca_bundle = caBundlePath();
        StatusOr<HttpResponse> r = httpCall(dir);
        HttpRequest mgmt;
        mgmt.url = challtestsrvUrl() + "/clear-txt";
        mgmt.method = "POST";
        mgmt.body = R"({"host":"ready.test."})";
        StatusOr<HttpResponse> m = httpCall(mgmt);
        return r.ok() && r->status == 200 && m.ok() && m->status == 200;
      },
      std::chrono::seconds(15), std::chrono::milliseconds(50));
  if (!ready_) ADD_FAILURE() << "Pebble did not become ready:\n" << logs();
}

Pebble::~Pebble() {
  stop(pebble_pid_);
  stop(challtestsrv_pid_);
}

std::string Pebble::directoryUrl() const {
  return "https://127.0.0.1:" + std::to_string(acme_port_) + "/dir";
}

std::string Pebble::rootCertificatePem() const {
  HttpRequest r;
  r.url = "https://127.0.0.1:" + std::to_string(management_port_) + "/roots/0";
  r.ca_bundle = caBundlePath();
  StatusOr<HttpResponse> a = httpCall(r);
  if (!a.ok() || a->status != 200) return {};
  return a->body;
}

std::string Pebble::challtestsrvUrl() const {
  return "http://127.0.0.1:" + std::to_string(challtestsrv_port_);
}

std::string Pebble::dnsAddress() const { return "127.0.0.1:" + std::to_string(dns_port_); }

Status Pebble::setTxt(const std::string& fqdn, const std::string& value) const {
  HttpRequest r;
  r.method = "POST";
  r.url = challtestsrvUrl() + "/set-txt";
  r.body = Json{{"host", fqdn.ends_with('.') ? fqdn : fqdn + "."}, {"value", value}}.dump();
  StatusOr<HttpResponse> a = httpCall(r);
  if (!a.ok()) return a.status();
  return a->status == 200 ? okStatus()
                          : internalError("set-txt: HTTP " + std::to_string(a->status));
}

Status Pebble::clearTxt(const std::string& fqdn) const {
  HttpRequest r;
  r.method = "POST";
  r.url = challtestsrvUrl() + "/clear-txt";
  r.body = Json{{"host", fqdn.ends_with('.') ? fqdn : fqdn + "."}}.dump();
  StatusOr<HttpResponse> a = httpCall(r);
  if (!a.ok()) return a.status();
  return a->status == 200 ? okStatus()
                          : internalError("clear-txt: HTTP " + std::to_string(a->status));
}

std::string Pebble::logs() const {
  return "--- pebble ---\n" + readAll(dir_.file("pebble.log")) + "--- challtestsrv ---\n" +
         readAll(dir_.file("challtestsrv.log"));
}

}  // namespace ingress::testing

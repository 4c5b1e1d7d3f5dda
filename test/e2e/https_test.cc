// HTTPS end to end: `ingressd serve` with the real Envoy and Debian's real Pebble (ACME test CA)
// and pebble-challtestsrv (its DNS), everything on loopback. Certificates come through HTTP-01
// answered via Envoy's plain port, and through DNS-01 with an exec hook; clients verify the
// chain against Pebble's root. Renewal, restarts, user uploads, nonce rejection and refused
// names are checked from the outside: the API's answers, what Envoy serves, Envoy's stats and
// the daemon's log.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>

#include "e2e/api_client.h"
#include "integration/installation.h"
#include "test_common/http_backend.h"
#include "test_common/pebble.h"
#include "test_common/tls_client.h"
#include "tls/x509.h"

namespace ingress::testing {
namespace {

using std::chrono::seconds;

size_t countOf(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

class HttpsTest : public ::testing::Test {
 protected:
  void startAll(PebbleOptions pebble_options = {}) {
    http_port_ = freeLoopbackPort();
    tls_port_ = freeLoopbackPort();
    pebble_options.http_port = http_port_;
    pebble_ = std::make_unique<Pebble>(pebble_options);
    ASSERT_TRUE(pebble_->ready()) << pebble_->logs();
    // Pebble's issuing root, for clients to verify with.
    root_file_ = tmp_.file("root.pem");
    std::ofstream(root_file_) << pebble_->rootCertificatePem();
    // The DNS-01 hook: publishes the TXT record through challtestsrv.
    const std::string hook = tmp_.file("dns-hook.sh");
    std::ofstream(hook)
        << "#!/bin/sh\n"
           "set -e\n"
           "url="
        << pebble_->challtestsrvUrl()
        << "\n"
           "case \"$1\" in\n"
           "  present) curl -sf -d \"{\\\"host\\\":\\\"$2.\\\",\\\"value\\\":\\\"$3\\\"}\" "
           "\"$url/set-txt\" ;;\n"
           "  cleanup) curl -sf -d \"{\\\"host\\\":\\\"$2.\\\"}\" \"$url/clear-txt\" ;;\n"
           "esac\n";
    ::chmod(hook.c_str(), 0755);
    auto& env = inst_.env();
    env["JWT_SECRET"] = kTestJwtSecret;
    env["ACME_DIRECTORY_URL"] = pebble_->directoryUrl();
    env["ACME_CA_BUNDLE"] = pebble_->caBundlePath();
    env["ACME_EMAIL"] = "ops@example.test";
    env["TLS_ALLOWED_DOMAINS"] = "*";
    env["HTTP_PORT"] = std::to_string(http_port_);
    env["ACME_DNS_PROVIDER"] = "exec";
    env["ACME_DNS_HOOK"] = hook;
    env["DNS_RESOLVERS"] = pebble_->dnsAddress();
    env["DNS_PROPAGATION_TIMEOUT"] = "20";
    startServe();
  }

  void startServe() {
    ASSERT_NE(inst_.startServeAndWaitReady(), 0) << inst_.serveLog();
    api_ = std::make_unique<ApiClient>(inst_.apiPort());
    ASSERT_TRUE(api_->waitHealthy()) << inst_.serveLog();
    auto r = api_->call("PUT", "/instances/vm", Json{{"ip", backend_.address()}});
    ASSERT_TRUE(r.ok() && r->status == 200);
  }

  Json tlsRule(const std::string& host, bool redirect = false) {
    Json rule = {{"match", {{"hostname", host}, {"port", tls_port_}}},
                 {"target", {{"instance", "vm"}, {"port", backend_.port()}}},
                 {"tls", true},
                 {"redirect_http", redirect}};
    return rule;
  }

  StatusOr<HttpResponse> create(const std::string& name, const Json& rule) {
    return api_->call("POST", "/ingresses", Json{{"name", name}, {"rules", Json::array({rule})}});
  }

  // The certificate status of the ingress's first rule.
  Json certificateOf(const std::string& name) {
    auto r = api_->call("GET", "/ingresses/" + name);
    if (!r.ok() || r->status != 200) return {};
    Json j = Json::parse(r->body, nullptr, false);
    if (j.is_discarded()) return {};
    return j["rules"][0].value("certificate", Json());
  }

  // Polls until the first rule's certificate is active; returns its status.
  Json waitActive(const std::string& name, seconds timeout = seconds(60)) {
    Json cert;
    pollUntil(
        [&] {
          cert = certificateOf(name);
          return cert.is_object() && cert.value("state", "") == "active";
        },
        timeout, std::chrono::milliseconds(100));
    return cert;
  }

  TempDir tmp_;
  HttpBackend backend_{"backend", "127.0.0.2"};
  std::unique_ptr<Pebble> pebble_;
  Installation inst_;
  std::unique_ptr<ApiClient> api_;
  std::string root_file_;
  int http_port_ = 0;
  int tls_port_ = 0;
};

TEST_F(HttpsTest, Http01CertificateThroughEnvoyVerifiesAndTheRedirectSparesTheChallengePath) {
  startAll();
  auto created = create("api", tlsRule("api.example.test", /*redirect=*/true));
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->status, 201) << created->body;
  const Json cert = waitActive("api");
  ASSERT_EQ(cert.value("state", ""), "active") << cert.dump() << inst_.currentServeLog();
  EXPECT_EQ(cert.value("source", ""), "acme");
  ASSERT_FALSE(cert.value("serial", "").empty());

  // A verifying client, HTTP/1.1 and HTTP/2, gets the backend; the served serial is the API's.
  for (bool h2 : {false, true}) {
    TlsSession s({.port = tls_port_, .ca_file = root_file_, .http2 = h2});
    auto r = s.get("api.example.test", "/hello");
    ASSERT_TRUE(r.ok()) << r.status().toString();
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->body.rfind("backend ", 0), 0u) << r->body;
    EXPECT_EQ(r->serial, cert.value("serial", ""));
    EXPECT_EQ(r->http_version, h2 ? 2 : 11);
  }
  // Plain HTTP: 308 to https, keeping the path; the challenge path is not redirected.
  HttpRequest plain;
  plain.url = "http://127.0.0.1:" + std::to_string(http_port_) + "/some/path?q=1";
  plain.headers = {{"Host", "api.example.test"}};
  auto redirect = httpCall(plain);
  ASSERT_TRUE(redirect.ok());
  EXPECT_EQ(redirect->status, 308);
  EXPECT_EQ(redirect->header("location"),
            "https://api.example.test:" + std::to_string(tls_port_) + "/some/path?q=1");
  plain.url = "http://127.0.0.1:" + std::to_string(http_port_) +
              "/.well-known/acme-challenge/no-such-token";
  auto challenge = httpCall(plain);
  ASSERT_TRUE(challenge.ok());
  EXPECT_EQ(challenge->status, 404) << "answered by the daemon's responder, not redirected";
  // A client without SNI gets the default certificate: a handshake, not a reset.
  auto no_sni = servedSerial(tls_port_, "");
  ASSERT_TRUE(no_sni.ok()) << no_sni.status().toString();
  EXPECT_NE(*no_sni, cert.value("serial", ""));
  // One order for it.
  EXPECT_EQ(countOf(inst_.serveLog(), "\"msg\":\"ordering a certificate\""), 1u);
}

TEST_F(HttpsTest, WildcardRuleGetsItsCertificateThroughDns01) {
  startAll();
  auto created = create("wild", tlsRule("*.wild.example.test"));
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->status, 201) << created->body;
  const Json cert = waitActive("wild", seconds(90));
  ASSERT_EQ(cert.value("state", ""), "active") << cert.dump() << inst_.currentServeLog();
  TlsSession s({.port = tls_port_, .ca_file = root_file_});
  auto r = s.get("shop.wild.example.test", "/");
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->serial, cert.value("serial", ""));
}

TEST_F(HttpsTest, RenewalRotatesTheCertificateWithoutAListenerChangeOrADroppedConnection) {
  PebbleOptions o;
  o.certificate_validity_seconds = 60;  // renewed at two thirds: about 40 s after issuance
  startAll(o);
  ASSERT_EQ(create("api", tlsRule("api.example.test"))->status, 201);
  const Json first = waitActive("api");
  ASSERT_EQ(first.value("state", ""), "active") << first.dump();
  // Connections opened before the renewal.
  TlsSession h1({.port = tls_port_, .ca_file = root_file_});
  TlsSession h2({.port = tls_port_, .ca_file = root_file_, .http2 = true});
  ASSERT_EQ(h1.get("api.example.test")->status, 200);
  ASSERT_EQ(h2.get("api.example.test")->status, 200);
  auto admin = inst_.admin();
  const auto listeners_before = admin.statsMatching(
      "^listener_manager\\.listener_(modified|"
      "added|removed|create_success)$");
  ASSERT_TRUE(listeners_before.ok());
  Json second;
  ASSERT_TRUE(pollUntil(
      [&] {
        second = certificateOf("api");
        return second.value("state", "") == "active" &&
               second.value("serial", "") != first.value("serial", "");
      },
      seconds(90), std::chrono::milliseconds(200)))
      << second.dump() << inst_.currentServeLog();
  // Both old connections still work, on the same connection.
  for (TlsSession* s : {&h1, &h2}) {
    auto r = s->get("api.example.test");
    ASSERT_TRUE(r.ok()) << r.status().toString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->new_connections, 0) << "the connection was reused";
  }
  // A new connection sees the new serial.
  TlsSession fresh({.port = tls_port_, .ca_file = root_file_});
  auto r = fresh.get("api.example.test");
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->serial, second.value("serial", ""));
  // No listener was added, modified or removed.
  EXPECT_EQ(admin
                .statsMatching("^listener_manager\\.listener_(modified|added|removed|"
                               "create_success)$")
                .value(),
            *listeners_before);
}

TEST_F(HttpsTest, RejectedNoncesAreRetriedAndARefusedNameFailsClearlyWithOneOrder) {
  PebbleOptions o;
  o.nonce_reject_percent = 50;
  o.domain_blocklist = {"blocked.example.test"};
  startAll(o);
  ASSERT_EQ(create("api", tlsRule("api.example.test"))->status, 201);
  const Json ok = waitActive("api", seconds(90));
  EXPECT_EQ(ok.value("state", ""), "active") << ok.dump() << inst_.currentServeLog();
  ASSERT_EQ(create("blocked", tlsRule("blocked.example.test"))->status, 201);
  Json failed;
  ASSERT_TRUE(pollUntil(
      [&] {
        failed = certificateOf("blocked");
        return failed.value("state", "") == "failed";
      },
      seconds(60), std::chrono::milliseconds(100)))
      << failed.dump();
  EXPECT_NE(failed.value("last_error", "").find("blocked.example.test"), std::string::npos)
      << failed.dump();
  EXPECT_TRUE(failed.contains("last_error_at"));
  EXPECT_TRUE(failed.contains("next_attempt_at"));
  // Backing off (60 s at first): no second order for it, however often the worker looks.
  const std::string log = inst_.serveLog();
  EXPECT_EQ(countOf(log,
                    "\"hostname\":\"blocked.example.test\",\"level\":\"info\",\"msg\":"
                    "\"ordering a certificate\""),
            1u)
      << log;
}

TEST_F(HttpsTest, AUserCertificateIsServedInsteadOfAcmeAndBadUploadsAreRefused) {
  startAll();
  auto mine = tls::makeSelfSigned("user.example.test", std::chrono::system_clock::now(),
                                  std::chrono::hours(24));
  auto other = tls::makeSelfSigned("other.example.test", std::chrono::system_clock::now(),
                                   std::chrono::hours(24));
  ASSERT_TRUE(mine.ok() && other.ok());
  auto bad = api_->call("PUT", "/certificates/mine",
                        Json{{"certificate", mine->chain_pem}, {"private_key", other->key_pem}});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400) << bad->body;
  EXPECT_NE(bad->body.find("key_mismatch"), std::string::npos) << bad->body;
  auto put = api_->call("PUT", "/certificates/mine",
                        Json{{"certificate", mine->chain_pem}, {"private_key", mine->key_pem}});
  ASSERT_TRUE(put.ok());
  ASSERT_EQ(put->status, 200) << put->body;
  EXPECT_EQ(put->body.find("PRIVATE KEY"), std::string::npos) << "the key never comes back";
  ASSERT_EQ(create("user", tlsRule("user.example.test"))->status, 201);
  const Json cert = waitActive("user", seconds(10));
  EXPECT_EQ(cert.value("source", ""), "user") << cert.dump();
  const std::string serial = tls::inspectCertificate(mine->chain_pem)->serial;
  EXPECT_EQ(servedSerial(tls_port_, "user.example.test").value(), serial);
  EXPECT_EQ(countOf(inst_.serveLog(), "\"msg\":\"ordering a certificate\""), 0u);
  auto list = api_->call("GET", "/certificates");
  ASSERT_TRUE(list.ok());
  EXPECT_NE(list->body.find("\"serving\":[\"user.example.test\"]"), std::string::npos)
      << list->body;
}

TEST_F(HttpsTest, RestartsIncludingSigkillIssueNothingNewAndServeTheSameSerials) {
  startAll();
  ASSERT_EQ(create("api", tlsRule("api.example.test"))->status, 201);
  const Json cert = waitActive("api");
  ASSERT_EQ(cert.value("state", ""), "active");
  for (int sig : {SIGTERM, SIGKILL}) {
    inst_.signalServe(sig);
    ASSERT_TRUE(inst_.waitServeExit(seconds(20)).has_value());
    startServe();
    EXPECT_EQ(certificateOf("api").value("serial", ""), cert.value("serial", ""));
    EXPECT_EQ(servedSerial(tls_port_, "api.example.test").value(), cert.value("serial", ""));
    EXPECT_EQ(countOf(inst_.currentServeLog(), "\"msg\":\"ordering a certificate\""), 0u)
        << inst_.currentServeLog();
  }
}

}  // namespace
}  // namespace ingress::testing

// HTTPS through the real Envoy and the layered applier: SNI picks the certificate (clients
// without SNI get the default one, not a reset; ALPN negotiates h2), a request for a host of
// another certificate on a coalesced connection gets 421, a rotation is confirmed through /certs
// without touching the listener (an open connection keeps working), adding a TLS host is a
// filter-chain-only update, and http_port redirects (308) and forwards ACME HTTP-01 challenges.
// The client is libcurl (OpenSSL): the served certificate's serial comes from CURLINFO_CERTINFO.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <cctype>

#include <cstdlib>
#include <iostream>

#include "common/clock.h"
#include "common/http_client.h"
#include "envoy/admin_client.h"
#include "envoy/xds_applier.h"
#include "envoy/xds_builder.h"
#include "integration/installation.h"
#include "test_common/http_backend.h"
#include "test_common/snapshot_of.h"
#include "test_common/test_certificates.h"

namespace ingress::testing {
namespace {

using std::chrono::seconds;

std::string canonicalSerial(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  const size_t first = out.find_first_not_of('0');
  return first == std::string::npos ? "0" : out.substr(first);
}

struct Reply {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::string serial;  // of the server's leaf certificate, on a new connection
  long http_version = 0;
  long new_connections = -1;
  std::string location;
};

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// One libcurl handle: requests on it reuse its connection (keep-alive) when they can.
class Client {
 public:
  Client() : h_(curl_easy_init()) {}
  ~Client() {
    if (resolve_ != nullptr) curl_slist_free_all(resolve_);
    curl_easy_cleanup(h_);
  }
  // `sni`: the name in the URL (sent as SNI; an IP literal sends none); `host`: the Host header
  // (:authority in HTTP/2).
  Reply get(const std::string& scheme, const std::string& sni, int port, const std::string& host,
            const std::string& path = "/", bool h2 = true) {
    Reply r;
    std::string url = scheme + "://" + sni + ":" + std::to_string(port) + path;
    if (resolve_ == nullptr && sni != "127.0.0.1") {
      resolve_ =
          curl_slist_append(nullptr, (sni + ":" + std::to_string(port) + ":127.0.0.1").c_str());
    }
    curl_easy_setopt(h_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h_, CURLOPT_RESOLVE, resolve_);
    curl_easy_setopt(h_, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h_, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(h_, CURLOPT_CERTINFO, 1L);
    curl_easy_setopt(h_, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(h_, CURLOPT_HTTP_VERSION, h2 ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1);
    curl_slist* headers = curl_slist_append(nullptr, ("Host: " + host).c_str());
    curl_easy_setopt(h_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h_, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h_, CURLOPT_WRITEDATA, &r.body);
    r.code = curl_easy_perform(h_);
    curl_slist_free_all(headers);
    curl_easy_getinfo(h_, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_getinfo(h_, CURLINFO_HTTP_VERSION, &r.http_version);
    curl_easy_getinfo(h_, CURLINFO_NUM_CONNECTS, &r.new_connections);
    char* location = nullptr;
    if (curl_easy_getinfo(h_, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location) {
      r.location = location;
    }
    curl_certinfo* info = nullptr;
    if (curl_easy_getinfo(h_, CURLINFO_CERTINFO, &info) == CURLE_OK && info != nullptr &&
        info->num_of_certs > 0) {
      for (curl_slist* s = info->certinfo[0]; s != nullptr; s = s->next) {
        const std::string line = s->data;
        if (line.rfind("Serial Number:", 0) == 0) r.serial = canonicalSerial(line.substr(14));
      }
    }
    return r;
  }

 private:
  CURL* h_;
  curl_slist* resolve_ = nullptr;
};

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(inst_.startServeAndWaitReady(), 0) << inst_.serveLog();
    admin_ = std::make_unique<envoy::AdminClient>(inst_.admin());
    applier_ = std::make_unique<envoy::XdsApplier>(fs_, *admin_, clock_, inst_.paths().xds_dir);
    applier_->loadCurrent();
    default_ = makeTestCertificate({"default.invalid"});
    ASSERT_FALSE(default_.serial.empty()) << "openssl";
    settings_.listen_address = "127.0.0.1";
    settings_.xds_dir = inst_.paths().xds_dir;
    settings_.sds_dir = sds_.path();
    settings_.tls.http_port = static_cast<uint16_t>(http_port_);
    settings_.tls.acme_http01_port = acme_.port();
    settings_.tls.default_chain_pem = default_.chain_pem;
    settings_.tls.default_key_pem = default_.key_pem;
    builder_ = std::make_unique<envoy::XdsBuilder>(settings_);
  }

  domain::ServedCertificatePtr cert(const std::string& id, const std::string& name) {
    const TestCertificate c = makeTestCertificate({name});
    EXPECT_FALSE(c.serial.empty());
    auto out = std::make_shared<domain::ServedCertificate>(*certificateOf(id, {name}));
    out->chain_pem = c.chain_pem;
    out->key_pem = c.key_pem;
    out->serial = c.serial;
    return out;
  }

  Status apply(const std::vector<domain::Ingress>& ingresses,
               std::vector<domain::ServedCertificatePtr> certs) {
    auto snap = withCertificates(
        snapshotOf(ingresses, {{"vm-a", a_.address()}, {"vm-b", b_.address()}}, ++generation_),
        std::move(certs));
    return applier_->apply(builder_->build(snap), seconds(20));
  }

  // Inotify instances Envoy holds (each file-based subscription has its own watcher).
  int envoyInotifyInstances() {
    const std::string fd_dir = "/proc/" + std::to_string(inst_.envoyPid()) + "/fd";
    auto names = fs_.listDir(fd_dir);
    int n = 0;
    for (const auto& f : names.ok() ? *names : std::vector<std::string>{}) {
      char target[256] = {};
      const std::string link = fd_dir + "/" + f;
      const ssize_t len = ::readlink(link.c_str(), target, sizeof target - 1);
      if (len > 0 && std::string(target, static_cast<size_t>(len)) == "anon_inode:inotify") ++n;
    }
    return n;
  }

  uint64_t stat(const std::string& name) {
    auto stats = admin_->statsMatching("^" + name + "$");
    if (!stats.ok() || !stats->count(name)) return 0;
    return std::strtoull(stats->at(name).c_str(), nullptr, 10);
  }

  Installation inst_;
  FilesystemImpl fs_;
  ClockImpl clock_;
  std::unique_ptr<envoy::AdminClient> admin_;
  std::unique_ptr<envoy::XdsApplier> applier_;
  TempDir sds_;
  HttpBackend a_{"a", "127.0.0.2"};
  HttpBackend b_{"b", "127.0.0.3", a_.port()};
  HttpBackend acme_{"acme", "127.0.0.1"};
  const int https_ = freeLoopbackPort();
  const int http_port_ = freeLoopbackPort();
  TestCertificate default_;
  envoy::BuilderSettings settings_;
  std::unique_ptr<envoy::XdsBuilder> builder_;
  uint64_t generation_ = 0;
};

TEST_F(TlsTest, SniCoalescingRotationNewHostsAndPlainHttp) {
  const auto cert_a = cert("acme.a", "a.test");
  const auto cert_b = cert("acme.b", "b.test");
  std::vector<domain::Ingress> ingresses = {
      ingressOf("ia", {tlsRule("a.test", https_, "vm-a", a_.port(), /*redirect=*/true)}),
      ingressOf("ib", {tlsRule("b.test", https_, "vm-b", a_.port())}),
      ingressOf("ip", {rule("plain.test", http_port_, "vm-b", a_.port())})};
  Status st = apply(ingresses, {cert_a, cert_b});
  ASSERT_TRUE(st.ok()) << st.toString();
  const auto served = applier_->servedSerials();
  EXPECT_EQ(served.at("acme.a"), cert_a->serial);
  EXPECT_EQ(served.at("acme.b"), cert_b->serial);

  // (a) SNI picks the certificate; ALPN gives h2; no SNI gets the default certificate.
  Reply ra = Client().get("https", "a.test", https_, "a.test");
  ASSERT_EQ(ra.code, CURLE_OK) << curl_easy_strerror(ra.code);
  EXPECT_EQ(ra.status, 200);
  EXPECT_EQ(ra.body.rfind("a ", 0), 0u) << ra.body;
  EXPECT_EQ(ra.serial, canonicalSerial(cert_a->serial));
  EXPECT_EQ(ra.http_version, CURL_HTTP_VERSION_2_0);
  Reply rb = Client().get("https", "b.test", https_, "b.test");
  EXPECT_EQ(rb.status, 200);
  EXPECT_EQ(rb.body.rfind("b ", 0), 0u) << rb.body;
  EXPECT_EQ(rb.serial, canonicalSerial(cert_b->serial));
  Reply none = Client().get("https", "127.0.0.1", https_, "nobody.test");
  ASSERT_EQ(none.code, CURLE_OK) << curl_easy_strerror(none.code);
  EXPECT_EQ(none.serial, canonicalSerial(default_.serial));
  EXPECT_EQ(none.status, 404);
  Reply unknown_sni = Client().get("https", "unknown.test", https_, "unknown.test");
  EXPECT_EQ(unknown_sni.serial, canonicalSerial(default_.serial));

  // (b) A connection made for a.test asked for b.test (HTTP/2 coalescing, or a forged Host):
  // 421, the other tenant's backend is never reached; a client-sent chain header changes
  // nothing (the chain overwrites it) and never reaches a backend.
  const uint64_t b_before = b_.requests();
  Client coalesced;
  Reply ok_first = coalesced.get("https", "a.test", https_, "a.test");
  EXPECT_EQ(ok_first.status, 200);
  Reply misdirected = coalesced.get("https", "a.test", https_, "b.test");
  EXPECT_EQ(misdirected.status, 421);
  EXPECT_EQ(misdirected.body, envoy::kMisdirectedBody);
  EXPECT_EQ(misdirected.new_connections, 0) << "the same connection";
  EXPECT_EQ(b_.requests(), b_before);
  EXPECT_EQ(a_.lastHeader(envoy::kChainHeader), "");

  // (c) Rotation: a new certificate under the same id. Confirmed through /certs, the listener
  // untouched, a keep-alive HTTP/1.1 connection opened before keeps working.
  Client keep;
  Reply before = keep.get("https", "a.test", https_, "a.test", "/", /*h2=*/false);
  ASSERT_EQ(before.status, 200);
  const uint64_t modified = stat("listener_manager.listener_modified");
  const uint64_t created = stat("listener_manager.listener_create_success");
  EXPECT_GT(modified + created, 0u) << "the stats exist";
  const auto cert_a2 = cert("acme.a", "a.test");
  st = apply(ingresses, {cert_a2, cert_b});
  ASSERT_TRUE(st.ok()) << st.toString();
  EXPECT_EQ(applier_->servedSerials().at("acme.a"), cert_a2->serial);
  auto info = fs_.stat(sds_.file("acme.a.json"));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->mode, 0600u) << "the key is inside";
  EXPECT_EQ(stat("listener_manager.listener_modified"), modified);
  EXPECT_EQ(stat("listener_manager.listener_create_success"), created);
  Reply after = keep.get("https", "a.test", https_, "a.test", "/", false);
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.new_connections, 0) << "the connection from before the rotation";
  EXPECT_EQ(Client().get("https", "a.test", https_, "a.test").serial,
            canonicalSerial(cert_a2->serial));

  // (d) A new TLS host with its own certificate: a filter-chain-only update; the connection on
  // a.test's (unchanged) chain stays.
  const uint64_t in_place = stat("listener_manager.listener_in_place_updated");
  const int inotify_before = envoyInotifyInstances();
  const auto cert_c = cert("acme.c", "c.test");
  ingresses.push_back(ingressOf("ic", {tlsRule("c.test", https_, "vm-a", a_.port())}));
  st = apply(ingresses, {cert_a2, cert_b, cert_c});
  ASSERT_TRUE(st.ok()) << st.toString();
  EXPECT_EQ(stat("listener_manager.listener_in_place_updated"), in_place + 1);
  Reply still = keep.get("https", "a.test", https_, "a.test", "/", false);
  EXPECT_EQ(still.status, 200);
  EXPECT_EQ(still.new_connections, 0) << "a.test's chain did not drain";
  // One SDS subscription (one inotify instance) per certificate, shared by its chains.
  EXPECT_EQ(envoyInotifyInstances(), inotify_before + 1);
  std::cerr << "inotify instances: " << inotify_before << " -> " << envoyInotifyInstances()
            << ", listener_modified " << modified << ", create_success " << created << "\n";
  Reply rc = Client().get("https", "c.test", https_, "c.test");
  EXPECT_EQ(rc.status, 200);
  EXPECT_EQ(rc.serial, canonicalSerial(cert_c->serial));

  // (e) http_port: redirect_http answers 308 to https on the rule's port; ACME challenges go to
  // the daemon's responder for a redirect host, a plain host and an unknown host; the plain
  // host's other paths to its backend.
  Reply redirect = Client().get("http", "127.0.0.1", http_port_, "a.test", "/x/y?z=1");
  EXPECT_EQ(redirect.status, 308);
  EXPECT_EQ(redirect.location, "https://a.test:" + std::to_string(https_) + "/x/y?z=1");
  for (const std::string host : {"a.test", "plain.test", "unknown.test"}) {
    Reply challenge =
        Client().get("http", "127.0.0.1", http_port_, host, "/.well-known/acme-challenge/tok");
    EXPECT_EQ(challenge.status, 200) << host;
    EXPECT_EQ(challenge.body.rfind("acme ", 0), 0u) << host << ": " << challenge.body;
  }
  Reply plain = Client().get("http", "127.0.0.1", http_port_, "plain.test", "/");
  EXPECT_EQ(plain.body.rfind("b ", 0), 0u) << plain.body;
  EXPECT_EQ(Client().get("http", "127.0.0.1", http_port_, "unknown.test", "/").status, 404);
}

}  // namespace
}  // namespace ingress::testing

// CertificateManager with a fake clock and a fake CA (signs each CSR with a throwaway root):
// when orders happen (once per hostname, never again for a valid stored certificate, renewal at
// two thirds or inside the ARI window), how failures back off, how user certificates take
// precedence, admission of TLS rules, and the states the API shows.
#include "certs/certificate_manager.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "common/filesystem.h"
#include "test_common/fake_clock.h"
#include "test_common/test_env.h"
#include "tls/x509.h"

namespace ingress::certs {
namespace {

using namespace std::chrono_literals;
using domain::CertificateStatus;
using std::chrono::system_clock;

constexpr auto kStart = system_clock::time_point{} + 1795835045s;

// A CA that signs a CSR's public key for `lifetime` from the clock's now.
class FakeIssuer final : public CertificateIssuer {
 public:
  explicit FakeIssuer(Clock& clock) : clock_(clock) {
    auto root = tls::makeSelfSigned("fake-root", clock.now() - 24h, 24h * 3650);
    EXPECT_TRUE(root.ok());
    root_ = *root;
  }
  std::optional<std::string> issue(const std::vector<std::string>& names,
                                   const std::string& csr_der, const std::string& replaces,
                                   IssueFailure& failure) override {
    ++orders_;
    replaces_.push_back(replaces);
    if (fail_next_ > 0) {
      --fail_next_;
      failure.status =
          failedPrecondition("rateLimited: too many certificates", "acme_rate_limited");
      failure.retry_after = retry_after_;
      return std::nullopt;
    }
    return sign(names, csr_der);
  }
  std::optional<RenewalWindow> renewalWindow(const std::string&) override {
    ++ari_calls_;
    return window_;
  }
  int ari_calls_ = 0;
  uint64_t ordersCreated() const override { return orders_; }

  std::string sign(const std::vector<std::string>& names, const std::string& csr_der) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(csr_der.data());
    X509_REQ* req = d2i_X509_REQ(nullptr, &p, static_cast<long>(csr_der.size()));
    EVP_PKEY* pub = X509_REQ_get_pubkey(req);
    BIO* kb = BIO_new_mem_buf(root_.key_pem.data(), static_cast<int>(root_.key_pem.size()));
    EVP_PKEY* ca_key = PEM_read_bio_PrivateKey(kb, nullptr, nullptr, nullptr);
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), static_cast<long>(1000 + orders_));
    time_t now = system_clock::to_time_t(clock_.now());
    X509_time_adj_ex(X509_getm_notBefore(cert), 0, 0, &now);
    X509_time_adj_ex(X509_getm_notAfter(cert), 0, static_cast<long>(lifetime_.count()), &now);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(names[0].c_str()), -1, -1, 0);
    X509_NAME_add_entry_by_txt(X509_get_issuer_name(cert), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("fake-root"), -1, -1, 0);
    std::string san;
    for (const auto& n : names) san += (san.empty() ? "DNS:" : ",DNS:") + n;
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str());
    X509_add_ext(cert, ext, -1);
    X509_set_pubkey(cert, pub);
    // An authority key identifier, as every CA sets: it names the certificate for ARI.
    BIO* rb = BIO_new_mem_buf(root_.chain_pem.data(), static_cast<int>(root_.chain_pem.size()));
    X509* root = PEM_read_bio_X509(rb, nullptr, nullptr, nullptr);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, root, cert, nullptr, nullptr, 0);
    X509_EXTENSION* aki =
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always");
    X509_add_ext(cert, aki, -1);
    X509_EXTENSION_free(aki);
    X509_free(root);
    BIO_free(rb);
    X509_sign(cert, ca_key, EVP_sha256());
    BIO* out = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(out, cert);
    char* data = nullptr;
    const long len = BIO_get_mem_data(out, &data);
    std::string pem(data, static_cast<size_t>(len));
    BIO_free(out);
    X509_EXTENSION_free(ext);
    X509_free(cert);
    EVP_PKEY_free(ca_key);
    BIO_free(kb);
    EVP_PKEY_free(pub);
    X509_REQ_free(req);
    return pem + root_.chain_pem;
  }

  Clock& clock_;
  tls::SelfSigned root_;
  uint64_t orders_ = 0;
  int fail_next_ = 0;
  std::optional<system_clock::time_point> retry_after_;
  std::optional<RenewalWindow> window_;
  std::chrono::seconds lifetime_{90 * 24 * 3600};
  std::vector<std::string> replaces_;
};

class CertificateManagerTest : public ::testing::Test {
 protected:
  CertificateManagerTest() : clock_(kStart), issuer_(clock_) {}

  void SetUp() override { make(); }

  CertificateManagerSettings settings() {
    CertificateManagerSettings s;
    s.allowed = *AllowedDomains::parse("*.example.com, example.org");
    s.retry_initial = 60s;
    s.retry_max = 3600s;
    return s;
  }

  // (Re)creates the manager over the same store, as a restart does.
  void make(bool acme = true) {
    certs_.reset();
    store_ = std::make_unique<tls::CertificateStore>(fs_, dir_.file("certs"));
    certs_ = std::make_unique<CertificateManager>(settings(), *store_, clock_,
                                                  acme ? &issuer_ : nullptr, [] { return 0; });
    ASSERT_TRUE(certs_->load().ok());
    snapshot_ = domain::ConfigSnapshot::make(1, entries_, {}, certs_->certificates());
    certs_->attach([this] { return snapshot_; },
                   [this]() -> Status {
                     if (refuse_) return aborted("envoy rejected", "config_rejected");
                     ++refreshes_;
                     snapshot_ = domain::ConfigSnapshot::make(snapshot_->generation() + 1, entries_,
                                                              {}, certs_->certificates());
                     return okStatus();
                   });
  }

  void addTlsRule(const std::string& hostname) {
    auto e = std::make_shared<domain::ResolvedIngress>();
    e->ingress.id = "id" + std::to_string(entries_.size());
    e->ingress.name = "web" + std::to_string(entries_.size());
    domain::Rule r{{hostname, 443}, {"vm", 8080}};
    r.tls = true;
    e->ingress.rules.push_back(r);
    e->rules.push_back({});
    entries_.push_back(e);
    snapshot_ = domain::ConfigSnapshot::make(snapshot_->generation() + 1, entries_, {},
                                             snapshot_->certificates());
  }

  CertificateStatus statusOf(const std::string& hostname) {
    domain::Rule r{{hostname, 443}, {"vm", 8080}};
    r.tls = true;
    return certs_->status(r, *snapshot_);
  }

  ingress::testing::TempDir dir_;
  FilesystemImpl fs_;
  ingress::testing::FakeClock clock_;
  FakeIssuer issuer_;
  std::unique_ptr<tls::CertificateStore> store_;
  std::unique_ptr<CertificateManager> certs_;
  std::vector<domain::ResolvedIngressPtr> entries_;
  domain::SnapshotPtr snapshot_ = domain::ConfigSnapshot::empty();
  bool refuse_ = false;
  int refreshes_ = 0;
};

TEST_F(CertificateManagerTest, ANewTlsHostnameGetsOneCertificateThatSurvivesRestarts) {
  addTlsRule("api.example.com");
  EXPECT_EQ(statusOf("api.example.com").state, CertificateStatus::State::kPending);
  certs_->runOnce();
  EXPECT_EQ(issuer_.orders_, 1u);
  EXPECT_EQ(refreshes_, 1);
  const CertificateStatus s = statusOf("api.example.com");
  EXPECT_EQ(s.state, CertificateStatus::State::kActive);
  EXPECT_EQ(s.source, "acme");
  EXPECT_EQ(s.id, CertificateManager::acmeId("api.example.com"));
  EXPECT_FALSE(s.serial.empty());
  ASSERT_TRUE(s.expires_at.has_value());
  EXPECT_EQ(*s.expires_at, kStart + issuer_.lifetime_);
  // Nothing more is due: no second order, now or after a restart.
  certs_->runOnce();
  make();
  addTlsRule("api.example.com");
  ASSERT_EQ(snapshot_->certificates().size(), 1u);
  certs_->runOnce();
  EXPECT_EQ(issuer_.orders_, 1u);
  EXPECT_EQ(statusOf("api.example.com").serial, s.serial);
}

TEST_F(CertificateManagerTest, RenewsAtTwoThirdsOfTheLifetimeUnderTheSameId) {
  addTlsRule("api.example.com");
  certs_->runOnce();
  const CertificateStatus first = statusOf("api.example.com");
  clock_.advance(59 * 24h);  // 2/3 of 90 days is 60 days
  certs_->runOnce();
  EXPECT_EQ(issuer_.orders_, 1u);
  clock_.advance(24h + 1s);
  certs_->runOnce();
  ASSERT_EQ(issuer_.orders_, 2u);
  EXPECT_FALSE(issuer_.replaces_.back().empty()) << "a renewal names the certificate it replaces";
  const CertificateStatus second = statusOf("api.example.com");
  EXPECT_EQ(second.id, first.id);
  EXPECT_NE(second.serial, first.serial);
  EXPECT_EQ(second.state, CertificateStatus::State::kActive);
}

TEST_F(CertificateManagerTest, RenewsInsideTheAriWindowWhenTheCaOffersOne) {
  issuer_.window_ = RenewalWindow{kStart + 10 * 24h, kStart + 11 * 24h};
  addTlsRule("api.example.com");
  certs_->runOnce();
  clock_.advance(10 * 24h - 1s);
  certs_->runOnce();
  EXPECT_EQ(issuer_.orders_, 1u);
  clock_.advance(24h + 2s);  // the end of the window: due whatever the random pick
  certs_->runOnce();
  EXPECT_EQ(issuer_.orders_, 2u);
}

TEST_F(CertificateManagerTest, AtStartTheAriWindowIsAskedByTheWorkerNotByLoad) {
  addTlsRule("api.example.com");
  certs_->runOnce();
  ASSERT_EQ(issuer_.orders_, 1u);
  issuer_.window_ = RenewalWindow{kStart + 10 * 24h, kStart + 11 * 24h};
  issuer_.ari_calls_ = 0;
  make();  // a restart: no call to the CA while serve starts
  addTlsRule("api.example.com");
  EXPECT_EQ(issuer_.ari_calls_, 0);
  certs_->runOnce();
  EXPECT_EQ(issuer_.ari_calls_, 1);
  clock_.advance(11 * 24h + 1s);  // the end of the window, long before 2/3 of 90 days
  certs_->runOnce();
  EXPECT_EQ(issuer_.orders_, 2u);
  EXPECT_EQ(issuer_.ari_calls_, 2) << "asked once at start, once for the renewed certificate";
}

TEST_F(CertificateManagerTest, FailuresBackOffExponentiallyAndHonourRetryAfter) {
  addTlsRule("api.example.com");
  issuer_.fail_next_ = 3;
  certs_->runOnce();
  EXPECT_EQ(issuer_.orders_, 1u);
  CertificateStatus s = statusOf("api.example.com");
  EXPECT_EQ(s.state, CertificateStatus::State::kFailed);
  EXPECT_EQ(s.last_error, "rateLimited: too many certificates");
  ASSERT_TRUE(s.next_attempt_at.has_value());
  // Jitter is 0.8 with this random source: 48 s, then 96 s.
  EXPECT_EQ(*s.next_attempt_at, kStart + 48s);
  for (int i = 0; i < 5; ++i) certs_->runOnce();
  EXPECT_EQ(issuer_.orders_, 1u) << "no order before the backoff ends";
  clock_.advance(48s);
  certs_->runOnce();
  EXPECT_EQ(issuer_.orders_, 2u);
  EXPECT_EQ(*statusOf("api.example.com").next_attempt_at, clock_.now() + 96s);
  // The CA's Retry-After wins when it is later.
  issuer_.retry_after_ = clock_.now() + 3000s;
  clock_.advance(96s);
  certs_->runOnce();
  EXPECT_EQ(issuer_.orders_, 3u);
  EXPECT_EQ(*statusOf("api.example.com").next_attempt_at, *issuer_.retry_after_);
  clock_.advance(2000s);
  certs_->runOnce();
  EXPECT_EQ(issuer_.orders_, 3u);
  clock_.advance(1000s);
  certs_->runOnce();
  EXPECT_EQ(issuer_.orders_, 4u);
  EXPECT_EQ(statusOf("api.example.com").state, CertificateStatus::State::kActive);
  EXPECT_TRUE(statusOf("api.example.com").last_error.empty());
}

TEST_F(CertificateManagerTest, EnvoyRefusingTheCertificateKeepsNothingAndRetriesLater) {
  addTlsRule("api.example.com");
  refuse_ = true;
  certs_->runOnce();
  EXPECT_TRUE(certs_->certificates().empty());
  const CertificateStatus s = statusOf("api.example.com");
  EXPECT_EQ(s.state, CertificateStatus::State::kFailed);
  EXPECT_NE(s.last_error.find("Envoy did not take the new certificate"), std::string::npos)
      << s.last_error;
  make();  // nor on disk
  EXPECT_TRUE(certs_->certificates().empty());
}

TEST_F(CertificateManagerTest, AUserCertificateCoveringAHostnameIsUsedInsteadOfAcme) {
  auto wild = tls::makeSelfSigned("*.example.com", kStart - 1h, 24h * 30);
  ASSERT_TRUE(wild.ok());
  auto put = certs_->putCertificate("wild", wild->chain_pem, wild->key_pem);
  ASSERT_TRUE(put.ok()) << put.status().toString();
  EXPECT_EQ(put->id, "user.wild");
  EXPECT_EQ(put->dns_names, std::vector<std::string>{"*.example.com"});
  addTlsRule("api.example.com");
  certs_->runOnce();
  EXPECT_EQ(issuer_.orders_, 0u);
  const CertificateStatus s = statusOf("api.example.com");
  EXPECT_EQ(s.state, CertificateStatus::State::kActive);
  EXPECT_EQ(s.source, "user");
  EXPECT_EQ(s.id, "user.wild");
  EXPECT_EQ(certs_->getCertificate("wild")->serving, std::vector<std::string>{"api.example.com"});
  // Deleted: ACME takes over.
  ASSERT_TRUE(certs_->deleteCertificate("wild").ok());
  certs_->runOnce();
  EXPECT_EQ(issuer_.orders_, 1u);
  EXPECT_EQ(statusOf("api.example.com").source, "acme");
  EXPECT_EQ(certs_->deleteCertificate("wild").code(), StatusCode::kNotFound);
  const std::string acme_id = CertificateManager::acmeId("api.example.com");
  EXPECT_EQ(certs_->deleteCertificate(acme_id).reason(), "acme_certificate");
}

TEST_F(CertificateManagerTest, UploadsAreValidatedAndARefusedPublishChangesNothing) {
  auto a = tls::makeSelfSigned("a.example.org", kStart - 1h, 24h);
  auto b = tls::makeSelfSigned("b.example.org", kStart - 1h, 24h);
  ASSERT_TRUE(a.ok() && b.ok());
  auto mismatched = certs_->putCertificate("a", a->chain_pem, b->key_pem);
  EXPECT_EQ(mismatched.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(certs_->putCertificate("Bad Name", a->chain_pem, a->key_pem).status().code(),
            StatusCode::kInvalidArgument);
  refuse_ = true;
  EXPECT_EQ(certs_->putCertificate("a", a->chain_pem, a->key_pem).status().code(),
            StatusCode::kAborted);
  EXPECT_TRUE(certs_->listCertificates().empty());
  make();
  EXPECT_TRUE(certs_->listCertificates().empty()) << "nor on disk";
}

TEST_F(CertificateManagerTest, AdmissionOfTlsRules) {
  auto rule = [](std::string host, uint16_t port = 443) {
    domain::Rule r{{std::move(host), port}, {"vm", 8080}};
    r.tls = true;
    return r;
  };
  EXPECT_TRUE(certs_->admitTlsRule(rule("api.example.com"), "rules[0]").ok());
  EXPECT_TRUE(certs_->admitTlsRule(rule("example.org"), "rules[0]").ok());
  EXPECT_EQ(certs_->admitTlsRule(rule("example.com"), "rules[0]").reason(), "domain_not_allowed");
  EXPECT_EQ(certs_->admitTlsRule(rule("a.b.example.com"), "rules[0]").reason(),
            "domain_not_allowed");
  EXPECT_EQ(certs_->admitTlsRule(rule("*.example.com"), "rules[0]").reason(),
            "dns_provider_required");
  const Status on_http = certs_->admitTlsRule(rule("api.example.com", 80), "rules[1]");
  EXPECT_EQ(on_http.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(on_http.message().rfind("rules[1].match.port: port 80 is the plain HTTP port", 0), 0u)
      << on_http.message();
  make(/*acme=*/false);
  EXPECT_EQ(certs_->admitTlsRule(rule("api.example.com"), "rules[0]").reason(),
            "tls_not_configured");
}

TEST_F(CertificateManagerTest, ATlsRuleThatWouldExceedMaxCertificatesIsRefused) {
  certs_.reset();
  CertificateManagerSettings s = settings();
  s.max_certificates = 2;
  certs_ = std::make_unique<CertificateManager>(s, *store_, clock_, &issuer_, [] { return 0; });
  ASSERT_TRUE(certs_->load().ok());
  certs_->attach([this] { return snapshot_; }, [] { return okStatus(); });
  addTlsRule("a.example.com");
  addTlsRule("b.example.com");
  domain::Rule r{{"c.example.com", 443}, {"vm", 8080}};
  r.tls = true;
  const Status st = certs_->admitTlsRule(r, "rules[0]");
  EXPECT_EQ(st.reason(), "limit_exceeded") << st.toString();
  // A hostname already in use costs nothing more.
  r.match.hostname = "a.example.com";
  EXPECT_TRUE(certs_->admitTlsRule(r, "rules[0]").ok());
}

TEST(AllowedDomainsTest, ExactWildcardOneLabelAnyAndNone) {
  auto a = AllowedDomains::parse(" API.example.com ,*.apps.example.com");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->allows("api.example.com"));
  EXPECT_TRUE(a->allows("x.apps.example.com"));
  EXPECT_TRUE(a->allows("*.apps.example.com"));
  EXPECT_FALSE(a->allows("apps.example.com"));
  EXPECT_FALSE(a->allows("a.b.apps.example.com"));
  EXPECT_FALSE(a->allows("www.example.com"));
  auto any = AllowedDomains::parse("*");
  EXPECT_TRUE(any->allows("anything.test"));
  auto none = AllowedDomains::parse("");
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(none->allows("api.example.com"));
  EXPECT_EQ(AllowedDomains::parse("a.com, bad host").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ingress::certs

// The use cases' side of TLS rules: admission through the certificate catalog, one protocol per
// port, certificates entering snapshots only through refreshCertificates(), and the certificate
// status in views.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "ingress/codec.h"
#include "unit/ingress/manager_test_fixture.h"

namespace ingress::domain {
namespace {

using ingress::testing::expectStatus;

class FakeCatalog final : public CertificateCatalog {
 public:
  std::vector<ServedCertificatePtr> certificates() const override {
    std::lock_guard lock(mu_);
    return certs_;
  }
  Status admitTlsRule(const Rule& rule, const std::string& path) const override {
    if (rule.match.hostname == "refused.example.com") {
      return invalidArgument(path + ".match.hostname: not allowed", "domain_not_allowed");
    }
    return okStatus();
  }
  CertificateStatus status(const Rule& rule, const ConfigSnapshot& snapshot) const override {
    CertificateStatus s;
    const ServedCertificate* c = snapshot.certificateFor(rule.match.hostname);
    s.state = c != nullptr ? CertificateStatus::State::kActive : CertificateStatus::State::kPending;
    s.source = "acme";
    if (c != nullptr) s.id = c->id;
    return s;
  }
  void committed() const override { ++commits; }
  mutable std::atomic<int> commits{0};
  void add(std::string id, std::vector<std::string> names) {
    auto c = std::make_shared<ServedCertificate>();
    c->id = std::move(id);
    c->names = std::move(names);
    std::lock_guard lock(mu_);
    certs_.push_back(std::move(c));
  }

 private:
  mutable std::mutex mu_;
  std::vector<ServedCertificatePtr> certs_;
};

class ManagerTlsTest : public ManagerTest {
 protected:
  void SetUp() override {
    catalog_ = &catalog;
    ManagerTest::SetUp();
  }
  StatusOr<IngressView> createTls(std::string name, std::string hostname, uint16_t port = 443) {
    IngressSpec s = spec(std::move(name), std::move(hostname), port);
    s.rules[0].tls = true;
    return manager_->createIngress(s);
  }
  FakeCatalog catalog;
};

TEST_F(ManagerTlsTest, TlsRuleWithoutAnyCertificateSourceIsRefusedNamingWhatIsMissing) {
  catalog_ = nullptr;
  reopen();
  auto r = createTls("web", "a.example.com");
  expectStatus(r.status(), StatusCode::kInvalidArgument, "tls_not_configured",
               "rules[0].tls: this daemon has no certificate source: set ACME_EMAIL to get "
               "certificates from ACME, or upload one (PUT /certificates)");
  EXPECT_TRUE(publisher_.calls().empty());
}

TEST_F(ManagerTlsTest, TheCatalogHearsOfEveryCommitAfterTheSwap) {
  const int before = catalog.commits.load();
  ASSERT_TRUE(createTls("web", "a.example.com").ok());
  EXPECT_EQ(catalog.commits.load(), before + 1);
  ASSERT_TRUE(manager_->deleteIngress("web").ok());
  EXPECT_EQ(catalog.commits.load(), before + 2);
}

TEST_F(ManagerTlsTest, TheCatalogDecidesAdmission) {
  expectStatus(createTls("web", "refused.example.com").status(), StatusCode::kInvalidArgument,
               "domain_not_allowed", "rules[0].match.hostname: not allowed");
  EXPECT_TRUE(createTls("web", "a.example.com").ok());
}

TEST_F(ManagerTlsTest, APortIsEitherTlsOrPlain) {
  ASSERT_TRUE(createTls("web", "a.example.com", 443).ok());
  expectStatus(create("plain", "b.example.com", 443).status(), StatusCode::kAlreadyExists,
               "port_protocol_conflict",
               "rules[0].tls: port 443 cannot serve both TLS and plain HTTP (other ingresses' "
               "rules on it are TLS)");
  ASSERT_TRUE(create("plain", "b.example.com", 8080).ok());
  expectStatus(createTls("tls", "c.example.com", 8080).status(), StatusCode::kAlreadyExists,
               "port_protocol_conflict",
               "rules[0].tls: port 8080 cannot serve both TLS and plain HTTP (other ingresses' "
               "rules on it are plain HTTP)");
  // Within one ingress too.
  IngressSpec mixed = spec("mixed", "d.example.com", 9443);
  mixed.rules.push_back(Rule{{"e.example.com", 9443}, {"vm", 8080}});
  mixed.rules[1].tls = true;
  expectStatus(manager_->createIngress(mixed).status(), StatusCode::kAlreadyExists,
               "port_protocol_conflict",
               "rules[1].tls: port 9443 cannot serve both TLS and plain HTTP (rules[0] makes it "
               "plain HTTP)");
  // Once the TLS rules are gone the port may turn plain.
  ASSERT_TRUE(manager_->deleteIngress("web").ok());
  EXPECT_TRUE(create("plain443", "b.example.com", 443).ok());
}

TEST_F(ManagerTlsTest, CertificatesEnterSnapshotsOnlyThroughRefresh) {
  ASSERT_TRUE(createTls("web", "a.example.com").ok());
  auto view = manager_->getIngress("web");
  ASSERT_TRUE(view.ok());
  ASSERT_TRUE(view->rule_status[0].certificate.has_value());
  EXPECT_EQ(view->rule_status[0].certificate->state, CertificateStatus::State::kPending);

  catalog.add("acme.a", {"a.example.com"});
  ASSERT_TRUE(create("other", "b.example.com", 80).ok());
  EXPECT_TRUE(manager_->current()->certificates().empty()) << "only a refresh takes them";
  const size_t publishes = publisher_.calls().size();
  ASSERT_TRUE(manager_->refreshCertificates().ok());
  EXPECT_EQ(publisher_.calls().size(), publishes + 1);
  ASSERT_EQ(manager_->current()->certificates().size(), 1u);
  view = manager_->getIngress("web");
  EXPECT_EQ(view->rule_status[0].certificate->state, CertificateStatus::State::kActive);
  EXPECT_EQ(encodeIngressView(*view)["rules"][0]["certificate"]["id"], "acme.a");
  // A plain rule shows no certificate.
  EXPECT_FALSE(manager_->getIngress("other")->rule_status[0].certificate.has_value());
  // Nothing changed: no publish.
  ASSERT_TRUE(manager_->refreshCertificates().ok());
  EXPECT_EQ(publisher_.calls().size(), publishes + 1);
}

TEST_F(ManagerTlsTest, ARefusedRefreshKeepsTheCommittedCertificates) {
  ASSERT_TRUE(createTls("web", "a.example.com").ok());
  catalog.add("acme.a", {"a.example.com"});
  publisher_.failNext();
  EXPECT_FALSE(manager_->refreshCertificates().ok());
  EXPECT_TRUE(manager_->current()->certificates().empty());
  ASSERT_TRUE(manager_->refreshCertificates().ok());
  EXPECT_EQ(manager_->current()->certificates().size(), 1u);
}

TEST(CertificateForTest, UserOverAcmeThenLaterExpiryAndWildcardsCoverOneLabel) {
  using std::chrono::system_clock;
  auto cert = [](std::string id, ServedCertificate::Source src, std::vector<std::string> names,
                 int days) {
    auto c = std::make_shared<ServedCertificate>();
    c->id = std::move(id);
    c->source = src;
    c->names = std::move(names);
    c->not_after = system_clock::time_point{} + std::chrono::hours(24 * days);
    return ServedCertificatePtr(c);
  };
  using S = ServedCertificate::Source;
  SnapshotPtr s = ConfigSnapshot::make(1, {}, {},
                                       {cert("acme.b", S::kAcme, {"api.example.com"}, 90),
                                        cert("acme.a", S::kAcme, {"api.example.com"}, 60),
                                        cert("user.wild", S::kUser, {"*.example.com"}, 30)});
  ASSERT_NE(s->certificateFor("api.example.com"), nullptr);
  EXPECT_EQ(s->certificateFor("api.example.com")->id, "user.wild");
  EXPECT_EQ(s->certificateFor("www.example.com")->id, "user.wild");
  EXPECT_EQ(s->certificateFor("*.example.com")->id, "user.wild");
  EXPECT_EQ(s->certificateFor("example.com"), nullptr) << "not the apex";
  EXPECT_EQ(s->certificateFor("a.b.example.com"), nullptr) << "not two labels";
  SnapshotPtr acme_only = ConfigSnapshot::make(1, {}, {},
                                               {cert("acme.b", S::kAcme, {"api.example.com"}, 90),
                                                cert("acme.a", S::kAcme, {"api.example.com"}, 60)});
  EXPECT_EQ(acme_only->certificateFor("api.example.com")->id, "acme.b") << "the later expiry";
  EXPECT_TRUE(certificateNameCovers("*.example.com", "x.example.com"));
  EXPECT_FALSE(certificateNameCovers("*.example.com", "*.x.example.com"));
  EXPECT_FALSE(certificateNameCovers("x.example.com", "*.example.com"));
}

}  // namespace
}  // namespace ingress::domain

// CertificateManager: every certificate the daemon serves, and the ACME work that keeps them.
//
//   user certificates   PUT /certificates/{name}: validated (parses, key matches, dates, names),
//                       stored 0600, served for the names they cover in preference to ACME
//   ACME certificates   one per TLS hostname that no user certificate covers: ordered when the
//                       hostname first appears, renewed inside the CA's ARI window (RFC 9773)
//                       or at two thirds of the lifetime, kept across restarts (a valid one is
//                       never ordered again at start)
//
// It is the use cases' CertificateCatalog (admission of TLS rules, the certificates of each
// snapshot, a rule's certificate status) and the API's CertificateService. A certificate is
// served only through the one pipeline: it is stored, then Manager::refreshCertificates()
// commits a snapshot holding it, which returns once Envoy serves it (the applier confirms the
// serial through Envoy's admin /certs). Only then is it `active`.
//
// The worker: one thread, one order at a time (so one order per name set at a time, and never a
// burst), woken every `poll` to look at the committed snapshot. A failed order backs off per
// hostname: retry_initial, doubling up to retry_max, ±20 % jitter, and never before the CA's
// Retry-After.
//
//   CertificateManager certs(settings, store, clock, issuer);   // issuer null: no ACME
//   certs.load();                                                // before the Manager exists
//   Manager manager(..., &certs);
//   certs.attach([&] { return manager.current(); }, [&] { return manager.refreshCertificates(); });
//   certs.start();  ...  certs.stop();
//
// Thread-safe. Keys are never logged.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "certs/allowed_domains.h"
#include "certs/issuer.h"
#include "common/clock.h"
#include "ingress/certificate_catalog.h"
#include "ingress/certificate_service.h"
#include "tls/cert_store.h"

namespace ingress::certs {

struct CertificateManagerSettings {
  AllowedDomains allowed;   // TLS_ALLOWED_DOMAINS
  bool dns01 = false;       // a DNS-01 provider is configured (needed for wildcard hostnames)
  uint16_t http_port = 80;  // HTTP_PORT: plain HTTP only (redirects, HTTP-01)
  std::chrono::seconds retry_initial{60};
  std::chrono::seconds retry_max{std::chrono::hours(6)};
  std::chrono::milliseconds poll{1000};
  // MAX_CERTIFICATES: certificates in use at most (each costs Envoy an inotify instance, its SDS
  // subscription). A TLS rule that would need one more is refused (409 limit_exceeded).
  size_t max_certificates = 24;
};

class CertificateManager final : public domain::CertificateCatalog,
                                 public domain::CertificateService {
 public:
  // `issuer` may be null (no ACME: only user certificates). `random` gives uniform 64-bit
  // values (jitter, the moment inside an ARI window); injected for tests.
  CertificateManager(CertificateManagerSettings settings, tls::CertificateStore& store,
                     Clock& clock, CertificateIssuer* issuer,
                     std::function<uint64_t()> random = {});
  ~CertificateManager() override;

  // Loads the stored certificates (before the Manager takes its first snapshot).
  Status load();
  // How to read the committed snapshot and commit a new one with certificates().
  void attach(std::function<domain::SnapshotPtr()> current, std::function<Status()> refresh);
  void start();
  void stop();
  // One pass of the worker at clock.now(): orders and renewals that are due, one after the other.
  // Returns when the next pass is due at the latest. (The worker loops on it; tests call it.)
  std::chrono::system_clock::time_point runOnce();
  // Wakes the worker now (e.g. after a TLS rule was created).
  void wake() const;

  // CertificateCatalog
  std::vector<domain::ServedCertificatePtr> certificates() const override;
  Status admitTlsRule(const domain::Rule& rule, const std::string& path) const override;
  domain::CertificateStatus status(const domain::Rule& rule,
                                   const domain::ConfigSnapshot& snapshot) const override;
  void committed() const override { wake(); }

  // CertificateService
  StatusOr<domain::CertificateInfoView> putCertificate(std::string_view name,
                                                       const std::string& chain_pem,
                                                       const std::string& key_pem) override;
  std::vector<domain::CertificateInfoView> listCertificates() const override;
  StatusOr<domain::CertificateInfoView> getCertificate(std::string_view name) const override;
  Status deleteCertificate(std::string_view name) override;

  // The id of the ACME certificate of a hostname: `acme.` + 16 hex digits of its sha256.
  static std::string acmeId(const std::string& hostname);
  uint64_t ordersCreated() const { return issuer_ != nullptr ? issuer_->ordersCreated() : 0; }

 private:
  struct Held {
    tls::StoredCertificate stored;
    domain::ServedCertificatePtr served;
    std::string issuer_name;
    std::chrono::system_clock::time_point not_before;
    std::string ari_id;
    std::chrono::system_clock::time_point renew_at;  // ACME only
    // Loaded at start with renew_at at 2/3 of the lifetime: the worker asks the CA for its ARI
    // window (a network call: never on serve's start-up path).
    bool ari_pending = false;
  };
  // The ACME state of one TLS hostname.
  struct Work {
    bool in_progress = false;
    int failures = 0;
    std::chrono::system_clock::time_point next_attempt{};
    std::string last_error;
    std::optional<std::chrono::system_clock::time_point> last_error_at;
  };

  StatusOr<Held> hold(tls::StoredCertificate stored) const;
  // Inside the CA's ARI window when `ask_ari` and it offers one, else at 2/3 of the lifetime.
  std::chrono::system_clock::time_point renewalTime(const Held& h, bool ask_ari);
  // The worker: the ARI windows of certificates loaded at start.
  void refineLoadedRenewalTimes();
  // The id of the user certificate covering `hostname`, or "" (mu_ held).
  std::string userCertificateFor(const std::string& hostname) const;
  bool userCovers(const std::string& hostname) const {  // mu_ held
    return !userCertificateFor(hostname).empty();
  }
  // Certificate id → the TLS rule hostnames it serves in `snapshot` (sorted).
  static std::map<std::string, std::vector<std::string>> servingBy(
      const domain::ConfigSnapshot& snapshot);
  std::map<std::string, std::vector<std::string>> servingNow() const;  // of the committed one
  // Orders (or renews) the certificate of `hostname`; the worker calls it without mu_.
  void obtain(const std::string& hostname, const std::string& replaces);
  domain::CertificateInfoView viewOf(
      const Held& h, const std::map<std::string, std::vector<std::string>>& serving) const;
  std::chrono::nanoseconds backoff(int failures);

  const CertificateManagerSettings settings_;
  tls::CertificateStore& store_;
  Clock& clock_;
  CertificateIssuer* const issuer_;
  std::function<uint64_t()> random_;
  std::function<domain::SnapshotPtr()> current_;
  std::function<Status()> refresh_;

  mutable std::mutex mu_;
  std::map<std::string, Held> held_;  // by id (user.* and acme.*)
  std::map<std::string, Work> work_;  // by hostname
  std::mutex user_mu_;                // serializes user uploads and deletes

  mutable std::mutex wake_mu_;
  mutable std::condition_variable wake_cv_;
  mutable bool woken_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace ingress::certs

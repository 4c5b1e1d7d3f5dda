// AcmeClient: an RFC 8555 ACME client (with RFC 9773 renewal information) inside the daemon.
// It runs one issuance end to end — account, order, challenges, finalize, download — and leaves
// scheduling, renewal timing and certificate storage to its caller (src/certs).
//
// Why our own client: Debian ships no C/C++ ACME library (-dev package); driving certbot or lego
// as a CLI would add a Python or Go runtime to the product and a process spawn per order, with
// errors only as text on stderr; and the protocol is small (a dozen JSON requests signed with
// ES256), so the client is a few hundred lines over libcurl and OpenSSL that we can test with a
// fake CA and against Pebble.
//
//   INGRESS_ASSIGN_OR_RETURN(AccountKey key, AccountKey::loadOrCreate(fs, state_dir +
//   "/acme.key")); HttpTransport http({.ca_bundle = settings.ca_bundle}); AcmeClient
//   client(settings, key, http, clock, solver); AcmeFailure failure; StatusOr<IssuedChain> chain =
//   client.issue({"example.com"}, csr_der, /*replaces=*/"", &failure); if (!chain.ok() &&
//   failure.retry_after) backOffUntil(*failure.retry_after);
//
// Errors: see acme/problem.h for the reasons (status.reason(), e.g. "acme_rejected_identifier")
// and AcmeFailure for the CA's Retry-After. badNonce answers are retried here (up to
// max_bad_nonce_retries, with the nonce from the error answer); nothing else is retried: backing
// off is the caller's decision, so a failing name cannot burn the CA's rate limits in a loop.
//
// Thread-safety: public methods may be called from any thread; they are serialized (one ACME
// conversation at a time). ordersCreated() never blocks.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acme/ari.h"
#include "acme/challenge.h"
#include "acme/jws.h"
#include "acme/problem.h"
#include "acme/transport.h"
#include "common/clock.h"
#include "common/json.h"
#include "common/status.h"

namespace ingress::acme {

struct AcmeSettings {
  std::string directory_url;  // e.g. https://acme-v02.api.letsencrypt.org/directory
  std::string email;          // contact (mailto:) of the account; empty = none
  std::string ca_bundle;      // PEM file to trust the ACME server with; empty = system store
  std::chrono::milliseconds request_timeout{30000};         // one HTTP request
  std::chrono::milliseconds authorization_timeout{300000};  // validating one authorization
  std::chrono::milliseconds order_timeout{300000};          // from finalize to a certificate
  std::chrono::milliseconds poll_interval{1000};  // polling when the CA gives no Retry-After
  int max_bad_nonce_retries = 5;                  // per request
};

struct IssuedChain {
  std::string chain_pem;  // leaf first, then intermediates, as the CA sent it
  std::string order_url;
};

class AcmeClient {
 public:
  // Borrows everything; all must outlive the client.
  AcmeClient(AcmeSettings settings, const AccountKey& key, Transport& transport, Clock& clock,
             ChallengeSolver& solver);

  // One order for `names` (DNS names; "*.example.com" for wildcards), finalized with
  // `csr_der` (a DER CSR naming exactly these names, signed by the certificate key, which must
  // not be the account key). `replaces`: the ARI certificate id of the certificate this one
  // renews, or empty. Creates exactly one order per call. On failure `failure` (if given) gets
  // the status, the CA's problem type and its Retry-After.
  StatusOr<IssuedChain> issue(const std::vector<std::string>& names, std::string_view csr_der,
                              const std::string& replaces = {}, AcmeFailure* failure = nullptr);

  // ARI: the CA's suggested renewal window for `cert_id` (tls::CertificateInfo::ari_cert_id);
  // nullopt when the directory has no renewalInfo endpoint.
  StatusOr<std::optional<RenewalWindow>> renewalInfo(const std::string& cert_id,
                                                     AcmeFailure* failure = nullptr);

  // Registers the account (or finds it again: newAccount with a known key returns it) and
  // returns its URL (the JWS "kid").
  StatusOr<std::string> accountUrl();

  // Orders requested from the CA since construction (newOrder requests, whatever their outcome).
  uint64_t ordersCreated() const { return orders_created_.load(); }
  // badNonce answers that were retried.
  uint64_t badNonceRetries() const { return bad_nonce_retries_.load(); }

 private:
  struct Directory {
    std::string new_nonce, new_account, new_order, renewal_info;
  };

  StatusOr<IssuedChain> issueLocked(const std::vector<std::string>& names, std::string_view csr_der,
                                    const std::string& replaces);
  StatusOr<std::optional<RenewalWindow>> renewalInfoLocked(const std::string& cert_id);
  Status ensureDirectory();
  Status ensureAccount();
  StatusOr<std::string> takeNonce();
  void keepNonce(const HttpResponse& response);
  // A signed POST (payload nullopt = POST-as-GET). Errors (status >= 400) become failures.
  StatusOr<HttpResponse> post(const std::string& url, const std::optional<Json>& payload,
                              std::string_view context, bool use_jwk = false,
                              std::string_view accept = {});
  StatusOr<Json> postForJson(const std::string& url, const std::optional<Json>& payload,
                             std::string_view context, HttpResponse* raw = nullptr);
  Status authorize(const std::string& authz_url);
  StatusOr<Json> pollOrder(const std::string& order_url, Json order, bool until_final);
  // Sleeps until the next poll (Retry-After or poll_interval); false when `deadline` is passed.
  bool waitToPoll(const HttpResponse& response, std::chrono::steady_clock::time_point deadline);
  Status fail(AcmeFailure failure);
  Status fail(Status status) { return fail(AcmeFailure{std::move(status), {}, {}}); }

  const AcmeSettings settings_;
  const AccountKey& key_;
  Transport& transport_;
  Clock& clock_;
  ChallengeSolver& solver_;
  std::atomic<uint64_t> orders_created_{0};
  std::atomic<uint64_t> bad_nonce_retries_{0};

  std::mutex mu_;  // serializes the public calls; guards everything below
  std::optional<Directory> directory_;
  std::string account_url_;
  std::string nonce_;
  AcmeFailure failure_;  // the last failure of the current call
};

}  // namespace ingress::acme

// Https: the HTTPS parts of `ingressd serve`, wired from the settings (README "HTTPS").
//
//   {DATA_DIR}/certs/<id>.json     every certificate with its key (0600): uploads and ACME
//   {DATA_DIR}/tls/default.json    the self-signed certificate of the TLS listeners' default
//                                  filter chain (clients without SNI), generated once
//   {DATA_DIR}/acme/account.pem    the ACME account key (0600), created once and reused
//
// With ACME (ACME_EMAIL or ACME_DIRECTORY_URL): an ACME client whose HTTP-01 answers are served
// by a loopback listener (127.0.0.1, ephemeral port) that Envoy routes HTTP_PORT's
// /.well-known/acme-challenge/ to, and DNS-01 through ACME_DNS_PROVIDER. Without it only
// uploaded certificates serve TLS rules.
//
//   auto https = Https::create(settings, fs, clock, processes, data_dir);
//   builder.tls = https->tlsSettings();   // once the challenge listener is bound
//   Manager manager(..., &https->certificates());
//   https->attach(manager);  https->start();  ...  https->stop();
#pragma once

#include <memory>
#include <string>

#include "acme/client.h"
#include "acme/cloudflare_solver.h"
#include "acme/dns_propagation.h"
#include "acme/exec_hook_solver.h"
#include "api/acme_challenge_handler.h"
#include "api/server.h"
#include "certs/acme_issuer.h"
#include "certs/certificate_manager.h"
#include "common/clock.h"
#include "common/filesystem.h"
#include "common/process.h"
#include "envoy/builder_settings.h"
#include "exe/settings.h"
#include "ingress/manager.h"
#include "tls/cert_store.h"

namespace ingress::exe {

class Https {
 public:
  // Loads (or generates) the default certificate and the stored certificates; with ACME, loads
  // (or creates) the account key and binds the challenge listener. Nothing is started.
  static StatusOr<std::unique_ptr<Https>> create(const Settings& settings, Filesystem& fs,
                                                 Clock& clock, ProcessLauncher& processes,
                                                 const std::string& data_dir);
  ~Https();

  envoy::TlsSettings tlsSettings() const;
  certs::CertificateManager& certificates() { return *certs_; }
  // The challenge listener's port (0 without ACME), to keep targets off it.
  uint16_t challengePort() const;
  void attach(domain::Manager& manager);
  // Starts the challenge listener and the certificate worker.
  Status start();
  void stop();

 private:
  Https() = default;
  envoy::TlsSettings tls_;
  std::unique_ptr<tls::CertificateStore> store_;
  std::unique_ptr<tls::CertificateStore> default_store_;
  std::unique_ptr<acme::AccountKey> account_key_;
  std::unique_ptr<acme::HttpTransport> transport_;
  std::unique_ptr<acme::Http01Responder> http01_;
  std::unique_ptr<acme::ChallengeSolver> dns01_;
  std::unique_ptr<acme::DnsPropagationWaiter> propagation_;
  std::unique_ptr<acme::CombinedSolver> solver_;
  std::unique_ptr<acme::AcmeClient> client_;
  std::unique_ptr<certs::AcmeIssuer> issuer_;
  std::unique_ptr<certs::CertificateManager> certs_;
  std::unique_ptr<api::AcmeChallengeHandler> challenge_handler_;
  std::unique_ptr<api::Server> challenge_server_;
};

}  // namespace ingress::exe

#include "exe/https.h"

#include "common/log.h"
#include "tls/x509.h"

namespace ingress::exe {
namespace {

constexpr char kDefaultId[] = "default";

// The default filter chain's certificate: generated once, kept, regenerated when it is unreadable
// or expires within a week.
StatusOr<tls::SelfSigned> loadOrMakeDefault(tls::CertificateStore& store, Clock& clock) {
  INGRESS_RETURN_IF_ERROR(store.init());
  INGRESS_ASSIGN_OR_RETURN(std::vector<tls::StoredCertificate> all, store.loadAll());
  for (const auto& c : all) {
    if (c.id != kDefaultId) continue;
    auto info = tls::inspectCertificate(c.chain_pem);
    if (info.ok() && info->not_after > clock.now() + std::chrono::hours(24 * 7)) {
      return tls::SelfSigned{c.chain_pem, c.key_pem};
    }
  }
  INGRESS_ASSIGN_OR_RETURN(
      tls::SelfSigned made,
      tls::makeSelfSigned("ingressd-default", clock.now(), std::chrono::hours(24 * 3650)));
  tls::StoredCertificate stored;
  stored.id = kDefaultId;
  stored.source = std::string(tls::kSourceUser);
  stored.name = kDefaultId;
  stored.chain_pem = made.chain_pem;
  stored.key_pem = made.key_pem;
  stored.stored_at = clock.now();
  INGRESS_RETURN_IF_ERROR(store.put(stored));
  log::info("generated the default TLS certificate (clients without SNI)");
  return made;
}

}  // namespace

Https::~Https() { stop(); }

StatusOr<std::unique_ptr<Https>> Https::create(const Settings& settings, Filesystem& fs,
                                               Clock& clock, ProcessLauncher& processes,
                                               const std::string& data_dir) {
  std::unique_ptr<Https> h(new Https());
  h->default_store_ = std::make_unique<tls::CertificateStore>(fs, data_dir + "/tls");
  INGRESS_ASSIGN_OR_RETURN(tls::SelfSigned def, loadOrMakeDefault(*h->default_store_, clock));
  h->tls_.default_chain_pem = def.chain_pem;
  h->tls_.default_key_pem = def.key_pem;
  h->tls_.http_port = settings.http_port;

  auto allowed = certs::AllowedDomains::parse(settings.tls_allowed_domains);
  if (!allowed.ok()) return allowed.status();
  certs::CertificateManagerSettings cs;
  cs.allowed = *allowed;
  cs.http_port = settings.http_port;
  cs.retry_initial = settings.acme_retry_initial;
  cs.max_certificates = settings.max_certificates;
  cs.dns01 = !settings.acme_dns_provider.empty();

  if (settings.acme_enabled) {
    INGRESS_RETURN_IF_ERROR(fs.makeDirs(data_dir + "/acme", 0700));
    INGRESS_ASSIGN_OR_RETURN(acme::AccountKey key,
                             acme::AccountKey::loadOrCreate(fs, data_dir + "/acme/account.pem"));
    h->account_key_ = std::make_unique<acme::AccountKey>(std::move(key));
    h->transport_ = std::make_unique<acme::HttpTransport>(
        acme::HttpTransportOptions{.ca_bundle = settings.acme_ca_bundle});
    h->http01_ = std::make_unique<acme::Http01Responder>();
    if (settings.acme_dns_provider == "exec") {
      h->dns01_ = std::make_unique<acme::ExecHookSolver>(processes, settings.acme_dns_hook);
    } else if (settings.acme_dns_provider == "cloudflare") {
      h->dns01_ =
          std::make_unique<acme::CloudflareSolver>(settings.cloudflare_api_token, *h->transport_);
    }
    if (h->dns01_ != nullptr && settings.dns_propagation_timeout.count() > 0) {
      auto resolvers = acme::makeTxtResolvers(settings.dns_resolvers);
      if (!resolvers.ok()) return resolvers.status().withContext("DNS_RESOLVERS");
      h->propagation_ = std::make_unique<acme::DnsPropagationWaiter>(
          std::move(*resolvers), clock,
          std::chrono::duration_cast<std::chrono::milliseconds>(settings.dns_propagation_timeout));
    }
    h->solver_ = std::make_unique<acme::CombinedSolver>(h->http01_.get(), h->dns01_.get(),
                                                        h->propagation_.get());
    acme::AcmeSettings as;
    as.directory_url = settings.acme_directory_url;
    as.email = settings.acme_email;
    as.ca_bundle = settings.acme_ca_bundle;
    // Authorizations and orders are polled every 250 ms when the CA gives no Retry-After (its
    // Retry-After wins): an order takes a few polls, so 1 s steps dominated a new rule's wait.
    as.poll_interval = std::chrono::milliseconds(250);
    h->client_ = std::make_unique<acme::AcmeClient>(as, *h->account_key_, *h->transport_, clock,
                                                    *h->solver_);
    h->issuer_ = std::make_unique<certs::AcmeIssuer>(*h->client_);

    // The challenge listener: loopback, ephemeral, same server machinery as the API.
    h->challenge_handler_ = std::make_unique<api::AcmeChallengeHandler>(
        [r = h->http01_.get()](std::string_view t) { return r->lookup(t); });
    api::ServerOptions o;
    o.name = "ACME challenge";
    o.listen = "127.0.0.1:0";
    o.threads = 1;
    o.handler_threads = 2;
    o.max_connections = 256;
    o.max_connections_per_client = 256;
    auto server = api::Server::create(o, *h->challenge_handler_);
    if (!server.ok()) return server.status().withContext("ACME challenge listener");
    h->challenge_server_ = std::move(*server);
    h->tls_.acme_http01_port = h->challenge_server_->port();
  }

  h->store_ = std::make_unique<tls::CertificateStore>(fs, data_dir + "/certs");
  h->certs_ = std::make_unique<certs::CertificateManager>(cs, *h->store_, clock, h->issuer_.get());
  INGRESS_RETURN_IF_ERROR(h->certs_->load());
  return h;
}

envoy::TlsSettings Https::tlsSettings() const { return tls_; }

uint16_t Https::challengePort() const { return tls_.acme_http01_port; }

void Https::attach(domain::Manager& manager) {
  certs_->attach([&manager] { return manager.current(); },
                 [&manager] { return manager.refreshCertificates(); });
}

Status Https::start() {
  if (challenge_server_ != nullptr) {
    INGRESS_RETURN_IF_ERROR(challenge_server_->start());
  }
  certs_->start();
  return okStatus();
}

void Https::stop() {
  if (certs_ != nullptr) certs_->stop();
  if (challenge_server_ != nullptr) challenge_server_->stop(std::chrono::seconds(1));
}

}  // namespace ingress::exe

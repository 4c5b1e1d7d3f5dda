#include "certs/certificate_manager.h"

#include <algorithm>
#include <random>

#include "common/log.h"
#include "common/sha256.h"
#include "ingress/validation.h"
#include "tls/x509.h"

namespace ingress::certs {
namespace {

using domain::CertificateStatus;
using domain::ServedCertificate;
using std::chrono::system_clock;

constexpr char kUserPrefix[] = "user.";

std::string userId(std::string_view name) { return kUserPrefix + std::string(name); }

bool isUser(const std::string& id) { return id.rfind(kUserPrefix, 0) == 0; }

}  // namespace

CertificateManager::CertificateManager(CertificateManagerSettings settings,
                                       tls::CertificateStore& store, Clock& clock,
                                       CertificateIssuer* issuer, std::function<uint64_t()> random)
    : settings_(std::move(settings)),
      store_(store),
      clock_(clock),
      issuer_(issuer),
      random_(std::move(random)) {
  if (!random_) {
    random_ = [gen = std::make_shared<std::mt19937_64>(std::random_device{}())] {
      return (*gen)();
    };
  }
}

CertificateManager::~CertificateManager() { stop(); }

std::string CertificateManager::acmeId(const std::string& hostname) {
  return "acme." + sha256Hex(hostname).substr(0, 16);
}

StatusOr<CertificateManager::Held> CertificateManager::hold(tls::StoredCertificate stored) const {
  INGRESS_ASSIGN_OR_RETURN(tls::CertificateInfo info, tls::inspectCertificate(stored.chain_pem));
  Held h;
  auto served = std::make_shared<ServedCertificate>();
  served->id = stored.id;
  served->source =
      stored.source == "user" ? ServedCertificate::Source::kUser : ServedCertificate::Source::kAcme;
  served->names = info.dns_names;
  served->chain_pem = stored.chain_pem;
  served->key_pem = stored.key_pem;
  served->serial = info.serial;
  served->not_after = info.not_after;
  h.served = std::move(served);
  h.issuer_name = info.issuer;
  h.not_before = info.not_before;
  h.ari_id = info.ari_cert_id;
  h.stored = std::move(stored);
  return h;
}

system_clock::time_point CertificateManager::renewalTime(const Held& h, bool ask_ari) {
  const system_clock::time_point not_after = h.served->not_after;
  if (ask_ari && issuer_ != nullptr && !h.ari_id.empty()) {
    if (auto w = issuer_->renewalWindow(h.ari_id); w && w->end > w->start) {
      const auto span = std::chrono::duration_cast<std::chrono::seconds>(w->end - w->start);
      return w->start + std::chrono::seconds(random_() % static_cast<uint64_t>(span.count() + 1));
    }
  }
  // Two thirds of the lifetime.
  return h.not_before + (not_after - h.not_before) * 2 / 3;
}

Status CertificateManager::load() {
  INGRESS_RETURN_IF_ERROR(store_.init());
  INGRESS_ASSIGN_OR_RETURN(std::vector<tls::StoredCertificate> all, store_.loadAll());
  std::map<std::string, Held> loaded;
  for (auto& s : all) {
    const std::string id = s.id;
    auto h = hold(std::move(s));
    if (!h.ok()) {
      log::warn("stored certificate unreadable; not serving it",
                {{"certificate", id}, {"error", h.status().message()}});
      continue;
    }
    loaded.emplace(id, std::move(*h));
  }
  for (auto& [id, h] : loaded) {
    if (isUser(id)) continue;
    h.renew_at = renewalTime(h, /*ask_ari=*/false);
    h.ari_pending = issuer_ != nullptr && !h.ari_id.empty();
  }
  std::lock_guard lock(mu_);
  held_ = std::move(loaded);
  log::info("certificates loaded", {{"count", held_.size()}});
  return okStatus();
}

void CertificateManager::attach(std::function<domain::SnapshotPtr()> current,
                                std::function<Status()> refresh) {
  current_ = std::move(current);
  refresh_ = std::move(refresh);
}

void CertificateManager::start() {
  if (issuer_ == nullptr || worker_.joinable()) return;
  worker_ = std::thread([this] {
    while (true) {
      const system_clock::time_point next = runOnce();
      std::unique_lock lock(wake_mu_);
      const auto wait = std::min<std::chrono::nanoseconds>(
          std::max<std::chrono::nanoseconds>(next - clock_.now(), std::chrono::milliseconds(10)),
          settings_.poll);
      wake_cv_.wait_for(lock, wait, [this] { return woken_ || stopping_; });
      if (stopping_) return;
      woken_ = false;
    }
  });
}

void CertificateManager::stop() {
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  wake_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void CertificateManager::wake() const {
  {
    std::lock_guard lock(wake_mu_);
    woken_ = true;
  }
  wake_cv_.notify_all();
}

std::string CertificateManager::userCertificateFor(const std::string& hostname) const {
  for (const auto& [id, h] : held_) {
    if (!isUser(id)) continue;
    for (const std::string& n : h.served->names) {
      if (domain::certificateNameCovers(n, hostname)) return id;
    }
  }
  return {};
}

void CertificateManager::refineLoadedRenewalTimes() {
  std::vector<Held> pending;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, h] : held_) {
      if (h.ari_pending) pending.push_back(h);
    }
  }
  for (Held& h : pending) {
    const system_clock::time_point at = renewalTime(h, /*ask_ari=*/true);
    std::lock_guard lock(mu_);
    auto it = held_.find(h.stored.id);
    // Unless a renewal replaced it meanwhile.
    if (it == held_.end() || it->second.served != h.served) continue;
    it->second.renew_at = at;
    it->second.ari_pending = false;
  }
}

std::chrono::nanoseconds CertificateManager::backoff(int failures) {
  auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(settings_.retry_initial);
  for (int i = 1; i < failures && d < settings_.retry_max; ++i) d *= 2;
  d = std::min<std::chrono::nanoseconds>(d, settings_.retry_max);
  // ±20 % jitter, so that many names failing together do not retry together.
  const double jitter = 0.8 + 0.4 * static_cast<double>(random_() % 10001) / 10000.0;
  return std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(d.count()) * jitter));
}

system_clock::time_point CertificateManager::runOnce() {
  const system_clock::time_point now = clock_.now();
  system_clock::time_point next = now + std::chrono::hours(1);
  if (issuer_ == nullptr || !current_) return next;
  refineLoadedRenewalTimes();
  const domain::SnapshotPtr snapshot = current_();
  std::set<std::string> hostnames;
  for (const auto& e : snapshot->ingresses()) {
    for (const domain::Rule& r : e->ingress.rules) {
      if (r.tls) hostnames.insert(r.match.hostname);
    }
  }
  struct Due {
    std::string hostname;
    std::string replaces;
  };
  std::vector<Due> due;
  {
    std::lock_guard lock(mu_);
    for (const std::string& h : hostnames) {
      if (userCovers(h)) continue;
      Work& w = work_[h];
      auto it = held_.find(acmeId(h));
      system_clock::time_point when = now;  // no certificate yet: now
      std::string replaces;
      if (it != held_.end()) {
        when = it->second.renew_at;
        replaces = it->second.ari_id;
      }
      when = std::max(when, w.next_attempt);
      if (when <= now) {
        due.push_back({h, replaces});
      } else {
        next = std::min(next, when);
      }
    }
    // Forget the work of hostnames that have no TLS rule any more.
    for (auto it = work_.begin(); it != work_.end();) {
      it = hostnames.count(it->first) == 0 ? work_.erase(it) : std::next(it);
    }
  }
  for (const Due& d : due) {
    obtain(d.hostname, d.replaces);
    std::lock_guard lock(wake_mu_);
    if (stopping_) break;
  }
  if (!due.empty()) next = clock_.now();  // look again: the state changed
  return next;
}

void CertificateManager::obtain(const std::string& hostname, const std::string& replaces) {
  const std::string id = acmeId(hostname);
  {
    std::lock_guard lock(mu_);
    work_[hostname].in_progress = true;
  }
  auto fail = [&](const Status& st, std::optional<system_clock::time_point> retry_after) {
    const system_clock::time_point now = clock_.now();
    std::lock_guard lock(mu_);
    Work& w = work_[hostname];
    w.in_progress = false;
    ++w.failures;
    w.last_error = st.message();
    w.last_error_at = now;
    w.next_attempt = now + std::chrono::duration_cast<system_clock::duration>(backoff(w.failures));
    if (retry_after && *retry_after > w.next_attempt) w.next_attempt = *retry_after;
    log::warn("certificate order failed",
              {{"hostname", hostname},
               {"error", st.message()},
               {"failures", w.failures},
               {"retry_in_s",
                std::chrono::duration_cast<std::chrono::seconds>(w.next_attempt - now).count()}});
  };
  log::info(replaces.empty() ? "ordering a certificate" : "renewing a certificate",
            {{"hostname", hostname}, {"certificate", id}});
  auto key = tls::generateEcKeyPem();
  if (!key.ok()) return fail(key.status(), std::nullopt);
  auto csr = tls::makeCsrDer(*key, {hostname});
  if (!csr.ok()) return fail(csr.status(), std::nullopt);
  IssueFailure failure;
  std::optional<std::string> chain = issuer_->issue({hostname}, *csr, replaces, failure);
  if (!chain) return fail(failure.status, failure.retry_after);

  tls::StoredCertificate stored;
  stored.id = id;
  stored.source = "acme";
  stored.name = hostname;
  stored.requested_names = {hostname};
  stored.chain_pem = std::move(*chain);
  stored.key_pem = std::move(*key);
  stored.stored_at = clock_.now();
  auto held = hold(stored);
  if (!held.ok()) return fail(held.status().withContext("the CA's certificate"), std::nullopt);
  if (Status st = tls::checkKeyMatches(stored.chain_pem, stored.key_pem); !st.ok()) {
    return fail(st.withContext("the CA's certificate"), std::nullopt);
  }
  if (Status st = store_.put(stored); !st.ok()) {
    return fail(st.withContext("storing the certificate"), std::nullopt);
  }
  held->renew_at = renewalTime(*held, /*ask_ari=*/true);
  std::optional<Held> previous;
  {
    std::lock_guard lock(mu_);
    auto it = held_.find(id);
    if (it != held_.end()) previous = it->second;
    held_.insert_or_assign(id, *held);
  }
  Status served = refresh_ ? refresh_() : okStatus();
  if (!served.ok()) {
    // Envoy did not take it: keep serving the previous one (memory and disk).
    {
      std::lock_guard lock(mu_);
      if (previous) {
        held_.insert_or_assign(id, *previous);
      } else {
        held_.erase(id);
      }
    }
    if (previous) {
      (void)store_.put(previous->stored);
    } else {
      (void)store_.remove(id);
    }
    return fail(served.withContext("Envoy did not take the new certificate"), std::nullopt);
  }
  std::lock_guard lock(mu_);
  Work& w = work_[hostname];
  w = Work{};
  log::info(
      "certificate active",
      {{"hostname", hostname},
       {"certificate", id},
       {"serial", held->served->serial},
       {"renew_in_h",
        std::chrono::duration_cast<std::chrono::hours>(held->renew_at - clock_.now()).count()}});
}

std::vector<domain::ServedCertificatePtr> CertificateManager::certificates() const {
  std::lock_guard lock(mu_);
  std::vector<domain::ServedCertificatePtr> out;
  out.reserve(held_.size());
  for (const auto& [id, h] : held_) out.push_back(h.served);
  return out;
}

Status CertificateManager::admitTlsRule(const domain::Rule& rule, const std::string& path) const {
  const std::string& host = rule.match.hostname;
  if (rule.match.port == settings_.http_port) {
    return invalidArgument(path + ".match.port: port " + std::to_string(rule.match.port) +
                               " is the plain HTTP port (HTTP_PORT), where redirects and ACME "
                               "challenges are answered; TLS needs another port, usually 443",
                           "bad_request");
  }
  const domain::SnapshotPtr snapshot = current_ ? current_() : nullptr;
  {
    std::lock_guard lock(mu_);
    // The certificates in use (one SDS subscription each), and whether this rule adds one.
    auto certificateOf = [&](const std::string& h) {
      std::string id = userCertificateFor(h);
      return id.empty() ? acmeId(h) : id;
    };
    std::set<std::string> in_use;
    if (snapshot != nullptr) {
      for (const auto& e : snapshot->ingresses()) {
        for (const domain::Rule& r : e->ingress.rules) {
          if (r.tls) in_use.insert(certificateOf(r.match.hostname));
        }
      }
    }
    if (in_use.count(certificateOf(host)) == 0 && in_use.size() >= settings_.max_certificates) {
      return resourceExhausted(
          path + ".tls: " + std::to_string(in_use.size()) +
              " certificates are in use, the most MAX_CERTIFICATES allows (each costs Envoy an "
              "inotify instance: raise fs.inotify.max_user_instances with it)",
          "limit_exceeded");
    }
    if (userCovers(host)) return okStatus();
  }
  if (issuer_ == nullptr) {
    return invalidArgument(path + ".tls: no certificate covers \"" + host +
                               "\" and ACME is not configured: upload a certificate for it "
                               "(PUT /certificates/{name}) or set ACME_EMAIL",
                           "tls_not_configured");
  }
  if (!settings_.allowed.allows(host)) {
    return invalidArgument(path + ".match.hostname: \"" + host +
                               "\" is not in TLS_ALLOWED_DOMAINS, so ACME may not issue a "
                               "certificate for it (and no uploaded certificate covers it)",
                           "domain_not_allowed");
  }
  if (host.rfind("*.", 0) == 0 && !settings_.dns01) {
    return invalidArgument(path +
                               ".match.hostname: a wildcard certificate needs the DNS-01 "
                               "challenge: set ACME_DNS_PROVIDER (cloudflare or exec), or "
                               "upload a certificate covering \"" +
                               host + "\"",
                           "dns_provider_required");
  }
  return okStatus();
}

CertificateStatus CertificateManager::status(const domain::Rule& rule,
                                             const domain::ConfigSnapshot& snapshot) const {
  CertificateStatus s;
  const std::string& host = rule.match.hostname;
  const ServedCertificate* c = snapshot.certificateFor(host);
  const system_clock::time_point now = clock_.now();
  std::lock_guard lock(mu_);
  auto w = work_.find(host);
  const Work none;
  const Work& work = w != work_.end() ? w->second : none;
  if (c != nullptr) {
    s.source = c->source == ServedCertificate::Source::kUser ? "user" : "acme";
    s.id = c->id;
    s.serial = c->serial;
    s.expires_at = c->not_after;
    if (c->not_after <= now) {
      s.state = CertificateStatus::State::kFailed;
      if (work.last_error.empty()) s.last_error = "the certificate expired";
    } else if (c->source == ServedCertificate::Source::kAcme) {
      auto h = held_.find(c->id);
      const bool renewal_due = h != held_.end() && h->second.renew_at <= now;
      s.state = work.in_progress || renewal_due || !work.last_error.empty()
                    ? CertificateStatus::State::kRenewing
                    : CertificateStatus::State::kActive;
    } else {
      s.state = CertificateStatus::State::kActive;
    }
  } else {
    s.source = userCovers(host) ? "user" : "acme";
    if (issuer_ == nullptr && s.source == "acme") {
      s.state = CertificateStatus::State::kFailed;
      s.last_error = "no certificate covers this hostname and ACME is not configured";
    } else {
      s.state = !work.in_progress && !work.last_error.empty() ? CertificateStatus::State::kFailed
                                                              : CertificateStatus::State::kPending;
    }
  }
  if (!work.last_error.empty()) {
    s.last_error = work.last_error;
    s.last_error_at = work.last_error_at;
    if (!work.in_progress) s.next_attempt_at = work.next_attempt;
  }
  return s;
}

std::map<std::string, std::vector<std::string>> CertificateManager::servingBy(
    const domain::ConfigSnapshot& snapshot) {
  std::map<std::string, std::set<std::string>> sets;
  for (const auto& e : snapshot.ingresses()) {
    for (const domain::Rule& r : e->ingress.rules) {
      if (!r.tls) continue;
      if (const ServedCertificate* c = snapshot.certificateFor(r.match.hostname)) {
        sets[c->id].insert(r.match.hostname);
      }
    }
  }
  std::map<std::string, std::vector<std::string>> out;
  for (auto& [id, hosts] : sets) out[id].assign(hosts.begin(), hosts.end());
  return out;
}

std::map<std::string, std::vector<std::string>> CertificateManager::servingNow() const {
  if (!current_) return {};
  return servingBy(*current_());
}

domain::CertificateInfoView CertificateManager::viewOf(
    const Held& h, const std::map<std::string, std::vector<std::string>>& serving) const {
  domain::CertificateInfoView v;
  v.id = h.stored.id;
  v.source = h.stored.source;
  v.name = isUser(v.id) ? h.stored.name : v.id;
  v.dns_names = h.served->names;
  v.serial = h.served->serial;
  v.issuer = h.issuer_name;
  v.not_before = h.not_before;
  v.not_after = h.served->not_after;
  v.stored_at = h.stored.stored_at;
  if (auto it = serving.find(v.id); it != serving.end()) v.serving = it->second;
  return v;
}

StatusOr<domain::CertificateInfoView> CertificateManager::putCertificate(
    std::string_view name, const std::string& chain_pem, const std::string& key_pem) {
  if (!domain::isValidName(name)) {
    return invalidArgument(
        "name: must consist of lowercase letters, digits and '-', 1..63 characters", "bad_request");
  }
  const system_clock::time_point now = clock_.now();
  INGRESS_RETURN_IF_ERROR(tls::validateUpload(chain_pem, key_pem, now));
  std::lock_guard user_lock(user_mu_);
  tls::StoredCertificate stored;
  stored.id = userId(name);
  stored.source = "user";
  stored.name = std::string(name);
  stored.chain_pem = chain_pem;
  stored.key_pem = key_pem;
  stored.stored_at = now;
  INGRESS_ASSIGN_OR_RETURN(Held held, hold(stored));
  std::optional<Held> previous;
  {
    std::lock_guard lock(mu_);
    if (auto it = held_.find(stored.id); it != held_.end()) previous = it->second;
  }
  INGRESS_RETURN_IF_ERROR(store_.put(stored));
  {
    std::lock_guard lock(mu_);
    held_.insert_or_assign(stored.id, held);
  }
  Status served = refresh_ ? refresh_() : okStatus();
  if (!served.ok()) {
    std::lock_guard lock(mu_);
    if (previous) {
      held_.insert_or_assign(stored.id, *previous);
      (void)store_.put(previous->stored);
    } else {
      held_.erase(stored.id);
      (void)store_.remove(stored.id);
    }
    return served;
  }
  log::info("certificate uploaded", {{"certificate", stored.id},
                                     {"serial", held.served->serial},
                                     {"names", held.served->names.size()}});
  return viewOf(held, servingNow());
}

std::vector<domain::CertificateInfoView> CertificateManager::listCertificates() const {
  const auto serving = servingNow();
  std::vector<domain::CertificateInfoView> out;
  std::lock_guard lock(mu_);
  for (const auto& [id, h] : held_) out.push_back(viewOf(h, serving));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

StatusOr<domain::CertificateInfoView> CertificateManager::getCertificate(
    std::string_view name) const {
  const auto serving = servingNow();
  std::lock_guard lock(mu_);
  auto it = held_.find(userId(name));
  if (it == held_.end()) it = held_.find(std::string(name));  // an ACME certificate's id
  if (it == held_.end()) {
    return notFound("certificate \"" + std::string(name.substr(0, 64)) + "\" not found",
                    "not_found");
  }
  return viewOf(it->second, serving);
}

Status CertificateManager::deleteCertificate(std::string_view name) {
  std::lock_guard user_lock(user_mu_);
  std::optional<Held> previous;
  {
    std::lock_guard lock(mu_);
    if (held_.count(std::string(name)) != 0 && !isUser(std::string(name))) {
      return alreadyExists("certificate \"" + std::string(name) +
                               "\" was issued by ACME for a TLS rule; it goes with the rule",
                           "acme_certificate");
    }
    auto it = held_.find(userId(name));
    if (it == held_.end()) {
      return notFound("certificate \"" + std::string(name.substr(0, 64)) + "\" not found",
                      "not_found");
    }
    previous = it->second;
  }
  INGRESS_RETURN_IF_ERROR(store_.remove(previous->stored.id));
  {
    std::lock_guard lock(mu_);
    held_.erase(previous->stored.id);
  }
  Status served = refresh_ ? refresh_() : okStatus();
  if (!served.ok()) {
    std::lock_guard lock(mu_);
    held_.insert_or_assign(previous->stored.id, *previous);
    (void)store_.put(previous->stored);
    return served;
  }
  log::info("certificate deleted", {{"certificate", previous->stored.id}});
  wake();  // its hostnames may need ACME now
  return okStatus();
}

}  // namespace ingress::certs

#include "acme/client.h"

#include <algorithm>

#include "common/base64url.h"

namespace ingress::acme {
namespace {

constexpr std::string_view kJoseJson = "application/jose+json";

Status protocolError(std::string message) { return aborted(std::move(message), "acme_protocol"); }

std::string stringField(const Json& j, const char* name) {
  if (!j.is_object() || !j.contains(name) || !j[name].is_string()) return {};
  return j[name].get<std::string>();
}

}  // namespace

AcmeClient::AcmeClient(AcmeSettings settings, const AccountKey& key, Transport& transport,
                       Clock& clock, ChallengeSolver& solver)
    : settings_(std::move(settings)),
      key_(key),
      transport_(transport),
      clock_(clock),
      solver_(solver) {}

Status AcmeClient::fail(AcmeFailure failure) {
  failure_ = std::move(failure);
  return failure_.status;
}

StatusOr<IssuedChain> AcmeClient::issue(const std::vector<std::string>& names,
                                        std::string_view csr_der, const std::string& replaces,
                                        AcmeFailure* failure) {
  std::lock_guard lock(mu_);
  failure_ = {};
  StatusOr<IssuedChain> r = issueLocked(names, csr_der, replaces);
  if (!r.ok() && failure != nullptr) {
    *failure = failure_;
    // Errors that did not come from fail() (e.g. a solver's Status) still reach the caller.
    if (failure->status.ok() || failure->status.message() != r.status().message()) {
      failure->status = r.status();
      failure->problem_type.clear();
      failure->retry_after.reset();
    }
  }
  return r;
}

StatusOr<std::optional<RenewalWindow>> AcmeClient::renewalInfo(const std::string& cert_id,
                                                               AcmeFailure* failure) {
  std::lock_guard lock(mu_);
  failure_ = {};
  auto r = renewalInfoLocked(cert_id);
  if (!r.ok() && failure != nullptr) {
    *failure = failure_;
    if (failure->status.message() != r.status().message()) *failure = {r.status(), {}, {}};
  }
  return r;
}

StatusOr<std::string> AcmeClient::accountUrl() {
  std::lock_guard lock(mu_);
  INGRESS_RETURN_IF_ERROR(ensureDirectory());
  INGRESS_RETURN_IF_ERROR(ensureAccount());
  return account_url_;
}

Status AcmeClient::ensureDirectory() {
  if (directory_) return okStatus();
  HttpRequest request;
  request.url = settings_.directory_url;
  StatusOr<HttpResponse> r = transport_.send(request);
  if (!r.ok()) {
    return fail(
        unavailable("ACME directory " + settings_.directory_url + ": " + r.status().message(),
                    "acme_unavailable"));
  }
  if (r->status >= 400) {
    return fail(failureFromResponse(*r, "ACME directory " + settings_.directory_url, clock_.now()));
  }
  StatusOr<Json> j = parseJsonStrict(r->body);
  if (!j.ok() || !j->is_object()) {
    return fail(protocolError("ACME directory " + settings_.directory_url + " is not JSON"));
  }
  Directory d{stringField(*j, "newNonce"), stringField(*j, "newAccount"),
              stringField(*j, "newOrder"), stringField(*j, "renewalInfo")};
  if (d.new_nonce.empty() || d.new_account.empty() || d.new_order.empty()) {
    return fail(protocolError("ACME directory " + settings_.directory_url +
                              " lacks newNonce, newAccount or newOrder"));
  }
  directory_ = std::move(d);
  return okStatus();
}

void AcmeClient::keepNonce(const HttpResponse& response) {
  std::string nonce = response.header("replay-nonce");
  if (!nonce.empty()) nonce_ = std::move(nonce);
}

StatusOr<std::string> AcmeClient::takeNonce() {
  if (nonce_.empty()) {
    HttpRequest request;
    request.method = "HEAD";
    request.url = directory_->new_nonce;
    StatusOr<HttpResponse> r = transport_.send(request);
    if (!r.ok()) {
      return fail(unavailable("ACME newNonce: " + r.status().message(), "acme_unavailable"));
    }
    if (r->status >= 400) return fail(failureFromResponse(*r, "ACME newNonce", clock_.now()));
    keepNonce(*r);
    if (nonce_.empty()) return fail(protocolError("ACME newNonce answered without Replay-Nonce"));
  }
  return std::exchange(nonce_, std::string());
}

StatusOr<HttpResponse> AcmeClient::post(const std::string& url, const std::optional<Json>& payload,
                                        std::string_view context, bool use_jwk,
                                        std::string_view accept) {
  const std::string body = payload ? dumpJson(*payload) : std::string();
  for (int attempt = 0;; ++attempt) {
    INGRESS_ASSIGN_OR_RETURN(std::string nonce, takeNonce());
    Json header{{"alg", "ES256"}, {"nonce", nonce}, {"url", url}};
    if (use_jwk) {
      header["jwk"] = key_.jwk();
    } else {
      header["kid"] = account_url_;
    }
    INGRESS_ASSIGN_OR_RETURN(std::string jws, key_.signJws(header, body));
    HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.body = std::move(jws);
    request.timeout = settings_.request_timeout;
    request.headers.emplace_back("Content-Type", std::string(kJoseJson));
    if (!accept.empty()) request.headers.emplace_back("Accept", std::string(accept));
    StatusOr<HttpResponse> r = transport_.send(request);
    if (!r.ok()) {
      return fail(
          unavailable(std::string(context) + ": " + r.status().message(), "acme_unavailable"));
    }
    keepNonce(*r);
    if (r->status < 400) return r;
    AcmeFailure f = failureFromResponse(*r, context, clock_.now());
    if (f.problem_type == std::string(kProblemPrefix) + "badNonce" &&
        attempt < settings_.max_bad_nonce_retries) {
      bad_nonce_retries_.fetch_add(1);
      continue;  // with the fresh nonce of the error answer
    }
    return fail(std::move(f));
  }
}

StatusOr<Json> AcmeClient::postForJson(const std::string& url, const std::optional<Json>& payload,
                                       std::string_view context, HttpResponse* raw) {
  INGRESS_ASSIGN_OR_RETURN(HttpResponse r, post(url, payload, context));
  StatusOr<Json> j = parseJsonStrict(r.body);
  if (!j.ok() || !j->is_object()) {
    return fail(protocolError(std::string(context) + ": the answer is not a JSON object"));
  }
  if (raw != nullptr) *raw = std::move(r);
  return j;
}

Status AcmeClient::ensureAccount() {
  if (!account_url_.empty()) return okStatus();
  Json payload{{"termsOfServiceAgreed", true}};
  if (!settings_.email.empty()) payload["contact"] = Json::array({"mailto:" + settings_.email});
  INGRESS_ASSIGN_OR_RETURN(
      HttpResponse r, post(directory_->new_account, payload, "registering the ACME account", true));
  account_url_ = r.header("location");
  if (account_url_.empty()) {
    return fail(protocolError("registering the ACME account: no Location in the answer"));
  }
  return okStatus();
}

bool AcmeClient::waitToPoll(const HttpResponse& response,
                            std::chrono::steady_clock::time_point deadline) {
  const auto now_mono = clock_.monotonicNow();
  if (now_mono >= deadline) return false;
  std::chrono::nanoseconds delay = settings_.poll_interval;
  if (auto at = parseRetryAfter(response.header("retry-after"), clock_.now())) {
    delay = std::max<std::chrono::nanoseconds>(*at - clock_.now(), std::chrono::nanoseconds(0));
  }
  if (now_mono + delay > deadline) return false;
  clock_.sleepFor(delay);
  return true;
}

Status AcmeClient::authorize(const std::string& authz_url) {
  HttpResponse raw;
  INGRESS_ASSIGN_OR_RETURN(Json authz,
                           postForJson(authz_url, std::nullopt, "fetching an authorization", &raw));
  const std::string status = stringField(authz, "status");
  const std::string domain =
      authz.contains("identifier") ? stringField(authz["identifier"], "value") : std::string();
  const bool wildcard = authz.value("wildcard", false);
  const std::string name = (wildcard ? "*." : "") + domain;
  if (status == "valid") return okStatus();
  if (status != "pending") {
    return fail(
        failedPrecondition("the authorization for " + name + " is " + status, "acme_invalid"));
  }
  // http-01 where possible (nothing to configure in DNS); wildcards only over dns-01.
  std::vector<ChallengeType> preference = {ChallengeType::kHttp01, ChallengeType::kDns01};
  if (wildcard) preference = {ChallengeType::kDns01};
  const Json challenges = authz.value("challenges", Json::array());
  std::optional<Json> chosen;
  ChallengeType type = ChallengeType::kHttp01;
  std::string offered;
  for (ChallengeType t : preference) {
    if (!solver_.supports(t, wildcard)) continue;
    for (const Json& c : challenges) {
      if (stringField(c, "type") == challengeTypeName(t) && !stringField(c, "url").empty() &&
          !stringField(c, "token").empty()) {
        chosen = c;
        type = t;
        break;
      }
    }
    if (chosen) break;
  }
  if (!chosen) {
    for (const Json& c : challenges) {
      offered += (offered.empty() ? "" : ", ") + stringField(c, "type");
    }
    return fail(failedPrecondition("no configured solver for any challenge the CA offers for " +
                                       name + " (offered: " + offered + ")" +
                                       (wildcard ? "; wildcards need a DNS-01 solver" : ""),
                                   "acme_no_solver"));
  }
  const std::string token = stringField(*chosen, "token");
  const std::string challenge_url = stringField(*chosen, "url");
  const std::string key_authorization = token + "." + key_.thumbprint();
  const std::string what = "validating " + std::string(challengeTypeName(type)) + " for " + name;

  Status presented = solver_.present(type, domain, token, key_authorization);
  if (!presented.ok()) {
    solver_.cleanup(type, domain, token, key_authorization);
    return fail(presented.withContext("preparing " + std::string(challengeTypeName(type)) +
                                      " for " + name));
  }
  Status result = [&]() -> Status {
    if (stringField(*chosen, "status") == "pending") {
      INGRESS_RETURN_IF_ERROR(postForJson(challenge_url, Json::object(), what).status());
    }
    const auto deadline = clock_.monotonicNow() + settings_.authorization_timeout;
    HttpResponse last = raw;
    while (true) {
      if (!waitToPoll(last, deadline)) {
        return fail(deadlineExceeded(what + ": still pending after " +
                                         std::to_string(settings_.authorization_timeout.count()) +
                                         " ms",
                                     "acme_timeout"));
      }
      INGRESS_ASSIGN_OR_RETURN(Json a, postForJson(authz_url, std::nullopt, what, &last));
      const std::string s = stringField(a, "status");
      if (s == "valid") return okStatus();
      if (s == "pending") continue;
      // invalid (or expired/revoked/deactivated): the challenge carries the CA's reason.
      const Json polled = a.value("challenges", Json::array());
      for (const Json& c : polled) {
        if (c.is_object() && c.contains("error") && c["error"].is_object()) {
          AcmeFailure f;
          f.status = statusFromProblem(c["error"], what);
          f.problem_type = stringField(c["error"], "type");
          return fail(std::move(f));
        }
      }
      return fail(failedPrecondition(what + ": the authorization is " + s, "acme_invalid"));
    }
  }();
  solver_.cleanup(type, domain, token, key_authorization);
  return result;
}

StatusOr<Json> AcmeClient::pollOrder(const std::string& order_url, Json order, bool until_final) {
  const auto deadline = clock_.monotonicNow() + settings_.order_timeout;
  HttpResponse last;
  while (true) {
    const std::string s = stringField(order, "status");
    if (s == "valid" || s == "invalid" || (!until_final && s != "pending")) return order;
    if (!waitToPoll(last, deadline)) {
      return fail(deadlineExceeded("the order " + order_url + " is still " + s + " after " +
                                       std::to_string(settings_.order_timeout.count()) + " ms",
                                   "acme_timeout"));
    }
    INGRESS_ASSIGN_OR_RETURN(order,
                             postForJson(order_url, std::nullopt, "polling the order", &last));
  }
}

StatusOr<IssuedChain> AcmeClient::issueLocked(const std::vector<std::string>& names,
                                              std::string_view csr_der,
                                              const std::string& replaces) {
  if (names.empty()) return invalidArgument("no names to issue a certificate for");
  INGRESS_RETURN_IF_ERROR(ensureDirectory());
  INGRESS_RETURN_IF_ERROR(ensureAccount());

  Json identifiers = Json::array();
  for (const std::string& n : names) identifiers.push_back({{"type", "dns"}, {"value", n}});
  Json request{{"identifiers", identifiers}};
  if (!replaces.empty()) request["replaces"] = replaces;
  std::string joined;
  for (const std::string& n : names) joined += (joined.empty() ? "" : ", ") + n;

  orders_created_.fetch_add(1);
  HttpResponse created;
  INGRESS_ASSIGN_OR_RETURN(Json order,
                           postForJson(directory_->new_order, request,
                                       "ordering a certificate for " + joined, &created));
  const std::string order_url = created.header("location");
  if (order_url.empty()) return fail(protocolError("newOrder answered without Location"));

  if (stringField(order, "status") == "pending") {
    for (const Json& a : order.value("authorizations", Json::array())) {
      if (!a.is_string()) continue;
      INGRESS_RETURN_IF_ERROR(authorize(a.get<std::string>()));
    }
    INGRESS_ASSIGN_OR_RETURN(order, pollOrder(order_url, std::move(order), false));
  }
  if (stringField(order, "status") == "ready") {
    const std::string finalize = stringField(order, "finalize");
    if (finalize.empty()) return fail(protocolError("the order has no finalize URL"));
    Json csr{{"csr", base64UrlEncode(csr_der)}};
    INGRESS_ASSIGN_OR_RETURN(order,
                             postForJson(finalize, csr, "finalizing the order for " + joined));
  }
  INGRESS_ASSIGN_OR_RETURN(order, pollOrder(order_url, std::move(order), true));
  if (stringField(order, "status") != "valid") {
    if (order.contains("error") && order["error"].is_object()) {
      AcmeFailure f;
      f.status = statusFromProblem(order["error"], "the order for " + joined + " failed");
      f.problem_type = stringField(order["error"], "type");
      return fail(std::move(f));
    }
    return fail(failedPrecondition(
        "the order for " + joined + " is " + stringField(order, "status"), "acme_invalid"));
  }
  const std::string certificate = stringField(order, "certificate");
  if (certificate.empty()) return fail(protocolError("the valid order has no certificate URL"));
  INGRESS_ASSIGN_OR_RETURN(HttpResponse cert,
                           post(certificate, std::nullopt, "downloading the certificate", false,
                                "application/pem-certificate-chain"));
  if (cert.body.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return fail(protocolError("the downloaded certificate is not PEM"));
  }
  return IssuedChain{std::move(cert.body), order_url};
}

StatusOr<std::optional<RenewalWindow>> AcmeClient::renewalInfoLocked(const std::string& cert_id) {
  INGRESS_RETURN_IF_ERROR(ensureDirectory());
  if (directory_->renewal_info.empty()) return std::optional<RenewalWindow>();
  std::string url = directory_->renewal_info;
  if (!url.ends_with('/')) url += '/';
  url += cert_id;
  HttpRequest request;
  request.url = url;
  request.timeout = settings_.request_timeout;
  StatusOr<HttpResponse> r = transport_.send(request);
  if (!r.ok()) {
    return fail(unavailable("ACME renewalInfo: " + r.status().message(), "acme_unavailable"));
  }
  if (r->status >= 400) return fail(failureFromResponse(*r, "ACME renewalInfo", clock_.now()));
  StatusOr<Json> j = parseJsonStrict(r->body);
  if (!j.ok() || !j->is_object() || !j->contains("suggestedWindow") ||
      !(*j)["suggestedWindow"].is_object()) {
    return fail(protocolError("ACME renewalInfo: no suggestedWindow in the answer"));
  }
  const Json& w = (*j)["suggestedWindow"];
  auto start = parseRfc3339(stringField(w, "start"));
  auto end = parseRfc3339(stringField(w, "end"));
  if (!start || !end || *end < *start) {
    return fail(protocolError("ACME renewalInfo: bad suggestedWindow"));
  }
  RenewalWindow window{*start, *end, parseRetryAfter(r->header("retry-after"), clock_.now()),
                       stringField(*j, "explanationURL")};
  return std::optional<RenewalWindow>(std::move(window));
}

}  // namespace ingress::acme

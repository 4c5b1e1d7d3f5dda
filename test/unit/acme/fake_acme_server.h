// FakeAcmeServer: an in-memory ACME CA behind the Transport seam, for unit tests of AcmeClient.
// It checks what a real CA checks about nonces (issued, unused) and the JWS "url", plays a
// single-account CA with pending → valid authorizations, and can be told to misbehave:
// reject nonces, answer newOrder with a canned error, delay validations with Retry-After, fail a
// challenge, offer ARI. Not thread-safe (the client serializes its calls).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "acme/transport.h"
#include "common/base64url.h"
#include "common/json.h"

namespace ingress::acme::testing {

class FakeAcmeServer final : public Transport {
 public:
  static constexpr const char* kBase = "https://ca.test";
  std::string directoryUrl() const { return std::string(kBase) + "/dir"; }

  // Knobs.
  bool with_ari = false;
  int reject_nonces = 0;                         // answer the next N POSTs with badNonce
  std::optional<HttpResponse> new_order_answer;  // canned answer for newOrder
  int pending_polls = 0;                         // authz polls answered "pending" after the POST
  std::string authz_retry_after;                 // Retry-After on those pending answers
  std::optional<Json> challenge_error;           // the authorization becomes invalid with it

  // Observations.
  std::vector<HttpRequest> requests;
  std::vector<Json> protected_headers;  // of every POST, in order
  int new_orders = 0;
  int nonce_heads = 0;
  std::vector<std::string> chosen_challenges;  // "http-01"/"dns-01" per challenge POST
  std::string finalized_csr;                   // base64url as sent
  Json last_order_request;

  StatusOr<HttpResponse> send(const HttpRequest& request) override {
    requests.push_back(request);
    const std::string path = request.url.substr(std::string(kBase).size());
    if (request.method == "GET" && path == "/dir") return directory();
    if (request.method == "HEAD" && path == "/nonce") {
      ++nonce_heads;
      HttpResponse r;
      r.status = 200;
      r.headers.emplace_back("replay-nonce", freshNonce());
      return r;
    }
    if (request.method == "GET" && path.starts_with("/ari/")) {
      HttpResponse r =
          json(200, Json{{"suggestedWindow",
                          {{"start", "2030-01-02T00:00:00Z"}, {"end", "2030-01-03T12:00:00.5Z"}}},
                         {"explanationURL", "https://ca.test/why"}});
      r.headers.emplace_back("retry-after", "21600");
      ari_ids.push_back(path.substr(5));
      return r;
    }
    if (request.method != "POST") return json(405, Json::object());
    Json jws = Json::parse(request.body);
    Json header = Json::parse(*base64UrlDecode(jws["protected"].get<std::string>()));
    protected_headers.push_back(header);
    std::string payload_text = *base64UrlDecode(jws["payload"].get<std::string>());
    Json payload = payload_text.empty() ? Json() : Json::parse(payload_text);
    const std::string nonce = header.value("nonce", "");
    if (!issued_nonces_.erase(nonce) || reject_nonces > 0) {
      if (reject_nonces > 0) --reject_nonces;
      return problem(400, "badNonce", "JWS has an invalid anti-replay nonce");
    }
    if (header.value("url", "") != request.url) return problem(401, "unauthorized", "url");
    return withNonce(handlePost(path, header, payload));
  }

  std::vector<std::string> ari_ids;

 private:
  HttpResponse directory() {
    Json d{{"newNonce", url("/nonce")},
           {"newAccount", url("/new-account")},
           {"newOrder", url("/new-order")}};
    if (with_ari) d["renewalInfo"] = url("/ari");
    return json(200, d);
  }

  HttpResponse handlePost(const std::string& path, const Json& header, const Json& payload) {
    if (path == "/new-account") {
      if (!header.contains("jwk")) return problem(400, "malformed", "newAccount needs jwk");
      HttpResponse r = json(201, {{"status", "valid"}});
      r.headers.emplace_back("location", url("/acct/1"));
      return r;
    }
    if (header.value("kid", "") != url("/acct/1")) {
      return problem(400, "malformed", "expected kid");
    }
    if (path == "/new-order") {
      ++new_orders;
      last_order_request = payload;
      if (new_order_answer) return *new_order_answer;
      authzs_.clear();
      for (const Json& id : payload["identifiers"]) {
        std::string v = id["value"];
        bool wildcard = v.starts_with("*.");
        authzs_.push_back({wildcard ? v.substr(2) : v, wildcard, "pending", -1});
      }
      order_status_ = "pending";
      HttpResponse r = json(201, order());
      r.headers.emplace_back("location", url("/order/1"));
      return r;
    }
    if (path.starts_with("/authz/")) {
      Authz& a = authzs_.at(std::stoul(path.substr(7)));
      HttpResponse r;
      if (a.polls_left > 0) {
        --a.polls_left;
        r = json(200, authz(a, path.substr(7)));
        if (!authz_retry_after.empty()) r.headers.emplace_back("retry-after", authz_retry_after);
        return r;
      }
      if (a.polls_left == 0) a.status = challenge_error ? "invalid" : "valid";
      return json(200, authz(a, path.substr(7)));
    }
    if (path.starts_with("/chall/")) {
      const size_t slash = path.find('/', 7);
      Authz& a = authzs_.at(std::stoul(path.substr(7, slash - 7)));
      a.chosen = path.substr(slash + 1);
      chosen_challenges.push_back(a.chosen);
      a.polls_left = pending_polls;
      return json(200, {{"type", a.chosen}, {"status", "processing"}});
    }
    if (path == "/order/1") {
      if (order_status_ == "pending" &&
          std::all_of(authzs_.begin(), authzs_.end(),
                      [](const Authz& a) { return a.status == "valid"; })) {
        order_status_ = "ready";
      } else if (order_status_ == "processing") {
        order_status_ = "valid";
      }
      return json(200, order());
    }
    if (path == "/finalize/1") {
      if (order_status_ != "ready") return problem(403, "orderNotReady", "not ready");
      finalized_csr = payload.value("csr", "");
      order_status_ = "processing";
      return json(200, order());
    }
    if (path == "/cert/1") {
      HttpResponse r;
      r.status = 200;
      r.body = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
      r.headers.emplace_back("content-type", "application/pem-certificate-chain");
      return r;
    }
    return problem(404, "malformed", "no such resource " + path);
  }

  struct Authz {
    std::string domain;
    bool wildcard;
    std::string status;
    int polls_left;
    std::string chosen;
  };

  Json authz(const Authz& a, const std::string& index) const {
    Json challenges = Json::array();
    for (const char* type : {"http-01", "dns-01"}) {
      if (a.wildcard && std::string(type) == "http-01") continue;
      Json c{{"type", type},
             {"url", url("/chall/" + index + "/" + type)},
             {"token", "token-" + index + "-" + type},
             {"status", a.chosen == type ? a.status : "pending"}};
      if (a.status == "invalid" && a.chosen == type) c["error"] = *challenge_error;
      challenges.push_back(c);
    }
    Json j{{"status", a.status},
           {"identifier", {{"type", "dns"}, {"value", a.domain}}},
           {"challenges", challenges}};
    if (a.wildcard) j["wildcard"] = true;
    return j;
  }

  Json order() const {
    Json authz_urls = Json::array();
    for (size_t i = 0; i < authzs_.size(); ++i)
      authz_urls.push_back(url("/authz/" + std::to_string(i)));
    Json o{{"status", order_status_},
           {"authorizations", authz_urls},
           {"finalize", url("/finalize/1")}};
    if (order_status_ == "valid") o["certificate"] = url("/cert/1");
    return o;
  }

  static std::string url(const std::string& path) { return std::string(kBase) + path; }

  static HttpResponse json(long status, const Json& body) {
    HttpResponse r;
    r.status = status;
    r.body = body.dump();
    r.headers.emplace_back("content-type", "application/json");
    return r;
  }

  HttpResponse problem(long status, const std::string& type, const std::string& detail) {
    HttpResponse r =
        json(status, {{"type", "urn:ietf:params:acme:error:" + type}, {"detail", detail}});
    r.headers[0].second = "application/problem+json";
    return withNonce(std::move(r));
  }

  HttpResponse withNonce(HttpResponse r) {
    bool has = false;
    for (auto& [k, v] : r.headers) has = has || k == "replay-nonce";
    if (!has) r.headers.emplace_back("replay-nonce", freshNonce());
    return r;
  }

  std::string freshNonce() {
    std::string n = "nonce-" + std::to_string(++nonce_counter_);
    issued_nonces_.insert(n);
    return n;
  }

  std::set<std::string> issued_nonces_;
  int nonce_counter_ = 0;
  std::vector<Authz> authzs_;
  std::string order_status_;
};

}  // namespace ingress::acme::testing

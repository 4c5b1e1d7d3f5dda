// Challenge solvers: how this server proves control of a name to the CA (RFC 8555 §8).
//
// The client asks supports() to pick a challenge of an authorization (http-01 for plain names,
// dns-01 for wildcards, which the CA allows only over DNS), calls present() before telling the CA
// to validate and cleanup() afterwards, whatever the outcome.
//
//   Http01Responder http;                          // the daemon's HTTP server answers from it
//   ExecHookSolver dns(launcher, "/etc/ingressd/dns-hook");
//   DnsPropagationWaiter wait(...);
//   CombinedSolver solver(&http, &dns, &wait);     // dispatches by type, waits for DNS
//   client.issue({"example.com", "*.example.com"}, csr_der, {}, solver);
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace ingress::acme {

class DnsPropagationWaiter;

enum class ChallengeType { kHttp01, kDns01 };

// "http-01", "dns-01".
std::string_view challengeTypeName(ChallengeType type);
std::optional<ChallengeType> parseChallengeType(std::string_view name);

// "_acme-challenge.<domain>" (domain without "*.").
std::string dns01RecordName(std::string_view domain);

// Implementations say which of their methods may be called concurrently.
class ChallengeSolver {
 public:
  virtual ~ChallengeSolver() = default;
  // `wildcard`: the authorization is for "*.<domain>".
  virtual bool supports(ChallengeType type, bool wildcard) const = 0;
  // Makes the response visible: `domain` has no "*." prefix; `key_authorization` is
  // token + "." + account thumbprint (DNS solvers publish dns01TxtValue() of it).
  virtual Status present(ChallengeType type, const std::string& domain, const std::string& token,
                         const std::string& key_authorization) = 0;
  // Removes what present() published. Best effort: failures are the solver's to log.
  virtual void cleanup(ChallengeType type, const std::string& domain, const std::string& token,
                       const std::string& key_authorization) = 0;
};

// HTTP-01: token → key authorization, served by the daemon's HTTP server at
// GET /.well-known/acme-challenge/<token> (Envoy routes port 80's challenge path there).
// Thread-safe: present/cleanup run on the issuing thread, lookup on the server's threads.
class Http01Responder final : public ChallengeSolver {
 public:
  static constexpr std::string_view kPathPrefix = "/.well-known/acme-challenge/";

  bool supports(ChallengeType type, bool wildcard) const override {
    return type == ChallengeType::kHttp01 && !wildcard;
  }
  Status present(ChallengeType type, const std::string& domain, const std::string& token,
                 const std::string& key_authorization) override;
  void cleanup(ChallengeType type, const std::string& domain, const std::string& token,
               const std::string& key_authorization) override;

  // The body to answer for `token` (text/plain), or nullopt (answer 404).
  std::optional<std::string> lookup(std::string_view token) const;
  // For a request path: strips kPathPrefix, then lookup(); nullopt for other paths.
  std::optional<std::string> lookupPath(std::string_view path) const;
  size_t pending() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> tokens_;  // guarded by mu_
};

// Dispatches http-01 to `http` and dns-01 to `dns` (either may be null: that type is then
// unsupported). After a dns-01 present() it waits for the TXT record to be visible on the
// configured resolvers (`propagation`, may be null) so the CA does not look too early.
// Thread-safety is that of the solvers it holds; it owns none of them.
class CombinedSolver final : public ChallengeSolver {
 public:
  CombinedSolver(ChallengeSolver* http, ChallengeSolver* dns, DnsPropagationWaiter* propagation)
      : http_(http), dns_(dns), propagation_(propagation) {}
  bool supports(ChallengeType type, bool wildcard) const override;
  Status present(ChallengeType type, const std::string& domain, const std::string& token,
                 const std::string& key_authorization) override;
  void cleanup(ChallengeType type, const std::string& domain, const std::string& token,
               const std::string& key_authorization) override;

 private:
  ChallengeSolver* solverFor(ChallengeType type) const;
  ChallengeSolver* http_;
  ChallengeSolver* dns_;
  DnsPropagationWaiter* propagation_;
};

}  // namespace ingress::acme

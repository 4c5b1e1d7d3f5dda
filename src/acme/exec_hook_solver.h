// DNS-01 through an operator's script (DNS_HOOK): the hook publishes and removes the TXT record
// with whatever DNS provider it knows.
//
//   <hook> present _acme-challenge.example.com <value>
//   <hook> cleanup _acme-challenge.example.com <value>
//
// <value> is dns01TxtValue(key authorization). A non-zero exit (or a timeout, after which the
// hook is killed) fails present() with kFailedPrecondition / "acme_dns_hook_failed" and the tail
// of the hook's output; cleanup failures are logged only.
//
//   ExecHookSolver dns(launcher, "/etc/ingressd/dns-hook", std::chrono::seconds(60));
//
// Thread-safe (each call is its own process).
#pragma once

#include <chrono>
#include <string>

#include "acme/challenge.h"
#include "common/process.h"

namespace ingress::acme {

class ExecHookSolver final : public ChallengeSolver {
 public:
  ExecHookSolver(ProcessLauncher& launcher, std::string hook_path,
                 std::chrono::milliseconds timeout = std::chrono::seconds(120))
      : launcher_(launcher), hook_path_(std::move(hook_path)), timeout_(timeout) {}

  bool supports(ChallengeType type, bool wildcard) const override {
    (void)wildcard;
    return type == ChallengeType::kDns01;
  }
  Status present(ChallengeType type, const std::string& domain, const std::string& token,
                 const std::string& key_authorization) override;
  void cleanup(ChallengeType type, const std::string& domain, const std::string& token,
               const std::string& key_authorization) override;

  // Runs the hook with `action`; exposed for cleanup's error and for tests.
  Status run(const std::string& action, const std::string& domain,
             const std::string& key_authorization);

 private:
  ProcessLauncher& launcher_;
  std::string hook_path_;
  std::chrono::milliseconds timeout_;
};

}  // namespace ingress::acme

#include "acme/exec_hook_solver.h"

#include "acme/jws.h"
#include "common/log.h"

namespace ingress::acme {
namespace {

constexpr size_t kOutputTail = 2000;

}  // namespace

Status ExecHookSolver::run(const std::string& action, const std::string& domain,
                           const std::string& key_authorization) {
  const std::string fqdn = dns01RecordName(domain);
  StatusOr<RunResult> r = launcher_.run(
      {hook_path_, action, fqdn, dns01TxtValue(key_authorization)}, timeout_, 64 * 1024);
  if (!r.ok()) {
    return failedPrecondition(
        "DNS hook " + hook_path_ + " " + action + " " + fqdn + ": " + r.status().message(),
        "acme_dns_hook_failed");
  }
  if (r->status.exited && r->status.code == 0) return okStatus();
  std::string tail =
      r->output.size() > kOutputTail ? r->output.substr(r->output.size() - kOutputTail) : r->output;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
  return failedPrecondition("DNS hook " + hook_path_ + " " + action + " " + fqdn + " " +
                                r->status.toString() + (tail.empty() ? "" : ": " + tail),
                            "acme_dns_hook_failed");
}

Status ExecHookSolver::present(ChallengeType type, const std::string& domain,
                               const std::string& token, const std::string& key_authorization) {
  (void)token;
  if (type != ChallengeType::kDns01) return unsupported("the DNS hook solves only dns-01");
  return run("present", domain, key_authorization);
}

void ExecHookSolver::cleanup(ChallengeType type, const std::string& domain,
                             const std::string& token, const std::string& key_authorization) {
  (void)token;
  if (type != ChallengeType::kDns01) return;
  Status s = run("cleanup", domain, key_authorization);
  if (!s.ok()) log::warn("ACME DNS cleanup failed", {{"detail", s.message()}});
}

}  // namespace ingress::acme

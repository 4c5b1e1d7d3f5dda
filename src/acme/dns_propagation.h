// DNS-01 propagation wait: before the client tells the CA to look, poll the TXT record
// _acme-challenge.<domain> until the expected value is visible on every configured resolver
// (DNS_RESOLVERS: "ip[:port]" entries; none = the system resolvers from /etc/resolv.conf), or
// DNS_PROPAGATION_TIMEOUT passes. Asking too early makes the CA cache a miss and fail the order.
//
//   INGRESS_ASSIGN_OR_RETURN(auto resolvers, makeTxtResolvers({"1.1.1.1", "127.0.0.1:8053"}));
//   DnsPropagationWaiter wait(std::move(resolvers), clock, std::chrono::minutes(2));
//   Status s = wait.waitFor("_acme-challenge.example.com", value);  // kDeadlineExceeded: not seen
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace ingress::acme {

// One resolver's view of TXT records. Implementations are thread-safe.
class TxtResolver {
 public:
  virtual ~TxtResolver() = default;
  // The TXT strings at `fqdn` (each record's character-strings concatenated); empty when the
  // name has no TXT records (NXDOMAIN / NODATA). kUnavailable when the server does not answer.
  virtual StatusOr<std::vector<std::string>> lookupTxt(const std::string& fqdn) = 0;
  virtual std::string name() const = 0;
};

// libresolv (res_nquery) against one server, or the system's when `server` is empty. IPv4
// server addresses only ("ip" or "ip:port", port 53 by default).
StatusOr<std::unique_ptr<TxtResolver>> makeResolvTxtResolver(const std::string& server);
// One resolver per entry; a single system resolver when `servers` is empty. kInvalidArgument
// naming the bad entry.
StatusOr<std::vector<std::unique_ptr<TxtResolver>>> makeTxtResolvers(
    const std::vector<std::string>& servers);

// Thread-safe if the resolvers are (waitFor holds no state between calls).
class DnsPropagationWaiter {
 public:
  DnsPropagationWaiter(std::vector<std::unique_ptr<TxtResolver>> resolvers, Clock& clock,
                       std::chrono::milliseconds timeout,
                       std::chrono::milliseconds interval = std::chrono::seconds(2))
      : resolvers_(std::move(resolvers)), clock_(clock), timeout_(timeout), interval_(interval) {}

  // ok once every resolver returns `value` among the TXT strings of `fqdn`;
  // kDeadlineExceeded ("acme_dns_propagation") naming the resolvers that did not see it.
  Status waitFor(const std::string& fqdn, const std::string& value);

 private:
  std::vector<std::unique_ptr<TxtResolver>> resolvers_;
  Clock& clock_;
  std::chrono::milliseconds timeout_;
  std::chrono::milliseconds interval_;
};

}  // namespace ingress::acme

#include "acme/dns_propagation.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <cstring>

#include "common/host_port.h"

namespace ingress::acme {
namespace {

class ResolvTxtResolver final : public TxtResolver {
 public:
  ResolvTxtResolver(std::string label, std::optional<sockaddr_in> server)
      : label_(std::move(label)), server_(server) {}

  StatusOr<std::vector<std::string>> lookupTxt(const std::string& fqdn) override {
    struct __res_state state;
    std::memset(&state, 0, sizeof state);
    if (res_ninit(&state) != 0) return unavailable("res_ninit failed");
    if (server_) {
      state.nsaddr_list[0] = *server_;
      state.nscount = 1;
    }
    state.retrans = 2;  // seconds per try
    state.retry = 2;
    // No search-list expansion and no caching surprises: the exact name.
    state.options &= ~(RES_DEFNAMES | RES_DNSRCH);
    unsigned char answer[8192];
    const int len = res_nquery(&state, fqdn.c_str(), ns_c_in, ns_t_txt, answer, sizeof answer);
    const int herr = state.res_h_errno;
    res_nclose(&state);
    std::vector<std::string> out;
    if (len < 0) {
      if (herr == HOST_NOT_FOUND || herr == NO_DATA) return out;
      return unavailable("TXT " + fqdn + " @" + label_ + ": " + hstrerror(herr));
    }
    ns_msg msg;
    if (ns_initparse(answer, len, &msg) != 0) {
      return unavailable("TXT " + fqdn + " @" + label_ + ": unparsable answer");
    }
    for (int i = 0; i < ns_msg_count(msg, ns_s_an); ++i) {
      ns_rr rr;
      if (ns_parserr(&msg, ns_s_an, i, &rr) != 0 || ns_rr_type(rr) != ns_t_txt) continue;
      const unsigned char* p = ns_rr_rdata(rr);
      const unsigned char* end = p + ns_rr_rdlen(rr);
      std::string text;
      while (p < end) {
        const size_t n = *p++;
        if (p + n > end) break;
        text.append(reinterpret_cast<const char*>(p), n);
        p += n;
      }
      out.push_back(std::move(text));
    }
    return out;
  }

  std::string name() const override { return label_; }

 private:
  std::string label_;
  std::optional<sockaddr_in> server_;
};

}  // namespace

StatusOr<std::unique_ptr<TxtResolver>> makeResolvTxtResolver(const std::string& server) {
  if (server.empty()) {
    return std::unique_ptr<TxtResolver>(new ResolvTxtResolver("system resolver", std::nullopt));
  }
  // The one host:port parser; port 53 when none is given. IPv4 only: glibc's nsaddr_list.
  StatusOr<HostPort> hp = parseHostPort(server, 53);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (!hp.ok() || inet_pton(AF_INET, hp->host.c_str(), &addr.sin_addr) != 1) {
    return invalidArgument("DNS resolver '" + server + "': expected an IPv4 address[:port]" +
                           (hp.ok() ? "" : " (" + hp.status().message() + ")"));
  }
  addr.sin_port = htons(hp->port);
  return std::unique_ptr<TxtResolver>(new ResolvTxtResolver(server, addr));
}

StatusOr<std::vector<std::unique_ptr<TxtResolver>>> makeTxtResolvers(
    const std::vector<std::string>& servers) {
  std::vector<std::unique_ptr<TxtResolver>> out;
  if (servers.empty()) {
    INGRESS_ASSIGN_OR_RETURN(auto r, makeResolvTxtResolver(""));
    out.push_back(std::move(r));
    return out;
  }
  for (const std::string& s : servers) {
    INGRESS_ASSIGN_OR_RETURN(auto r, makeResolvTxtResolver(s));
    out.push_back(std::move(r));
  }
  return out;
}

Status DnsPropagationWaiter::waitFor(const std::string& fqdn, const std::string& value) {
  const auto deadline = clock_.monotonicNow() + timeout_;
  std::vector<bool> seen(resolvers_.size(), false);
  std::string last_error;
  while (true) {
    for (size_t i = 0; i < resolvers_.size(); ++i) {
      if (seen[i]) continue;
      StatusOr<std::vector<std::string>> txt = resolvers_[i]->lookupTxt(fqdn);
      if (!txt.ok()) {
        last_error = txt.status().message();
        continue;
      }
      seen[i] = std::find(txt->begin(), txt->end(), value) != txt->end();
    }
    if (std::all_of(seen.begin(), seen.end(), [](bool b) { return b; })) return okStatus();
    if (clock_.monotonicNow() + interval_ > deadline) break;
    clock_.sleepFor(interval_);
  }
  std::string missing;
  for (size_t i = 0; i < resolvers_.size(); ++i) {
    if (!seen[i]) missing += (missing.empty() ? "" : ", ") + resolvers_[i]->name();
  }
  return deadlineExceeded("TXT " + fqdn + " did not show the challenge value within " +
                              std::to_string(timeout_.count()) + " ms on " + missing +
                              (last_error.empty() ? "" : " (last error: " + last_error + ")"),
                          "acme_dns_propagation");
}

}  // namespace ingress::acme

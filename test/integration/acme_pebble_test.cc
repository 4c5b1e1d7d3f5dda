// AcmeClient against a real Pebble (Let's Encrypt's test CA): HTTP-01 issuance served by the
// Http01Responder, a wildcard over DNS-01 through an exec hook that sets TXT records in
// pebble-challtestsrv (with the propagation wait pointed at its DNS), issuance while Pebble
// rejects half the nonces, and a blocked name mapped to acme_rejected_identifier with one order.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "acme/challenge.h"
#include "acme/client.h"
#include "acme/dns_propagation.h"
#include "acme/exec_hook_solver.h"
#include "acme/jws.h"
#include "acme/transport.h"
#include "common/clock.h"
#include "common/process.h"
#include "test_common/fake_http_server.h"
#include "test_common/pebble.h"
#include "test_common/test_csr.h"
#include "test_common/test_env.h"

namespace ingress::acme {
namespace {

using namespace std::chrono_literals;
using ingress::testing::FakeHttpServer;
using ingress::testing::Pebble;
using ingress::testing::PebbleOptions;

// Answers GET /.well-known/acme-challenge/<token> from the responder, like the daemon will.
std::optional<std::string> serveChallenge(const Http01Responder& responder,
                                          const std::string& head) {
  const size_t sp1 = head.find(' ');
  const size_t sp2 = head.find(' ', sp1 + 1);
  const std::string path = head.substr(sp1 + 1, sp2 - sp1 - 1);
  std::optional<std::string> body = responder.lookupPath(path);
  if (!body) return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body->size()) + "\r\nConnection: close\r\n\r\n" + *body;
}

int portOf(const FakeHttpServer& server) {
  const std::string url = server.url();
  return std::stoi(url.substr(url.rfind(':') + 1));
}

class AcmePebbleTest : public ::testing::Test {
 protected:
  AcmePebbleTest()
      : http_server_([this](const std::string& head) { return serveChallenge(responder_, head); }),
        key_(*AccountKey::generate()) {}

  void start(PebbleOptions options) {
    options.http_port = portOf(http_server_);
    pebble_ = std::make_unique<Pebble>(options);
    ASSERT_TRUE(pebble_->ready());
    settings_.directory_url = pebble_->directoryUrl();
    settings_.ca_bundle = pebble_->caBundlePath();
    settings_.email = "ops@example.test";
    settings_.poll_interval = 100ms;
    settings_.authorization_timeout = 30s;
    settings_.order_timeout = 30s;
    transport_ = std::make_unique<HttpTransport>(
        HttpTransportOptions{.ca_bundle = settings_.ca_bundle, .timeout = 10s});
  }

  AcmeClient makeClient(ChallengeSolver& solver) {
    return AcmeClient(settings_, key_, *transport_, clock_, solver);
  }

  Http01Responder responder_;
  FakeHttpServer http_server_;
  AccountKey key_;
  ClockImpl clock_;
  AcmeSettings settings_;
  std::unique_ptr<Pebble> pebble_;
  std::unique_ptr<HttpTransport> transport_;
};

TEST_F(AcmePebbleTest, IssuesOverHttp01AndTheChainVerifies) {
  start({});
  AcmeClient client = makeClient(responder_);
  const std::vector<std::string> names = {"http.example.test", "www.http.example.test"};
  testing::TestCsr csr = testing::makeTestCsr(names);
  AcmeFailure failure;
  StatusOr<IssuedChain> chain = client.issue(names, csr.der, {}, &failure);
  ASSERT_TRUE(chain.ok()) << chain.status().toString() << "\n" << pebble_->logs();
  EXPECT_GE(testing::countCertificates(chain->chain_pem), 2);
  const std::string root = pebble_->rootCertificatePem();
  ASSERT_FALSE(root.empty());
  EXPECT_EQ(testing::verifyChain(chain->chain_pem, root, "http.example.test"), "");
  EXPECT_EQ(testing::verifyChain(chain->chain_pem, root, "www.http.example.test"), "");
  EXPECT_NE(testing::verifyChain(chain->chain_pem, root, "other.example.test"), "");
  EXPECT_EQ(client.ordersCreated(), 1u);
  EXPECT_EQ(responder_.pending(), 0u);            // tokens removed after validation
  EXPECT_GE(http_server_.requests().size(), 2u);  // Pebble fetched both tokens from us
  // ARI: Debian's Pebble 2.4 has no renewalInfo → nullopt, not an error.
  StatusOr<std::optional<RenewalWindow>> ari = client.renewalInfo("x.y");
  ASSERT_TRUE(ari.ok()) << ari.status().toString();
  EXPECT_FALSE(ari->has_value());
}

TEST_F(AcmePebbleTest, IssuesAWildcardOverDns01WithAnExecHook) {
  start({});
  testing::TempDir dir;
  const std::string hook = dir.file("dns-hook.sh");
  std::ofstream(hook) << "#!/bin/sh\nset -e\nurl=" << pebble_->challtestsrvUrl() << "\n"
                      << "case \"$1\" in\n"
                      << "  present) curl -sS -f -X POST -d \"{\\\"host\\\":\\\"$2.\\\","
                         "\\\"value\\\":\\\"$3\\\"}\" \"$url/set-txt\" ;;\n"
                      << "  cleanup) curl -sS -f -X POST -d \"{\\\"host\\\":\\\"$2.\\\"}\" "
                         "\"$url/clear-txt\" ;;\n"
                      << "  *) echo \"unknown action $1\" >&2; exit 2 ;;\n"
                      << "esac\n";
  ::chmod(hook.c_str(), 0755);
  ProcessLauncherImpl launcher;
  ExecHookSolver dns(launcher, hook, 20s);
  StatusOr<std::vector<std::unique_ptr<TxtResolver>>> resolvers =
      makeTxtResolvers({pebble_->dnsAddress()});
  ASSERT_TRUE(resolvers.ok()) << resolvers.status().toString();
  DnsPropagationWaiter wait(std::move(*resolvers), clock_, 10s, 100ms);
  CombinedSolver solver(&responder_, &dns, &wait);
  AcmeClient client = makeClient(solver);

  const std::vector<std::string> names = {"*.example.test"};
  testing::TestCsr csr = testing::makeTestCsr(names);
  StatusOr<IssuedChain> chain = client.issue(names, csr.der);
  ASSERT_TRUE(chain.ok()) << chain.status().toString() << "\n" << pebble_->logs();
  const std::string root = pebble_->rootCertificatePem();
  EXPECT_EQ(testing::verifyChain(chain->chain_pem, root, "anything.example.test"), "");
  EXPECT_EQ(client.ordersCreated(), 1u);
  EXPECT_TRUE(http_server_.requests().empty());  // no HTTP-01 for a wildcard

  // The hook's cleanup removed the record: no TXT value is served any more (challtestsrv answers
  // SERVFAIL for a name without records, which the resolver reports as an error).
  StatusOr<std::unique_ptr<TxtResolver>> r = makeResolvTxtResolver(pebble_->dnsAddress());
  ASSERT_TRUE(r.ok());
  StatusOr<std::vector<std::string>> txt = (*r)->lookupTxt("_acme-challenge.example.test");
  EXPECT_TRUE(!txt.ok() || txt->empty());
}

TEST_F(AcmePebbleTest, StillIssuesWhenHalfTheNoncesAreRejected) {
  PebbleOptions options;
  options.nonce_reject_percent = 50;
  start(options);
  settings_.max_bad_nonce_retries = 20;
  AcmeClient client = makeClient(responder_);
  for (const std::string name : {"n1.example.test", "n2.example.test"}) {
    testing::TestCsr csr = testing::makeTestCsr({name});
    StatusOr<IssuedChain> chain = client.issue({name}, csr.der);
    ASSERT_TRUE(chain.ok()) << chain.status().toString();
    EXPECT_EQ(testing::verifyChain(chain->chain_pem, pebble_->rootCertificatePem(), name), "");
  }
  EXPECT_EQ(client.ordersCreated(), 2u);
  // ~20 signed requests at 50%: no rejection at all would be a 1-in-a-million fluke.
  EXPECT_GT(client.badNonceRetries(), 0u);
  std::printf("badNonce retries: %llu\n",
              static_cast<unsigned long long>(client.badNonceRetries()));
}

TEST_F(AcmePebbleTest, BlockedNameIsRejectedIdentifierWithOneOrder) {
  PebbleOptions options;
  options.domain_blocklist = {"blocked.example.test"};
  start(options);
  AcmeClient client = makeClient(responder_);
  testing::TestCsr csr = testing::makeTestCsr({"blocked.example.test"});
  AcmeFailure failure;
  StatusOr<IssuedChain> chain = client.issue({"blocked.example.test"}, csr.der, {}, &failure);
  ASSERT_FALSE(chain.ok());
  EXPECT_EQ(chain.status().reason(), "acme_rejected_identifier") << chain.status().toString();
  EXPECT_EQ(failure.problem_type, "urn:ietf:params:acme:error:rejectedIdentifier");
  // Pebble's own detail is passed through.
  EXPECT_NE(chain.status().message().find("(CA: "), std::string::npos) << chain.status().message();
  EXPECT_NE(chain.status().message().find("blocked"), std::string::npos)
      << chain.status().message();
  EXPECT_EQ(client.ordersCreated(), 1u);
  EXPECT_FALSE(failure.retry_after.has_value());
  std::printf("%s\n", chain.status().message().c_str());
}

}  // namespace
}  // namespace ingress::acme

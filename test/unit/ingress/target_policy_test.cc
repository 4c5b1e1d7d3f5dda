// TargetPolicy: the deny list and the daemon's own sockets.
#include "ingress/target_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ingress::domain {
namespace {

std::vector<Cidr> cidrs(std::string_view text) {
  auto list = parseCidrList(text);
  EXPECT_TRUE(list.ok()) << list.status().toString();
  return list.ok() ? *list : std::vector<Cidr>{};
}

IpAddress ip(std::string_view text) { return *parseIpAddress(text); }

TargetPolicy defaultPolicy() { return TargetPolicy(cidrs(kDefaultTargetDenyCidrs)); }

TEST(TargetPolicyTest, DefaultDeniesHostAndSpecialAddresses) {
  TargetPolicy p = defaultPolicy();
  EXPECT_EQ(p.refusal("127.0.0.1", 8080, nullptr),
            "127.0.0.1 is in TARGET_DENY_CIDRS (127.0.0.0/8)");
  EXPECT_EQ(p.refusal("127.1.2.3", 8080, nullptr),
            "127.1.2.3 is in TARGET_DENY_CIDRS (127.0.0.0/8)");
  EXPECT_EQ(p.refusal("::1", 80, nullptr), "::1 is in TARGET_DENY_CIDRS (::1/128)");
  EXPECT_EQ(p.refusal("::ffff:127.0.0.1", 80, nullptr),
            "::ffff:127.0.0.1 is in TARGET_DENY_CIDRS (127.0.0.0/8)");
  EXPECT_EQ(p.refusal("169.254.169.254", 80, nullptr),
            "169.254.169.254 is in TARGET_DENY_CIDRS (169.254.0.0/16)");
  EXPECT_EQ(p.refusal("::ffff:169.254.169.254", 80, nullptr),
            "::ffff:169.254.169.254 is in TARGET_DENY_CIDRS (169.254.0.0/16)");
  EXPECT_EQ(p.refusal("fe80::1", 80, nullptr), "fe80::1 is in TARGET_DENY_CIDRS (fe80::/10)");
  EXPECT_EQ(p.refusal("224.0.0.1", 80, nullptr), "224.0.0.1 is in TARGET_DENY_CIDRS (224.0.0.0/4)");
  EXPECT_EQ(p.refusal("ff02::1", 80, nullptr), "ff02::1 is in TARGET_DENY_CIDRS (ff00::/8)");
  EXPECT_EQ(p.refusal("255.255.255.255", 80, nullptr),
            "255.255.255.255 is in TARGET_DENY_CIDRS (255.255.255.255/32)");
  EXPECT_EQ(p.refusal("0.0.0.0", 80, nullptr), "0.0.0.0 is in TARGET_DENY_CIDRS (0.0.0.0/8)");
  EXPECT_EQ(p.refusal("::", 80, nullptr), ":: is in TARGET_DENY_CIDRS (::/128)");
}

TEST(TargetPolicyTest, DefaultAllowsOrdinaryAddresses) {
  TargetPolicy p = defaultPolicy();
  for (const char* a : {"10.0.0.1", "192.168.1.10", "172.16.0.5", "8.8.8.8", "2001:db8::1",
                        "fd00::1", "::ffff:10.0.0.1", "128.0.0.1", "169.255.0.1"}) {
    EXPECT_EQ(p.refusal(a, 8080, nullptr), "") << a;
  }
}

TEST(TargetPolicyTest, EmptyDenyListAllowsLoopback) {
  TargetPolicy p({});
  EXPECT_EQ(p.refusal("127.0.0.1", 8080, nullptr), "");
  EXPECT_EQ(p.refusal("169.254.169.254", 80, nullptr), "");
}

TEST(TargetPolicyTest, OwnSocketsAreRefusedWhateverTheDenyList) {
  TargetPolicy p({});
  p.addOwnSocket({ownSocketAddresses(ip("127.0.0.1"), {}), 9901, "Envoy admin"});
  p.addOwnSocket({ownSocketAddresses(ip("::1"), {}), 8080, "API listener"});
  EXPECT_EQ(p.refusal("127.0.0.1", 9901, nullptr), "127.0.0.1:9901 is this daemon's Envoy admin");
  EXPECT_EQ(p.refusal("::ffff:127.0.0.1", 9901, nullptr),
            "[::ffff:127.0.0.1]:9901 is this daemon's Envoy admin");
  // Linux connects 0.0.0.0 (and ::) to loopback.
  EXPECT_EQ(p.refusal("0.0.0.0", 9901, nullptr), "0.0.0.0:9901 is this daemon's Envoy admin");
  EXPECT_EQ(p.refusal("::1", 8080, nullptr), "[::1]:8080 is this daemon's API listener");
  EXPECT_EQ(p.refusal("::", 8080, nullptr), "[::]:8080 is this daemon's API listener");
  // Other ports and addresses of loopback are not those sockets.
  EXPECT_EQ(p.refusal("127.0.0.1", 9902, nullptr), "");
  EXPECT_EQ(p.refusal("127.0.0.2", 9901, nullptr), "");
  EXPECT_EQ(p.refusal("::1", 9901, nullptr), "");
}

TEST(TargetPolicyTest, OwnSocketIsNamedBeforeTheDenyList) {
  TargetPolicy p = defaultPolicy();
  p.addOwnSocket({ownSocketAddresses(ip("127.0.0.1"), {}), 9464, "metrics listener"});
  EXPECT_EQ(p.refusal("127.0.0.1", 9464, nullptr),
            "127.0.0.1:9464 is this daemon's metrics listener");
}

TEST(TargetPolicyTest, WildcardSocketCountsAtEveryLocalAddress) {
  const std::vector<Cidr> local = cidrs("127.0.0.0/8,::1,10.1.2.3,fd00::5");
  TargetPolicy p({});
  p.addOwnSocket({ownSocketAddresses(ip("0.0.0.0"), local), 8080, "API listener"});
  for (const char* a : {"127.0.0.1", "127.9.9.9", "10.1.2.3", "::ffff:10.1.2.3", "::1", "fd00::5",
                        "0.0.0.0", "::"}) {
    EXPECT_EQ(p.refusal(a, 8080, nullptr),
              formatHostPort(HostPort{a, 8080}) + " is this daemon's API listener")
        << a;
  }
  EXPECT_EQ(p.refusal("10.1.2.4", 8080, nullptr), "");  // another host on that network
  EXPECT_EQ(p.refusal("10.1.2.3", 8081, nullptr), "");
}

TEST(TargetPolicyTest, OwnSocketAddresses) {
  auto formatted = [](const std::vector<Cidr>& v) {
    std::vector<std::string> out;
    for (const Cidr& c : v) out.push_back(formatCidr(c));
    return out;
  };
  using ::testing::ElementsAre;
  using ::testing::UnorderedElementsAre;
  EXPECT_THAT(formatted(ownSocketAddresses(ip("10.0.0.7"), cidrs("10.0.0.7"))),
              ElementsAre("10.0.0.7/32"));
  EXPECT_THAT(formatted(ownSocketAddresses(ip("127.0.0.1"), {})),
              UnorderedElementsAre("127.0.0.1/32", "0.0.0.0/32"));
  EXPECT_THAT(
      formatted(ownSocketAddresses(ip("::"), cidrs("10.0.0.7"))),
      UnorderedElementsAre("10.0.0.7/32", "127.0.0.0/8", "::1/128", "0.0.0.0/32", "::/128"));
}

TEST(TargetPolicyTest, EnvoyListenerPortsAreRefusedAtTheListenerAddresses) {
  TargetPolicy p({});
  p.setListenerAddresses(ownSocketAddresses(ip("0.0.0.0"), cidrs("127.0.0.0/8")));
  int asked = 0;
  auto listener = [&](uint16_t port) {
    ++asked;
    return port == 80 || port == 8443;
  };
  EXPECT_EQ(p.refusal("127.0.0.1", 80, listener),
            "127.0.0.1:80 is one of this daemon's Envoy ingress listeners");
  EXPECT_EQ(p.refusal("127.0.0.1", 8443, listener),
            "127.0.0.1:8443 is one of this daemon's Envoy ingress listeners");
  EXPECT_EQ(p.refusal("127.0.0.1", 8080, listener), "");
  EXPECT_EQ(asked, 3);
  EXPECT_EQ(p.refusal("10.0.0.1", 80, listener), "");  // not a local address: never asked
  EXPECT_EQ(asked, 3);
  EXPECT_EQ(p.refusal("127.0.0.1", 80, nullptr), "");  // no listener ports known
}

TEST(TargetPolicyTest, NonIpIsRefused) {
  TargetPolicy p({});
  EXPECT_EQ(p.refusal("vm.example.com", 80, nullptr), "\"vm.example.com\" is not an IP address");
}

}  // namespace
}  // namespace ingress::domain

// parseHostPort / formatHostPort: the one host:port parser (settings, listeners, ingressctl).
#include "common/host_port.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ingress {
namespace {

using ::testing::HasSubstr;

HostPort ok(std::string_view text, HostPortRules rules = {}) {
  auto hp = parseHostPort(text, rules);
  EXPECT_TRUE(hp.ok()) << text << ": " << hp.status().toString();
  return hp.ok() ? *hp : HostPort{};
}

std::string error(std::string_view text, HostPortRules rules = {}) {
  auto hp = parseHostPort(text, rules);
  EXPECT_FALSE(hp.ok()) << "accepted: " << text;
  if (hp.ok()) return "";
  EXPECT_EQ(hp.status().code(), StatusCode::kInvalidArgument) << text;
  return std::string(hp.status().message());
}

TEST(HostPortTest, Ipv4) {
  EXPECT_EQ(ok("127.0.0.1:8080"), (HostPort{"127.0.0.1", 8080}));
  EXPECT_EQ(ok("0.0.0.0:65535"), (HostPort{"0.0.0.0", 65535}));
  EXPECT_EQ(ok("10.0.0.1:1"), (HostPort{"10.0.0.1", 1}));
}

TEST(HostPortTest, BracketedIpv6) {
  EXPECT_EQ(ok("[::1]:8080"), (HostPort{"::1", 8080}));
  EXPECT_EQ(ok("[::]:9464"), (HostPort{"::", 9464}));
  EXPECT_EQ(ok("[2001:db8::1]:443"), (HostPort{"2001:db8::1", 443}));
}

TEST(HostPortTest, UnbracketedIpv6IsRefusedWithAHintAboutBrackets) {
  EXPECT_EQ(error("::1:8080"), "IPv6 addresses go in brackets, e.g. [::1]:8080");
  EXPECT_THAT(error("2001:db8::1:443", {.allow_hostname = true}), HasSubstr("brackets"));
}

TEST(HostPortTest, PortMissingZeroOrOutOfRange) {
  EXPECT_EQ(error("127.0.0.1"), "missing port");
  EXPECT_EQ(error("127.0.0.1:"), "missing port");
  EXPECT_EQ(error("[::1]"), "missing port");
  EXPECT_EQ(error("[::1]8080"), "missing port");
  EXPECT_EQ(error("127.0.0.1:0"), "port must be 1..65535");
  EXPECT_EQ(error("127.0.0.1:65536"), "port must be 1..65535");
  EXPECT_EQ(error("127.0.0.1:99999999999"), "port must be 1..65535");
  EXPECT_EQ(error("127.0.0.1:-1"), "port must be 1..65535");
  EXPECT_EQ(error("127.0.0.1:+80"), "port must be 1..65535");
  EXPECT_EQ(error("127.0.0.1:8x"), "port must be 1..65535");
  EXPECT_EQ(error("127.0.0.1:65536", {.allow_port_zero = true}), "port must be 0..65535");
}

TEST(HostPortTest, PortZeroWhenAllowed) {
  EXPECT_EQ(ok("127.0.0.1:0", {.allow_port_zero = true}), (HostPort{"127.0.0.1", 0}));
  EXPECT_EQ(ok("[::1]:0", {.allow_port_zero = true}), (HostPort{"::1", 0}));
}

TEST(HostPortTest, HostRules) {
  EXPECT_EQ(error(":8080"), "missing host");
  EXPECT_EQ(ok(":8080", {.allow_empty_host = true}), (HostPort{"", 8080}));
  EXPECT_EQ(error("localhost:8080"), "host must be an IP address");
  EXPECT_EQ(ok("localhost:8080", {.allow_hostname = true}), (HostPort{"localhost", 8080}));
  EXPECT_EQ(ok("otel-collector.example.com:4317", {.allow_hostname = true}).host,
            "otel-collector.example.com");
  EXPECT_EQ(error("user@host:80", {.allow_hostname = true}), "invalid host name");
  EXPECT_EQ(error("host/x:80", {.allow_hostname = true}), "invalid host name");
  EXPECT_EQ(error("[::1:8080"), "missing ']' after the IPv6 address");
  EXPECT_EQ(error("[127.0.0.1]:80"), "brackets must hold an IPv6 address");
  EXPECT_EQ(error("[example.com]:80", {.allow_hostname = true}),
            "brackets must hold an IPv6 address");
}

TEST(HostPortTest, FormatBracketsIpv6) {
  EXPECT_EQ(formatHostPort({"127.0.0.1", 80}), "127.0.0.1:80");
  EXPECT_EQ(formatHostPort({"::1", 8080}), "[::1]:8080");
  EXPECT_EQ(formatHostPort(ok("[2001:db8::1]:443")), "[2001:db8::1]:443");
}

TEST(IsIpLiteralTest, AcceptsIpv4AndIpv6) {
  EXPECT_TRUE(isIpLiteral("192.168.1.1"));
  EXPECT_TRUE(isIpLiteral("0.0.0.0"));
  EXPECT_TRUE(isIpLiteral("::"));
  EXPECT_TRUE(isIpLiteral("::1"));
  EXPECT_TRUE(isIpLiteral("2001:db8::8:800:200c:417a"));
}

TEST(IsIpLiteralTest, RejectsHostnamesBracketsAndPartialAddresses) {
  EXPECT_FALSE(isIpLiteral("localhost"));
  EXPECT_FALSE(isIpLiteral("[::1]"));
  EXPECT_FALSE(isIpLiteral("1.2.3"));
  EXPECT_FALSE(isIpLiteral("256.0.0.1"));
  EXPECT_FALSE(isIpLiteral("1.2.3.4:80"));
  EXPECT_FALSE(isIpLiteral(""));
}

}  // namespace
TEST(ParseHostPortTest, DefaultPortWhenNoneIsGiven) {
  EXPECT_EQ(parseHostPort("10.0.0.1", 53).value(), (HostPort{"10.0.0.1", 53}));
  EXPECT_EQ(parseHostPort("10.0.0.1:8053", 53).value(), (HostPort{"10.0.0.1", 8053}));
  EXPECT_EQ(parseHostPort("[::1]", 53).value(), (HostPort{"::1", 53}));
  EXPECT_EQ(parseHostPort("[::1]:5353", 53).value(), (HostPort{"::1", 5353}));
  EXPECT_FALSE(parseHostPort("10.0.0.1:x", 53).ok());
  EXPECT_FALSE(parseHostPort("::1", 53).ok()) << "IPv6 still needs brackets";
}

}  // namespace ingress

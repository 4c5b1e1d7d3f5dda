// Cidr, parseCidr, parseCidrList and parseIpAddress (common/host_port.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/host_port.h"

namespace ingress {
namespace {

using ::testing::HasSubstr;

IpAddress ip(std::string_view text) {
  auto a = parseIpAddress(text);
  EXPECT_TRUE(a.ok()) << text << ": " << a.status().toString();
  return a.ok() ? *a : IpAddress{};
}

Cidr cidr(std::string_view text) {
  auto c = parseCidr(text);
  EXPECT_TRUE(c.ok()) << text << ": " << c.status().toString();
  return c.ok() ? *c : Cidr{};
}

std::string cidrError(std::string_view text) {
  auto c = parseCidr(text);
  EXPECT_FALSE(c.ok()) << "accepted: " << text;
  if (c.ok()) return "";
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  return c.status().message();
}

TEST(CidrTest, ParsesAndFormats) {
  EXPECT_EQ(formatCidr(cidr("10.0.0.0/8")), "10.0.0.0/8");
  EXPECT_EQ(formatCidr(cidr("0.0.0.0/0")), "0.0.0.0/0");
  EXPECT_EQ(formatCidr(cidr("fe80::/10")), "fe80::/10");
  EXPECT_EQ(formatCidr(cidr("FF00::/8")), "ff00::/8");
  EXPECT_EQ(formatCidr(cidr("::/0")), "::/0");
  EXPECT_EQ(formatCidr(cidr("255.255.255.255")), "255.255.255.255/32");
  EXPECT_EQ(formatCidr(cidr("::1")), "::1/128");
  EXPECT_EQ(formatCidr(cidr("192.168.1.1/32")), "192.168.1.1/32");
}

TEST(CidrTest, RefusesBadInput) {
  EXPECT_THAT(cidrError(""), HasSubstr("not an IPv4 or IPv6 address"));
  EXPECT_THAT(cidrError("10.0.0/8"), HasSubstr("\"10.0.0\" is not an IPv4 or IPv6 address"));
  EXPECT_THAT(cidrError("example.com/8"), HasSubstr("not an IPv4 or IPv6 address"));
  EXPECT_THAT(cidrError("10.0.0.0/33"), HasSubstr("prefix length must be 0..32"));
  EXPECT_THAT(cidrError("::/129"), HasSubstr("prefix length must be 0..128"));
  EXPECT_THAT(cidrError("10.0.0.0/"), HasSubstr("prefix length"));
  EXPECT_THAT(cidrError("10.0.0.0/-1"), HasSubstr("prefix length"));
  EXPECT_THAT(cidrError("10.0.0.0/8/8"), HasSubstr("prefix length"));
  EXPECT_THAT(cidrError("10.0.0.0/ 8"), HasSubstr("prefix length"));
  EXPECT_THAT(cidrError("[::1]/128"), HasSubstr("not an IPv4 or IPv6 address"));
  EXPECT_THAT(cidrError("fe80::1%eth0/64"), HasSubstr("not an IPv4 or IPv6 address"));
  EXPECT_THAT(cidrError("10.0.0.1/8"), HasSubstr("host bits are set (did you mean 10.0.0.0/8?)"));
  EXPECT_THAT(cidrError("fe80::1/10"), HasSubstr("did you mean fe80::/10?"));
}

TEST(CidrTest, Contains) {
  const Cidr loopback = cidr("127.0.0.0/8");
  EXPECT_TRUE(loopback.contains(ip("127.0.0.1")));
  EXPECT_TRUE(loopback.contains(ip("127.255.255.254")));
  EXPECT_FALSE(loopback.contains(ip("128.0.0.1")));
  EXPECT_FALSE(loopback.contains(ip("126.255.255.255")));
  EXPECT_FALSE(loopback.contains(ip("::1")));  // families never mix
  const Cidr link_local = cidr("fe80::/10");
  EXPECT_TRUE(link_local.contains(ip("fe80::1")));
  EXPECT_TRUE(link_local.contains(ip("febf:ffff::1")));
  EXPECT_FALSE(link_local.contains(ip("fec0::1")));
  EXPECT_TRUE(cidr("0.0.0.0/0").contains(ip("8.8.8.8")));
  EXPECT_FALSE(cidr("0.0.0.0/0").contains(ip("2001:db8::1")));
  EXPECT_TRUE(cidr("::/0").contains(ip("2001:db8::1")));
  EXPECT_TRUE(cidr("169.254.169.254").contains(ip("169.254.169.254")));
  EXPECT_FALSE(cidr("169.254.169.254").contains(ip("169.254.169.253")));
  EXPECT_TRUE(cidr("10.1.2.0/23").contains(ip("10.1.3.255")));
  EXPECT_FALSE(cidr("10.1.2.0/23").contains(ip("10.1.4.0")));
}

TEST(CidrTest, MappedIpv6IsIpv4Everywhere) {
  EXPECT_EQ(ip("::ffff:127.0.0.1"), ip("127.0.0.1"));
  EXPECT_EQ(formatIpAddress(ip("::FFFF:7f00:1")), "127.0.0.1");
  EXPECT_TRUE(cidr("127.0.0.0/8").contains(ip("::ffff:127.0.0.1")));
  EXPECT_TRUE(cidr("169.254.0.0/16").contains(ip("::ffff:169.254.169.254")));
  // A mapped range is the IPv4 range.
  EXPECT_EQ(cidr("::ffff:127.0.0.0/104"), cidr("127.0.0.0/8"));
  EXPECT_TRUE(cidr("::ffff:0:0/96").contains(ip("10.0.0.1")));
  // Other IPv6 forms that embed an IPv4 address are different addresses.
  EXPECT_FALSE(cidr("127.0.0.0/8").contains(ip("::127.0.0.1")));
  EXPECT_FALSE(cidr("127.0.0.0/8").contains(ip("64:ff9b::7f00:1")));
}

TEST(CidrTest, IpAddressParsing) {
  EXPECT_EQ(formatIpAddress(ip("2001:DB8::0:1")), "2001:db8::1");
  EXPECT_FALSE(parseIpAddress("").ok());
  EXPECT_FALSE(parseIpAddress("1.2.3").ok());
  EXPECT_FALSE(parseIpAddress("[::1]").ok());
  EXPECT_FALSE(parseIpAddress("localhost").ok());
  EXPECT_FALSE(parseIpAddress(std::string_view("1.2.3.4\0", 8)).ok());
}

TEST(CidrTest, Lists) {
  auto list = parseCidrList(" 127.0.0.0/8 , ::1/128,169.254.0.0/16 ");
  ASSERT_TRUE(list.ok()) << list.status().toString();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ(formatCidr((*list)[1]), "::1/128");
  auto empty = parseCidrList("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  auto blanks = parseCidrList("  ");
  ASSERT_TRUE(blanks.ok());
  EXPECT_TRUE(blanks->empty());
}

TEST(CidrTest, ListErrorsNameTheItem) {
  auto bad = parseCidrList("127.0.0.0/8,10.0.0/8");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("item 2 (\"10.0.0/8\")"));
  EXPECT_THAT(bad.status().message(), HasSubstr("not an IPv4 or IPv6 address"));
  auto hole = parseCidrList("127.0.0.0/8,,::1");
  ASSERT_FALSE(hole.ok());
  EXPECT_THAT(hole.status().message(), HasSubstr("item 2 is empty"));
  auto trailing = parseCidrList("127.0.0.0/8,");
  ASSERT_FALSE(trailing.ok());
  EXPECT_THAT(trailing.status().message(), HasSubstr("item 2 is empty"));
}

TEST(CidrTest, NetworkClearsHostBits) {
  auto ip4 = parseIpAddress("10.1.2.3");
  ASSERT_TRUE(ip4.ok());
  EXPECT_EQ(formatCidr(cidrNetwork(Cidr{*ip4, 8})), "10.0.0.0/8");
  EXPECT_EQ(formatCidr(cidrNetwork(Cidr{*ip4, 32})), "10.1.2.3/32");
  auto ip6 = parseIpAddress("fe80::1:2");
  ASSERT_TRUE(ip6.ok());
  EXPECT_EQ(formatCidr(cidrNetwork(Cidr{*ip6, 10})), "fe80::/10");
}

}  // namespace
}  // namespace ingress

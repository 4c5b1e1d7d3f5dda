#include "ingress/validation.h"

#include <gtest/gtest.h>

#include "unit/ingress/status_matchers.h"

namespace ingress::domain {
namespace {

using ingress::testing::expectBadRequest;
using ingress::testing::expectStatus;

constexpr std::string_view kNameRule =
    "must consist of lowercase letters, digits and '-', and start and end with a letter or digit";

TEST(ValidateNameTest, AcceptsValidNames) {
  for (std::string_view n : {"a", "0", "my-api", "a-b-c", "x1", "9lives", "a--b"}) {
    EXPECT_TRUE(validateName(n).ok()) << n;
    EXPECT_TRUE(isValidName(n)) << n;
  }
  EXPECT_TRUE(validateName(std::string(63, 'a')).ok());
}

TEST(ValidateNameTest, RejectsInvalidNamesNamingTheField) {
  expectBadRequest(validateName(""), "name: must not be empty");
  expectBadRequest(validateName(std::string(64, 'a')), "name: longer than 63 characters");
  for (std::string_view n : {"-a", "a-", "-", "My-api", "a_b", "a.b", "a b", "é", "a/b"}) {
    expectBadRequest(validateName(n), "name: " + std::string(kNameRule));
    EXPECT_FALSE(isValidName(n)) << n;
  }
  expectBadRequest(validateName("A", "rules[2].target.instance"),
                   "rules[2].target.instance: " + std::string(kNameRule));
}

TEST(ValidateHostnameTest, AcceptsDnsNames) {
  for (std::string_view h :
       {"api.example.com", "localhost", "a", "x-y.example", "1a.example", "API.Example.COM",
        "a1.b2.c3", "123.example.com", "xn--bcher-kva.ch", "*.example.com", "*.A.b"}) {
    EXPECT_TRUE(validateHostname(h).ok()) << h << ": " << validateHostname(h).toString();
  }
  // Limits: 63-character labels, 253 characters in all.
  const std::string label63(63, 'a');
  EXPECT_TRUE(validateHostname(label63 + ".com").ok());
  std::string h253 = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b');
  ASSERT_EQ(h253.size(), 253u);
  EXPECT_TRUE(validateHostname(h253).ok());
}

TEST(ValidateHostnameTest, LowercasesForStorage) {
  EXPECT_EQ(lowercaseHostname("API.Example.COM"), "api.example.com");
}

TEST(ValidateHostnameTest, RejectsEachKindOfBadHostname) {
  const std::string f = "rules[1].match.hostname";
  auto check = [&](std::string_view h, std::string_view problem) {
    SCOPED_TRACE(std::string(h));
    expectBadRequest(validateHostname(h, f), f + ": " + std::string(problem));
  };
  check("", "must not be empty");
  check(std::string(63, 'a') + "." + std::string(63, 'a') + "." + std::string(63, 'a') + "." +
            std::string(62, 'b'),
        "longer than 253 characters");
  check("http://api.example.com", "must be a bare hostname without a scheme");
  check("https://a", "must be a bare hostname without a scheme");
  check("api.example.com:8080", "must not contain a port");
  check("[::1]", "must not contain a port");
  check("api.example.com/path", "must not contain a path");
  check("api example.com", "must not contain whitespace");
  check("api.example.com\t", "must not contain whitespace");
  check("api.example.com\n", "must not contain whitespace");
  check(std::string("api\0x.com", 9), "must not contain control characters");
  check("api\x01.com", "must not contain control characters");
  check("api\x7f.com", "must not contain control characters");
  check("api.*.com", "a wildcard must be the whole first label, as in *.example.com");
  check("*api.example.com", "a wildcard must be the whole first label, as in *.example.com");
  check("*.*.example.com", "a wildcard must be the whole first label, as in *.example.com");
  check("*", "a wildcard must be the whole first label, as in *.example.com");
  check("*.com", "a wildcard needs at least two labels after it, as in *.example.com");
  check("*.-a.com", "a label must not start or end with '-'");
  check("api.example.com.", "must not end with a dot");
  check(".", "must not end with a dot");
  check(".example.com", "must not contain an empty label (\"..\" or a leading dot)");
  check("api..example.com", "must not contain an empty label (\"..\" or a leading dot)");
  check(std::string(64, 'a') + ".com", "label longer than 63 characters");
  check("-api.example.com", "a label must not start or end with '-'");
  check("api-.example.com", "a label must not start or end with '-'");
  check("api.example.com-", "a label must not start or end with '-'");
  check("api_x.example.com", "may contain only letters, digits, '-' and '.'");
  check("api@example.com", "may contain only letters, digits, '-' and '.'");
  check(
      "b\xc3\xbc"
      "cher.ch",
      "must be an ASCII DNS name (use the punycode form of IDNs)");
  check("10.0.0.1", "must be a DNS name, not an IP address or a number");
  check("12345", "must be a DNS name, not an IP address or a number");
}

TEST(ValidateHostnameTest, DefaultFieldName) {
  expectBadRequest(validateHostname(""), "hostname: must not be empty");
}

TEST(ValidatePortTest, Range) {
  EXPECT_TRUE(validatePort(1).ok());
  EXPECT_TRUE(validatePort(65535).ok());
  expectBadRequest(validatePort(0, "rules[0].match.port"),
                   "rules[0].match.port: must be between 1 and 65535");
  expectBadRequest(validatePort(65536), "port: must be between 1 and 65535");
  expectBadRequest(validatePort(-1), "port: must be between 1 and 65535");
}

TEST(CanonicalIpTest, CanonicalizesV4AndV6) {
  EXPECT_EQ(*canonicalIp("10.100.0.10"), "10.100.0.10");
  EXPECT_EQ(*canonicalIp("2001:DB8:0:0::1"), "2001:db8::1");
  EXPECT_EQ(*canonicalIp("::ffff:10.0.0.1"), "::ffff:10.0.0.1");
  EXPECT_EQ(*canonicalIp("::1"), "::1");
}

TEST(CanonicalIpTest, RejectsNonLiterals) {
  for (std::string_view ip : {"10.0.0", "10.0.0.256", "010.0.0.1", "host.example", " 10.0.0.1",
                              "10.0.0.1 ", "fe80::1%eth0", "1:2:3:4:5:6:7:8:9", "10.0.0.1/24"}) {
    expectBadRequest(canonicalIp(ip).status(), "ip: must be an IPv4 or IPv6 address");
  }
  expectBadRequest(canonicalIp(std::string("10.0.0.1\0", 9)).status(),
                   "ip: must be an IPv4 or IPv6 address");
  expectBadRequest(canonicalIp(std::string(100, '1')).status(),
                   "ip: must be an IPv4 or IPv6 address");
  expectBadRequest(canonicalIp("").status(), "ip: must not be empty");
  expectBadRequest(canonicalIp("0.0.0.0").status(), "ip: must not be the unspecified address");
  expectBadRequest(canonicalIp("::").status(), "ip: must not be the unspecified address");
}

IngressSpec specWith(size_t n_rules) {
  IngressSpec spec;
  spec.name = "web";
  for (size_t i = 0; i < n_rules; ++i) {
    spec.rules.push_back(Rule{{"h" + std::to_string(i) + ".example.com", 80}, {"vm", 8080}});
  }
  return spec;
}

TEST(ValidateIngressSpecTest, AcceptsAndLowercases) {
  IngressSpec spec = specWith(1);
  spec.rules[0].match.hostname = "API.Example.com";
  ASSERT_TRUE(validateIngressSpec(spec).ok());
  EXPECT_EQ(spec.rules[0].match.hostname, "api.example.com");
}

TEST(ValidateIngressSpecTest, RuleCountLimits) {
  IngressSpec none = specWith(0);
  expectBadRequest(validateIngressSpec(none), "rules: at least one rule is required");
  IngressSpec hundred = specWith(100);
  EXPECT_TRUE(validateIngressSpec(hundred).ok());
  IngressSpec too_many = specWith(101);
  expectBadRequest(validateIngressSpec(too_many), "rules: at most 100 rules are allowed");
}

TEST(ValidateIngressSpecTest, NamesTheFieldOfEachRule) {
  IngressSpec spec = specWith(3);
  spec.name = "Bad";
  expectBadRequest(validateIngressSpec(spec), "name: " + std::string(kNameRule));
  spec = specWith(3);
  spec.rules[1].match.hostname = "a:80";
  expectBadRequest(validateIngressSpec(spec), "rules[1].match.hostname: must not contain a port");
  spec = specWith(3);
  spec.rules[2].match.port = 0;
  expectBadRequest(validateIngressSpec(spec), "rules[2].match.port: must be between 1 and 65535");
  spec = specWith(3);
  spec.rules[0].target.instance = "";
  expectBadRequest(validateIngressSpec(spec), "rules[0].target.instance: must not be empty");
  spec = specWith(3);
  spec.rules[1].target.port = 0;
  expectBadRequest(validateIngressSpec(spec), "rules[1].target.port: must be between 1 and 65535");
}

TEST(ValidateIngressSpecTest, DuplicateHostPortInOneRequestIsHostnameInUse) {
  IngressSpec spec = specWith(3);
  spec.rules[2].match.hostname = "H0.EXAMPLE.com";  // same as rules[0] after lowercasing
  expectStatus(validateIngressSpec(spec), StatusCode::kAlreadyExists, "hostname_in_use",
               "rules[2].match: h0.example.com:80 is already used by rules[0]");
  // Same hostname on another port is a different key.
  spec = specWith(2);
  spec.rules[1].match = {"h0.example.com", 8080};
  EXPECT_TRUE(validateIngressSpec(spec).ok());
}

TEST(ValidateIngressSpecTest, RedirectHttpNeedsTls) {
  IngressSpec spec = specWith(2);
  spec.rules[1].redirect_http = true;
  expectBadRequest(validateIngressSpec(spec),
                   "rules[1].redirect_http: requires tls: true (it redirects plain HTTP to https)");
  spec.rules[1].tls = true;
  EXPECT_TRUE(validateIngressSpec(spec).ok());
}

TEST(ValidateInstanceTest, NameAndIp) {
  Instance ok{"vm-1", "2001:db8:0::5"};
  ASSERT_TRUE(validateInstance(ok).ok());
  EXPECT_EQ(ok.ip, "2001:db8::5");
  Instance bad_name{"VM", "10.0.0.1"};
  expectBadRequest(validateInstance(bad_name), "name: " + std::string(kNameRule));
  Instance bad_ip{"vm", "10.0.0.x"};
  expectBadRequest(validateInstance(bad_ip), "ip: must be an IPv4 or IPv6 address");
}

}  // namespace
}  // namespace ingress::domain

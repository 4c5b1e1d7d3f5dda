#include "cli/format.h"

#include <gtest/gtest.h>

namespace ingress::cli {
namespace {

TEST(FormatTableTest, AlignsColumnsWithoutTrailingSpaces) {
  EXPECT_EQ(formatTable({{"A", "BB", "C"}, {"long", "x", "yyyy"}}),
            "A      BB   C\n"
            "long   x    yyyy\n");
  EXPECT_EQ(formatTable({}), "");
}

TEST(FormatIngressTest, OneLinePerRule) {
  const Json ingresses = Json::parse(R"([
    {"id": "abc123", "name": "web", "created_at": "2025-01-02T03:04:05.000Z",
     "rules": [
       {"match": {"hostname": "a.example.com", "port": 80},
        "target": {"instance": "vm1", "port": 8080}, "status": "active"},
       {"match": {"hostname": "b.example.com", "port": 8443},
        "target": {"instance": "vm22", "port": 443}, "status": "unresolved",
        "reason": "instance \"vm22\" not found"}]},
    {"id": "def4567890", "name": "api", "created_at": "2025-01-03T00:00:00.000Z",
     "rules": [
       {"match": {"hostname": "api.example.com", "port": 80},
        "target": {"instance": "vm3", "port": 3000}, "status": "active"}]}
  ])");
  EXPECT_EQ(formatIngressTable(ingresses),
            "ID           NAME   HOSTNAME          PORT   TLS   TARGET     STATUS       CREATED\n"
            "abc123       web    a.example.com     80     -     vm1:8080   active       "
            "2025-01-02T03:04:05.000Z\n"
            "abc123       web    b.example.com     8443   -     vm22:443   unresolved   "
            "2025-01-02T03:04:05.000Z\n"
            "def4567890   api    api.example.com   80     -     vm3:3000   active       "
            "2025-01-03T00:00:00.000Z\n");
}

TEST(FormatIngressTest, TlsColumnShowsTheCertificateStateAndRedirect) {
  const Json ingress = Json::parse(R"({"id": "i1", "name": "shop", "created_at": "T", "rules": [
      {"match": {"hostname": "a.example.com", "port": 80},
       "target": {"instance": "vm1", "port": 8080}, "status": "active",
       "tls": false, "redirect_http": false},
      {"match": {"hostname": "b.example.com", "port": 443},
       "target": {"instance": "vm1", "port": 8080}, "status": "active",
       "tls": true, "redirect_http": true,
       "certificate": {"state": "active", "source": "acme", "serial": "0a1b",
                       "expires_at": "2026-01-01T00:00:00.000Z"}},
      {"match": {"hostname": "c.example.com", "port": 443},
       "target": {"instance": "vm1", "port": 8080}, "status": "active",
       "tls": true, "redirect_http": false,
       "certificate": {"state": "failed", "source": "acme", "last_error": "rate limited"}},
      {"match": {"hostname": "d.example.com", "port": 443},
       "target": {"instance": "vm1", "port": 8080}, "status": "active", "tls": true}]})");
  EXPECT_EQ(formatIngressTable(ingress),
            "ID   NAME   HOSTNAME        PORT   TLS               TARGET     STATUS   CREATED\n"
            "i1   shop   a.example.com   80     -                 vm1:8080   active   T\n"
            "i1   shop   b.example.com   443    active+redirect   vm1:8080   active   T\n"
            "i1   shop   c.example.com   443    failed            vm1:8080   active   T\n"
            "i1   shop   d.example.com   443    tls               vm1:8080   active   T\n");
}

TEST(FormatIngressTest, TlsColumnToleratesOddCertificateFields) {
  // A certificate without "tls" (a server between versions) still marks the rule TLS; a state
  // that is not a string is not printed as JSON.
  const Json ingress = Json::parse(R"({"id": "i1", "name": "n", "rules": [
      {"match": {"hostname": "h"}, "certificate": {"state": "pending"}},
      {"match": {"hostname": "g"}, "tls": true, "redirect_http": true, "certificate": {"state": 3}},
      {"match": {"hostname": "f"}, "tls": "yes", "certificate": "active"}]})");
  EXPECT_EQ(formatIngressTable(ingress),
            "ID   NAME   HOSTNAME   PORT   TLS            TARGET   STATUS   CREATED\n"
            "i1   n      h          -      pending        -        -        -\n"
            "i1   n      g          -      tls+redirect   -        -        -\n"
            "i1   n      f          -      -              -        -        -\n");
}

TEST(FormatIngressTest, EmptyListPrintsOnlyTheHeader) {
  EXPECT_EQ(formatIngressTable(Json::array()),
            "ID   NAME   HOSTNAME   PORT   TLS   TARGET   STATUS   CREATED\n");
}

TEST(FormatIngressTest, SingleObjectAndMissingFields) {
  const Json ingress = Json::parse(R"({"id": "x1", "name": "n", "rules": [
      {"match": {"hostname": "h"}, "target": {"instance": "vm"}}]})");
  EXPECT_EQ(formatIngressTable(ingress),
            "ID   NAME   HOSTNAME   PORT   TLS   TARGET   STATUS   CREATED\n"
            "x1   n      h          -      -     vm:-     -        -\n");
  const Json no_rules = Json::parse(R"({"id": "x2", "name": "n", "rules": [],
                                       "created_at": "t"})");
  EXPECT_EQ(formatIngressTable(no_rules),
            "ID   NAME   HOSTNAME   PORT   TLS   TARGET   STATUS   CREATED\n"
            "x2   n      -          -      -     -        -        t\n");
}

TEST(FormatIngressTest, ControlCharactersCannotForgeLines) {
  const Json ingress = Json::parse(R"({"id": "x", "name": "a\nFAKE\tROW", "rules": []})");
  const std::string table = formatIngressTable(ingress);
  EXPECT_NE(table.find("a?FAKE?ROW"), std::string::npos);
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 2);
}

TEST(FormatInstanceTest, NameAndIp) {
  EXPECT_EQ(formatInstanceTable(Json::parse(
                R"([{"name": "vm1", "ip": "10.0.0.7"}, {"name": "database", "ip": "fd00::2"}])")),
            "NAME       IP\n"
            "vm1        10.0.0.7\n"
            "database   fd00::2\n");
  EXPECT_EQ(formatInstanceTable(Json::parse(R"({"name": "vm1", "ip": "10.0.0.7"})")),
            "NAME   IP\n"
            "vm1    10.0.0.7\n");
}

TEST(FormatCertificateTest, ListsNamesExpiryAndServingHosts) {
  const Json certificates = Json::parse(R"([
    {"name": "acme.3f2a", "id": "acme.3f2a", "source": "acme", "dns_names": ["b.example.com"],
     "serial": "04ab", "issuer": "CN=R3", "not_before": "2025-01-01T00:00:00.000Z",
     "not_after": "2025-04-01T00:00:00.000Z", "stored_at": "2025-01-01T00:00:01.000Z",
     "serving": ["b.example.com"]},
    {"name": "shop", "id": "user.shop", "source": "user",
     "dns_names": ["shop.example.com", "*.shop.example.com"], "serial": "7f",
     "not_after": "2026-01-01T00:00:00.000Z", "serving": []}
  ])");
  EXPECT_EQ(formatCertificateTable(certificates),
            "NAME        SOURCE   NAMES                                 EXPIRES                    "
            "SERIAL   SERVING\n"
            "acme.3f2a   acme     b.example.com                         2025-04-01T00:00:00.000Z   "
            "04ab     b.example.com\n"
            "shop        user     shop.example.com,*.shop.example.com   2026-01-01T00:00:00.000Z   "
            "7f       -\n");
}

TEST(FormatCertificateTest, SingleObjectEmptyListAndMissingFields) {
  EXPECT_EQ(formatCertificateTable(Json::array()),
            "NAME   SOURCE   NAMES   EXPIRES   SERIAL   SERVING\n");
  EXPECT_EQ(formatCertificateTable(Json::parse(R"({"name": "x", "dns_names": "odd"})")),
            "NAME   SOURCE   NAMES   EXPIRES   SERIAL   SERVING\n"
            "x      -        odd     -         -        -\n");
  const std::string forged =
      formatCertificateTable(Json::parse(R"({"name": "x", "serving": ["a\nFAKE"]})"));
  EXPECT_NE(forged.find("a?FAKE"), std::string::npos);
  EXPECT_EQ(std::count(forged.begin(), forged.end(), '\n'), 2);
}

TEST(DescribeApiErrorTest, UsesMessageAndCode) {
  EXPECT_EQ(
      describeApiError(
          409,
          R"({"code":"hostname_in_use","message":"hostname a.example.com is used by ingress web"})"),
      "hostname a.example.com is used by ingress web (hostname_in_use)");
  EXPECT_EQ(describeApiError(404, R"({"message":"no ingress \"x\""})"),
            "no ingress \"x\" (HTTP 404)");
  EXPECT_EQ(describeApiError(401, R"({"code":"unauthorized"})"), "request failed (unauthorized)");
}

TEST(DescribeApiErrorTest, FallsBackToAnExcerptOfNonJsonBodies) {
  EXPECT_EQ(describeApiError(502, "Bad Gateway\n"), "Bad Gateway (HTTP 502)");
  EXPECT_EQ(describeApiError(500, ""), "request failed (HTTP 500)");
  EXPECT_EQ(describeApiError(500, "[1,2]"), "[1,2] (HTTP 500)");
  const std::string long_body(1000, 'x');
  EXPECT_EQ(describeApiError(500, long_body), std::string(200, 'x') + " (HTTP 500)");
}

}  // namespace
}  // namespace ingress::cli

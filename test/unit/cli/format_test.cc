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
            "ID           NAME   HOSTNAME          PORT   TARGET     STATUS       CREATED\n"
            "abc123       web    a.example.com     80     vm1:8080   active       "
            "2025-01-02T03:04:05.000Z\n"
            "abc123       web    b.example.com     8443   vm22:443   unresolved   "
            "2025-01-02T03:04:05.000Z\n"
            "def4567890   api    api.example.com   80     vm3:3000   active       "
            "2025-01-03T00:00:00.000Z\n");
}

TEST(FormatIngressTest, EmptyListPrintsOnlyTheHeader) {
  EXPECT_EQ(formatIngressTable(Json::array()),
            "ID   NAME   HOSTNAME   PORT   TARGET   STATUS   CREATED\n");
}

TEST(FormatIngressTest, SingleObjectAndMissingFields) {
  const Json ingress = Json::parse(R"({"id": "x1", "name": "n", "rules": [
      {"match": {"hostname": "h"}, "target": {"instance": "vm"}}]})");
  EXPECT_EQ(formatIngressTable(ingress),
            "ID   NAME   HOSTNAME   PORT   TARGET   STATUS   CREATED\n"
            "x1   n      h          -      vm:-     -        -\n");
  const Json no_rules = Json::parse(R"({"id": "x2", "name": "n", "rules": [],
                                       "created_at": "t"})");
  EXPECT_EQ(formatIngressTable(no_rules),
            "ID   NAME   HOSTNAME   PORT   TARGET   STATUS   CREATED\n"
            "x2   n      -          -      -        -        t\n");
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

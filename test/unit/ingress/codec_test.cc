#include "ingress/codec.h"

#include <gtest/gtest.h>

#include "ingress/timestamp.h"
#include "unit/ingress/status_matchers.h"

namespace ingress::domain {
namespace {

using ingress::testing::expectBadRequest;
using namespace std::chrono_literals;

Json parse(std::string_view text) {
  auto j = parseJsonStrict(text);
  EXPECT_TRUE(j.ok()) << j.status().toString();
  return j.ok() ? *j : Json();
}

// A valid request with one rule whose `field` (in match or target) is replaced by `value`.
Json withRuleField(std::string_view part, std::string_view field, const Json& value) {
  Json body = parse(R"({"name":"web","rules":[{"match":{"hostname":"a.example.com","port":80},
                       "target":{"instance":"vm","port":8080}}]})");
  body["rules"][0][std::string(part)][std::string(field)] = value;
  return body;
}

TEST(DecodeIngressSpecTest, DecodesAndDefaultsMatchPortTo80) {
  auto spec = decodeIngressSpec(parse(R"({"name":"web","rules":[
      {"match":{"hostname":"API.example.com"},"target":{"instance":"vm","port":8080}},
      {"match":{"hostname":"b.example.com","port":8443},"target":{"instance":"vm2","port":1}}]})"));
  ASSERT_TRUE(spec.ok()) << spec.status().toString();
  EXPECT_EQ(spec->name, "web");
  ASSERT_EQ(spec->rules.size(), 2u);
  EXPECT_EQ(spec->rules[0], (Rule{{"API.example.com", 80}, {"vm", 8080}}));
  EXPECT_EQ(spec->rules[1], (Rule{{"b.example.com", 8443}, {"vm2", 1}}));
}

TEST(DecodeIngressSpecTest, RejectsUnknownFieldsNamingThem) {
  expectBadRequest(decodeIngressSpec(parse(R"({"name":"w","rules":[],"x":1})")).status(),
                   "x: unknown field");
  expectBadRequest(decodeIngressSpec(withRuleField("match", "path", "/")).status(),
                   "rules[0].match.path: unknown field");
  expectBadRequest(decodeIngressSpec(withRuleField("target", "weight", 1)).status(),
                   "rules[0].target.weight: unknown field");
  Json body = withRuleField("match", "port", 80);
  body["rules"][0]["tls_mode"] = true;
  expectBadRequest(decodeIngressSpec(body).status(), "rules[0].tls_mode: unknown field");
  // Keys are made printable before they go into a message.
  expectBadRequest(decodeIngressSpec(parse("{\"a\\u0001b\":1}")).status(), "a?b: unknown field");
}

TEST(DecodeIngressSpecTest, RejectsMissingFields) {
  expectBadRequest(decodeIngressSpec(parse(R"({"rules":[]})")).status(), "name: is required");
  expectBadRequest(decodeIngressSpec(parse(R"({"name":"w"})")).status(), "rules: is required");
  Json body = withRuleField("match", "port", 80);
  body["rules"][0]["match"].erase("hostname");
  expectBadRequest(decodeIngressSpec(body).status(), "rules[0].match.hostname: is required");
  body = withRuleField("match", "port", 80);
  body["rules"][0]["target"].erase("port");
  expectBadRequest(decodeIngressSpec(body).status(), "rules[0].target.port: is required");
  body = withRuleField("match", "port", 80);
  body["rules"][0]["target"].erase("instance");
  expectBadRequest(decodeIngressSpec(body).status(), "rules[0].target.instance: is required");
  body = withRuleField("match", "port", 80);
  body["rules"][0].erase("match");
  expectBadRequest(decodeIngressSpec(body).status(), "rules[0].match: is required");
  body = withRuleField("match", "port", 80);
  body["rules"][0].erase("target");
  expectBadRequest(decodeIngressSpec(body).status(), "rules[0].target: is required");
}

TEST(DecodeIngressSpecTest, RejectsWrongTypesNamingFieldAndExpectedType) {
  expectBadRequest(decodeIngressSpec(parse("[]")).status(), "body: expected object, got array");
  expectBadRequest(decodeIngressSpec(parse(R"({"name":1,"rules":[]})")).status(),
                   "name: expected string, got integer");
  expectBadRequest(decodeIngressSpec(parse(R"({"name":"w","rules":{}})")).status(),
                   "rules: expected array, got object");
  expectBadRequest(decodeIngressSpec(parse(R"({"name":"w","rules":[1]})")).status(),
                   "rules[0]: expected object, got integer");
  Json body = withRuleField("match", "port", 80);
  body["rules"][0]["match"] = "a.example.com";
  expectBadRequest(decodeIngressSpec(body).status(), "rules[0].match: expected object, got string");
  body = withRuleField("match", "port", 80);
  body["rules"][0]["target"] = nullptr;
  expectBadRequest(decodeIngressSpec(body).status(), "rules[0].target: expected object, got null");
  expectBadRequest(decodeIngressSpec(withRuleField("match", "hostname", 5)).status(),
                   "rules[0].match.hostname: expected string, got integer");
  expectBadRequest(decodeIngressSpec(withRuleField("target", "instance", true)).status(),
                   "rules[0].target.instance: expected string, got boolean");
}

TEST(DecodeIngressSpecTest, PortsMustBeIntegersInRange) {
  for (const char* part : {"match", "target"}) {
    const std::string f = std::string("rules[0].") + part + ".port";
    SCOPED_TRACE(f);
    expectBadRequest(decodeIngressSpec(withRuleField(part, "port", 80.5)).status(),
                     f + ": expected integer, got number");
    expectBadRequest(decodeIngressSpec(withRuleField(part, "port", 80.0)).status(),
                     f + ": expected integer, got number");
    expectBadRequest(decodeIngressSpec(withRuleField(part, "port", "80")).status(),
                     f + ": expected integer, got string");
    expectBadRequest(decodeIngressSpec(withRuleField(part, "port", true)).status(),
                     f + ": expected integer, got boolean");
    expectBadRequest(decodeIngressSpec(withRuleField(part, "port", nullptr)).status(),
                     f + ": expected integer, got null");
    expectBadRequest(decodeIngressSpec(withRuleField(part, "port", -1)).status(),
                     f + ": must be between 1 and 65535");
    expectBadRequest(decodeIngressSpec(withRuleField(part, "port", 0)).status(),
                     f + ": must be between 1 and 65535");
    expectBadRequest(decodeIngressSpec(withRuleField(part, "port", 65536)).status(),
                     f + ": must be between 1 and 65535");
    expectBadRequest(
        decodeIngressSpec(withRuleField(part, "port", 18446744073709551615ull)).status(),
        f + ": must be between 1 and 65535");
    EXPECT_TRUE(decodeIngressSpec(withRuleField(part, "port", 65535)).ok());
  }
  // Larger than any integer: the parser makes it a float, still "expected integer".
  auto body = parseJsonStrict(R"({"name":"w","rules":[{"match":{"hostname":"a","port":1e400},
                               "target":{"instance":"v","port":1}}]})");
  if (body.ok()) {
    expectBadRequest(decodeIngressSpec(*body).status(),
                     "rules[0].match.port: expected integer, got number");
  }
}

TEST(DecodeIngressSpecTest, MoreThan100RulesRejectedBeforeDecoding) {
  Json body = parse(R"({"name":"w","rules":[]})");
  for (int i = 0; i < 101; ++i) body["rules"].push_back(1);
  expectBadRequest(decodeIngressSpec(body).status(), "rules: at most 100 rules are allowed");
}

TEST(EncodeIngressViewTest, TlsRuleShowsItsCertificate) {
  Rule rule{{"a.example.com", 443}, {"vm", 8080}};
  rule.tls = true;
  rule.redirect_http = true;
  Ingress ing{"abcdefghijklmnopqrstuvwx", "web", {rule}, TimePoint{} + 1795835045123ms};
  CertificateStatus cert;
  cert.state = CertificateStatus::State::kRenewing;
  cert.source = "acme";
  cert.id = "acme.abc";
  cert.serial = "1f";
  cert.expires_at = TimePoint{} + 1795835045000ms;
  cert.last_error = "rate limited";
  cert.last_error_at = TimePoint{} + 1795835045000ms;
  RuleStatus status;
  status.certificate = cert;
  const Json j = encodeIngressView(IngressView{ing, {status}});
  EXPECT_EQ(j["rules"][0]["tls"], true);
  EXPECT_EQ(j["rules"][0]["redirect_http"], true);
  EXPECT_EQ(j["rules"][0]["certificate"], parse(R"({"state":"renewing","source":"acme",
    "id":"acme.abc","serial":"1f","expires_at":"2026-11-28T03:04:05.000Z",
    "last_error":"rate limited","last_error_at":"2026-11-28T03:04:05.000Z"})"));
}

TEST(EncodeIngressViewTest, ShapeWithStatusAndMillisecondTimestamp) {
  Ingress ing{"abcdefghijklmnopqrstuvwx",
              "web",
              {Rule{{"a.example.com", 80}, {"vm", 8080}}, Rule{{"b.example.com", 81}, {"gone", 9}}},
              TimePoint{} + 1795835045123ms};
  IngressView view{ing, {RuleStatus{}, RuleStatus{RuleStatus::State::kUnresolved, "no vm"}}};
  EXPECT_EQ(encodeIngressView(view), parse(R"({
    "id":"abcdefghijklmnopqrstuvwx","name":"web","created_at":"2026-11-28T03:04:05.123Z",
    "rules":[
      {"match":{"hostname":"a.example.com","port":80},"target":{"instance":"vm","port":8080},
       "tls":false,"redirect_http":false,"status":"active"},
      {"match":{"hostname":"b.example.com","port":81},"target":{"instance":"gone","port":9},
       "tls":false,"redirect_http":false,"status":"unresolved","reason":"no vm"}]})"));
}

Ingress sampleIngress() {
  return Ingress{"k2345678901234567890abcd",
                 "web",
                 {Rule{{"a.example.com", 80}, {"vm", 8080}}},
                 TimePoint{} + 1795835045007ms};
}

TEST(StoredIngressTest, RoundTrip) {
  const Ingress ing = sampleIngress();
  Json j = encodeStoredIngress(ing);
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["created_at"], "2026-11-28T03:04:05.007Z");
  auto back = decodeStoredIngress(j);
  ASSERT_TRUE(back.ok()) << back.status().toString();
  EXPECT_EQ(*back, ing);
}

TEST(StoredIngressTest, StrictAboutEveryField) {
  const Json good = encodeStoredIngress(sampleIngress());
  auto mutate = [&](auto fn) {
    Json j = good;
    fn(j);
    return decodeStoredIngress(j).status();
  };
  expectBadRequest(mutate([](Json& j) { j["extra"] = 1; }), "extra: unknown field");
  expectBadRequest(mutate([](Json& j) { j.erase("version"); }), "version: is required");
  expectBadRequest(mutate([](Json& j) { j["version"] = 2; }),
                   "version: unsupported store format version");
  expectBadRequest(mutate([](Json& j) { j["version"] = "1"; }),
                   "version: expected integer, got string");
  expectBadRequest(mutate([](Json& j) { j["id"] = "Short"; }),
                   "id: must be 24 lowercase letters or digits, starting with a letter");
  expectBadRequest(mutate([](Json& j) { j["name"] = "-x"; }),
                   "name: must consist of lowercase letters, digits and '-', and start and end "
                   "with a letter or digit");
  expectBadRequest(mutate([](Json& j) { j["rules"][0]["match"]["hostname"] = "*.a"; }),
                   "rules[0].match.hostname: a wildcard needs at least two labels after it, as in "
                   "*.example.com");
  expectBadRequest(mutate([](Json& j) { j["rules"][0]["tls"] = "yes"; }),
                   "rules[0].tls: expected boolean, got string");
  expectBadRequest(mutate([](Json& j) { j["rules"][0]["redirect_http"] = 1; }),
                   "rules[0].redirect_http: expected boolean, got integer");
  expectBadRequest(mutate([](Json& j) { j["created_at"] = "2026-11-28T03:04:05Z"; }),
                   "created_at: must be an RFC 3339 UTC timestamp like 2026-11-28T03:04:05.123Z");
  expectBadRequest(mutate([](Json& j) { j.erase("created_at"); }), "created_at: is required");
}

TEST(InstanceCodecTest, DecodeSpecCanonicalizesIp) {
  auto inst = decodeInstanceSpec("vm-1", parse(R"({"ip":"2001:DB8::0:1"})"));
  ASSERT_TRUE(inst.ok()) << inst.status().toString();
  EXPECT_EQ(*inst, (Instance{"vm-1", "2001:db8::1"}));
  EXPECT_EQ(encodeInstance(*inst), parse(R"({"name":"vm-1","ip":"2001:db8::1"})"));
}

TEST(InstanceCodecTest, DecodeSpecErrors) {
  expectBadRequest(decodeInstanceSpec("vm", parse(R"({"ip":"10.0.0.1","port":1})")).status(),
                   "port: unknown field");
  expectBadRequest(decodeInstanceSpec("vm", parse(R"({})")).status(), "ip: is required");
  expectBadRequest(decodeInstanceSpec("vm", parse(R"({"ip":10})")).status(),
                   "ip: expected string, got integer");
  expectBadRequest(decodeInstanceSpec("vm", parse(R"({"ip":"vm.local"})")).status(),
                   "ip: must be an IPv4 or IPv6 address");
  expectBadRequest(decodeInstanceSpec("vm", parse(R"("10.0.0.1")")).status(),
                   "body: expected object, got string");
  expectBadRequest(decodeInstanceSpec("../x", parse(R"({"ip":"10.0.0.1"})")).status(),
                   "name: must consist of lowercase letters, digits and '-', and start and end "
                   "with a letter or digit");
}

TEST(InstanceCodecTest, StoredRoundTripAndStrictness) {
  const Instance inst{"vm", "10.0.0.1"};
  Json j = encodeStoredInstance(inst);
  EXPECT_EQ(j, parse(R"({"version":1,"name":"vm","ip":"10.0.0.1"})"));
  auto back = decodeStoredInstance(j);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, inst);
  j["x"] = 1;
  expectBadRequest(decodeStoredInstance(j).status(), "x: unknown field");
  expectBadRequest(decodeStoredInstance(parse(R"({"version":1,"name":"vm"})")).status(),
                   "ip: is required");
}

}  // namespace
}  // namespace ingress::domain

#include "cli/requests.h"

#include <gtest/gtest.h>

#include "common/json.h"

namespace ingress::cli {
namespace {

Json bodyOf(const ApiRequest& r) {
  EXPECT_TRUE(r.body.has_value());
  auto j = parseJsonStrict(r.body.value_or(""));
  EXPECT_TRUE(j.ok());
  return j.ok() ? *j : Json();
}

TEST(RequestsTest, CreateFromFlagsBuildsOneRule) {
  auto r = createIngressRequest({.name = "web",
                                 .hostname = "a.example.com",
                                 .port = 8443,
                                 .instance = "vm1",
                                 .target_port = 8080});
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->path, "/ingresses");
  EXPECT_EQ(bodyOf(*r), Json::parse(R"({"name":"web","rules":[{
      "match":{"hostname":"a.example.com","port":8443},
      "target":{"instance":"vm1","port":8080}}]})"));
}

TEST(RequestsTest, CreateFromFlagsDefaultsPortTo80) {
  auto r = createIngressRequest(
      {.name = "web", .hostname = "a.example.com", .instance = "vm1", .target_port = 3000});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(bodyOf(*r)["rules"][0]["match"]["port"], 80);
}

TEST(RequestsTest, CreateFromFlagsNamesTheMissingFlag) {
  CreateRuleArgs ok{.name = "web", .hostname = "h", .instance = "vm1", .target_port = 1};
  auto check = [](CreateRuleArgs a, const std::string& message) {
    auto r = createIngressRequest(a);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), message);
  };
  CreateRuleArgs a = ok;
  a.name.clear();
  check(a, "NAME is required");
  a = ok;
  a.hostname.clear();
  check(a, "--host is required");
  a = ok;
  a.instance.clear();
  check(a, "--instance is required");
  a = ok;
  a.target_port = 0;
  check(a, "--target-port must be 1..65535, got 0");
  a = ok;
  a.port = 65536;
  check(a, "--port must be 1..65535, got 65536");
}

TEST(RequestsTest, CreateWithTlsAndRedirectDefaultsPortTo443) {
  auto r = createIngressRequest({.name = "shop",
                                 .hostname = "shop.example.com",
                                 .instance = "vm1",
                                 .target_port = 8080,
                                 .tls = true,
                                 .redirect_http = true});
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(bodyOf(*r), Json::parse(R"({"name":"shop","rules":[{
      "match":{"hostname":"shop.example.com","port":443},
      "target":{"instance":"vm1","port":8080},
      "tls":true,"redirect_http":true}]})"));
}

TEST(RequestsTest, CreateWithTlsKeepsAnExplicitPortAndOmitsUnsetRedirect) {
  auto r = createIngressRequest({.name = "shop",
                                 .hostname = "shop.example.com",
                                 .port = 8443,
                                 .instance = "vm1",
                                 .target_port = 8080,
                                 .tls = true});
  ASSERT_TRUE(r.ok());
  const Json rule = bodyOf(*r)["rules"][0];
  EXPECT_EQ(rule["match"]["port"], 8443);
  EXPECT_EQ(rule["tls"], true);
  EXPECT_FALSE(rule.contains("redirect_http"));
}

TEST(RequestsTest, RedirectHttpWithoutTlsIsAUsageError) {
  auto r = createIngressRequest({.name = "web",
                                 .hostname = "a.example.com",
                                 .instance = "vm1",
                                 .target_port = 8080,
                                 .redirect_http = true});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "--redirect-http needs --tls (it redirects plain HTTP to the TLS rule)");
}

TEST(RequestsTest, CreateFromDocumentSendsItVerbatim) {
  const std::string doc = R"({"name": "web", "rules": []})";
  auto r = createIngressRequestFromDocument(doc);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (ApiRequest{"POST", "/ingresses", doc}));
}

TEST(RequestsTest, CreateFromDocumentRejectsNonObjects) {
  auto arr = createIngressRequestFromDocument("[1]");
  EXPECT_EQ(arr.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(arr.status().message(), "ingress document must be a JSON object, got array");
  auto broken = createIngressRequestFromDocument("{\"name\": ");
  EXPECT_EQ(broken.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(broken.status().message().rfind("ingress document is not valid JSON: ", 0), 0u);
}

TEST(RequestsTest, IngressReadsAndDeletesUseEncodedKeys) {
  EXPECT_EQ(listIngressesRequest(), (ApiRequest{"GET", "/ingresses", std::nullopt}));
  EXPECT_EQ(*getIngressRequest("web"), (ApiRequest{"GET", "/ingresses/web", std::nullopt}));
  EXPECT_EQ(*deleteIngressRequest("a/../b"),
            (ApiRequest{"DELETE", "/ingresses/a%2F%2E%2E%2Fb", std::nullopt}));
  EXPECT_EQ(getIngressRequest("").status().message(), "ID|NAME is required");
  EXPECT_EQ(deleteIngressRequest("").status().code(), StatusCode::kInvalidArgument);
}

TEST(RequestsTest, InstanceRequests) {
  auto put = putInstanceRequest("vm1", "10.0.0.7");
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->method, "PUT");
  EXPECT_EQ(put->path, "/instances/vm1");
  EXPECT_EQ(bodyOf(*put), Json::parse(R"({"ip":"10.0.0.7"})"));
  EXPECT_EQ(putInstanceRequest("vm1", "").status().message(), "IP is required");
  EXPECT_EQ(putInstanceRequest("", "10.0.0.7").status().message(), "NAME is required");
  EXPECT_EQ(listInstancesRequest(), (ApiRequest{"GET", "/instances", std::nullopt}));
  EXPECT_EQ(*getInstanceRequest("vm1"), (ApiRequest{"GET", "/instances/vm1", std::nullopt}));
  EXPECT_EQ(*deleteInstanceRequest("vm1"), (ApiRequest{"DELETE", "/instances/vm1", std::nullopt}));
}

TEST(RequestsTest, CertificateRequests) {
  auto put = putCertificateRequest("shop", "CHAIN PEM\n", "KEY PEM\n");
  ASSERT_TRUE(put.ok()) << put.status().toString();
  EXPECT_EQ(put->method, "PUT");
  EXPECT_EQ(put->path, "/certificates/shop");
  EXPECT_EQ(bodyOf(*put),
            Json::parse(R"({"certificate":"CHAIN PEM\n","private_key":"KEY PEM\n"})"));
  EXPECT_EQ(putCertificateRequest("", "c", "k").status().message(), "NAME is required");
  EXPECT_EQ(putCertificateRequest("shop", "", "k").status().message(),
            "--cert: the certificate file is empty");
  EXPECT_EQ(putCertificateRequest("shop", "c", "").status().message(),
            "--key: the private key file is empty");
  EXPECT_EQ(listCertificatesRequest(), (ApiRequest{"GET", "/certificates", std::nullopt}));
  EXPECT_EQ(*getCertificateRequest("shop"),
            (ApiRequest{"GET", "/certificates/shop", std::nullopt}));
  EXPECT_EQ(*deleteCertificateRequest("a/b"),
            (ApiRequest{"DELETE", "/certificates/a%2Fb", std::nullopt}));
  EXPECT_EQ(getCertificateRequest("").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ingress::cli

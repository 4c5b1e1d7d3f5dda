#include "api/router.h"

#include <gtest/gtest.h>

#include "api/openapi_doc.h"
#include "common/json.h"
#include "fake_ingress_service.h"

namespace ingress::api {
namespace {

// Accepts exactly "Bearer good".
class FakeAuthenticator final : public auth::Authenticator {
 public:
  Status authenticate(std::string_view authorization) const override {
    if (authorization == "Bearer good") return okStatus();
    return unauthenticated("invalid or expired token");
  }
};

constexpr std::string_view kWebIngress =
    R"({"name":"web","rules":[{"match":{"hostname":"api.example.com"},)"
    R"("target":{"instance":"vm1","port":8080}}]})";

class RouterTest : public ::testing::Test {
 protected:
  ApiResponse call(std::string method, std::string target, std::string body = {},
                   std::string content_type = "application/json",
                   std::string authorization = "Bearer good") {
    ApiRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    r.authorization = std::move(authorization);
    r.request_id = "rid";
    return router_.handle(r);
  }

  static Json json(const ApiResponse& r) {
    auto j = parseJsonStrict(r.body);
    EXPECT_TRUE(j.ok()) << r.body;
    return j.ok() ? *j : Json();
  }

  static void expectError(const ApiResponse& r, int status, std::string_view code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    Json j = json(r);
    EXPECT_EQ(j.size(), 2u) << r.body;
    EXPECT_EQ(j.value("code", ""), code) << r.body;
    EXPECT_TRUE(j.contains("message") && j["message"].is_string()) << r.body;
  }

  void addInstance() {
    ASSERT_EQ(call("PUT", "/instances/vm1", R"({"ip":"10.0.0.1"})").status, 200);
  }

  testing::FakeIngressService service_;
  FakeAuthenticator auth_;
  Router router_{service_, auth_};
};

TEST_F(RouterTest, HealthAndOpenApiNeedNoAuth) {
  ApiResponse h = call("GET", "/health", "", "", "");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(json(h), (Json{{"status", "ok"}}));
  ApiResponse doc = call("GET", "/openapi.yaml", "", "", "");
  EXPECT_EQ(doc.status, 200);
  EXPECT_EQ(doc.content_type, "application/yaml");
  EXPECT_EQ(doc.body, openApiYaml());
  EXPECT_EQ(doc.body.rfind("openapi: 3.1.0", 0), 0u);
}

TEST_F(RouterTest, EverythingElseNeedsAValidToken) {
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/ingresses"},
                                                        {"POST", "/ingresses"},
                                                        {"GET", "/ingresses/x"},
                                                        {"DELETE", "/ingresses/x"},
                                                        {"GET", "/instances"},
                                                        {"GET", "/instances/x"},
                                                        {"PUT", "/instances/x"},
                                                        {"DELETE", "/instances/x"}}) {
    for (const std::string& authz : {std::string(), std::string("Bearer bad")}) {
      ApiResponse r = call(method, target, "{}", "application/json", authz);
      expectError(r, 401, "unauthorized");
      EXPECT_EQ(r.header("WWW-Authenticate"), "Bearer") << method << " " << target;
    }
  }
  EXPECT_EQ(service_.callsStarted(), 0);
}

TEST_F(RouterTest, UnknownPathsAre404) {
  for (const std::string& target : std::vector<std::string>{
           "/", "/nope", "/ingresses/", "/ingresses/a/b", "/ingresses/%2e%2e", "/ingresses/..",
           "/ingresses/.hidden", "/ingresses/a..b", "/ingresses/a%2Fb", "/instances/a b",
           std::string("/instances/a\0b", 14), "/instances/" + std::string(254, 'a'), "ingresses",
           "/INGRESSES", "/health/"}) {
    expectError(call("GET", target), 404, "not_found");
  }
  EXPECT_EQ(service_.callsStarted(), 0);
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  struct Case {
    std::string method, target, allow;
  };
  for (const Case& c : std::vector<Case>{{"POST", "/health", "GET, HEAD"},
                                         {"POST", "/ready", "GET, HEAD"},
                                         {"DELETE", "/openapi.yaml", "GET, HEAD"},
                                         {"PUT", "/ingresses", "GET, HEAD, POST"},
                                         {"PATCH", "/ingresses/web", "GET, HEAD, DELETE"},
                                         {"POST", "/instances", "GET, HEAD"},
                                         {"OPTIONS", "/instances/vm1", "GET, HEAD, PUT, DELETE"}}) {
    ApiResponse r = call(c.method, c.target);
    expectError(r, 405, "method_not_allowed");
    EXPECT_EQ(r.header("Allow"), c.allow) << c.method << " " << c.target;
  }
}

// Regression (issue 9): 405 used to be answered before authentication.
TEST_F(RouterTest, AuthenticationComesBefore405) {
  ApiResponse r = call("PATCH", "/ingresses/web", "{}", "application/json", "Bearer bad");
  expectError(r, 401, "unauthorized");
  EXPECT_EQ(json(r)["message"], "invalid or expired token");
  EXPECT_EQ(r.header("Allow"), "");
  ApiResponse ok = call("PATCH", "/ingresses/web", "{}", "application/json", "Bearer good");
  expectError(ok, 405, "method_not_allowed");
  EXPECT_EQ(json(ok)["message"], "method PATCH is not allowed here");
  EXPECT_EQ(ok.header("Allow"), "GET, HEAD, DELETE");
}

// Regression (issue 9): HEAD used to be 405 everywhere.
TEST_F(RouterTest, HeadIsGetWithoutTheBody) {
  addInstance();
  ASSERT_EQ(call("POST", "/ingresses", std::string(kWebIngress)).status, 201);
  for (const std::string target : {"/health", "/ready", "/ingresses", "/ingresses/web",
                                   "/instances", "/instances/vm1", "/openapi.yaml"}) {
    ApiResponse get = call("GET", target);
    ApiResponse head = call("HEAD", target);
    EXPECT_EQ(head.status, 200) << target << " " << head.body;
    EXPECT_EQ(head.status, get.status) << target;
    EXPECT_EQ(head.body, get.body) << target;  // the server sends only its length
    EXPECT_TRUE(head.omit_body) << target;
    EXPECT_FALSE(get.omit_body) << target;
  }
  ApiResponse missing = call("HEAD", "/ingresses/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(missing.omit_body);
  expectError(call("HEAD", "/ingresses", "", "", "Bearer bad"), 401, "unauthorized");
}

TEST_F(RouterTest, ReadyReportsEveryCheckWithoutAuthentication) {
  bool envoy_live = true;
  Router router(service_, auth_, [&envoy_live] {
    return Readiness{{checkOf("supervisor_alive", true, "not running"),
                      checkOf("envoy_admin_live", envoy_live, "admin /ready is not LIVE")}};
  });
  ApiRequest req;
  req.method = "GET";
  req.target = "/ready";
  ApiResponse up = router.handle(req);
  EXPECT_EQ(up.status, 200);
  EXPECT_EQ(json(up), Json::parse(R"({"ready":true,"checks":[)"
                                  R"({"name":"supervisor_alive","ok":true,"detail":""},)"
                                  R"({"name":"envoy_admin_live","ok":true,"detail":""}]})"));
  envoy_live = false;
  ApiResponse down = router.handle(req);
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(json(down)["ready"], false);
  EXPECT_EQ(json(down)["checks"][1], Json::parse(R"({"name":"envoy_admin_live","ok":false,)"
                                                 R"("detail":"admin /ready is not LIVE"})"));
  // Without a source: ready, no checks. /health is liveness whatever readiness says.
  EXPECT_EQ(call("GET", "/ready").status, 200);
  EXPECT_EQ(json(call("GET", "/ready"))["checks"], Json::array());
  req.target = "/health";
  EXPECT_EQ(router.handle(req).status, 200);
}

TEST_F(RouterTest, ListPagesWithLimitAndCursor) {
  addInstance();
  for (int i = 0; i < 5; ++i) {
    std::string body = std::string(kWebIngress);
    body.replace(body.find("\"web\""), 5, "\"w" + std::to_string(i) + "\"");
    ASSERT_EQ(call("POST", "/ingresses", body).status, 201) << body;
  }
  // Default: the whole array, no paging headers (as before).
  ApiResponse all = call("GET", "/ingresses");
  ASSERT_EQ(all.status, 200);
  ASSERT_EQ(json(all).size(), 5u);
  EXPECT_EQ(all.header("X-Next-Cursor"), "");
  EXPECT_EQ(all.header("Link"), "");
  // Pages of 2: 2, 2, 1, the last without a cursor; together the whole list, in order.
  std::vector<std::string> names;
  std::string target = "/ingresses?limit=2";
  int pages = 0;
  while (true) {
    ApiResponse page = call("GET", target);
    ASSERT_EQ(page.status, 200) << page.body;
    ASSERT_LE(json(page).size(), 2u);
    for (const Json& item : json(page)) names.push_back(item["name"]);
    ++pages;
    const std::string next(page.header("X-Next-Cursor"));
    if (next.empty()) break;
    EXPECT_EQ(page.header("Link"), "</ingresses?limit=2&cursor=" + next + ">; rel=\"next\"");
    target = "/ingresses?limit=2&cursor=" + next;
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names, (std::vector<std::string>{"w0", "w1", "w2", "w3", "w4"}));
  // A cursor stays valid when its item is deleted.
  ApiResponse first = call("GET", "/ingresses?limit=2");
  const std::string cursor(first.header("X-Next-Cursor"));
  ASSERT_EQ(call("DELETE", "/ingresses/w1").status, 204);
  ApiResponse rest = call("GET", "/ingresses?cursor=" + cursor);
  ASSERT_EQ(rest.status, 200);
  ASSERT_EQ(json(rest).size(), 3u);
  EXPECT_EQ(json(rest)[0]["name"], "w2");
  EXPECT_EQ(call("GET", "/ingresses?limit=1000").status, 200);
}

TEST_F(RouterTest, BadLimitOrCursorIs400NamingTheParameter) {
  for (const std::string q : {"limit=0", "limit=1001", "limit=-1", "limit=", "limit=abc",
                              "limit=1&limit=2", "limit=99999"}) {
    ApiResponse r = call("GET", "/ingresses?" + q);
    expectError(r, 400, "bad_request");
    EXPECT_EQ(std::string(json(r)["message"]).rfind("limit: ", 0), 0u) << q << " " << r.body;
  }
  for (const std::string q : {"cursor=", "cursor=zz", "cursor=abc", "cursor=%zz", "cursor=.a",
                              "cursor=1.", "cursor=1.A", "cursor=1234567890123456789.a"}) {
    ApiResponse r = call("GET", "/ingresses?" + q);
    expectError(r, 400, "bad_request");
    EXPECT_EQ(std::string(json(r)["message"]).rfind("cursor: ", 0), 0u) << q << " " << r.body;
  }
  EXPECT_EQ(json(call("GET", "/ingresses?limit=1001"))["message"],
            "limit: must be an integer from 1 to 1000");
  EXPECT_EQ(call("GET", "/ingresses?other=1").status, 200);  // unknown parameters are ignored
}

TEST_F(RouterTest, BodiesMustBeJson) {
  expectError(call("POST", "/ingresses", std::string(kWebIngress), "text/plain"), 415,
              "unsupported_media_type");
  expectError(call("POST", "/ingresses", std::string(kWebIngress), ""), 415,
              "unsupported_media_type");
  expectError(call("PUT", "/instances/vm1", R"({"ip":"10.0.0.1"})", "application/jsonx"), 415,
              "unsupported_media_type");
  addInstance();
  EXPECT_EQ(call("POST", "/ingresses", std::string(kWebIngress), "Application/JSON; charset=utf-8")
                .status,
            201);
}

TEST_F(RouterTest, MalformedDeepAndDuplicateJsonIs400) {
  const std::string deep = std::string(40, '[') + std::string(40, ']');
  for (const std::string& body : {std::string("{"), std::string(""), std::string("{'a':1}"),
                                  std::string(R"({"name":"a","name":"b","rules":[]})"), deep,
                                  std::string("[1,]"), std::string("{\"a\":NaN}")}) {
    expectError(call("POST", "/ingresses", body), 400, "bad_request");
  }
  EXPECT_EQ(service_.callsStarted(), 0);
}

TEST_F(RouterTest, UnknownFieldsAndWrongTypesAre400) {
  expectError(call("POST", "/ingresses", R"({"name":"web","rules":[],"x":1})"), 400, "bad_request");
  expectError(call("POST", "/ingresses", R"([1])"), 400, "bad_request");
  expectError(call("PUT", "/instances/vm1", R"({"ip":"10.0.0.1","name":"vm1"})"), 400,
              "bad_request");
  expectError(call("PUT", "/instances/vm1", R"({"ip":"not-an-ip"})"), 400, "bad_request");
}

TEST_F(RouterTest, IngressLifecycle) {
  ApiResponse empty = call("GET", "/ingresses");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body, "[]");

  expectError(call("POST", "/ingresses", std::string(kWebIngress)), 400, "instance_not_found");
  addInstance();
  ApiResponse created = call("POST", "/ingresses", std::string(kWebIngress));
  ASSERT_EQ(created.status, 201) << created.body;
  Json c = json(created);
  const std::string id = c["id"];
  EXPECT_EQ(id, "a00000000000000000000001");
  EXPECT_EQ(c["name"], "web");
  EXPECT_EQ(c["created_at"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(c["rules"][0]["match"], (Json{{"hostname", "api.example.com"}, {"port", 80}}));
  EXPECT_EQ(c["rules"][0]["target"], (Json{{"instance", "vm1"}, {"port", 8080}}));
  EXPECT_EQ(c["rules"][0]["status"], "active");
  EXPECT_EQ(created.header("Location"), "/ingresses/" + id);

  expectError(call("POST", "/ingresses", std::string(kWebIngress)), 409, "already_exists");

  EXPECT_EQ(json(call("GET", "/ingresses/web")), c);
  EXPECT_EQ(json(call("GET", "/ingresses/" + id)), c);
  EXPECT_EQ(json(call("GET", "/ingresses?limit=5")), Json::array({c}));

  ApiResponse del = call("DELETE", "/ingresses/" + id);
  EXPECT_EQ(del.status, 204);
  EXPECT_TRUE(del.body.empty());
  EXPECT_TRUE(del.content_type.empty());
  expectError(call("GET", "/ingresses/web"), 404, "not_found");
  expectError(call("DELETE", "/ingresses/web"), 404, "not_found");
}

TEST_F(RouterTest, InstanceLifecycle) {
  EXPECT_EQ(call("GET", "/instances").body, "[]");
  ApiResponse put = call("PUT", "/instances/vm1", R"({"ip":"2001:DB8::0:1"})");
  EXPECT_EQ(put.status, 200);
  EXPECT_EQ(json(put), (Json{{"name", "vm1"}, {"ip", "2001:db8::1"}}));
  EXPECT_EQ(json(call("GET", "/instances/vm1")), json(put));
  EXPECT_EQ(json(call("GET", "/instances")), Json::array({json(put)}));
  expectError(call("PUT", "/instances/Bad_Name", R"({"ip":"10.0.0.1"})"), 400, "bad_request");
  EXPECT_EQ(call("DELETE", "/instances/vm1").status, 204);
  expectError(call("GET", "/instances/vm1"), 404, "not_found");
  expectError(call("DELETE", "/instances/vm1"), 404, "not_found");
}

TEST_F(RouterTest, ServiceErrorsAreMapped) {
  addInstance();
  struct Case {
    Status status;
    int http;
    std::string code;
  };
  for (const Case& c :
       std::vector<Case>{{alreadyExists("api.example.com:80 is used by \"x\"", "hostname_in_use"),
                          409, "hostname_in_use"},
                         {aborted("envoy said no", "config_rejected"), 500, "config_rejected"},
                         {deadlineExceeded("not confirmed", "apply_timeout"), 504, "apply_timeout"},
                         {unavailable("envoy down"), 503, "unavailable"},
                         {internalError("boom"), 500, "internal_error"}}) {
    service_.failNext(c.status);
    expectError(call("POST", "/ingresses", std::string(kWebIngress)), c.http, c.code);
  }
  service_.failNext(unavailable("resolver down"));
  expectError(call("DELETE", "/instances/vm1"), 503, "unavailable");
}

TEST_F(RouterTest, PathSegmentsArePassedVerbatimWhenValid) {
  call("GET", "/ingresses/My-Api.v2_x");
  EXPECT_EQ(service_.lastKey(), "My-Api.v2_x");
}

TEST(RouterHelpersTest, ContentTypeAndSegments) {
  EXPECT_TRUE(isJsonContentType("application/json"));
  EXPECT_TRUE(isJsonContentType("application/json;charset=utf-8"));
  EXPECT_TRUE(isJsonContentType(" APPLICATION/JSON ; charset=UTF-8"));
  EXPECT_FALSE(isJsonContentType("application/json-patch+json"));
  EXPECT_FALSE(isJsonContentType("text/json"));
  EXPECT_FALSE(isJsonContentType(""));
  EXPECT_TRUE(isValidPathSegment("web"));
  EXPECT_TRUE(isValidPathSegment("a.b"));
  EXPECT_FALSE(isValidPathSegment(""));
  EXPECT_FALSE(isValidPathSegment("."));
  EXPECT_FALSE(isValidPathSegment(".."));
  EXPECT_FALSE(isValidPathSegment("a/b"));
  EXPECT_FALSE(isValidPathSegment("a%41"));
  EXPECT_FALSE(isValidPathSegment(std::string_view("a\0", 2)));
}

}  // namespace
}  // namespace ingress::api

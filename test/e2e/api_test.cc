// The REST API of a running `ingressd serve` over real HTTP: the CRUD contract, every 4xx path,
// authentication, durability across restarts, and serialized concurrent creates.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "auth/jwt.h"
#include "e2e/api_client.h"
#include "integration/installation.h"
#include "test_common/http_backend.h"

namespace ingress::testing {
namespace {

using std::chrono::seconds;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    inst_.env()["JWT_SECRET"] = kTestJwtSecret;
    inst_.env()["TOKEN_MAX_LIFETIME"] = "3600";  // TokenRefusalsSayWhy
    ASSERT_NE(inst_.startServeAndWaitReady(), 0) << inst_.serveLog();
    api_ = std::make_unique<ApiClient>(inst_.apiPort());
    ASSERT_TRUE(api_->waitHealthy()) << inst_.serveLog();
    auto r = api_->call("PUT", "/instances/vm-a", Json{{"ip", backend_.address()}});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200) << r->body;
  }

  Json create(const Json& body, long expect_status = 201) {
    auto r = api_->call("POST", "/ingresses", body);
    EXPECT_TRUE(r.ok()) << r.status().toString();
    if (!r.ok()) return {};
    EXPECT_EQ(r->status, expect_status) << r->body;
    return Json::parse(r->body, nullptr, false);
  }

  void expectError(const StatusOr<HttpResponse>& r, long status, const std::string& code,
                   const std::string& message_part = {}) {
    ASSERT_TRUE(r.ok()) << r.status().toString();
    EXPECT_EQ(r->status, status) << r->body;
    Json body = Json::parse(r->body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << r->body;
    EXPECT_EQ(body.value("code", ""), code) << r->body;
    EXPECT_TRUE(body.contains("message")) << r->body;
    if (!message_part.empty()) {
      EXPECT_NE(body.value("message", "").find(message_part), std::string::npos) << r->body;
    }
  }

  HttpBackend backend_{"a", "127.0.0.2"};
  Installation inst_;
  std::unique_ptr<ApiClient> api_;
};

TEST_F(ApiTest, CreateGetListDeleteByIdAndByName) {
  const int port = freeLoopbackPort();
  Json created = create(ingressBody("my-api", "API.Example.com", port, "vm-a", backend_.port()));
  ASSERT_TRUE(created.is_object());
  const std::string id = created["id"];
  EXPECT_EQ(id.size(), 24u);
  EXPECT_EQ(created["name"], "my-api");
  EXPECT_EQ(created["rules"][0]["match"]["hostname"], "api.example.com");
  EXPECT_EQ(created["rules"][0]["match"]["port"], port);
  EXPECT_EQ(created["rules"][0]["status"], "active");

  for (const std::string& key : {id, std::string("my-api")}) {
    auto r = api_->call("GET", "/ingresses/" + key);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(Json::parse(r->body), created) << "GET returns exactly what POST returned";
  }
  Json second = create(ingressBody("other", "other.example.com", port, "vm-a", backend_.port()));
  auto list = api_->call("GET", "/ingresses");
  ASSERT_TRUE(list.ok());
  Json arr = Json::parse(list->body);
  ASSERT_EQ(arr.size(), 2u);
  EXPECT_EQ(arr[0]["id"], id);
  EXPECT_EQ(arr[1]["id"], second["id"]);

  auto del = api_->call("DELETE", "/ingresses/my-api");
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->status, 204);
  expectError(api_->call("GET", "/ingresses/" + id), 404, "not_found");
  auto del_id = api_->call("DELETE", "/ingresses/" + second["id"].get<std::string>());
  EXPECT_EQ(del_id->status, 204);
  EXPECT_EQ(api_->call("GET", "/ingresses")->body, "[]");
}

TEST_F(ApiTest, DefaultMatchPortIs80) {
  // Envoy will listen on 80: wait until no other test process (e.g. RoutingTest) holds it.
  ASSERT_TRUE(waitToClaimPort(80, seconds(120))) << "port 80 stayed busy";
  Json body = {{"name", "web"},
               {"rules",
                {{{"match", {{"hostname", "web.example.com"}}},
                  {"target", {{"instance", "vm-a"}, {"port", backend_.port()}}}}}}};
  Json created = create(body);
  EXPECT_EQ(created["rules"][0]["match"]["port"], 80);
}

TEST_F(ApiTest, AuthenticationIsRequired) {
  expectError(api_->call("GET", "/ingresses", "", "-"), 401, "unauthorized");
  ApiClient wrong_key(inst_.apiPort(), "another-secret-0123456789abcdef0123456789");
  expectError(api_->call("GET", "/ingresses", "", wrong_key.token()), 401, "unauthorized");
  expectError(api_->call("GET", "/ingresses", "", api_->token(seconds(-120))), 401, "unauthorized");
  expectError(api_->call("GET", "/ingresses", "", "not.a.jwt"), 401, "unauthorized");
  auto health = api_->call("GET", "/health", "", "-");
  EXPECT_EQ(health->status, 200);
}

TEST_F(ApiTest, TokenRefusalsSayWhy) {
  const int64_t now =
      std::chrono::duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const auto expectRefused = [&](const std::string& token, const std::string& message) {
    auto r = api_->call("GET", "/ingresses", "", token);
    ASSERT_TRUE(r.ok()) << r.status().toString();
    EXPECT_EQ(r->status, 401) << r->body;
    EXPECT_EQ(Json::parse(r->body, nullptr, false),
              (Json{{"code", "unauthorized"}, {"message", message}}));
  };
  expectRefused(auth::mintJwtHs256(kTestJwtSecret, {{"sub", "e2e"}, {"iat", now}}),
                "token has no exp claim");
  expectRefused(
      auth::signJwtHs256(
          kTestJwtSecret,
          {{"alg", "HS256"}, {"typ", "JWT"}, {"crit", Json::array({"b64"})}, {"b64", false}},
          {{"sub", "e2e"}, {"iat", now}, {"exp", now + 300}}),
      "token header crit names an extension this server does not support: \"b64\"");
  // TOKEN_MAX_LIFETIME=3600 reached the authenticator: 2 h is refused, 1 h is fine.
  expectRefused(api_->token(seconds(7200)), "token lifetime exceeds TOKEN_MAX_LIFETIME (3600 s)");
  auto ok = api_->call("GET", "/ingresses", "", api_->token(seconds(3600)));
  ASSERT_TRUE(ok.ok()) << ok.status().toString();
  EXPECT_EQ(ok->status, 200) << ok->body;
}

TEST_F(ApiTest, ValidationErrorsNameTheField) {
  expectError(api_->call("POST", "/ingresses", std::string("{\"name\":")), 400, "bad_request");
  expectError(
      api_->call("POST", "/ingresses", Json{{"name", "x"}, {"rules", Json::array()}, {"extra", 1}}),
      400, "bad_request", "extra");
  expectError(api_->call("POST", "/ingresses", ingressBody("x", "bad host", 80, "vm-a", 8080)), 400,
              "bad_request", "rules[0].match.hostname");
  expectError(api_->call("POST", "/ingresses", ingressBody("x", "ok.example.com", 0, "vm-a", 8080)),
              400, "bad_request", "rules[0].match.port");
  expectError(
      api_->call("POST", "/ingresses", ingressBody("Bad_Name", "ok.example.com", 80, "vm-a", 8080)),
      400, "bad_request", "name");
  expectError(
      api_->call("POST", "/ingresses", ingressBody("x", "ok.example.com", 80, "no-such-vm", 8080)),
      400, "instance_not_found", "rules[0].target.instance");
}

TEST_F(ApiTest, ConflictsAreReported) {
  const int port = freeLoopbackPort();
  create(ingressBody("first", "taken.example.com", port, "vm-a", backend_.port()));
  expectError(api_->call("POST", "/ingresses",
                         ingressBody("first", "free.example.com", port, "vm-a", backend_.port())),
              409, "already_exists");
  expectError(api_->call("POST", "/ingresses",
                         ingressBody("second", "TAKEN.example.com", port, "vm-a", backend_.port())),
              409, "hostname_in_use", "first");
  // The same hostname on another port is fine.
  create(ingressBody("third", "taken.example.com", freeLoopbackPort(), "vm-a", backend_.port()));
}

TEST_F(ApiTest, TransportLimitsAreEnforced) {
  std::string big = "{\"name\":\"" + std::string(2 << 20, 'a') + "\"}";
  expectError(api_->call("POST", "/ingresses", big), 413, "payload_too_large");
  expectError(
      api_->call("POST", "/ingresses", dumpJson(ingressBody("x", "a.example.com", 80, "vm-a", 80)),
                 "", "text/plain"),
      415, "unsupported_media_type");
  expectError(api_->call("GET", "/ingresses/does-not-exist"), 404, "not_found");
  expectError(api_->call("GET", "/ingresses/..%2F..%2Fetc"), 404, "not_found");
}

TEST_F(ApiTest, StateSurvivesRestart) {
  create(ingressBody("one", "one.example.com", freeLoopbackPort(), "vm-a", backend_.port()));
  create(ingressBody("two", "two.example.com", freeLoopbackPort(), "vm-a", backend_.port()));
  const std::string before = api_->call("GET", "/ingresses")->body;
  inst_.signalServe(SIGTERM);
  ASSERT_TRUE(inst_.waitServeExit(seconds(15)).has_value());
  ASSERT_NE(inst_.startServeAndWaitReady(), 0) << inst_.serveLog();
  ASSERT_TRUE(api_->waitHealthy());
  EXPECT_EQ(api_->call("GET", "/ingresses")->body, before);
  EXPECT_EQ(api_->call("GET", "/instances/vm-a")->status, 200);
}

TEST_F(ApiTest, FiftyConcurrentCreatesOfOneHostnameGiveOneWinner) {
  const int port = freeLoopbackPort();
  std::vector<long> statuses(50);
  std::vector<std::string> bodies(50);
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      auto r = api_->call(
          "POST", "/ingresses",
          ingressBody("c" + std::to_string(i), "race.example.com", port, "vm-a", backend_.port()));
      statuses[i] = r.ok() ? r->status : -1;
      bodies[i] = r.ok() ? r->body : r.status().toString();
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> answers(bodies.begin(), bodies.end());
  std::string seen;
  for (const auto& b : answers) seen += b.substr(0, 300) + "\n";
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 1) << seen;
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 409), 49) << seen;
}

}  // namespace
}  // namespace ingress::testing

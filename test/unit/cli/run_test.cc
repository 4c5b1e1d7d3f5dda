#include "cli/run.h"

#include <gtest/gtest.h>

#include <sstream>

#include "auth/jwt.h"
#include "test_common/test_env.h"

namespace ingress::cli {
namespace {

using std::chrono::seconds;

const std::string kSecret(64, 'a');
const auto kNow = std::chrono::system_clock::time_point(seconds(1'700'000'000));

// Runs commands against a scripted transport and records what was sent and printed.
class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs_.writeFileAtomic(dir_.file("api-secret"), kSecret, 0600).ok());
    inv_.auth.data_dir = dir_.path();
  }

  int run() {
    CliContext ctx{
        .http = [this](const HttpRequest& r) -> StatusOr<HttpResponse> {
          sent_.push_back(r);
          return response_;
        },
        .fs = fs_,
        .now = kNow,
        .read_stdin = [this]() -> StatusOr<std::string> { return stdin_; },
        .out = out_,
        .err = err_,
    };
    return runCommand(inv_, ctx);
  }

  void respond(long status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    response_ = r;
  }

  std::string header(std::string_view name) const {
    for (const auto& [k, v] : sent_.at(0).headers) {
      if (k == name) return v;
    }
    return "<absent>";
  }

  testing::TempDir dir_;
  FilesystemImpl fs_;
  Invocation inv_;
  StatusOr<HttpResponse> response_ = HttpResponse{};
  std::string stdin_;
  std::vector<HttpRequest> sent_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(RunTest, ListSendsAuthenticatedGetAndPrintsTable) {
  inv_.command.kind = CommandKind::kList;
  respond(200, R"([{"id":"i1","name":"web","created_at":"T","rules":[
      {"match":{"hostname":"a.example.com","port":80},"target":{"instance":"vm1","port":8080},
       "status":"active"}]}])");
  EXPECT_EQ(run(), kExitOk);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].method, "GET");
  EXPECT_EQ(sent_[0].url, "http://127.0.0.1:8080/ingresses");
  EXPECT_TRUE(sent_[0].body.empty());
  const std::string auth = header("Authorization");
  ASSERT_EQ(auth.rfind("Bearer ", 0), 0u);
  auto claims = auth::verifyJwtHs256(auth.substr(7), kSecret, kNow);
  ASSERT_TRUE(claims.ok()) << claims.status().toString();
  EXPECT_EQ((*claims)["exp"], 1'700'000'300);
  EXPECT_EQ(out_.str(),
            "ID   NAME   HOSTNAME        PORT   TLS   TARGET     STATUS   CREATED\n"
            "i1   web    a.example.com   80     -     vm1:8080   active   T\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(RunTest, JsonOutputPrintsTheAnswerPretty) {
  inv_.command.kind = CommandKind::kInstancesList;
  inv_.command.json_output = true;
  respond(200, R"([{"name":"vm1","ip":"10.0.0.7"}])");
  EXPECT_EQ(run(), kExitOk);
  EXPECT_EQ(sent_.at(0).url, "http://127.0.0.1:8080/instances");
  EXPECT_EQ(out_.str(), "[\n  {\n    \"ip\": \"10.0.0.7\",\n    \"name\": \"vm1\"\n  }\n]\n");
}

TEST_F(RunTest, CreateWithFlagsPostsJsonToTheGivenApi) {
  inv_.api = "http://10.1.2.3:9000/";
  inv_.auth.token = "tok";
  inv_.command.kind = CommandKind::kCreate;
  inv_.command.create = {
      .name = "web", .hostname = "a.example.com", .instance = "vm1", .target_port = 8080};
  respond(201, R"({"id":"i1","name":"web","rules":[],"created_at":"T"})");
  EXPECT_EQ(run(), kExitOk);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].method, "POST");
  EXPECT_EQ(sent_[0].url, "http://10.1.2.3:9000/ingresses");
  EXPECT_EQ(header("Authorization"), "Bearer tok");
  EXPECT_EQ(header("Content-Type"), "application/json");
  EXPECT_EQ(Json::parse(sent_[0].body)["rules"][0]["target"]["port"], 8080);
  EXPECT_EQ(sent_[0].timeout, kRequestTimeout);
}

TEST_F(RunTest, CreateFromFileAndStdin) {
  const std::string doc = R"({"name":"web","rules":[]})";
  ASSERT_TRUE(fs_.writeFileAtomic(dir_.file("in.json"), doc, 0644).ok());
  inv_.command.kind = CommandKind::kCreate;
  inv_.command.file = dir_.file("in.json");
  respond(201, "{}");
  EXPECT_EQ(run(), kExitOk);
  EXPECT_EQ(sent_.at(0).body, doc);

  inv_.command.file = "-";
  stdin_ = R"({"name":"from-stdin","rules":[]})";
  EXPECT_EQ(run(), kExitOk);
  EXPECT_EQ(sent_.at(1).body, stdin_);
}

TEST_F(RunTest, CreateUsageErrorsSendNothing) {
  inv_.command.kind = CommandKind::kCreate;
  inv_.command.file = dir_.file("in.json");
  inv_.command.create.name = "web";
  EXPECT_EQ(run(), kExitUsage);
  EXPECT_EQ(err_.str(),
            "error: give either -f FILE or NAME with --host/--instance/--target-port\n");

  inv_.command = {};
  inv_.command.kind = CommandKind::kCreate;
  inv_.command.create = {.name = "web", .hostname = "h", .target_port = 1};
  err_.str("");
  EXPECT_EQ(run(), kExitUsage);
  EXPECT_EQ(err_.str(), "error: --instance is required\n");

  inv_.command = {};
  inv_.command.kind = CommandKind::kCreate;
  inv_.command.file = dir_.file("missing.json");
  EXPECT_EQ(run(), kExitUsage);
  EXPECT_TRUE(sent_.empty());
}

TEST_F(RunTest, CreateWithTlsSendsTheTlsFlags) {
  inv_.command.kind = CommandKind::kCreate;
  inv_.command.create = {.name = "shop",
                         .hostname = "shop.example.com",
                         .instance = "vm1",
                         .target_port = 8080,
                         .tls = true,
                         .redirect_http = true};
  respond(201, R"({"id":"i1","name":"shop","created_at":"T","rules":[
      {"match":{"hostname":"shop.example.com","port":443},"target":{"instance":"vm1","port":8080},
       "tls":true,"redirect_http":true,"status":"active",
       "certificate":{"state":"pending","source":"acme"}}]})");
  EXPECT_EQ(run(), kExitOk);
  const Json rule = Json::parse(sent_.at(0).body)["rules"][0];
  EXPECT_EQ(rule["tls"], true);
  EXPECT_EQ(rule["redirect_http"], true);
  EXPECT_EQ(rule["match"]["port"], 443);
  EXPECT_EQ(out_.str(),
            "ID   NAME   HOSTNAME           PORT   TLS                TARGET     STATUS   CREATED\n"
            "i1   shop   shop.example.com   443    pending+redirect   vm1:8080   active   T\n");
}

TEST_F(RunTest, RedirectWithoutTlsIsAUsageErrorAndSendsNothing) {
  inv_.command.kind = CommandKind::kCreate;
  inv_.command.create = {
      .name = "web", .hostname = "h", .instance = "vm1", .target_port = 1, .redirect_http = true};
  EXPECT_EQ(run(), kExitUsage);
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(err_.str(),
            "error: --redirect-http needs --tls (it redirects plain HTTP to the TLS rule)\n");
}

TEST_F(RunTest, TlsNotConfiguredIsShownAsTheServerSaysIt) {
  inv_.command.kind = CommandKind::kCreate;
  inv_.command.create = {
      .name = "shop", .hostname = "h", .instance = "vm1", .target_port = 1, .tls = true};
  respond(400, R"({"code":"tls_not_configured","message":"rules[0].tls: no certificate source"})");
  EXPECT_EQ(run(), kExitApiError);
  EXPECT_EQ(err_.str(), "error: rules[0].tls: no certificate source (tls_not_configured)\n");
}

const std::string kChainPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const std::string kKeyPem = "-----BEGIN PRIVATE KEY-----\nSECRETKEY\n-----END PRIVATE KEY-----\n";
const char kCertAnswer[] = R"({"name":"shop","id":"user.shop","source":"user",
    "dns_names":["shop.example.com"],"serial":"7f","issuer":"CN=me",
    "not_before":"2025-01-01T00:00:00.000Z","not_after":"2026-01-01T00:00:00.000Z",
    "stored_at":"2025-06-01T00:00:00.000Z","serving":["shop.example.com"]})";

TEST_F(RunTest, CertsPutSendsBothFilesAndNeverPrintsTheKey) {
  ASSERT_TRUE(fs_.writeFileAtomic(dir_.file("chain.pem"), kChainPem, 0644).ok());
  ASSERT_TRUE(fs_.writeFileAtomic(dir_.file("key.pem"), kKeyPem, 0600).ok());
  inv_.command.kind = CommandKind::kCertsPut;
  inv_.command.key = "shop";
  inv_.command.cert_file = dir_.file("chain.pem");
  inv_.command.key_file = dir_.file("key.pem");
  respond(200, kCertAnswer);
  EXPECT_EQ(run(), kExitOk);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].method, "PUT");
  EXPECT_EQ(sent_[0].url, "http://127.0.0.1:8080/certificates/shop");
  EXPECT_EQ(header("Content-Type"), "application/json");
  EXPECT_EQ(Json::parse(sent_[0].body),
            (Json{{"certificate", kChainPem}, {"private_key", kKeyPem}}));
  EXPECT_EQ(out_.str(),
            "NAME   SOURCE   NAMES              EXPIRES                    SERIAL   SERVING\n"
            "shop   user     shop.example.com   2026-01-01T00:00:00.000Z   7f       "
            "shop.example.com\n");
  EXPECT_EQ(err_.str(), "");

  // Refused by the server: its message, and still no key on either stream.
  respond(400, R"({"code":"bad_request","message":"private_key: does not match the certificate"})");
  out_.str("");
  EXPECT_EQ(run(), kExitApiError);
  EXPECT_EQ(err_.str(), "error: private_key: does not match the certificate (bad_request)\n");
  EXPECT_EQ(out_.str().find("SECRETKEY"), std::string::npos);
  EXPECT_EQ(err_.str().find("SECRETKEY"), std::string::npos);
}

TEST_F(RunTest, CertsPutReadsOneOfTheFilesFromStdin) {
  ASSERT_TRUE(fs_.writeFileAtomic(dir_.file("chain.pem"), kChainPem, 0644).ok());
  inv_.command.kind = CommandKind::kCertsPut;
  inv_.command.key = "shop";
  inv_.command.cert_file = dir_.file("chain.pem");
  inv_.command.key_file = "-";
  stdin_ = kKeyPem;
  respond(200, kCertAnswer);
  EXPECT_EQ(run(), kExitOk);
  EXPECT_EQ(Json::parse(sent_.at(0).body)["private_key"], kKeyPem);

  ASSERT_TRUE(fs_.writeFileAtomic(dir_.file("key.pem"), kKeyPem, 0600).ok());
  inv_.command.cert_file = "-";
  inv_.command.key_file = dir_.file("key.pem");
  stdin_ = kChainPem;
  EXPECT_EQ(run(), kExitOk);
  EXPECT_EQ(Json::parse(sent_.at(1).body)["certificate"], kChainPem);
}

TEST_F(RunTest, CertsPutUsageErrorsSendNothing) {
  inv_.command.kind = CommandKind::kCertsPut;
  inv_.command.key = "shop";
  inv_.command.cert_file = "-";
  inv_.command.key_file = "-";
  EXPECT_EQ(run(), kExitUsage);
  EXPECT_EQ(err_.str(), "error: --cert and --key cannot both be '-': stdin holds one file\n");

  inv_.command.key_file = "";
  err_.str("");
  EXPECT_EQ(run(), kExitUsage);
  EXPECT_EQ(err_.str(), "error: --key FILE is required\n");

  inv_.command.cert_file = dir_.file("missing.pem");
  inv_.command.key_file = "-";
  err_.str("");
  EXPECT_EQ(run(), kExitUsage);
  EXPECT_EQ(err_.str().rfind("error: --cert: ", 0), 0u) << err_.str();

  ASSERT_TRUE(fs_.writeFileAtomic(dir_.file("chain.pem"), kChainPem, 0644).ok());
  ASSERT_TRUE(
      fs_.writeFileAtomic(dir_.file("big.pem"), std::string(kMaxDocumentBytes + 1, 'k'), 0600)
          .ok());
  inv_.command.cert_file = dir_.file("chain.pem");
  inv_.command.key_file = dir_.file("big.pem");
  err_.str("");
  EXPECT_EQ(run(), kExitUsage);
  EXPECT_EQ(err_.str().rfind("error: --key: ", 0), 0u) << err_.str();
  EXPECT_TRUE(sent_.empty());
}

TEST_F(RunTest, CertsListGetAndDelete) {
  inv_.command.kind = CommandKind::kCertsList;
  respond(200, "[]");
  EXPECT_EQ(run(), kExitOk);
  EXPECT_EQ(sent_.at(0).method, "GET");
  EXPECT_EQ(sent_.at(0).url, "http://127.0.0.1:8080/certificates");
  EXPECT_EQ(out_.str(), "NAME   SOURCE   NAMES   EXPIRES   SERIAL   SERVING\n");

  inv_.command.kind = CommandKind::kCertsGet;
  inv_.command.key = "shop";
  inv_.command.json_output = true;
  respond(200, kCertAnswer);
  out_.str("");
  EXPECT_EQ(run(), kExitOk);
  EXPECT_EQ(sent_.at(1).url, "http://127.0.0.1:8080/certificates/shop");
  EXPECT_EQ(Json::parse(out_.str()), Json::parse(kCertAnswer));

  inv_.command.kind = CommandKind::kCertsDelete;
  respond(204, "");
  out_.str("");
  EXPECT_EQ(run(), kExitOk);
  EXPECT_EQ(sent_.at(2).method, "DELETE");
  EXPECT_EQ(sent_.at(2).url, "http://127.0.0.1:8080/certificates/shop");
  EXPECT_EQ(out_.str(), "certificate shop deleted\n");
}

TEST_F(RunTest, ApiErrorPrintsMessageAndCodeAndExits1) {
  inv_.command.kind = CommandKind::kGet;
  inv_.command.key = "nope";
  respond(404, R"({"code":"not_found","message":"ingress \"nope\" not found"})");
  EXPECT_EQ(run(), kExitApiError);
  EXPECT_EQ(sent_.at(0).url, "http://127.0.0.1:8080/ingresses/nope");
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(), "error: ingress \"nope\" not found (not_found)\n");
}

TEST_F(RunTest, UnreachableDaemonExits3WithClearMessage) {
  inv_.command.kind = CommandKind::kList;
  response_ = unavailable("GET http://127.0.0.1:8080/ingresses: Couldn't connect to server");
  EXPECT_EQ(run(), kExitUnreachable);
  EXPECT_EQ(err_.str(),
            "error: cannot reach ingressd at 127.0.0.1:8080: Couldn't connect to server\n");
}

TEST_F(RunTest, DeleteAcceptsNoContent) {
  inv_.command.kind = CommandKind::kDelete;
  inv_.command.key = "web";
  respond(204, "");
  EXPECT_EQ(run(), kExitOk);
  EXPECT_EQ(sent_.at(0).method, "DELETE");
  EXPECT_EQ(sent_.at(0).url, "http://127.0.0.1:8080/ingresses/web");
  EXPECT_EQ(out_.str(), "ingress web deleted\n");
}

TEST_F(RunTest, InstancesSetPutsTheIpAndPrintsTheInstance) {
  inv_.command.kind = CommandKind::kInstancesSet;
  inv_.command.key = "vm1";
  inv_.command.ip = "10.0.0.7";
  respond(200, R"({"name":"vm1","ip":"10.0.0.7"})");
  EXPECT_EQ(run(), kExitOk);
  EXPECT_EQ(sent_.at(0).method, "PUT");
  EXPECT_EQ(sent_.at(0).url, "http://127.0.0.1:8080/instances/vm1");
  EXPECT_EQ(Json::parse(sent_.at(0).body), Json::parse(R"({"ip":"10.0.0.7"})"));
  EXPECT_EQ(out_.str(), "NAME   IP\nvm1    10.0.0.7\n");
}

TEST_F(RunTest, UnixSocketEndpointIsPassedToTheClient) {
  inv_.api = "unix:/run/ingressd.sock";
  inv_.command.kind = CommandKind::kInstancesGet;
  inv_.command.key = "vm1";
  respond(200, R"({"name":"vm1","ip":"10.0.0.7"})");
  EXPECT_EQ(run(), kExitOk);
  EXPECT_EQ(sent_.at(0).unix_socket, "/run/ingressd.sock");
  EXPECT_EQ(sent_.at(0).url, "http://localhost/instances/vm1");
}

TEST_F(RunTest, NoCredentialsIsAUsageErrorAndSendsNothing) {
  inv_.auth.data_dir = dir_.file("elsewhere");
  inv_.command.kind = CommandKind::kList;
  EXPECT_EQ(run(), kExitUsage);
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(err_.str().rfind("error: no API secret at ", 0), 0u);
}

TEST_F(RunTest, BadApiIsAUsageError) {
  inv_.api = "localhost";
  inv_.command.kind = CommandKind::kList;
  EXPECT_EQ(run(), kExitUsage);
  EXPECT_TRUE(sent_.empty());
}

TEST_F(RunTest, TokenCommandPrintsAVerifiableTokenWithoutCallingTheApi) {
  inv_.command.kind = CommandKind::kToken;
  inv_.command.ttl = "2h";
  inv_.command.subject = "deploy-bot";
  EXPECT_EQ(run(), kExitOk);
  EXPECT_TRUE(sent_.empty());
  std::string token = out_.str();
  ASSERT_FALSE(token.empty());
  ASSERT_EQ(token.back(), '\n');
  token.pop_back();
  auto claims = auth::verifyJwtHs256(token, kSecret, kNow);
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ((*claims)["sub"], "deploy-bot");
  EXPECT_EQ((*claims)["exp"], 1'700'000'000 + 7200);

  inv_.command.ttl = "forever";
  err_.str("");
  EXPECT_EQ(run(), kExitUsage);
  EXPECT_NE(err_.str().find("--ttl \"forever\""), std::string::npos);
}

TEST_F(RunTest, TokenLongerThanTheDefaultMaxLifetimeIsPrintedWithAWarning) {
  inv_.command.kind = CommandKind::kToken;
  inv_.command.ttl = "30d";
  EXPECT_EQ(run(), kExitOk);
  EXPECT_EQ(err_.str(), "");
  inv_.command.ttl = "31d";
  out_.str("");
  EXPECT_EQ(run(), kExitOk);
  EXPECT_FALSE(out_.str().empty());
  EXPECT_EQ(err_.str(),
            "warning: ingressd refuses tokens living longer than TOKEN_MAX_LIFETIME (2592000 s by "
            "default); this one works only if it was raised\n");
}

TEST_F(RunTest, RequestForCommandMapsEveryApiCommand) {
  const auto map = [this](CommandKind kind, std::string key = "k", std::string ip = "") {
    Command c;
    c.kind = kind;
    c.key = std::move(key);
    c.ip = std::move(ip);
    auto r = requestForCommand(c, fs_, nullptr);
    EXPECT_TRUE(r.ok()) << r.status().toString();
    return r.ok() ? r->method + " " + r->path : std::string("error");
  };
  EXPECT_EQ(map(CommandKind::kList), "GET /ingresses");
  EXPECT_EQ(map(CommandKind::kGet), "GET /ingresses/k");
  EXPECT_EQ(map(CommandKind::kDelete), "DELETE /ingresses/k");
  EXPECT_EQ(map(CommandKind::kInstancesSet, "vm", "10.0.0.1"), "PUT /instances/vm");
  EXPECT_EQ(map(CommandKind::kInstancesList), "GET /instances");
  EXPECT_EQ(map(CommandKind::kInstancesGet), "GET /instances/k");
  EXPECT_EQ(map(CommandKind::kInstancesDelete), "DELETE /instances/k");
  EXPECT_EQ(map(CommandKind::kCertsList), "GET /certificates");
  EXPECT_EQ(map(CommandKind::kCertsGet), "GET /certificates/k");
  EXPECT_EQ(map(CommandKind::kCertsDelete), "DELETE /certificates/k");
  Command none;
  EXPECT_EQ(requestForCommand(none, fs_, nullptr).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ingress::cli

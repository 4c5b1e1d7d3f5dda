#include "api/errors.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "common/json.h"

namespace ingress::api {
namespace {

struct MappingCase {
  Status status;
  int http_status;
  std::string code;
};

TEST(ErrorsTest, MapsEveryStatusCodeAndReason) {
  const std::vector<MappingCase> cases = {
      {invalidArgument("rules[0].match.port: bad"), 400, "bad_request"},
      {invalidArgument("x", "bad_request"), 400, "bad_request"},
      {invalidArgument("x", "instance_not_found"), 400, "instance_not_found"},
      {unauthenticated("x"), 401, "unauthorized"},
      {notFound("x"), 404, "not_found"},
      {notFound("x", "not_found"), 404, "not_found"},
      {alreadyExists("x"), 409, "already_exists"},
      {alreadyExists("x", "hostname_in_use"), 409, "hostname_in_use"},
      {alreadyExists("x", "ambiguous"), 409, "ambiguous"},
      {resourceExhausted("x"), 413, "payload_too_large"},
      {resourceExhausted("x", "resource_exhausted"), 503, "resource_exhausted"},
      {errnoError("write /d/x", EMFILE), 503, "resource_exhausted"},
      {errnoError("spawn envoy", ENOMEM), 503, "resource_exhausted"},
      {unsupported("x"), 415, "unsupported_media_type"},
      {aborted("x", "config_rejected"), 500, "config_rejected"},
      {aborted("x"), 500, "config_rejected"},
      {deadlineExceeded("x"), 504, "apply_timeout"},
      {deadlineExceeded("x", "apply_timeout"), 504, "apply_timeout"},
      {unavailable("x"), 503, "unavailable"},
      {failedPrecondition("x"), 500, "internal_error"},
      {failedPrecondition("x", "something"), 500, "internal_error"},
      {internalError("x"), 500, "internal_error"},
  };
  for (const MappingCase& c : cases) {
    HttpError e = mapStatus(c.status);
    EXPECT_EQ(e.http_status, c.http_status) << c.status.toString();
    EXPECT_EQ(e.code, c.code) << c.status.toString();
  }
}

TEST(ErrorsTest, ErrorResponseBodyIsExactlyCodeAndMessage) {
  ApiResponse r = errorResponse(409, "hostname_in_use", "held by \"web\"");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.content_type, "application/json");
  auto j = parseJsonStrict(r.body);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(*j, (Json{{"code", "hostname_in_use"}, {"message", "held by \"web\""}}));
}

TEST(ErrorsTest, InternalDetailsAreNotShownToClients) {
  ApiResponse r = errorFromStatus(internalError("open /secret/path: EACCES"), "req-1");
  EXPECT_EQ(r.status, 500);
  auto j = parseJsonStrict(r.body);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["code"], "internal_error");
  EXPECT_EQ((*j)["message"].get<std::string>().find("/secret/path"), std::string::npos);
  EXPECT_NE((*j)["message"].get<std::string>().find("req-1"), std::string::npos);

  ApiResponse shown = errorFromStatus(alreadyExists("name \"web\" is taken", "already_exists"));
  EXPECT_EQ(shown.body, R"({"code":"already_exists","message":"name \"web\" is taken"})");
}

TEST(ErrorsTest, OutOfFileDescriptorsSaysSoWithoutThePath) {
  ApiResponse r = errorFromStatus(
      errnoError("write /secret/xds/lds.json", EMFILE).withContext("writing lds.json"), "req-2");
  EXPECT_EQ(r.status, 503);
  auto j = parseJsonStrict(r.body);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["code"], "resource_exhausted");
  EXPECT_EQ((*j)["message"],
            "ingressd ran out of file descriptors (RLIMIT_NOFILE); retry later (see the server "
            "log, request req-2)");
}

}  // namespace
}  // namespace ingress::api

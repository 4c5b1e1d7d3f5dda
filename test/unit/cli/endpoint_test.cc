#include "cli/endpoint.h"

#include <gtest/gtest.h>

namespace ingress::cli {
namespace {

ApiEndpoint parsed(std::string_view api) {
  auto e = parseApiEndpoint(api);
  EXPECT_TRUE(e.ok()) << api << ": " << e.status().toString();
  return e.ok() ? *e : ApiEndpoint{};
}

TEST(ApiEndpointTest, HostPortBecomesHttpBaseUrl) {
  EXPECT_EQ(parsed("127.0.0.1:8080"), (ApiEndpoint{"http://127.0.0.1:8080", "", "127.0.0.1:8080"}));
  EXPECT_EQ(parsed("localhost:9000").base_url, "http://localhost:9000");
  EXPECT_EQ(parsed("[::1]:8080").base_url, "http://[::1]:8080");
  EXPECT_EQ(parseApiEndpoint(kDefaultApi)->base_url, "http://127.0.0.1:8080");
}

TEST(ApiEndpointTest, WildcardListenAddressesConnectThroughLoopback) {
  EXPECT_EQ(parsed("0.0.0.0:8080").base_url, "http://127.0.0.1:8080");
  EXPECT_EQ(parsed(":8080").base_url, "http://127.0.0.1:8080");
  EXPECT_EQ(parsed("[::]:8080").base_url, "http://[::1]:8080");
  EXPECT_EQ(parsed("[::]:8080").display, "[::1]:8080");
}

TEST(ApiEndpointTest, FullUrlsAreKeptWithoutTrailingSlash) {
  EXPECT_EQ(parsed("http://10.0.0.5:8080"),
            (ApiEndpoint{"http://10.0.0.5:8080", "", "10.0.0.5:8080"}));
  EXPECT_EQ(parsed("http://10.0.0.5:8080/").base_url, "http://10.0.0.5:8080");
  EXPECT_EQ(parsed("https://api.example.com/ingress//").base_url,
            "https://api.example.com/ingress");
  EXPECT_EQ(parsed("https://api.example.com/ingress").display, "api.example.com");
}

TEST(ApiEndpointTest, UnixSocket) {
  EXPECT_EQ(parsed("unix:/run/ingressd.sock"),
            (ApiEndpoint{"http://localhost", "/run/ingressd.sock", "unix:/run/ingressd.sock"}));
}

TEST(ApiEndpointTest, RejectsMalformedValues) {
  for (const char* bad :
       {"", "localhost", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
        "127.0.0.1:80a", "::1:8080", "[::1]", "[::1:8080", "ftp://host:21", "http://", "http:///x",
        "http://h:1/?q=1", "host:80/path", "user@host:80", "unix:", " 127.0.0.1:8080",
        "http://a b"}) {
    auto e = parseApiEndpoint(bad);
    ASSERT_FALSE(e.ok()) << "accepted: \"" << bad << "\"";
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(parseApiEndpoint("localhost").status().message(),
            "--api \"localhost\": missing port (expected host:port, http://host:port or "
            "unix:/path)");
}

TEST(UrlTest, EncodesPathSegmentsSoTheyCannotEscape) {
  EXPECT_EQ(encodePathSegment("web-api_1~x"), "web-api_1~x");
  EXPECT_EQ(encodePathSegment("a/b"), "a%2Fb");
  EXPECT_EQ(encodePathSegment(".."), "%2E%2E");
  EXPECT_EQ(encodePathSegment("a b?c#d%"), "a%20b%3Fc%23d%25");
  EXPECT_EQ(encodePathSegment("\xc3\xa9"), "%C3%A9");
}

TEST(UrlTest, BuildUrlAppendsThePath) {
  EXPECT_EQ(buildUrl(parsed("127.0.0.1:8080"), "/ingresses/web"),
            "http://127.0.0.1:8080/ingresses/web");
  EXPECT_EQ(buildUrl(parsed("https://h/prefix/"), "/instances"), "https://h/prefix/instances");
}

}  // namespace
}  // namespace ingress::cli

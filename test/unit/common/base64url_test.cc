#include "common/base64url.h"

#include <gtest/gtest.h>

namespace ingress {
namespace {

TEST(Base64UrlTest, EncodesRfc4648VectorsWithoutPadding) {
  EXPECT_EQ(base64UrlEncode(""), "");
  EXPECT_EQ(base64UrlEncode("f"), "Zg");
  EXPECT_EQ(base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(base64UrlEncode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64UrlEncode("foobar"), "Zm9vYmFy");
  // The URL-safe alphabet: 0xfb 0xff -> "-_8" (standard base64 would be "+/8=").
  EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64UrlTest, RoundTripsAllByteValues) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t len = 0; len <= all.size(); len += 37) {
    std::string part = all.substr(0, len);
    auto decoded = base64UrlDecode(base64UrlEncode(part));
    ASSERT_TRUE(decoded.has_value()) << len;
    EXPECT_EQ(*decoded, part);
  }
}

TEST(Base64UrlTest, RejectsPaddingStandardAlphabetAndWhitespace) {
  EXPECT_FALSE(base64UrlDecode("Zg==").has_value());
  EXPECT_FALSE(base64UrlDecode("Zg=").has_value());
  EXPECT_FALSE(base64UrlDecode("+/8").has_value());
  EXPECT_FALSE(base64UrlDecode("Zm9v YmFy").has_value());
  EXPECT_FALSE(base64UrlDecode("Zm9v\n").has_value());
  EXPECT_FALSE(base64UrlDecode(std::string_view("Zm\0v", 4)).has_value());
}

TEST(Base64UrlTest, RejectsImpossibleLengthAndNonCanonicalTrailingBits) {
  EXPECT_FALSE(base64UrlDecode("Z").has_value());
  EXPECT_FALSE(base64UrlDecode("Zm9vY").has_value());
  // "Zg" is canonical for "f"; "Zh" carries non-zero unused bits and decodes to the same byte.
  EXPECT_TRUE(base64UrlDecode("Zg").has_value());
  EXPECT_FALSE(base64UrlDecode("Zh").has_value());
  EXPECT_TRUE(base64UrlDecode("Zm8").has_value());
  EXPECT_FALSE(base64UrlDecode("Zm9").has_value());
}

}  // namespace
}  // namespace ingress

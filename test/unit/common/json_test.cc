#include "common/json.h"

#include <gtest/gtest.h>

namespace ingress {
namespace {

TEST(JsonTest, ParsesValidDocuments) {
  auto j = parseJsonStrict(R"({"a": [1, 2, {"b": "c"}], "d": null})");
  ASSERT_TRUE(j.ok()) << j.status().toString();
  EXPECT_EQ((*j)["a"][2]["b"], "c");
  EXPECT_TRUE((*j)["d"].is_null());
}

TEST(JsonTest, RejectsDuplicateKeysAtAnyDepth) {
  auto top = parseJsonStrict(R"({"a": 1, "a": 2})");
  ASSERT_FALSE(top.ok());
  EXPECT_EQ(top.status().message(), "duplicate object key \"a\"");
  EXPECT_FALSE(parseJsonStrict(R"({"x": {"a": 1, "a": 1}})").ok());
  // The same key in sibling objects is fine.
  EXPECT_TRUE(parseJsonStrict(R"([{"a": 1}, {"a": 2}])").ok());
}

TEST(JsonTest, CapsNestingDepth) {
  std::string deep(100000, '[');
  auto r = parseJsonStrict(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("nesting deeper than 32"), std::string::npos);
  std::string ok = std::string(32, '[') + std::string(32, ']');
  EXPECT_TRUE(parseJsonStrict(ok).ok());
  std::string over = std::string(33, '[') + std::string(33, ']');
  EXPECT_FALSE(parseJsonStrict(over).ok());
}

TEST(JsonTest, RejectsNonJson) {
  for (const char* bad : {"", "{", "{\"a\":1,}", "[1,]", "NaN", "{'a':1}", "// c\n{}", "1 2",
                          "\"\xff\"", "\"\\ud800\"", "{} x"}) {
    auto r = parseJsonStrict(bad);
    EXPECT_FALSE(r.ok()) << "accepted: " << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
      EXPECT_EQ(r.status().reason(), "bad_request");
    }
  }
}

TEST(JsonTest, DumpReplacesInvalidUtf8InsteadOfThrowing) {
  Json j = std::string(
      "a\xff"
      "b");
  EXPECT_EQ(dumpJson(j),
            "\"a\xEF\xBF\xBD"
            "b\"");
}

}  // namespace
}  // namespace ingress

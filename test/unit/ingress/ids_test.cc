#include "ingress/ids.h"

#include <gtest/gtest.h>

#include <array>
#include <set>

#include "ingress/timestamp.h"
#include "unit/ingress/status_matchers.h"

namespace ingress::domain {
namespace {

using namespace std::chrono_literals;

TEST(IdsTest, GeneratedIdsAreValidAndDistinct) {
  RandomIdGenerator gen;
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string id = gen.newId();
    ASSERT_EQ(id.size(), kIdLength);
    ASSERT_TRUE(isValidId(id)) << id;
    ASSERT_TRUE(id[0] >= 'a' && id[0] <= 'z') << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(IdsTest, EveryCharacterOfTheAlphabetShowsUpRoughlyEvenly) {
  RandomIdGenerator gen;
  std::array<int, 128> counts{};
  constexpr int kIds = 4000;
  for (int i = 0; i < kIds; ++i) {
    std::string id = gen.newId();
    for (size_t k = 1; k < id.size(); ++k) counts[static_cast<unsigned char>(id[k])]++;
  }
  // 4000 * 23 / 36 ~= 2556 per character; a biased `% 36` would be visible, chance is not.
  for (char c : std::string_view("abcdefghijklmnopqrstuvwxyz0123456789")) {
    EXPECT_GT(counts[static_cast<unsigned char>(c)], 2200) << c;
    EXPECT_LT(counts[static_cast<unsigned char>(c)], 2900) << c;
  }
}

TEST(IdsTest, IsValidId) {
  EXPECT_TRUE(isValidId("abcdefghijklmnopqrstuvwx"));
  EXPECT_TRUE(isValidId("a00000000000000000000000"));
  EXPECT_FALSE(isValidId(""));
  EXPECT_FALSE(isValidId("abcdefghijklmnopqrstuvw"));    // 23
  EXPECT_FALSE(isValidId("abcdefghijklmnopqrstuvwxy"));  // 25
  EXPECT_FALSE(isValidId("0bcdefghijklmnopqrstuvwx"));   // starts with a digit
  EXPECT_FALSE(isValidId("Abcdefghijklmnopqrstuvwx"));   // uppercase
  EXPECT_FALSE(isValidId("abcdefghijklmnopqrstuvw-"));
  EXPECT_FALSE(isValidId("abcdefghijk/../qrstuvwxy"));
}

TEST(TimestampTest, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(formatTimestamp(TimePoint{} + 1795835045123ms), "2026-11-28T03:04:05.123Z");
  EXPECT_EQ(formatTimestamp(TimePoint{}), "1970-01-01T00:00:00.000Z");
  // Sub-millisecond digits are dropped, not rounded.
  EXPECT_EQ(formatTimestamp(TimePoint{} + 1795835045123999us), "2026-11-28T03:04:05.123Z");
}

TEST(TimestampTest, TruncateAndParseRoundTrip) {
  const TimePoint t = truncateToMillis(TimePoint{} + 1795835045123999us);
  EXPECT_EQ(t, TimePoint{} + 1795835045123ms);
  auto back = parseTimestamp(formatTimestamp(t), "created_at");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, t);
  auto leap = parseTimestamp("2024-02-29T23:59:59.999Z", "t");
  ASSERT_TRUE(leap.ok());
  EXPECT_EQ(formatTimestamp(*leap), "2024-02-29T23:59:59.999Z");
}

TEST(TimestampTest, ParseRejectsOtherShapes) {
  for (std::string_view bad :
       {"", "2026-11-28T03:04:05Z", "2026-11-28T03:04:05.123", "2026-11-28 03:04:05.123Z",
        "2026-11-28T03:04:05.123+00:00", "2026-13-01T00:00:00.000Z", "2023-02-29T00:00:00.000Z",
        "2026-11-28T24:00:00.000Z", "2026-11-28T23:60:00.000Z", "2026-11-28T23:00:60.000Z",
        "2026-11-28t03:04:05.123Z", "2026-11-2aT03:04:05.123Z"}) {
    ingress::testing::expectBadRequest(
        parseTimestamp(bad, "created_at").status(),
        "created_at: must be an RFC 3339 UTC timestamp like 2026-11-28T03:04:05.123Z");
  }
}

}  // namespace
}  // namespace ingress::domain

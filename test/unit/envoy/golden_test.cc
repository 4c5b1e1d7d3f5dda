// The builders' output for each golden case (test_common/golden_cases.h) must equal
// test/golden/<case>.json byte for byte (canonical JSON). INGRESS_UPDATE_GOLDEN=1 rewrites the
// files instead (scripts/update-golden.sh); review the diff before committing it.
#include <cstdlib>

#include <gtest/gtest.h>

#include "test_common/golden_cases.h"

namespace ingress::testing {
namespace {

bool updating() {
  const char* v = std::getenv("INGRESS_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

TEST(GoldenTest, BuilderOutputMatchesTheGoldenFiles) {
  FilesystemImpl fs;
  for (const auto& c : goldenCases()) {
    SCOPED_TRACE(c.name);
    const std::string got = canonicalGolden(envoy::buildXds(c.snapshot, c.settings));
    if (updating()) {
      ASSERT_TRUE(fs.writeFileAtomic(goldenPath(c.name), got, 0644).ok());
      continue;
    }
    auto want = fs.readFile(goldenPath(c.name));
    ASSERT_TRUE(want.ok()) << want.status().toString() << " (run scripts/update-golden.sh)";
    EXPECT_EQ(got, *want) << "builder output changed; if intended, run scripts/update-golden.sh";
  }
}

TEST(GoldenTest, BuildIsDeterministic) {
  for (const auto& c : goldenCases()) {
    EXPECT_EQ(canonicalGolden(envoy::buildXds(c.snapshot, c.settings)),
              canonicalGolden(envoy::buildXds(c.snapshot, c.settings)))
        << c.name;
  }
}

}  // namespace
}  // namespace ingress::testing

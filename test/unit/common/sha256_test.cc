#include "common/sha256.h"

#include <gtest/gtest.h>

#include "common/filesystem.h"
#include "test_common/test_env.h"

namespace ingress {
namespace {

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, FileMatchesMemory) {
  testing::TempDir dir;
  FilesystemImpl fs;
  std::string data(3 << 20, 'q');
  ASSERT_TRUE(fs.writeFileAtomic(dir.file("f"), data, 0644).ok());
  auto h = sha256File(dir.file("f"));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(*h, sha256Hex(data));
  EXPECT_EQ(sha256File(dir.file("none")).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace ingress

#include "common/filesystem.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "test_common/test_env.h"

namespace ingress {
namespace {

TEST(FilesystemTest, WriteAtomicCreatesWithModeAndLeavesNoTemp) {
  testing::TempDir dir;
  FilesystemImpl fs;
  const std::string path = dir.file("a.json");
  ASSERT_TRUE(fs.writeFileAtomic(path, "{\"v\":1}", 0600).ok());
  auto data = fs.readFile(path);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, "{\"v\":1}");
  auto info = fs.stat(path);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->mode, 0600u);
  ASSERT_TRUE(fs.writeFileAtomic(path, "second", 0600).ok());
  EXPECT_EQ(*fs.readFile(path), "second");
  auto names = fs.listDir(dir.path());
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"a.json"});
}

TEST(FilesystemTest, NoSyncWriteIsStillAtomicWithModeAndNoTemp) {
  testing::TempDir dir;
  FilesystemImpl fs;
  const std::string path = dir.file("lds.json");
  ASSERT_TRUE(fs.writeFileAtomicNoSync(path, "one", 0600).ok());
  ASSERT_TRUE(fs.writeFileAtomicNoSync(path, "two", 0600).ok());
  EXPECT_EQ(*fs.readFile(path), "two");
  EXPECT_EQ(fs.stat(path)->mode, 0600u);
  EXPECT_EQ(*fs.listDir(dir.path()), std::vector<std::string>{"lds.json"});
  EXPECT_EQ(fs.writeFileAtomicNoSync(dir.file("no/such/dir"), "x", 0600).code(),
            StatusCode::kInternal);
}

TEST(FilesystemTest, FailedWriteKeepsTheOldFile) {
  testing::TempDir dir;
  FilesystemImpl fs;
  const std::string path = dir.file("missing-dir/a.json");
  Status st = fs.writeFileAtomic(path, "x", 0600);
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_FALSE(fs.exists(path));
}

TEST(FilesystemTest, ReadLimitedRejectsLargerFiles) {
  testing::TempDir dir;
  FilesystemImpl fs;
  ASSERT_TRUE(fs.writeFileAtomic(dir.file("f"), std::string(100, 'x'), 0644).ok());
  EXPECT_TRUE(fs.readFileLimited(dir.file("f"), 100).ok());
  EXPECT_EQ(fs.readFileLimited(dir.file("f"), 99).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(fs.readFile(dir.file("nope")).status().code(), StatusCode::kNotFound);
}

TEST(FilesystemTest, MakeDirsAppliesMode) {
  testing::TempDir dir;
  FilesystemImpl fs;
  const std::string path = dir.file("a/b/c");
  ASSERT_TRUE(fs.makeDirs(path, 0700).ok());
  EXPECT_EQ(fs.stat(path)->mode, 0700u);
  ASSERT_TRUE(fs.makeDirs(path, 0750).ok());
  EXPECT_EQ(fs.stat(path)->mode, 0750u);
  ASSERT_TRUE(fs.writeFileAtomic(dir.file("file"), "x", 0644).ok());
  EXPECT_EQ(fs.makeDirs(dir.file("file"), 0700).code(), StatusCode::kFailedPrecondition);
}

TEST(FilesystemTest, PathHelpers) {
  EXPECT_EQ(joinPath("/a", "b"), "/a/b");
  EXPECT_EQ(joinPath("/a/", "b"), "/a/b");
  EXPECT_EQ(dirName("/a/b/c"), "/a/b");
  EXPECT_EQ(dirName("c"), ".");
  EXPECT_EQ(baseName("/a/b/c"), "c");
}

}  // namespace
}  // namespace ingress

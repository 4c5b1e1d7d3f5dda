#include "auth/secret.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "test_common/test_env.h"

namespace ingress::auth {
namespace {

bool isLowerHex(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

TEST(ApiSecretTest, CreatesA0600HexSecretAndReusesIt) {
  testing::TempDir dir;
  FilesystemImpl fs;
  auto first = loadOrCreateApiSecret(fs, dir.path());
  ASSERT_TRUE(first.ok()) << first.status().toString();
  EXPECT_EQ(first->size(), 64u);
  EXPECT_TRUE(isLowerHex(*first));
  auto info = fs.stat(dir.file("api-secret"));
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->is_regular);
  EXPECT_EQ(info->mode, 0600u);
  EXPECT_EQ(*fs.readFile(dir.file("api-secret")), *first);

  auto second = loadOrCreateApiSecret(fs, dir.path());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, *first);
  // No temp files left behind.
  EXPECT_EQ(*fs.listDir(dir.path()), std::vector<std::string>{"api-secret"});
}

TEST(ApiSecretTest, TwoDataDirsGetDifferentSecrets) {
  testing::TempDir a;
  testing::TempDir b;
  FilesystemImpl fs;
  auto sa = loadOrCreateApiSecret(fs, a.path());
  auto sb = loadOrCreateApiSecret(fs, b.path());
  ASSERT_TRUE(sa.ok() && sb.ok());
  EXPECT_NE(*sa, *sb);
}

TEST(ApiSecretTest, CreatesAMissingDataDirWithMode0700) {
  testing::TempDir dir;
  FilesystemImpl fs;
  const std::string data_dir = dir.file("var/lib/hypeman");
  auto secret = loadOrCreateApiSecret(fs, data_dir);
  ASSERT_TRUE(secret.ok()) << secret.status().toString();
  EXPECT_EQ(fs.stat(data_dir)->mode, 0700u);
  EXPECT_EQ(fs.stat(data_dir + "/api-secret")->mode, 0600u);
}

TEST(ApiSecretTest, KeepsTheModeOfAnExistingDataDir) {
  testing::TempDir dir;
  FilesystemImpl fs;
  ASSERT_TRUE(fs.makeDirs(dir.file("data"), 0755).ok());
  ASSERT_TRUE(loadOrCreateApiSecret(fs, dir.file("data")).ok());
  EXPECT_EQ(fs.stat(dir.file("data"))->mode, 0755u);
}

TEST(ApiSecretTest, UsesAnOperatorProvidedSecretIgnoringTrailingNewline) {
  testing::TempDir dir;
  FilesystemImpl fs;
  const std::string provided(40, 'k');
  ASSERT_TRUE(fs.writeFileAtomic(dir.file("api-secret"), provided + "\n", 0600).ok());
  auto secret = loadOrCreateApiSecret(fs, dir.path());
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(*secret, provided);
}

TEST(ApiSecretTest, RejectsEmptyOrShortSecretFileNamingIt) {
  testing::TempDir dir;
  FilesystemImpl fs;
  const std::string path = dir.file("api-secret");
  ASSERT_TRUE(fs.writeFileAtomic(path, "\n", 0600).ok());
  auto empty = loadOrCreateApiSecret(fs, dir.path());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(empty.status().message(), "API secret file " + path + " is empty");
  // The bad file is left for the operator to fix, not silently replaced.
  EXPECT_EQ(*fs.readFile(path), "\n");

  ASSERT_TRUE(fs.writeFileAtomic(path, std::string(31, 'k'), 0600).ok());
  auto short_secret = loadOrCreateApiSecret(fs, dir.path());
  ASSERT_FALSE(short_secret.ok());
  EXPECT_EQ(short_secret.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(short_secret.status().message().find(path), std::string::npos);
  EXPECT_NE(short_secret.status().message().find("too short"), std::string::npos);
}

TEST(ApiSecretTest, LoadWithoutCreateReportsNotFound) {
  testing::TempDir dir;
  FilesystemImpl fs;
  auto r = loadApiSecret(fs, dir.file("api-secret"));
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs.exists(dir.file("api-secret")));
}

TEST(ApiSecretTest, FailsWhenTheDataDirIsAFile) {
  testing::TempDir dir;
  FilesystemImpl fs;
  ASSERT_TRUE(fs.writeFileAtomic(dir.file("notadir"), "x", 0600).ok());
  auto r = loadOrCreateApiSecret(fs, dir.file("notadir"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("api-secret"), std::string::npos);
}

}  // namespace
}  // namespace ingress::auth

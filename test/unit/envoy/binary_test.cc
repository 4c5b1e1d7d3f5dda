#include "envoy/binary.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zstd.h>

#include <string>

#include "common/sha256.h"
#include "test_common/test_env.h"

namespace ingress::envoy {
namespace {

std::string zstdCompress(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

// A few KB that do not compress to nothing (a simple LCG), standing in for the Envoy binary.
std::string fakeBinary(size_t size = 6000) {
  std::string s;
  s.reserve(size);
  uint32_t x = 12345;
  for (size_t i = 0; i < size; ++i) {
    x = x * 1103515245u + 12345u;
    s.push_back(static_cast<char>(x >> 24));
  }
  return s;
}

mode_t modeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(MajorMinorDirTest, DropsThePatchVersion) {
  EXPECT_EQ(majorMinorDir("1.40.0"), "v1.40");
  EXPECT_EQ(majorMinorDir("1.9.12"), "v1.9");
}

TEST(MajorMinorDirTest, KeepsAVersionWithoutPatch) { EXPECT_EQ(majorMinorDir("1.40"), "v1.40"); }

TEST(ExtractedEnvoyPathTest, IsVersionedByMajorMinorAndArch) {
  EnvoyBinarySource source{
      .compressed_zstd = {}, .version = "1.40.3", .sha256 = "", .arch = "x86_64"};
  EXPECT_EQ(extractedEnvoyPath("/data", source), "/data/system/binaries/envoy/v1.40/x86_64/envoy");
}

TEST(ZstdDecompressTest, RoundTripsCompressedData) {
  const std::string original = fakeBinary(300000);  // larger than one output chunk
  auto out = zstdDecompress(zstdCompress(original), original.size());
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_EQ(*out, original);
}

TEST(ZstdDecompressTest, RoundTripsEmptyContent) {
  auto out = zstdDecompress(zstdCompress(""), 10);
  ASSERT_TRUE(out.ok()) << out.status().toString();
  EXPECT_EQ(*out, "");
}

TEST(ZstdDecompressTest, RejectsGarbage) {
  auto out = zstdDecompress("this is not a zstd frame at all", 1 << 20);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(), "not a zstd frame");
}

TEST(ZstdDecompressTest, RejectsEmptyInput) {
  EXPECT_EQ(zstdDecompress("", 1 << 20).status().code(), StatusCode::kInvalidArgument);
}

TEST(ZstdDecompressTest, RejectsATruncatedFrame) {
  const std::string original = fakeBinary();
  const std::string compressed = zstdCompress(original);
  auto out = zstdDecompress(compressed.substr(0, compressed.size() / 2), 1 << 20);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(), "zstd: truncated frame");
}

TEST(ZstdDecompressTest, RejectsAFrameMissingOnlyItsLastByte) {
  const std::string compressed = zstdCompress(fakeBinary());
  auto out = zstdDecompress(compressed.substr(0, compressed.size() - 1), 1 << 20);
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
}

TEST(ZstdDecompressTest, RefusesOutputBeyondTheLimit) {
  const std::string original = fakeBinary();
  auto out = zstdDecompress(zstdCompress(original), original.size() - 1);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kResourceExhausted);
}

class EnsureExtractedTest : public ::testing::Test {
 protected:
  EnsureExtractedTest()
      : binary_(fakeBinary()),
        compressed_(zstdCompress(binary_)),
        source_{.compressed_zstd = compressed_,
                .version = "1.40.0",
                .sha256 = sha256Hex(binary_),
                .arch = "x86_64"},
        path_(dir_.path() + "/system/binaries/envoy/v1.40/x86_64/envoy") {}

  StatusOr<ExtractResult> extract() { return ensureExtracted(fs_, dir_.path(), source_); }
  std::string onDisk() { return fs_.readFile(path_).ok() ? *fs_.readFile(path_) : "<missing>"; }

  testing::TempDir dir_;
  FilesystemImpl fs_;
  std::string binary_;
  std::string compressed_;
  EnvoyBinarySource source_;
  std::string path_;
};

TEST_F(EnsureExtractedTest, FirstCallWritesTheBinaryExecutable) {
  auto r = extract();
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_TRUE(r->replaced);
  EXPECT_EQ(r->path, path_);
  EXPECT_EQ(onDisk(), binary_);
  EXPECT_EQ(modeOf(path_), 0755u);
}

TEST_F(EnsureExtractedTest, SecondCallKeepsTheIntactFile) {
  ASSERT_TRUE(extract().ok());
  auto r = extract();
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_FALSE(r->replaced);
  EXPECT_EQ(r->path, path_);
  EXPECT_EQ(onDisk(), binary_);
}

TEST_F(EnsureExtractedTest, TruncatedFileIsReplaced) {
  ASSERT_TRUE(extract().ok());
  ASSERT_TRUE(fs_.writeFileAtomic(path_, binary_.substr(0, 1000), 0755).ok());
  auto r = extract();
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_TRUE(r->replaced);
  EXPECT_EQ(onDisk(), binary_);
}

TEST_F(EnsureExtractedTest, AlteredByteIsReplaced) {
  ASSERT_TRUE(extract().ok());
  std::string altered = binary_;
  altered[4321] = static_cast<char>(altered[4321] ^ 0x01);
  ASSERT_TRUE(fs_.writeFileAtomic(path_, altered, 0755).ok());
  auto r = extract();
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_TRUE(r->replaced);
  EXPECT_EQ(onDisk(), binary_);
}

TEST_F(EnsureExtractedTest, WrongModeIsFixed) {
  ASSERT_TRUE(extract().ok());
  ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
  auto r = extract();
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_TRUE(r->replaced);
  EXPECT_EQ(modeOf(path_), 0755u);
  EXPECT_EQ(onDisk(), binary_);
}

TEST_F(EnsureExtractedTest, SourceNotMatchingItsHashWritesNothing) {
  source_.sha256 = sha256Hex("something else");
  auto r = extract();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_EQ(r.status().message(),
            "the embedded Envoy does not match its pinned sha256 (corrupt build?)");
  EXPECT_FALSE(fs_.exists(path_));
  auto names = fs_.listDir(dirName(path_));
  ASSERT_TRUE(names.ok()) << names.status().toString();
  EXPECT_TRUE(names->empty());
}

TEST_F(EnsureExtractedTest, SourceNotMatchingItsHashLeavesAnAlteredFileUntouched) {
  const std::string altered = "old bytes";
  ASSERT_TRUE(fs_.makeDirs(dirName(path_), 0755).ok());
  ASSERT_TRUE(fs_.writeFileAtomic(path_, altered, 0755).ok());
  source_.sha256 = sha256Hex("something else");
  EXPECT_EQ(extract().status().code(), StatusCode::kInternal);
  EXPECT_EQ(onDisk(), altered);
}

// zstd frames carry no checksum by default: a damaged stored block decompresses "fine", and only
// the pinned hash catches it.
TEST_F(EnsureExtractedTest, DamagedButDecodableSourceIsCaughtByTheHash) {
  std::string damaged = compressed_;
  damaged[damaged.size() / 2] = static_cast<char>(damaged[damaged.size() / 2] ^ 0xff);
  ASSERT_TRUE(zstdDecompress(damaged, 1 << 20).ok());
  source_.compressed_zstd = damaged;
  auto r = extract();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_FALSE(fs_.exists(path_));
}

TEST_F(EnsureExtractedTest, CorruptCompressedSourceWritesNothing) {
  const std::string garbage = "definitely not zstd";
  source_.compressed_zstd = garbage;
  auto r = extract();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs_.exists(path_));
}

TEST_F(EnsureExtractedTest, GuardExtractsAMissingBinary) {
  BinaryGuard guard(fs_, dir_.path(), source_);
  EXPECT_EQ(guard.path(), path_);
  auto r = guard.ensure();
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_TRUE(r->replaced);
  EXPECT_EQ(onDisk(), binary_);
}

TEST_F(EnsureExtractedTest, GuardReExtractsABinaryDeletedAfterItsCheck) {
  BinaryGuard guard(fs_, dir_.path(), source_);
  ASSERT_TRUE(guard.ensure().ok());
  ASSERT_TRUE(fs_.removeFile(path_).ok());
  auto r = guard.ensure();
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_TRUE(r->replaced);
  EXPECT_EQ(onDisk(), binary_);
  EXPECT_EQ(sha256File(path_).value(), source_.sha256);
}

TEST_F(EnsureExtractedTest, GuardReExtractsABinaryAlteredAfterItsCheck) {
  BinaryGuard guard(fs_, dir_.path(), source_);
  ASSERT_TRUE(guard.ensure().ok());
  std::string altered = binary_;
  altered[10] = static_cast<char>(altered[10] ^ 0x01);
  ASSERT_TRUE(fs_.writeFileAtomic(path_, altered, 0755).ok());
  auto r = guard.ensure();
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_TRUE(r->replaced);
  EXPECT_EQ(onDisk(), binary_);
}

TEST_F(EnsureExtractedTest, GuardTrustsAnUnchangedFileWithoutReadingTheSourceAgain) {
  BinaryGuard first(fs_, dir_.path(), source_);
  ASSERT_TRUE(first.ensure().ok());
  // The same guard with a source that can no longer be decompressed: an unchanged file needs
  // no extraction, so it still answers ok; a deleted one needs it, and the error comes back.
  EnvoyBinarySource broken = source_;
  broken.compressed_zstd = "not zstd";
  BinaryGuard guard(fs_, dir_.path(), broken);
  ASSERT_TRUE(guard.ensure().ok());  // hashes once: intact
  auto again = guard.ensure();       // identity unchanged
  ASSERT_TRUE(again.ok()) << again.status().toString();
  EXPECT_FALSE(again->replaced);
  ASSERT_TRUE(fs_.removeFile(path_).ok());
  EXPECT_EQ(guard.ensure().status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ingress::envoy

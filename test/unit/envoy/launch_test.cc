#include "envoy/launch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "test_common/test_env.h"

namespace ingress::envoy {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

LaunchSpec sampleSpec() {
  LaunchSpec s;
  s.envoy_binary = "/data/system/binaries/envoy/v1.40/x86_64/envoy";
  s.bootstrap_path = "/data/envoy/bootstrap.json";
  s.base_id = 1234560;
  s.drain_time_s = 7;
  s.parent_shutdown_time_s = 12;
  s.log_path = "/data/envoy/envoy.log";
  s.stdout_path = "/data/envoy/envoy-stdout.log";
  s.log_level = "debug";
  s.admin_address = "::1";
  s.admin_port = 19901;
  return s;
}

TEST(EnvoyPathsTest, AllFilesLiveUnderDataDirEnvoy) {
  EnvoyPaths p("/data");
  EXPECT_EQ(p.data_dir, "/data");
  EXPECT_EQ(p.dir, "/data/envoy");
  EXPECT_EQ(p.xds_dir, "/data/envoy/xds2");
  EXPECT_EQ(p.bootstrap, "/data/envoy/bootstrap.json");
  EXPECT_EQ(p.launch, "/data/envoy/launch.json");
  EXPECT_EQ(p.envoy_pid, "/data/envoy/envoy.pid");
  EXPECT_EQ(p.supervisor_pid, "/data/envoy/supervisor.pid");
  EXPECT_EQ(p.state, "/data/envoy/supervisor-state.json");
  EXPECT_EQ(p.envoy_log, "/data/envoy/envoy.log");
  EXPECT_EQ(p.envoy_stdout, "/data/envoy/envoy-stdout.log");
  EXPECT_EQ(p.supervisor_log, "/data/envoy/supervisor.log");
}

TEST(EnvoyArgvTest, CarriesEverySpecFieldAndTheEpoch) {
  EXPECT_EQ(
      envoyArgv(sampleSpec(), 3),
      (std::vector<std::string>{"/data/system/binaries/envoy/v1.40/x86_64/envoy", "-c",
                                "/data/envoy/bootstrap.json", "--restart-epoch", "3", "--base-id",
                                "1234560", "--drain-time-s", "7", "--parent-shutdown-time-s", "12",
                                "--ignore-unknown-dynamic-fields", "--log-path",
                                "/data/envoy/envoy.log", "-l", "debug"}));
}

TEST(EnvoyArgvTest, EpochZeroIsPassedExplicitly) {
  auto argv = envoyArgv(sampleSpec(), 0);
  ASSERT_EQ(argv.size(), 16u);
  EXPECT_EQ(argv[3], "--restart-epoch");
  EXPECT_EQ(argv[4], "0");
}

TEST(BaseIdTest, IsDeterministic) {
  EXPECT_EQ(baseIdForDataDir("/var/lib/hypeman"), baseIdForDataDir("/var/lib/hypeman"));
}

TEST(BaseIdTest, DiffersForDifferentDirectories) {
  std::set<uint32_t> ids;
  const std::vector<std::string> dirs = {
      "/var/lib/hypeman", "/var/lib/hypeman2", "/tmp/a", "/tmp/b", "/", "/data"};
  for (const auto& d : dirs) ids.insert(baseIdForDataDir(d));
  EXPECT_EQ(ids.size(), dirs.size());
}

TEST(BaseIdTest, IsANonZeroMultipleOfFortyThatLeavesRoomForEpochs) {
  for (int i = 0; i < 2000; ++i) {
    const std::string dir = "/tmp/ingress-test-" + std::to_string(i);
    const uint32_t id = baseIdForDataDir(dir);
    SCOPED_TRACE(dir);
    EXPECT_EQ(id % 40, 0u);
    EXPECT_GT(id, 0u);
    // Envoy uses base_id * 10 + epoch; 400 epochs must stay inside uint32.
    EXPECT_LT(uint64_t{id} * 10 + 400, uint64_t{1} << 32);
  }
}

TEST(LaunchSpecTest, EncodeDecodeRoundTrips) {
  auto decoded = decodeLaunchSpec(encodeLaunchSpec(sampleSpec()));
  ASSERT_TRUE(decoded.ok()) << decoded.status().toString();
  EXPECT_EQ(*decoded, sampleSpec());
}

TEST(LaunchSpecTest, DecodeRejectsAMissingField) {
  Json j = encodeLaunchSpec(sampleSpec());
  j.erase("base_id");
  auto decoded = decodeLaunchSpec(j);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(), StartsWith("launch spec: "));
  EXPECT_THAT(decoded.status().message(), HasSubstr("base_id"));
}

TEST(LaunchSpecTest, DecodeRejectsAWrongType) {
  Json j = encodeLaunchSpec(sampleSpec());
  j["admin_port"] = "9901";
  auto decoded = decodeLaunchSpec(j);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(), StartsWith("launch spec: "));
  EXPECT_THAT(decoded.status().message(), HasSubstr("type must be number, but is string"));
}

TEST(LaunchSpecTest, DecodeRejectsANonObject) {
  auto decoded = decodeLaunchSpec(Json::array());
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(), StartsWith("launch spec: "));
}

TEST(LaunchSpecTest, ReadsTheFileWrittenFromAnEncodedSpec) {
  testing::TempDir dir;
  FilesystemImpl fs;
  const std::string path = dir.file("launch.json");
  ASSERT_TRUE(fs.writeFileAtomic(path, dumpJson(encodeLaunchSpec(sampleSpec()), 2), 0644).ok());
  auto spec = readLaunchSpec(fs, path);
  ASSERT_TRUE(spec.ok()) << spec.status().toString();
  EXPECT_EQ(*spec, sampleSpec());
}

TEST(LaunchSpecTest, ReadErrorNamesTheFile) {
  testing::TempDir dir;
  FilesystemImpl fs;
  const std::string path = dir.file("launch.json");
  ASSERT_TRUE(fs.writeFileAtomic(path, R"({"envoy_binary": "/x"})", 0644).ok());
  auto spec = readLaunchSpec(fs, path);
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(spec.status().message(), StartsWith(path + ": launch spec: "));
}

TEST(LaunchSpecTest, ReadOfAMissingFileIsNotFound) {
  testing::TempDir dir;
  FilesystemImpl fs;
  EXPECT_EQ(readLaunchSpec(fs, dir.file("launch.json")).status().code(), StatusCode::kNotFound);
}

TEST(AdminUrlTest, Ipv4) { EXPECT_EQ(adminUrl("127.0.0.1", 9901), "http://127.0.0.1:9901"); }

TEST(AdminUrlTest, Ipv6IsBracketed) {
  EXPECT_EQ(adminUrl("::1", 19901), "http://[::1]:19901");
  EXPECT_EQ(adminUrl("fe80::1", 80), "http://[fe80::1]:80");
}

}  // namespace
}  // namespace ingress::envoy

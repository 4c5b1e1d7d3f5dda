#include "envoy/daemon.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "test_common/test_env.h"

namespace ingress::envoy {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// As the supervisor writes it (supervisor.cc writeState), including fields serve does not read.
Json sampleStateJson() {
  return Json::parse(R"({
    "supervisor_pid": 4100,
    "envoy_pid": 4200,
    "epoch": 3,
    "live": true,
    "serving_bootstrap_sha256": "abc123",
    "pending_pid": 0,
    "draining_pids": [4150],
    "envoy_restarts": 2,
    "hot_restarts": 5,
    "hot_restart_failures": 1,
    "failed_bootstrap_sha256": "def456",
    "last_error": "envoy exited unexpectedly: exited with code 1",
    "stopping": false
  })");
}

class ReadSupervisorStateTest : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    const std::string path = dir_.file("supervisor-state.json");
    EXPECT_TRUE(fs_.writeFileAtomic(path, text, 0644).ok());
    return path;
  }

  testing::TempDir dir_;
  FilesystemImpl fs_;
};

TEST_F(ReadSupervisorStateTest, ReadsEveryField) {
  auto s = readSupervisorState(fs_, write(dumpJson(sampleStateJson(), 2)));
  ASSERT_TRUE(s.ok()) << s.status().toString();
  EXPECT_EQ(s->supervisor_pid, 4100);
  EXPECT_EQ(s->envoy_pid, 4200);
  EXPECT_EQ(s->epoch, 3u);
  EXPECT_TRUE(s->live);
  EXPECT_EQ(s->serving_bootstrap_sha256, "abc123");
  EXPECT_EQ(s->envoy_restarts, 2u);
  EXPECT_EQ(s->hot_restarts, 5u);
  EXPECT_EQ(s->hot_restart_failures, 1u);
  EXPECT_EQ(s->last_error, "envoy exited unexpectedly: exited with code 1");
}

TEST_F(ReadSupervisorStateTest, MissingFieldIsAnErrorNamingFileAndField) {
  Json j = sampleStateJson();
  j.erase("hot_restart_failures");
  const std::string path = write(dumpJson(j));
  auto s = readSupervisorState(fs_, path);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), StartsWith(path + ": "));
  EXPECT_THAT(s.status().message(), HasSubstr("hot_restart_failures"));
}

TEST_F(ReadSupervisorStateTest, WrongTypeIsAnError) {
  Json j = sampleStateJson();
  j["live"] = "yes";
  auto s = readSupervisorState(fs_, write(dumpJson(j)));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("type must be boolean, but is string"));
}

TEST_F(ReadSupervisorStateTest, MalformedJsonIsAnError) {
  auto s = readSupervisorState(fs_, write("{\"supervisor_pid\": 1,"));
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ReadSupervisorStateTest, MissingFileIsNotFound) {
  auto s = readSupervisorState(fs_, dir_.file("supervisor-state.json"));
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace ingress::envoy

#include "common/process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include "common/filesystem.h"
#include "test_common/test_env.h"

namespace ingress {
namespace {

using std::chrono::milliseconds;

TEST(ProcessTest, RunCapturesOutputAndExitCode) {
  ProcessLauncherImpl p;
  auto r = p.run({"/bin/sh", "-c", "echo hello; echo oops >&2; exit 3"}, milliseconds(5000));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_TRUE(r->status.exited);
  EXPECT_EQ(r->status.code, 3);
  EXPECT_EQ(r->output, "hello\noops\n");
}

TEST(ProcessTest, RunKillsOnTimeout) {
  ProcessLauncherImpl p;
  auto r = p.run({"/bin/sleep", "30"}, milliseconds(100));
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
}

TEST(ProcessTest, SpawnInNewSessionWithRedirectAndWait) {
  testing::TempDir dir;
  ProcessLauncherImpl p;
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "echo $FOO; ps -o sid= -p $$ | tr -d ' '; echo $$"};
  o.extra_env = {"FOO=bar"};
  o.stdout_path = dir.file("out.log");
  o.new_session = true;
  auto pid = p.spawn(o);
  ASSERT_TRUE(pid.ok());
  auto st = p.waitChild(*pid, milliseconds(5000));
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(st->has_value());
  EXPECT_EQ((*st)->code, 0);
  FilesystemImpl fs;
  auto out = fs.readFile(dir.file("out.log"));
  ASSERT_TRUE(out.ok());
  // The session id equals the child's own pid: it leads its own session.
  EXPECT_EQ(*out, "bar\n" + std::to_string(*pid) + "\n" + std::to_string(*pid) + "\n");
}

TEST(ProcessTest, IsAliveAndCommandLine) {
  ProcessLauncherImpl p;
  SpawnOptions o;
  o.argv = {"/bin/sleep", "30"};
  auto pid = p.spawn(o);
  ASSERT_TRUE(pid.ok());
  EXPECT_TRUE(p.isAlive(*pid));
  // The kernel publishes the new argv a moment after posix_spawn returns (the vfork parent is
  // released when exec swaps the address space, before the arguments are set up).
  const std::vector<std::string> want{"/bin/sleep", "30"};
  EXPECT_TRUE(testing::pollUntil([&] { return p.commandLine(*pid) == want; }));
  auto none = p.waitChild(*pid, milliseconds(10));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(p.signal(*pid, SIGKILL).ok());
  auto st = p.waitChild(*pid, milliseconds(5000));
  ASSERT_TRUE(st.ok() && st->has_value());
  EXPECT_TRUE((*st)->signaled);
  EXPECT_EQ((*st)->signal, SIGKILL);
  EXPECT_FALSE(p.isAlive(*pid));
  EXPECT_TRUE(p.commandLine(*pid).empty());
}

}  // namespace
}  // namespace ingress

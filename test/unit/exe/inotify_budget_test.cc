// The inotify budget: counting this user's instances in a /proc-shaped tree, and the decision.
#include "exe/inotify_budget.h"

#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "test_common/test_env.h"

namespace ingress::exe {
namespace {

namespace fs = std::filesystem;

class FakeProc {
 public:
  explicit FakeProc(long max) {
    fs::create_directories(root() + "/sys/fs/inotify");
    std::ofstream(root() + "/sys/fs/inotify/max_user_instances") << max << "\n";
  }
  // A process with `inotify` inotify descriptors and `other` other ones.
  void process(pid_t pid, int inotify, int other) {
    const std::string fd = root() + "/" + std::to_string(pid) + "/fd";
    fs::create_directories(fd);
    int n = 0;
    for (int i = 0; i < inotify; ++i) {
      fs::create_symlink("anon_inode:inotify", fd + "/" + std::to_string(n++));
    }
    for (int i = 0; i < other; ++i) {
      fs::create_symlink("socket:[1234]", fd + "/" + std::to_string(n++));
    }
  }
  std::string root() const { return dir_.path(); }

 private:
  testing::TempDir dir_;
};

TEST(InotifyBudgetTest, CountsThisUsersInotifyDescriptorsLeavingOutTheExcluded) {
  FakeProc proc(128);
  proc.process(10, 3, 5);
  proc.process(11, 0, 2);
  proc.process(12, 4, 0);                            // the adopted Envoy, say
  fs::create_directories(proc.root() + "/self/fd");  // not a pid
  InotifyBudget b = readInotifyBudget(proc.root(), ::geteuid(), {12});
  EXPECT_EQ(b.max_user_instances, 128);
  EXPECT_EQ(b.in_use, 3);
  EXPECT_EQ(readInotifyBudget(proc.root(), ::geteuid(), {}).in_use, 7);
  // Another user's processes do not count against ours.
  EXPECT_EQ(readInotifyBudget(proc.root(), ::geteuid() + 1, {}).in_use, 0);
}

TEST(InotifyBudgetTest, AMissingSysctlIsUnknown) {
  testing::TempDir empty;
  EXPECT_EQ(readInotifyBudget(empty.path(), ::geteuid(), {}).max_user_instances, 0);
}

TEST(InotifyBudgetTest, CountsTheRealInotifyInstancesOfAProcess) {
  // A /proc with this process only (a link to its real /proc entry), so that other processes
  // of this user cannot change the count meanwhile.
  FakeProc proc(128);
  fs::create_directory_symlink("/proc/" + std::to_string(::getpid()),
                               proc.root() + "/" + std::to_string(::getpid()));
  const long before = readInotifyBudget(proc.root(), ::geteuid(), {}).in_use;
  const int a = ::inotify_init1(IN_CLOEXEC);
  const int b = ::inotify_init1(IN_CLOEXEC);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  const long during = readInotifyBudget(proc.root(), ::geteuid(), {}).in_use;
  const long excluded = readInotifyBudget(proc.root(), ::geteuid(), {::getpid()}).in_use;
  ::close(a);
  ::close(b);
  EXPECT_EQ(during, before + 2);
  EXPECT_EQ(excluded, 0);
}

TEST(InotifyBudgetTest, RefusesWhenOneEnvoyAtTheCapDoesNotFitWarnsWhenTwoDoNot) {
  std::string warning;
  // 32 ports + 9 certificates + the default one + 2 = 44. 128 - 20 = 108 left: fits twice.
  EXPECT_TRUE(checkInotifyBudget({128, 20}, 32, 9, &warning).ok());
  EXPECT_EQ(warning, "");
  // 128 - 80 = 48 left: one Envoy (44) fits, a hot restart (88) may not.
  EXPECT_TRUE(checkInotifyBudget({128, 80}, 32, 9, &warning).ok());
  EXPECT_NE(warning.find("a hot restart (both Envoys for a moment) needs 88"), std::string::npos)
      << warning;
  // 128 - 100 = 28 left < 44: refused, with every number and every way out.
  Status st = checkInotifyBudget({128, 100}, 32, 9, nullptr);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(st.message(),
            "MAX_LISTENER_PORTS=32 and MAX_CERTIFICATES=9 need up to 44 inotify instances for "
            "Envoy (one per listener port, one per certificate and the default one, 2 for "
            "listeners and clusters), and fs.inotify.max_user_instances=128 leaves 28 (100 in use "
            "by this user's processes); lower MAX_LISTENER_PORTS or MAX_CERTIFICATES, or raise "
            "fs.inotify.max_user_instances");
  EXPECT_TRUE(checkInotifyBudget({128, 100}, 16, 9, nullptr).ok());
  // More in use than the maximum (it was lowered meanwhile): nothing left.
  EXPECT_FALSE(checkInotifyBudget({64, 70}, 1, 1, nullptr).ok());
  // Unknown maximum: no verdict.
  EXPECT_TRUE(checkInotifyBudget({0, 500}, 1024, 24, nullptr).ok());
}

}  // namespace
}  // namespace ingress::exe

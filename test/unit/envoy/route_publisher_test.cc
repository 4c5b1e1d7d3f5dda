// RoutePublisher's errors say exactly what happened (issue 9): a timeout is "nothing was stored
// and the previous configuration was restored" with the setting's value; a write that fails
// because ingressd ran out of file descriptors is resource_exhausted, not an Envoy failure.
#include "envoy/route_publisher.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "test_common/fake_clock.h"
#include "test_common/faulty_filesystem.h"
#include "test_common/snapshot_of.h"
#include "test_common/test_env.h"
#include "unit/envoy/fake_envoy.h"

namespace ingress::testing {
namespace {

using domain::Ingress;
using std::chrono::seconds;

constexpr uint16_t kPort = 10080;

class RoutePublisherTest : public ::testing::Test {
 protected:
  RoutePublisherTest()
      : fs_(real_),
        envoy_(real_, dir_.path()),
        clock_(std::chrono::system_clock::time_point(seconds(1000))),
        applier_(fs_, envoy_, envoy_, clock_, dir_.path()),
        publisher_(applier_, settings(), seconds(10)) {}

  envoy::BuilderSettings settings() const {
    envoy::BuilderSettings s;
    s.listen_address = "127.0.0.1";
    s.xds_dir = dir_.path();
    return s;
  }
  Status publish(const std::vector<Ingress>& all) {
    return publisher_.publish(snapshotOf(all, {{"vm-a", "10.0.0.1"}}));
  }
  std::string rds() {
    auto t = real_.readFile(dir_.file(envoy::rdsFileName(kPort)));
    return t.ok() ? *t : "<missing>";
  }

  TempDir dir_;
  FilesystemImpl real_;
  FaultyFilesystem fs_;
  FakeEnvoy envoy_;
  FakeClock clock_;
  envoy::XdsApplier applier_;
  envoy::RoutePublisher publisher_;
};

const Ingress kH1 = ingressOf("i1", {rule("h1.example.com", kPort, "vm-a", 80)});
const Ingress kH2 = ingressOf("i2", {rule("h2.example.com", kPort, "vm-a", 80)});

TEST_F(RoutePublisherTest, TimeoutSaysNothingWasStoredAndThePreviousConfigurationIsRestored) {
  ASSERT_TRUE(publish({kH1}).ok());
  const std::string good = rds();
  envoy_.freeze(true);
  Status st = publish({kH1, kH2});
  EXPECT_EQ(st.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(st.reason(), "apply_timeout");
  EXPECT_EQ(st.message(),
            "Envoy did not confirm the new configuration within ENVOY_APPLY_TIMEOUT (10 s); "
            "nothing was stored and the previous configuration was restored");
  EXPECT_EQ(rds(), good);  // what the message says
}

TEST_F(RoutePublisherTest, OutOfFileDescriptorsIsResourceExhaustedNamingIngressd) {
  ASSERT_TRUE(publish({kH1}).ok());
  const std::string good = rds();
  fs_.setFaultErrno(EMFILE);
  fs_.failNthWrite(1);
  Status st = publish({kH1, kH2});
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.toString();
  EXPECT_EQ(st.reason(), "resource_exhausted");
  EXPECT_NE(st.message().find("ingressd ran out of file descriptors (RLIMIT_NOFILE): "),
            std::string::npos)
      << st.message();
  EXPECT_NE(st.message().find("Too many open files"), std::string::npos) << st.message();
  EXPECT_EQ(rds(), good);
  // Once descriptors are available again, the same change applies.
  ASSERT_TRUE(publish({kH1, kH2}).ok());
  EXPECT_NE(rds().find("h2.example.com"), std::string::npos);
}

TEST_F(RoutePublisherTest, ReapplyCurrentAfterAnUnconfirmedRestoreRewritesTheLastGoodFiles) {
  ASSERT_TRUE(publish({kH1}).ok());
  const std::string good = rds();
  fs_.failWritesFrom(2);  // the change is written, then the write of its restore fails
  EXPECT_FALSE(
      publish({kH1, kH2, ingressOf("i3", {rule("h3.example.com", 10082, "vm-a", 80)})}).ok());
  ASSERT_NE(rds(), good);
  fs_.failWritesFrom(0);
  ASSERT_TRUE(publisher_.reapplyCurrent().ok());
  EXPECT_EQ(rds(), good);
  EXPECT_TRUE(applier_.inSync());
}

}  // namespace
}  // namespace ingress::testing

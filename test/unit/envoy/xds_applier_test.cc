// XdsApplier against a scripted FakeEnvoy and a fault-injecting filesystem: layer order, and
// every failure (reject, timeout, port that never opens, write error) going through the one
// rollback that restores the last good files without deleting watched route files.
#include "envoy/xds_applier.h"

#include <gtest/gtest.h>

#include "test_common/fake_clock.h"
#include "test_common/faulty_filesystem.h"
#include "test_common/snapshot_of.h"
#include "test_common/test_env.h"
#include "unit/envoy/fake_envoy.h"

namespace ingress::testing {
namespace {

using domain::Ingress;
using std::chrono::seconds;

constexpr uint16_t kPortA = 10080, kPortB = 10081, kPortC = 10082, kPortD = 10083;

class XdsApplierTest : public ::testing::Test {
 protected:
  XdsApplierTest()
      : fs_(real_),
        envoy_(real_, dir_.path()),
        clock_(std::chrono::system_clock::time_point(seconds(1000))),
        applier_(fs_, envoy_, envoy_, clock_, dir_.path()) {
    settings_.listen_address = "127.0.0.1";
    settings_.xds_dir = dir_.path();
  }
  envoy::XdsConfig build(const std::vector<Ingress>& all) {
    return envoy::buildXds(snapshotOf(all, {{"vm-a", "10.0.0.1"}, {"vm-b", "10.0.0.2"}}),
                           settings_);
  }
  Status apply(const std::vector<Ingress>& all) { return applier_.apply(build(all), seconds(5)); }
  std::string file(const std::string& name) {
    auto t = real_.readFile(dir_.file(name));
    return t.ok() ? *t : "<missing>";
  }
  std::string rds(uint16_t port) { return file(envoy::rdsFileName(port)); }
  // Every xDS file on disk, by name relative to the directory (route files in their folders).
  std::map<std::string, std::string> files() {
    std::map<std::string, std::string> out;
    auto names = real_.listDir(dir_.path());
    if (!names.ok()) return out;
    for (const auto& n : *names) {
      if (n.rfind("rds_", 0) == 0) {
        out[n + "/" + envoy::kRdsFileInDir] = file(n + "/" + envoy::kRdsFileInDir);
      } else {
        out[n] = file(n);
      }
    }
    return out;
  }

  TempDir dir_;
  FilesystemImpl real_;
  FaultyFilesystem fs_;
  FakeEnvoy envoy_;
  ingress::testing::FakeClock clock_;
  envoy::XdsApplier applier_;
  envoy::BuilderSettings settings_;
};

const Ingress kH1 = ingressOf("i1", {rule("h1.example.com", kPortA, "vm-a", 80)});
const Ingress kH2 = ingressOf("i2", {rule("h2.example.com", kPortA, "vm-a", 80)});
const Ingress kH3 = ingressOf("i3", {rule("h3.example.com", kPortC, "vm-a", 80)});
const Ingress kH4 = ingressOf("i4", {rule("h4.example.com", kPortD, "vm-a", 80)});
const Ingress kOnB = ingressOf("ib", {rule("b.example.com", kPortB, "vm-a", 80)});
const Ingress kToB = ingressOf("i1", {rule("h1.example.com", kPortA, "vm-b", 80)});

TEST_F(XdsApplierTest, AddsClustersBeforeRoutesAndRemovesThemLast) {
  ASSERT_TRUE(apply({kH1}).ok());
  const auto next = build({kToB});
  const envoy::ClusterSetPtr old_clusters = applier_.current().clusters;
  const size_t before = envoy_.history().size();
  ASSERT_TRUE(applier_.apply(next, seconds(5)).ok());
  auto h = envoy_.history();
  ASSERT_EQ(h.size() - before, 3u);
  // First the union of old and new clusters (a version of its own), then the route, then the
  // new clusters alone.
  const auto both = old_clusters->unionWith(*next.clusters);
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ(h[before], std::make_pair(envoy::cdsStatPrefix(), both->version()));
  EXPECT_EQ(h[before + 1],
            std::make_pair(envoy::rdsStatPrefix(kPortA), next.routes.at(kPortA)->version));
  EXPECT_EQ(h[before + 2], std::make_pair(envoy::cdsStatPrefix(), next.clusters->version()));
  EXPECT_EQ(file("cds.json"), next.clusters->file());
}

TEST_F(XdsApplierTest, RejectRestoresTheLastGoodFilesAndReportsConfigRejected) {
  ASSERT_TRUE(apply({kH1}).ok());
  const auto good = files();
  envoy_.rejectContaining("h2.example.com");
  Status st = apply({kH1, kH2});
  EXPECT_EQ(st.code(), StatusCode::kAborted) << st.toString();
  EXPECT_EQ(st.reason(), "config_rejected");
  EXPECT_EQ(files(), good);
  EXPECT_EQ(envoy_.version(envoy::rdsStatPrefix(kPortA)),
            applier_.current().routes.at(kPortA)->version);
  envoy_.rejectContaining("");
  ASSERT_TRUE(apply({kH1, kH2}).ok());
  EXPECT_NE(rds(kPortA).find("h2.example.com"), std::string::npos);
}

// The reject counters are a walk of every stat in a real Envoy (slow with many clusters): read
// once, then only when an apply failed or Envoy restarted, and rejects are still reported.
TEST_F(XdsApplierTest, RejectCountersAreReadOnlyWhenTheyMayHaveChanged) {
  ASSERT_TRUE(apply({kH1}).ok());
  const int after_first = envoy_.statsReads();
  EXPECT_GE(after_first, 1);
  ASSERT_TRUE(apply({kH1, kH2}).ok());
  ASSERT_TRUE(apply({kH1, kH2, kH3}).ok());
  EXPECT_EQ(envoy_.statsReads(), after_first) << "successful applies read no stats";

  // A rejected host on a port that listens already.
  const Ingress bad = ingressOf("iz", {rule("zz.example.com", kPortA, "vm-a", 80)});
  envoy_.rejectContaining("zz.example.com");
  Status st = apply({kH1, kH2, kH3, bad});
  EXPECT_EQ(st.reason(), "config_rejected") << st.toString();
  const int after_reject = envoy_.statsReads();
  envoy_.rejectContaining("");
  ASSERT_TRUE(apply({kH1, kH2, kH3, bad}).ok());
  EXPECT_GT(envoy_.statsReads(), after_reject) << "after a failure they are read afresh";

  // A restarted Envoy counts from 0: with the counters forgotten, a reject is still seen.
  envoy_.restartCounters();
  applier_.forgetRejectCounters();
  envoy_.rejectContaining("yy.example.com");
  st = apply({kH1, kH2, kH3, bad, ingressOf("iy", {rule("yy.example.com", kPortA, "vm-a", 80)})});
  EXPECT_EQ(st.reason(), "config_rejected") << st.toString();
}

TEST_F(XdsApplierTest, RejectOfANewClusterRestoresTheOldClusters) {
  ASSERT_TRUE(apply({kH1}).ok());
  const auto good = files();
  envoy_.rejectContaining("10.0.0.2");
  Status st = apply({kToB});
  EXPECT_EQ(st.reason(), "config_rejected") << st.toString();
  EXPECT_EQ(files(), good);
}

TEST_F(XdsApplierTest, TimeoutRestoresTheLastGoodFilesAndTheNextApplySucceeds) {
  ASSERT_TRUE(apply({kH1}).ok());
  const auto good = files();
  envoy_.freeze(true);
  Status st = apply({kH1, kH2});
  EXPECT_EQ(st.code(), StatusCode::kDeadlineExceeded) << st.toString();
  EXPECT_EQ(st.reason(), "apply_timeout");
  EXPECT_EQ(files(), good);
  // Envoy never left the last good version, so the restore is confirmed at once.
  EXPECT_TRUE(applier_.inSync());
  envoy_.freeze(false);
  ASSERT_TRUE(apply({kH1, kH2}).ok());
  EXPECT_EQ(envoy_.version(envoy::rdsStatPrefix(kPortA)),
            applier_.current().routes.at(kPortA)->version);
  EXPECT_NE(rds(kPortA).find("h2.example.com"), std::string::npos);
}

TEST_F(XdsApplierTest, PortThatNeverOpensTimesOutAndRollsBackTheListeners) {
  ASSERT_TRUE(apply({kH1}).ok());
  const auto good = files();
  envoy_.holdPort(kPortC);
  Status st = apply({kH1, kH3});
  EXPECT_EQ(st.reason(), "apply_timeout") << st.toString();
  EXPECT_EQ(file("lds.json"), good.at("lds.json"));
  EXPECT_EQ(file("cds.json"), good.at("cds.json"));
  // The route file of the new port stays: its listener may be draining in Envoy.
  EXPECT_NE(rds(kPortC), "<missing>");
}

// Regression (issue 10): a write failure in the middle of an apply returned early, leaving the
// new route table of one port on disk (and in Envoy) while the caller kept its old state; the
// next apply then skipped that port as unchanged.
TEST_F(XdsApplierTest, WriteFailureMidApplyRestoresTheLastGoodFilesAndNextApplyWritesEveryChange) {
  ASSERT_TRUE(apply({kH1}).ok());
  const auto good = files();
  fs_.failNthWrite(2);  // rds_A is written, rds_C fails
  Status st = apply({kH1, kH2, kH3});
  EXPECT_EQ(st.code(), StatusCode::kInternal) << st.toString();
  EXPECT_EQ(rds(kPortA), good.at(envoy::rdsFileName(kPortA)));
  EXPECT_EQ(envoy_.version(envoy::rdsStatPrefix(kPortA)),
            applier_.current().routes.at(kPortA)->version);
  EXPECT_EQ(file("lds.json"), good.at("lds.json"));

  // An unrelated change next: port A must serve h1 only, as the caller believes.
  ASSERT_TRUE(apply({kH1, kH4}).ok());
  EXPECT_EQ(rds(kPortA).find("h2.example.com"), std::string::npos) << rds(kPortA);
  EXPECT_NE(rds(kPortD), "<missing>");
  // And the change that failed applies cleanly, every changed file written.
  ASSERT_TRUE(apply({kH1, kH2, kH3}).ok());
  EXPECT_NE(rds(kPortA).find("h2.example.com"), std::string::npos);
  EXPECT_NE(rds(kPortC).find("h3.example.com"), std::string::npos);
  EXPECT_EQ(envoy_.version(envoy::rdsStatPrefix(kPortC)),
            applier_.current().routes.at(kPortC)->version);
}

TEST_F(XdsApplierTest, WriteFailureOfTheListenersRollsBackTheRoutes) {
  ASSERT_TRUE(apply({kH1}).ok());
  const auto good = files();
  fs_.failNthWrite(3);  // rds_A, rds_C, then lds fails
  Status st = apply({kH1, kH2, kH3});
  EXPECT_EQ(st.code(), StatusCode::kInternal) << st.toString();
  EXPECT_EQ(rds(kPortA), good.at(envoy::rdsFileName(kPortA)));
  EXPECT_EQ(file("lds.json"), good.at("lds.json"));
  EXPECT_TRUE(applier_.inSync());
}

TEST_F(XdsApplierTest, RestoreThatCannotBeWrittenMakesTheNextApplyRewriteEveryFile) {
  ASSERT_TRUE(apply({kH1}).ok());
  const auto good = files();
  fs_.failWritesFrom(2);  // rds_A is written; rds_C and the restore of rds_A fail
  EXPECT_EQ(apply({kH1, kH2, kH3}).code(), StatusCode::kInternal);
  EXPECT_FALSE(applier_.inSync());
  ASSERT_NE(rds(kPortA), good.at(envoy::rdsFileName(kPortA)));
  fs_.failWritesFrom(0);
  // The same configuration as the last good one: written again, since the disk is not it.
  ASSERT_TRUE(apply({kH1}).ok());
  EXPECT_EQ(rds(kPortA), good.at(envoy::rdsFileName(kPortA)));
  EXPECT_EQ(envoy_.version(envoy::rdsStatPrefix(kPortA)),
            applier_.current().routes.at(kPortA)->version);
  EXPECT_TRUE(applier_.inSync());
}

// Regression (issue 10): the rollback rewrote everything with writeAll(), which deletes route
// files of ports without a listener in the last good configuration — files that a draining
// listener still watches (Envoy counts a missing watched file as an update failure).
TEST_F(XdsApplierTest, RollbackKeepsRouteFilesOfDrainingPorts) {
  ASSERT_TRUE(apply({kH1, kOnB}).ok());
  ASSERT_TRUE(apply({kH1}).ok());  // port B closes; its listener drains
  ASSERT_NE(rds(kPortB), "<missing>");
  envoy_.rejectContaining("h3.example.com");
  Status st = apply({kH1, kH3});
  EXPECT_EQ(st.reason(), "config_rejected") << st.toString();
  EXPECT_NE(rds(kPortB), "<missing>");
  EXPECT_NE(rds(kPortC), "<missing>");
  EXPECT_EQ(envoy_.failures(), 0u);
}

TEST_F(XdsApplierTest, WriteAllBeforeEnvoyStartsRemovesLeftoverRouteFiles) {
  ASSERT_TRUE(apply({kH1, kOnB}).ok());
  ASSERT_TRUE(applier_.writeAll(build({kH1})).ok());
  EXPECT_EQ(rds(kPortB), "<missing>");
  EXPECT_NE(rds(kPortA), "<missing>");
}

TEST_F(XdsApplierTest, NothingChangedWritesNothing) {
  ASSERT_TRUE(apply({kH1}).ok());
  const int writes = fs_.writes();
  ASSERT_TRUE(apply({kH1}).ok());
  EXPECT_EQ(fs_.writes(), writes);
}

}  // namespace
}  // namespace ingress::testing

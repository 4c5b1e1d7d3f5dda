// Unit tests of tls/cert_store.h on the real filesystem (a temp dir): round trip, file mode,
// garbage skipped without leaking key material into logs, removal, id validation, failed writes.
#include "tls/cert_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/filesystem.h"
#include "test_common/faulty_filesystem.h"
#include "test_common/test_env.h"

namespace ingress::tls {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

StoredCertificate sample(std::string id, std::string source = "user") {
  StoredCertificate c;
  c.id = std::move(id);
  c.source = std::move(source);
  c.name = "shop";
  c.requested_names = {"shop.example.com", "*.shop.example.com"};
  c.chain_pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  c.key_pem = "-----BEGIN PRIVATE KEY-----\nSECRET-KEY-MATERIAL\n-----END PRIVATE KEY-----\n";
  c.stored_at = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));
  return c;
}

std::vector<std::string> ids(const std::vector<StoredCertificate>& certs) {
  std::vector<std::string> out;
  for (const auto& c : certs) out.push_back(c.id);
  return out;
}

class CertificateStoreTest : public ::testing::Test {
 protected:
  ingress::testing::TempDir tmp_;
  FilesystemImpl fs_;
  std::string dir_ = joinPath(tmp_.path(), "certs");
  CertificateStore store_{fs_, dir_};
};

TEST_F(CertificateStoreTest, RoundTripWithPrivateModes) {
  ASSERT_TRUE(store_.init().ok());
  EXPECT_EQ(fs_.stat(dir_)->mode, 0700u);
  StoredCertificate acme = sample("acme.3f2a", "acme");
  acme.name = "order-key";
  StoredCertificate user = sample("user.shop");
  user.requested_names.clear();
  ASSERT_TRUE(store_.put(user).ok());
  ASSERT_TRUE(store_.put(acme).ok());

  EXPECT_EQ(fs_.stat(joinPath(dir_, "user.shop.json"))->mode, 0600u);
  EXPECT_EQ(fs_.stat(joinPath(dir_, "acme.3f2a.json"))->mode, 0600u);

  // A fresh store on the same directory (as after a restart) reads the same certificates.
  CertificateStore reopened(fs_, dir_);
  ASSERT_TRUE(reopened.init().ok());
  StatusOr<std::vector<StoredCertificate>> all = reopened.loadAll();
  ASSERT_TRUE(all.ok()) << all.status().toString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->at(0), acme);
  EXPECT_EQ(all->at(1), user);
}

TEST_F(CertificateStoreTest, PutReplacesAndRemoveDeletes) {
  ASSERT_TRUE(store_.init().ok());
  StoredCertificate c = sample("user.shop");
  ASSERT_TRUE(store_.put(c).ok());
  c.chain_pem = "renewed";
  ASSERT_TRUE(store_.put(c).ok());
  ASSERT_TRUE(store_.put(sample("user.blog")).ok());
  EXPECT_EQ(store_.loadAll()->at(1).chain_pem, "renewed");

  ASSERT_TRUE(store_.remove("user.shop").ok());
  EXPECT_THAT(ids(*store_.loadAll()), ElementsAre("user.blog"));
  EXPECT_FALSE(fs_.exists(joinPath(dir_, "user.shop.json")));
  EXPECT_TRUE(store_.remove("user.shop").ok());  // already gone
  EXPECT_THAT(*fs_.listDir(dir_), ElementsAre("user.blog.json"));
}

TEST_F(CertificateStoreTest, InvalidIdsNeverTouchTheDisk) {
  ASSERT_TRUE(store_.init().ok());
  ASSERT_TRUE(fs_.writeFileAtomic(joinPath(tmp_.path(), "victim.json"), "x", 0600).ok());
  for (const std::string& id :
       {std::string(), std::string("../victim"), std::string("a/b"), std::string(".hidden"),
        std::string("."), std::string(".."), std::string("UPPER"), std::string("sp ace"),
        std::string("a\nb"), std::string(201, 'a')}) {
    EXPECT_EQ(store_.put(sample(id)).code(), StatusCode::kInvalidArgument) << id;
    EXPECT_EQ(store_.remove(id).code(), StatusCode::kInvalidArgument) << id;
  }
  EXPECT_TRUE(fs_.exists(joinPath(tmp_.path(), "victim.json")));
  EXPECT_TRUE(fs_.listDir(dir_)->empty());
  EXPECT_TRUE(isValidCertificateId("acme.0123abcd-_x"));
  EXPECT_TRUE(isValidCertificateId(std::string(200, 'a')));

  EXPECT_EQ(store_.put(sample("user.x", "other")).code(), StatusCode::kInvalidArgument);
  StoredCertificate empty_key = sample("user.x");
  empty_key.key_pem.clear();
  EXPECT_EQ(store_.put(empty_key).code(), StatusCode::kInvalidArgument);
  StoredCertificate huge = sample("user.x");
  huge.chain_pem = std::string(64 * 1024 + 1, 'a');
  EXPECT_EQ(store_.put(huge).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(fs_.listDir(dir_)->empty());
}

TEST_F(CertificateStoreTest, GarbageIsSkippedAndLoggedWithoutKeyMaterial) {
  ASSERT_TRUE(store_.init().ok());
  ASSERT_TRUE(store_.put(sample("user.good")).ok());
  auto write = [&](const std::string& name, const std::string& text) {
    ASSERT_TRUE(fs_.writeFileAtomic(joinPath(dir_, name), text, 0600).ok());
  };
  StoredCertificate mismatched = sample("user.other");
  write("not-json.json", "{\"key_pem\": \"SECRET-KEY-MATERIAL");
  write("array.json", "[1,2,3]");
  write("UPPER.json", "{}");
  write("notes.txt", "hello");
  write("wrong-version.json",
        R"({"version":2,"id":"wrong-version","source":"user","name":"","requested_names":[],)"
        R"("stored_at_unix_ms":0,"chain_pem":"c","key_pem":"SECRET-KEY-MATERIAL"})");
  write("bad-source.json",
        R"({"version":1,"id":"bad-source","source":"x","name":"","requested_names":[],)"
        R"("stored_at_unix_ms":0,"chain_pem":"c","key_pem":"SECRET-KEY-MATERIAL"})");
  write("renamed.json",  // a valid document whose id is another file's
        R"({"version":1,"id":"user.elsewhere","source":"user","name":"","requested_names":[],)"
        R"("stored_at_unix_ms":0,"chain_pem":"c","key_pem":"SECRET-KEY-MATERIAL"})");
  write("huge.json", std::string(kMaxStoredCertificateFileBytes + 1, ' '));
  write(".user.good.json.tmp.abc123", "half a write");
  ASSERT_TRUE(fs_.makeDirs(joinPath(dir_, "subdir.json"), 0700).ok());

  ::testing::internal::CaptureStderr();
  StatusOr<std::vector<StoredCertificate>> all = store_.loadAll();
  const std::string logged = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(all.ok()) << all.status().toString();
  EXPECT_THAT(ids(*all), ElementsAre("user.good"));
  EXPECT_THAT(logged, HasSubstr("not-json.json"));
  EXPECT_THAT(logged, HasSubstr("renamed.json"));
  EXPECT_THAT(logged, HasSubstr("huge.json"));
  EXPECT_THAT(logged, Not(HasSubstr("SECRET-KEY-MATERIAL")));
  EXPECT_FALSE(fs_.exists(joinPath(dir_, ".user.good.json.tmp.abc123")));  // leftover removed
}

TEST_F(CertificateStoreTest, FailedWriteKeepsTheOldFile) {
  ASSERT_TRUE(store_.init().ok());
  ingress::testing::FaultyFilesystem faulty(fs_);
  CertificateStore store(faulty, dir_);
  StoredCertificate c = sample("user.shop");
  ASSERT_TRUE(store.put(c).ok());
  StoredCertificate renewed = c;
  renewed.chain_pem = "renewed";
  faulty.failNthWrite(1);
  EXPECT_FALSE(store.put(renewed).ok());
  StatusOr<std::vector<StoredCertificate>> all = store.loadAll();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->at(0), c);
}

TEST_F(CertificateStoreTest, LoadAllWithoutDirectoryIsAnError) {
  EXPECT_FALSE(store_.loadAll().ok());
}

}  // namespace
}  // namespace ingress::tls

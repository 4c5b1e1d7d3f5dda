#include <gtest/gtest.h>

#include <algorithm>

#include "common/filesystem.h"
#include "ingress/codec.h"
#include "ingress/timestamp.h"
#include "store/ingress_store.h"
#include "store/instance_store.h"
#include "test_common/test_env.h"
#include "unit/ingress/fakes.h"
#include "unit/ingress/status_matchers.h"
#include "unit/store/counting_filesystem.h"
#include "unit/store/faulty_filesystem.h"

namespace ingress::store {
namespace {

using domain::Ingress;
using domain::Instance;
using domain::Rule;
using namespace std::chrono_literals;

constexpr auto kNow = std::chrono::system_clock::time_point{} + 1795835045123ms;

Ingress sample(std::string id, std::string name, std::string host,
               std::chrono::milliseconds offset = 0ms) {
  return Ingress{
      std::move(id), std::move(name), {Rule{{std::move(host), 80}, {"vm", 8080}}}, kNow + offset};
}

class StoreTest : public ::testing::Test {
 protected:
  StoreTest() : fs_(real_), clock_(kNow) {}

  std::unique_ptr<IngressStore> openIngresses() {
    auto s = std::make_unique<IngressStore>(fs_, clock_, dir_.path());
    Status st = s->load();
    EXPECT_TRUE(st.ok()) << st.toString();
    return s;
  }
  std::unique_ptr<InstanceStore> openInstances() {
    auto s = std::make_unique<InstanceStore>(fs_, clock_, dir_.path());
    Status st = s->load();
    EXPECT_TRUE(st.ok()) << st.toString();
    return s;
  }
  std::vector<std::string> list(const std::string& sub) {
    auto names = real_.listDir(dir_.file(sub));
    return names.ok() ? *names : std::vector<std::string>{};
  }
  void writeRaw(const std::string& rel, std::string_view content) {
    ASSERT_TRUE(real_.writeFileAtomic(dir_.file(rel), content, 0600).ok());
  }

  ingress::testing::TempDir dir_;
  FilesystemImpl real_;
  ingress::testing::FaultyFilesystem fs_;
  ingress::testing::FakeClock clock_;
};

TEST_F(StoreTest, IngressRoundTripSurvivesReopen) {
  auto store = openIngresses();
  const Ingress a = sample("bbbbbbbbbbbbbbbbbbbbbbbb", "web", "a.example.com");
  const Ingress b = sample("aaaaaaaaaaaaaaaaaaaaaaaa", "api", "b.example.com", 5ms);
  ASSERT_TRUE(store->put(a).ok());
  ASSERT_TRUE(store->put(b).ok());
  EXPECT_EQ(store->all(), (std::vector<Ingress>{a, b}));  // created_at order, not id order
  EXPECT_EQ(store->size(), 2u);

  auto reopened = openIngresses();
  EXPECT_EQ(reopened->all(), (std::vector<Ingress>{a, b}));
  EXPECT_EQ(*reopened->get(a.id), a);
  EXPECT_FALSE(reopened->get("cccccccccccccccccccccccc").has_value());

  EXPECT_EQ(real_.stat(dir_.file("ingresses"))->mode, 0700u);
  EXPECT_EQ(real_.stat(dir_.file("ingresses/quarantine"))->mode, 0700u);
  EXPECT_EQ(real_.stat(dir_.file("ingresses/" + a.id + ".json"))->mode, 0600u);
  auto text = real_.readFile(dir_.file("ingresses/" + a.id + ".json"));
  ASSERT_TRUE(text.ok());
  auto doc = parseJsonStrict(*text);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ((*doc)["version"], 1);
  EXPECT_EQ((*doc)["created_at"], "2026-11-28T03:04:05.123Z");
}

TEST_F(StoreTest, SameCreatedAtIsOrderedById) {
  auto store = openIngresses();
  ASSERT_TRUE(store->put(sample("zzzzzzzzzzzzzzzzzzzzzzzz", "z", "z.example.com")).ok());
  ASSERT_TRUE(store->put(sample("aaaaaaaaaaaaaaaaaaaaaaaa", "a", "a.example.com")).ok());
  auto all = store->all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "a");
  EXPECT_EQ(all[1].name, "z");
}

TEST_F(StoreTest, RemoveIsDurable) {
  auto store = openIngresses();
  const Ingress a = sample("aaaaaaaaaaaaaaaaaaaaaaaa", "web", "a.example.com");
  ASSERT_TRUE(store->put(a).ok());
  ASSERT_TRUE(store->remove(a.id).ok());
  EXPECT_FALSE(store->get(a.id).has_value());
  ingress::testing::expectStatus(store->remove(a.id), StatusCode::kNotFound, "not_found",
                                 "ingress not found");
  EXPECT_TRUE(openIngresses()->all().empty());
  EXPECT_EQ(list("ingresses"), std::vector<std::string>{"quarantine"});
}

TEST_F(StoreTest, PutRefusesWhatWouldNotLoadBackIdentically) {
  auto store = openIngresses();
  ingress::testing::expectBadRequest(store->put(sample("../x", "web", "a.example.com")),
                                     "invalid ingress id");
  Ingress sub_ms = sample("aaaaaaaaaaaaaaaaaaaaaaaa", "web", "a.example.com");
  sub_ms.created_at += 10us;
  ingress::testing::expectBadRequest(store->put(sub_ms),
                                     "refusing to store ingress: not in canonical form");
  Ingress upper = sample("aaaaaaaaaaaaaaaaaaaaaaaa", "web", "A.example.com");
  ingress::testing::expectBadRequest(store->put(upper),
                                     "refusing to store ingress: not in canonical form");
  Ingress bad = sample("aaaaaaaaaaaaaaaaaaaaaaaa", "web", "api.*.com");
  ingress::testing::expectBadRequest(
      store->put(bad),
      "refusing to store ingress: rules[0].match.hostname: a wildcard must be the whole first "
      "label, as in *.example.com");
  EXPECT_EQ(fs_.writes(), 0);
  EXPECT_EQ(store->size(), 0u);
}

TEST_F(StoreTest, CorruptAndForeignFilesAreQuarantinedNotLoaded) {
  auto store = openIngresses();
  const Ingress good = sample("aaaaaaaaaaaaaaaaaaaaaaaa", "web", "a.example.com");
  ASSERT_TRUE(store->put(good).ok());
  const std::string other_doc =
      dumpJson(domain::encodeStoredIngress(sample("cccccccccccccccccccccccc", "x", "x.com")));
  writeRaw("ingresses/bbbbbbbbbbbbbbbbbbbbbbbb.json", "{not json");
  writeRaw("ingresses/dddddddddddddddddddddddd.json", R"({"version":1})");
  writeRaw("ingresses/eeeeeeeeeeeeeeeeeeeeeeee.json", other_doc);  // id != file name
  writeRaw("ingresses/notes.txt", "hello");
  writeRaw("ingresses/Bad-Key.json", other_doc);
  writeRaw("ingresses/ffffffffffffffffffffffff.json", R"({"version":2})");
  writeRaw("ingresses/.aaaaaaaaaaaaaaaaaaaaaaaa.json.tmp.x1y2z3", "partial");
  ASSERT_TRUE(real_.makeDirs(dir_.file("ingresses/gggggggggggggggggggggggg.json"), 0700).ok());

  auto reopened = openIngresses();
  EXPECT_EQ(reopened->all(), std::vector<Ingress>{good});
  EXPECT_EQ(list("ingresses"),
            (std::vector<std::string>{"aaaaaaaaaaaaaaaaaaaaaaaa.json", "quarantine"}));
  const std::string ms = "1795835045123";
  std::vector<std::string> expected = {
      "Bad-Key.json." + ms,
      "bbbbbbbbbbbbbbbbbbbbbbbb.json." + ms,
      "dddddddddddddddddddddddd.json." + ms,
      "eeeeeeeeeeeeeeeeeeeeeeee.json." + ms,
      "ffffffffffffffffffffffff.json." + ms,
      "gggggggggggggggggggggggg.json." + ms,
      "notes.txt." + ms,
  };
  EXPECT_EQ(list("ingresses/quarantine"), expected);
  // The quarantined content is kept as it was.
  EXPECT_EQ(*real_.readFile(dir_.file("ingresses/quarantine/notes.txt." + ms)), "hello");

  // A second start finds nothing new to quarantine.
  clock_.advance(1s);
  auto again = openIngresses();
  EXPECT_EQ(again->all(), std::vector<Ingress>{good});
  EXPECT_EQ(list("ingresses/quarantine"), expected);
}

TEST_F(StoreTest, SameNameQuarantinedTwiceGetsDistinctNames) {
  ASSERT_TRUE(real_.makeDirs(dir_.file("ingresses"), 0700).ok());
  writeRaw("ingresses/x.txt", "1");
  (void)openIngresses();
  writeRaw("ingresses/x.txt", "2");
  (void)openIngresses();
  EXPECT_EQ(list("ingresses/quarantine"),
            (std::vector<std::string>{"x.txt.1795835045123", "x.txt.1795835045123-1"}));
}

TEST_F(StoreTest, QuarantineFailureIsLoggedAndTheFileSkipped) {
  ASSERT_TRUE(real_.makeDirs(dir_.file("ingresses"), 0700).ok());
  writeRaw("ingresses/bbbbbbbbbbbbbbbbbbbbbbbb.json", "{");
  fs_.failRenames(true);
  auto store = openIngresses();
  EXPECT_EQ(store->size(), 0u);
  EXPECT_TRUE(real_.exists(dir_.file("ingresses/bbbbbbbbbbbbbbbbbbbbbbbb.json")));
}

TEST_F(StoreTest, FailedWriteLeavesMemoryAndDiskUnchanged) {
  auto store = openIngresses();
  const Ingress v1 = sample("aaaaaaaaaaaaaaaaaaaaaaaa", "web", "a.example.com");
  ASSERT_TRUE(store->put(v1).ok());
  const std::string path = dir_.file("ingresses/aaaaaaaaaaaaaaaaaaaaaaaa.json");
  const std::string before = *real_.readFile(path);

  Ingress v2 = v1;
  v2.rules[0].target.port = 9090;
  fs_.failNthWrite(1);
  Status st = store->put(v2);
  ingress::testing::expectStatus(st, StatusCode::kInternal, "", "injected fault: write " + path);
  EXPECT_EQ(*store->get(v1.id), v1);
  EXPECT_EQ(*real_.readFile(path), before);

  const Ingress fresh = sample("bbbbbbbbbbbbbbbbbbbbbbbb", "api", "b.example.com");
  fs_.failNthWrite(1);
  EXPECT_EQ(store->put(fresh).code(), StatusCode::kInternal);
  EXPECT_FALSE(store->get(fresh.id).has_value());
  EXPECT_FALSE(real_.exists(dir_.file("ingresses/bbbbbbbbbbbbbbbbbbbbbbbb.json")));

  fs_.failRemoves(true);
  EXPECT_EQ(store->remove(v1.id).code(), StatusCode::kInternal);
  fs_.failRemoves(false);
  EXPECT_EQ(*store->get(v1.id), v1);

  EXPECT_EQ(openIngresses()->all(), std::vector<Ingress>{v1});
  // The second write after arming with 2 fails, the first goes through.
  fs_.failNthWrite(2);
  EXPECT_TRUE(store->put(v2).ok());
  EXPECT_EQ(store->put(fresh).code(), StatusCode::kInternal);
}

TEST_F(StoreTest, InstanceRoundTripQuarantineAndFaults) {
  auto store = openInstances();
  ASSERT_TRUE(store->put(Instance{"web", "10.0.0.1"}).ok());
  ASSERT_TRUE(store->put(Instance{"db", "2001:db8::1"}).ok());
  EXPECT_EQ(store->all(), (std::vector<Instance>{{"db", "2001:db8::1"}, {"web", "10.0.0.1"}}));
  ingress::testing::expectBadRequest(store->put(Instance{"../x", "10.0.0.1"}),
                                     "invalid instance name");
  ingress::testing::expectBadRequest(store->put(Instance{"vm", "2001:DB8::1"}),
                                     "refusing to store instance: not in canonical form");
  EXPECT_EQ(real_.stat(dir_.file("instances/web.json"))->mode, 0600u);

  writeRaw("instances/other.json", R"({"version":1,"name":"web","ip":"10.0.0.9"})");
  writeRaw("instances/bad-ip.json", R"({"version":1,"name":"bad-ip","ip":"nope"})");
  fs_.failNthWrite(1);
  EXPECT_EQ(store->put(Instance{"web", "10.0.0.2"}).code(), StatusCode::kInternal);
  EXPECT_EQ(store->get("web")->ip, "10.0.0.1");

  auto reopened = openInstances();
  EXPECT_EQ(reopened->all(), (std::vector<Instance>{{"db", "2001:db8::1"}, {"web", "10.0.0.1"}}));
  EXPECT_EQ(list("instances/quarantine"),
            (std::vector<std::string>{"bad-ip.json.1795835045123", "other.json.1795835045123"}));
  ASSERT_TRUE(reopened->remove("db").ok());
  ingress::testing::expectStatus(reopened->remove("db"), StatusCode::kNotFound, "not_found",
                                 "instance not found");
  EXPECT_EQ(openInstances()->all(), (std::vector<Instance>{{"web", "10.0.0.1"}}));
}

TEST_F(StoreTest, ABatchOfWritesCostsOneDirectoryFsync) {
  ingress::testing::CountingFilesystem counting(real_);
  IngressStore store(counting, clock_, dir_.path());
  ASSERT_TRUE(store.load().ok());
  ASSERT_TRUE(store.put(sample("aaaaaaaaaaaaaaaaaaaaaaaa", "old", "old.example.com")).ok());
  const int before = counting.dirSyncs();
  EXPECT_EQ(before, 1);  // a single put is durable by itself
  ASSERT_TRUE(store.putUnsynced(sample("bbbbbbbbbbbbbbbbbbbbbbbb", "b", "b.example.com")).ok());
  ASSERT_TRUE(store.putUnsynced(sample("cccccccccccccccccccccccc", "c", "c.example.com")).ok());
  ASSERT_TRUE(store.removeUnsynced("aaaaaaaaaaaaaaaaaaaaaaaa").ok());
  EXPECT_EQ(counting.dirSyncs(), before);  // nothing acknowledged yet
  EXPECT_EQ(store.size(), 2u);             // but memory and disk already changed
  ASSERT_TRUE(store.sync().ok());
  EXPECT_EQ(counting.dirSyncs(), before + 1);
  EXPECT_EQ(counting.fileWrites(), 3);
  auto reopened = openIngresses();
  ASSERT_EQ(reopened->size(), 2u);
  EXPECT_TRUE(reopened->get("bbbbbbbbbbbbbbbbbbbbbbbb").has_value());
  EXPECT_FALSE(reopened->get("aaaaaaaaaaaaaaaaaaaaaaaa").has_value());
}

TEST_F(StoreTest, LoadFailsOnlyWhenTheDirectoryIsUnusable) {
  writeRaw("ingresses", "a file where the directory should be");
  IngressStore store(fs_, clock_, dir_.path());
  EXPECT_EQ(store.load().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ingress::store

// Crash safety: `ingressd serve` killed with SIGKILL at random moments of a create/delete storm.
// After each restart every acknowledged create is present, every acknowledged delete is absent,
// and every file in the store parses.
#include <gtest/gtest.h>
#include <signal.h>

#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "common/filesystem.h"
#include "e2e/api_client.h"
#include "integration/installation.h"

namespace ingress::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct Ledger {
  std::mutex mu;
  std::map<std::string, std::string> live;  // acknowledged creates not yet deleted: id → name
  std::set<std::string> deleted;            // acknowledged deletes
};

void storm(const ApiClient& api, Ledger& ledger, int worker, std::atomic<bool>& stop) {
  std::mt19937 rng(static_cast<unsigned>(worker * 7919 + 1));
  for (int k = 0; !stop; ++k) {
    const std::string name = "w" + std::to_string(worker) + "-" + std::to_string(rng() % 1000000);
    auto r = api.call("POST", "/ingresses",
                      ingressBody(name, name + ".example.com", 80, "vm-a", 8080));
    if (!r.ok()) return;  // the server is gone
    if (r->status == 201) {
      Json body = Json::parse(r->body);
      std::lock_guard lock(ledger.mu);
      ledger.live[body["id"]] = name;
    }
    if (rng() % 2 == 0) {
      std::string victim;
      {
        std::lock_guard lock(ledger.mu);
        if (ledger.live.empty()) continue;
        auto it = ledger.live.begin();
        std::advance(it, rng() % ledger.live.size());
        victim = it->first;
        ledger.live.erase(it);  // in flight: neither live nor deleted until acknowledged
      }
      auto d = api.call("DELETE", "/ingresses/" + victim);
      if (!d.ok()) return;
      std::lock_guard lock(ledger.mu);
      if (d->status == 204) ledger.deleted.insert(victim);
    }
  }
}

TEST(CrashTest, AcknowledgedWritesSurviveSigkillAtRandomMoments) {
  Installation inst;
  inst.env()["JWT_SECRET"] = kTestJwtSecret;
  ApiClient api(inst.apiPort());
  Ledger ledger;
  std::mt19937 rng(12345);
  int total_acked = 0;
  for (int round = 0; round < 5; ++round) {
    ASSERT_NE(inst.startServeAndWaitReady(), 0) << inst.currentServeLog();
    ASSERT_TRUE(api.waitHealthy());
    if (round == 0) {
      ASSERT_EQ(api.call("PUT", "/instances/vm-a", Json{{"ip", "127.0.0.2"}})->status, 200);
    }
    // Everything acknowledged so far is there; nothing deleted came back.
    auto list = api.call("GET", "/ingresses");
    ASSERT_TRUE(list.ok());
    std::set<std::string> present;
    for (const auto& ing : Json::parse(list->body)) present.insert(ing["id"]);
    {
      std::lock_guard lock(ledger.mu);
      for (const auto& [id, name] : ledger.live) {
        EXPECT_TRUE(present.count(id)) << "acknowledged create lost: " << name << " round " << round;
      }
      for (const auto& id : ledger.deleted) {
        EXPECT_FALSE(present.count(id)) << "acknowledged delete came back: " << id;
      }
      // Unacknowledged outcomes settle to what the server has now.
      for (const auto& id : present) {
        if (!ledger.deleted.count(id) && !ledger.live.count(id)) ledger.live[id] = "unacked";
      }
      for (auto it = ledger.live.begin(); it != ledger.live.end();) {
        it = present.count(it->first) ? std::next(it) : ledger.live.erase(it);
      }
      total_acked = static_cast<int>(ledger.live.size() + ledger.deleted.size());
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w) workers.emplace_back([&, w] { storm(api, ledger, w, stop); });
    std::this_thread::sleep_for(milliseconds(150 + rng() % 600));  // a random moment of the storm
    inst.signalServe(SIGKILL);
    stop = true;
    for (auto& t : workers) t.join();
    ASSERT_TRUE(inst.waitServeExit(seconds(5)).has_value());
  }
  EXPECT_GT(total_acked, 20) << "the storm acknowledged too few writes to prove anything";
  // Every file in the store parses.
  FilesystemImpl fs;
  auto names = fs.listDir(inst.dataDir() + "/ingresses");
  ASSERT_TRUE(names.ok());
  for (const auto& n : *names) {
    if (n.size() < 5 || n.substr(n.size() - 5) != ".json") continue;
    auto text = fs.readFile(inst.dataDir() + "/ingresses/" + n);
    ASSERT_TRUE(text.ok());
    EXPECT_TRUE(parseJsonStrict(*text).ok()) << n;
  }
}

}  // namespace
}  // namespace ingress::testing

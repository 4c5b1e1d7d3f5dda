// Crash safety (issues 3 and 5): `ingressd serve` killed with SIGKILL at random moments of a
// storm of mixed creates and deletes (1,000+ operations over several rounds). After every
// restart: every acknowledged create is present, every acknowledged delete is absent, nothing
// else is (no phantom: only acknowledged or in-flight creates may exist), Envoy routes exactly
// the stored hosts, and every file in the store parses.
#include <gtest/gtest.h>
#include <signal.h>

#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "common/filesystem.h"
#include "e2e/api_client.h"
#include "integration/installation.h"
#include "test_common/http_backend.h"

namespace ingress::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// What the clients know, by ingress name (names are unique for the whole test).
struct Ledger {
  std::mutex mu;
  std::set<std::string> live;       // acknowledged creates, not deleted since
  std::set<std::string> deleted;    // acknowledged deletes
  std::set<std::string> uncertain;  // sent, no answer (in flight at the kill)
  int operations = 0;
};

void storm(const ApiClient& api, Ledger& ledger, int worker, int round, int port, int target_port,
           std::atomic<bool>& stop) {
  std::mt19937 rng(static_cast<unsigned>(worker * 7919 + round * 104729 + 1));
  for (int k = 0; !stop; ++k) {
    const std::string name =
        "r" + std::to_string(round) + "w" + std::to_string(worker) + "-" + std::to_string(k);
    {
      std::lock_guard lock(ledger.mu);
      ledger.uncertain.insert(name);
      ++ledger.operations;
    }
    auto r = api.call("POST", "/ingresses",
                      ingressBody(name, name + ".example.com", port, "vm-a", target_port));
    if (!r.ok()) return;  // the server is gone: the create stays uncertain
    {
      std::lock_guard lock(ledger.mu);
      ledger.uncertain.erase(name);
      if (r->status == 201) ledger.live.insert(name);
    }
    if (rng() % 2 == 0) continue;
    std::string victim;
    {
      std::lock_guard lock(ledger.mu);
      if (ledger.live.empty()) continue;
      auto it = ledger.live.begin();
      std::advance(it, rng() % ledger.live.size());
      victim = *it;
      ledger.live.erase(it);
      ledger.uncertain.insert(victim);
      ++ledger.operations;
    }
    auto d = api.call("DELETE", "/ingresses/" + victim);
    if (!d.ok()) return;
    std::lock_guard lock(ledger.mu);
    ledger.uncertain.erase(victim);
    if (d->status == 204) ledger.deleted.insert(victim);
  }
}

StatusOr<HttpResponse> viaEnvoy(int port, const std::string& host) {
  HttpRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  r.headers = {{"Host", host}};
  return httpCall(r);
}

TEST(CrashTest, AcknowledgedWritesSurviveSigkillAtRandomMoments) {
  HttpBackend backend("vm", "127.0.0.2");
  Installation inst;
  inst.env()["JWT_SECRET"] = kTestJwtSecret;
  ApiClient api(inst.apiPort());
  const int port = freeLoopbackPort();
  // At scale (INGRESS_SCENARIO_EXISTING), the port carries that many other stored hostnames.
  const int existing = Installation::scenarioExisting();
  if (existing > 0) {
    inst.seedIngresses(existing, port, "vm-a", backend.port());
    inst.env()["MAX_INGRESSES"] = std::to_string(existing + 20000);
    inst.env()["ENVOY_APPLY_TIMEOUT"] = "30";
  }
  Ledger ledger;
  std::mt19937 rng(12345);
  int rounds = 0;
  for (;; ++rounds) {
    ASSERT_NE(inst.startServeAndWaitReady(), 0) << inst.currentServeLog();
    ASSERT_TRUE(api.waitHealthy());
    if (rounds == 0) {
      ASSERT_EQ(api.call("PUT", "/instances/vm-a", Json{{"ip", backend.address()}})->status, 200);
    }
    // The store after the restart.
    auto list = api.call("GET", "/ingresses");
    ASSERT_TRUE(list.ok());
    std::set<std::string> present;
    for (const auto& ing : Json::parse(list->body)) {
      if (ing["name"].get<std::string>().rfind("seed-", 0) != 0) present.insert(ing["name"]);
    }
    {
      std::lock_guard lock(ledger.mu);
      for (const auto& name : ledger.live) {
        EXPECT_TRUE(present.count(name)) << "acknowledged create lost: " << name;
      }
      for (const auto& name : ledger.deleted) {
        EXPECT_FALSE(present.count(name)) << "acknowledged delete came back: " << name;
      }
      for (const auto& name : present) {
        EXPECT_TRUE(ledger.live.count(name) || ledger.uncertain.count(name))
            << "phantom ingress: " << name;
      }
      // In-flight outcomes settle to what the server has now.
      for (const auto& name : ledger.uncertain) {
        if (present.count(name)) {
          ledger.live.insert(name);
          ledger.deleted.erase(name);
        } else if (ledger.live.erase(name) > 0) {
          ledger.deleted.insert(name);
        }
      }
      ledger.uncertain.clear();
      // Envoy agrees with the store: stored hosts are routed, deleted ones are not.
      for (const auto& name : ledger.live) {
        auto r = viaEnvoy(port, name + ".example.com");
        EXPECT_TRUE(r.ok() && r->status == 200) << "stored but not routed: " << name;
      }
      int checked = 0;
      for (const auto& name : ledger.deleted) {
        if (++checked > 50) break;
        auto r = viaEnvoy(port, name + ".example.com");
        EXPECT_TRUE(!r.ok() || r->status == 404) << "deleted but still routed: " << name;
      }
      if (ledger.operations >= 1000 || rounds >= 25) break;
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> workers;
    for (int w = 0; w < 6; ++w) {
      workers.emplace_back([&, w] { storm(api, ledger, w, rounds, port, backend.port(), stop); });
    }
    std::this_thread::sleep_for(milliseconds(300 + rng() % 1500));  // a random moment of the storm
    inst.signalServe(SIGKILL);
    stop = true;
    for (auto& t : workers) t.join();
    ASSERT_TRUE(inst.waitServeExit(seconds(5)).has_value());
  }
  RecordProperty("operations", ledger.operations);
  RecordProperty("rounds", rounds);
  EXPECT_GE(ledger.operations, 1000) << "the storm did too few operations to prove anything";
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

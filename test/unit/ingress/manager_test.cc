#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "ingress/codec.h"
#include "ingress/timestamp.h"
#include "unit/ingress/manager_test_fixture.h"

namespace ingress::domain {
namespace {

using ingress::testing::expectBadRequest;
using ingress::testing::expectStatus;

constexpr char kId1[] = "id0000000000000000000001";
constexpr char kId2[] = "id0000000000000000000002";

TEST_F(ManagerTest, CreateReturnsWhatGetReturnsWithMillisecondCreatedAt) {
  auto created = manager_->createIngress(spec("web", "API.Example.com", 80, "vm", 8080));
  ASSERT_TRUE(created.ok()) << created.status().toString();
  EXPECT_EQ(created->ingress.id, kId1);
  EXPECT_EQ(created->ingress.name, "web");
  EXPECT_EQ(created->ingress.rules[0], (Rule{{"api.example.com", 80}, {"vm", 8080}}));
  EXPECT_EQ(formatTimestamp(created->ingress.created_at), "2026-11-28T03:04:05.123Z");
  EXPECT_EQ(created->ingress.created_at, truncateToMillis(kStart));
  ASSERT_EQ(created->rule_status.size(), 1u);
  EXPECT_EQ(created->rule_status[0].state, RuleStatus::State::kActive);

  for (std::string_view key : {"web", kId1}) {
    auto got = manager_->getIngress(key);
    ASSERT_TRUE(got.ok()) << key;
    EXPECT_EQ(encodeIngressView(*got), encodeIngressView(*created)) << key;
  }
}

TEST_F(ManagerTest, RestartGivesIdenticalObjects) {
  ASSERT_TRUE(create("web", "a.example.com").ok());
  clock_.advance(1500us);
  ASSERT_TRUE(create("api", "b.example.com", 8080).ok());
  const auto before = manager_->listIngresses();
  reopen();
  const auto after = manager_->listIngresses();
  ASSERT_EQ(after.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(after[i].ingress, before[i].ingress);
    EXPECT_EQ(encodeIngressView(after[i]), encodeIngressView(before[i]));
  }
  // Uniqueness indexes are rebuilt too.
  expectStatus(create("other", "A.example.com").status(), StatusCode::kAlreadyExists,
               "hostname_in_use",
               "rules[0].match: a.example.com:80 is already used by ingress \"web\"");
}

TEST_F(ManagerTest, NameMustBeUnique) {
  ASSERT_TRUE(create("web", "a.example.com").ok());
  expectStatus(create("web", "b.example.com").status(), StatusCode::kAlreadyExists,
               "already_exists", "name: an ingress named \"web\" already exists");
}

TEST_F(ManagerTest, HostnameUniqueAcrossIngressesCaseInsensitive) {
  ASSERT_TRUE(create("web", "api.example.com").ok());
  expectStatus(create("other", "API.example.com").status(), StatusCode::kAlreadyExists,
               "hostname_in_use",
               "rules[0].match: api.example.com:80 is already used by ingress \"web\"");
  // The same hostname on another port is free.
  EXPECT_TRUE(create("other", "api.example.com", 8080).ok());
  // The failing rule is named by its index.
  IngressSpec two = spec("third", "new.example.com");
  two.rules.push_back(Rule{{"Api.Example.Com", 8080}, {"vm", 1}});
  expectStatus(manager_->createIngress(two).status(), StatusCode::kAlreadyExists, "hostname_in_use",
               "rules[1].match: api.example.com:8080 is already used by ingress \"other\"");
  EXPECT_EQ(manager_->listIngresses().size(), 2u);
}

TEST_F(ManagerTest, ValidationErrorsNameTheField) {
  expectBadRequest(create("web", "http://a.example.com").status(),
                   "rules[0].match.hostname: must be a bare hostname without a scheme");
  expectBadRequest(create("Web", "a.example.com").status(),
                   "name: must consist of lowercase letters, digits and '-', and start and end "
                   "with a letter or digit");
  IngressSpec dup = spec("web", "a.example.com");
  dup.rules.push_back(Rule{{"A.EXAMPLE.COM", 80}, {"vm2", 1}});
  expectStatus(manager_->createIngress(dup).status(), StatusCode::kAlreadyExists, "hostname_in_use",
               "rules[1].match: a.example.com:80 is already used by rules[0]");
  EXPECT_TRUE(publisher_.calls().empty());
  EXPECT_TRUE(ingressFiles().empty());
}

TEST_F(ManagerTest, EveryTargetInstanceMustExist) {
  IngressSpec s = spec("web", "a.example.com");
  s.rules.push_back(Rule{{"b.example.com", 80}, {"ghost", 8080}});
  expectStatus(manager_->createIngress(s).status(), StatusCode::kInvalidArgument,
               "instance_not_found", "rules[1].target.instance: instance \"ghost\" not found");
  EXPECT_TRUE(manager_->listIngresses().empty());
  EXPECT_TRUE(publisher_.calls().empty());
}

TEST_F(ManagerTest, ResolverOutageFailsCreateWithItsCode) {
  resolver_table_.setError("vm", unavailable("hypeman API down"));
  expectStatus(create("web", "a.example.com").status(), StatusCode::kUnavailable, "",
               "rules[0].target.instance: hypeman API down");
  EXPECT_TRUE(manager_->listIngresses().empty());
}

TEST_F(ManagerTest, RuleStatusFollowsTheResolver) {
  resolver_table_.setError("vm2", failedPrecondition("instance \"vm2\" has no IP address yet"));
  IngressSpec s = spec("web", "a.example.com");
  s.rules.push_back(Rule{{"b.example.com", 80}, {"vm2", 8080}});
  auto created = manager_->createIngress(s);  // an instance without an address still exists
  ASSERT_TRUE(created.ok()) << created.status().toString();
  EXPECT_EQ(created->rule_status[0].state, RuleStatus::State::kActive);
  EXPECT_EQ(created->rule_status[1].state, RuleStatus::State::kUnresolved);
  EXPECT_EQ(created->rule_status[1].reason, "instance \"vm2\" has no IP address yet");

  // The view is the committed snapshot: a vanished instance shows once a reconcile committed it.
  resolver_table_.erase("vm");
  EXPECT_EQ(manager_->getIngress("web")->rule_status[0].state, RuleStatus::State::kActive);
  ASSERT_TRUE(manager_->reconcileInstances().ok());
  auto got = manager_->getIngress("web");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->rule_status[0].state, RuleStatus::State::kUnresolved);
  EXPECT_EQ(got->rule_status[0].reason, "instance \"vm\" not found");
  Json j = encodeIngressView(*got);
  EXPECT_EQ(j["rules"][0]["status"], "unresolved");
  EXPECT_EQ(j["rules"][0]["reason"], "instance \"vm\" not found");
}

TEST_F(ManagerTest, DeleteByIdAndByName) {
  ASSERT_TRUE(create("web", "a.example.com").ok());
  ASSERT_TRUE(create("api", "b.example.com").ok());
  EXPECT_EQ(ingressFiles(),
            (std::vector<std::string>{std::string(kId1) + ".json", std::string(kId2) + ".json"}));
  ASSERT_TRUE(manager_->deleteIngress(kId1).ok());
  ASSERT_TRUE(manager_->deleteIngress("api").ok());
  EXPECT_TRUE(manager_->listIngresses().empty());
  EXPECT_TRUE(ingressFiles().empty());
  expectStatus(manager_->getIngress("web").status(), StatusCode::kNotFound, "not_found",
               "ingress \"web\" not found");
  expectStatus(manager_->deleteIngress(kId2), StatusCode::kNotFound, "not_found",
               "ingress \"" + std::string(kId2) + "\" not found");
  // The hostname and the name are free again.
  EXPECT_TRUE(create("web", "a.example.com").ok());
  reopen();
  EXPECT_EQ(manager_->listIngresses().size(), 1u);
}

TEST_F(ManagerTest, MalformedIdOrNameIsNotFoundWithoutLookup) {
  ASSERT_TRUE(create("web", "a.example.com").ok());
  const int writes = fs_.writes();
  for (std::string_view bad :
       {std::string_view(""), std::string_view("../ingresses/x"), std::string_view("WEB"),
        std::string_view("web\0", 4), std::string_view("a/b"), std::string_view("%2e%2e")}) {
    expectStatus(manager_->getIngress(bad).status(), StatusCode::kNotFound, "not_found",
                 "ingress not found");
    expectStatus(manager_->deleteIngress(bad), StatusCode::kNotFound, "not_found",
                 "ingress not found");
  }
  const std::string long_name(300, 'a');
  expectStatus(manager_->getIngress(long_name).status(), StatusCode::kNotFound, "not_found",
               "ingress not found");
  EXPECT_EQ(fs_.writes(), writes);
  EXPECT_EQ(manager_->listIngresses().size(), 1u);
}

TEST_F(ManagerTest, IdsNeverShadowNamesAndNamesNeverShadowIds) {
  ASSERT_TRUE(create("web", "a.example.com").ok());  // id kId1
  expectStatus(create(kId1, "b.example.com").status(), StatusCode::kAlreadyExists, "already_exists",
               "name: \"" + std::string(kId1) + "\" is the id of another ingress");
  const std::string taken = "bbbbbbbbbbbbbbbbbbbbbbbb";
  auto named_like_an_id = create(taken, "c.example.com");
  ASSERT_TRUE(named_like_an_id.ok());
  ids_.queue(taken);  // would shadow the name: skipped
  ids_.queue("cccccccccccccccccccccccc");
  auto third = create("third", "d.example.com");
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->ingress.id, "cccccccccccccccccccccccc");
  EXPECT_EQ(manager_->getIngress(taken)->ingress.id, named_like_an_id->ingress.id);
}

TEST_F(ManagerTest, ListIsOrderedByCreatedAtThenId) {
  ids_.queue("zzzzzzzzzzzzzzzzzzzzzzzz");
  ids_.queue("mmmmmmmmmmmmmmmmmmmmmmmm");
  ids_.queue("aaaaaaaaaaaaaaaaaaaaaaaa");
  ASSERT_TRUE(create("first", "a.example.com").ok());  // z..., t0
  clock_.advance(1ms);
  ASSERT_TRUE(create("second", "b.example.com").ok());  // m..., t0+1ms
  ASSERT_TRUE(create("third", "c.example.com").ok());   // a..., t0+1ms
  auto names = [&] {
    std::vector<std::string> out;
    for (const auto& v : manager_->listIngresses()) out.push_back(v.ingress.name);
    return out;
  };
  EXPECT_EQ(names(), (std::vector<std::string>{"first", "third", "second"}));
  reopen();
  EXPECT_EQ(names(), (std::vector<std::string>{"first", "third", "second"}));
}

TEST_F(ManagerTest, PublisherSeesTheWholeSetBeforeTheWrite) {
  ASSERT_TRUE(create("web", "a.example.com").ok());
  ASSERT_TRUE(create("api", "b.example.com").ok());
  ASSERT_TRUE(manager_->deleteIngress("web").ok());
  auto calls = publisher_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].size(), 1u);
  ASSERT_EQ(calls[1].size(), 2u);
  EXPECT_EQ(calls[1][0].name, "web");
  EXPECT_EQ(calls[1][1].name, "api");
  ASSERT_EQ(calls[2].size(), 1u);
  EXPECT_EQ(calls[2][0].name, "api");
}

TEST_F(ManagerTest, PublisherFailureLeavesStateUnchanged) {
  ASSERT_TRUE(create("web", "a.example.com").ok());
  publisher_.failNext();
  expectStatus(create("api", "b.example.com").status(), StatusCode::kAborted, "config_rejected",
               "envoy rejected the configuration");
  EXPECT_EQ(manager_->listIngresses().size(), 1u);
  EXPECT_EQ(ingressFiles().size(), 1u);
  publisher_.failNext();
  expectStatus(manager_->deleteIngress("web"), StatusCode::kAborted, "config_rejected",
               "envoy rejected the configuration");
  EXPECT_TRUE(manager_->getIngress("web").ok());
  reopen();
  ASSERT_EQ(manager_->listIngresses().size(), 1u);
  EXPECT_EQ(manager_->listIngresses()[0].ingress.name, "web");
  // The hostname the failed create wanted is still free.
  EXPECT_TRUE(create("api", "b.example.com").ok());
}

TEST_F(ManagerTest, StoreFailureLeavesStateUnchangedAndRepublishesThePreviousSet) {
  ASSERT_TRUE(create("web", "a.example.com").ok());
  fs_.failNthWrite(1);
  auto failed = create("api", "b.example.com");
  EXPECT_EQ(failed.status().code(), StatusCode::kInternal);
  EXPECT_NE(failed.status().message().find("injected fault: write"), std::string::npos);
  EXPECT_EQ(manager_->listIngresses().size(), 1u);
  EXPECT_EQ(ingressFiles().size(), 1u);
  auto calls = publisher_.calls();
  ASSERT_EQ(calls.size(), 3u);  // web; web+api (then the write failed); web again
  EXPECT_EQ(calls[2].size(), 1u);

  fs_.failRemoves(true);
  EXPECT_EQ(manager_->deleteIngress("web").code(), StatusCode::kInternal);
  fs_.failRemoves(false);
  EXPECT_TRUE(manager_->getIngress("web").ok());
  reopen();
  EXPECT_EQ(manager_->listIngresses().size(), 1u);
  EXPECT_TRUE(create("api", "b.example.com").ok());
}

TEST_F(ManagerTest, FiftyConcurrentCreatesOfOneHostnameYieldOneWinner) {
  constexpr int kThreads = 50;
  std::atomic<int> ok{0}, in_use{0}, other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      auto r = create("web-" + std::to_string(i), i % 2 ? "API.example.com" : "api.example.com");
      if (r.ok()) {
        ++ok;
      } else if (r.status().reason() == "hostname_in_use") {
        ++in_use;
      } else {
        ++other;
      }
    });
  }
  // Readers run alongside the writers.
  std::thread reader([&] {
    while (!go.load()) std::this_thread::yield();
    for (int i = 0; i < 200; ++i) (void)manager_->listIngresses();
  });
  go = true;
  for (auto& t : threads) t.join();
  reader.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(in_use.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(manager_->listIngresses().size(), 1u);
  EXPECT_EQ(ingressFiles().size(), 1u);
}

TEST_F(ManagerTest, ConflictingFilesOnDiskKeepTheOlderIngress) {
  // Two stored ingresses claiming one hostname (e.g. copied in by hand): the store accepts both
  // files, the Manager serves only the older and logs the other.
  Ingress older{"aaaaaaaaaaaaaaaaaaaaaaaa",
                "old",
                {Rule{{"a.example.com", 80}, {"vm", 1}}},
                truncateToMillis(kStart)};
  Ingress newer{"bbbbbbbbbbbbbbbbbbbbbbbb",
                "new",
                {Rule{{"a.example.com", 80}, {"vm", 2}}},
                truncateToMillis(kStart) + 1s};
  ASSERT_TRUE(ingress_store_->put(newer).ok());
  ASSERT_TRUE(ingress_store_->put(older).ok());
  reopen();
  auto all = manager_->listIngresses();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].ingress, older);
}

// The caps on ingresses and rules.
TEST_F(ManagerTest, MaxIngressesIsLimitExceededUntilOneIsDeleted) {
  limits_.max_ingresses = 2;
  reopen();
  ASSERT_TRUE(create("a", "a.example.com").ok());
  ASSERT_TRUE(create("b", "b.example.com").ok());
  auto third = create("c", "c.example.com");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(third.status().reason(), "limit_exceeded");
  EXPECT_EQ(third.status().message(),
            "at most 2 ingresses may exist (MAX_INGRESSES); delete one first");
  EXPECT_EQ(manager_->listIngresses().size(), 2u);
  ASSERT_TRUE(manager_->deleteIngress("a").ok());
  EXPECT_TRUE(create("c", "c.example.com").ok());
}

TEST_F(ManagerTest, MaxListenerPortsIsLimitExceededNamingTheRuleUntilAPortIsFreed) {
  limits_.max_listener_ports = 2;
  reopen();
  auto on = [&](const std::string& name, uint16_t port) {
    IngressSpec s = spec(name, name + ".example.com");
    s.rules[0].match.port = port;
    return s;
  };
  ASSERT_TRUE(manager_->createIngress(on("a", 80)).ok());
  ASSERT_TRUE(manager_->createIngress(on("b", 8080)).ok());
  // Ports already in use stay open to new hostnames.
  ASSERT_TRUE(manager_->createIngress(on("c", 8080)).ok());
  IngressSpec third = on("d", 80);
  third.rules.push_back(Rule{{"d.example.com", 9090}, {"vm", 8080}});
  auto r = manager_->createIngress(third);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().reason(), "limit_exceeded");
  EXPECT_EQ(r.status().message(),
            "rules[1].match.port: port 9090 would open a new listener port, and at most 2 "
            "distinct ports may be in use (2 are; MAX_LISTENER_PORTS); use a port that is "
            "already in use");
  EXPECT_EQ(manager_->listIngresses().size(), 3u);
  // Deleting the only ingress on 80 frees a port; one on 8080 of two does not.
  ASSERT_TRUE(manager_->deleteIngress("c").ok());
  EXPECT_EQ(manager_->createIngress(on("e", 9090)).status().reason(), "limit_exceeded");
  ASSERT_TRUE(manager_->deleteIngress("a").ok());
  EXPECT_TRUE(manager_->createIngress(on("e", 9090)).ok());
}

TEST_F(ManagerTest, MaxRulesPerIngressIsBadRequestNamingRules) {
  limits_.max_rules_per_ingress = 2;
  reopen();
  IngressSpec s = spec("many", "a.example.com");
  s.rules.push_back(Rule{{"b.example.com", 80}, {"vm", 8080}});
  ASSERT_TRUE(manager_->createIngress(s).ok());
  IngressSpec t = spec("more", "c.example.com");
  t.rules.push_back(Rule{{"d.example.com", 80}, {"vm", 8080}});
  t.rules.push_back(Rule{{"e.example.com", 80}, {"vm", 8080}});
  auto r = manager_->createIngress(t);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "rules: at most 2 rules per ingress are allowed (MAX_RULES_PER_INGRESS)");
  EXPECT_EQ(manager_->listIngresses().size(), 1u);
}

}  // namespace
}  // namespace ingress::domain

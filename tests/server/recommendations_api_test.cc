// POST /v1/recommendations/check over real loopback sockets: each candidate's answer follows the
// decision log (whoever wrote it), with its reason and the entry it comes from; bad input is a
// 400 naming the field.

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "testing/test_server.h"

namespace bulwark {
namespace {

using nlohmann::json;

class RecommendationsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = server_.CreateKey(Role::kPlatform);
    std::vector<Item> items;
    for (const char* id :
         {"removed", "reduced", "labelled", "in_review", "cleared", "restored", "clean"}) {
      items.push_back(testing::MakeItem(id, std::string("text of ") + id));
    }
    ASSERT_TRUE(server_.db().items().UpsertItems(items, 1).ok());
  }
  void Log(const std::string& item, ActionType a, const std::string& actor,
           const std::string& rule = "") {
    Decision d;
    d.item_id = item;
    d.item_revision = 1;
    d.action = a;
    d.category = "hate";
    d.rule_id = rule;
    d.actor = actor;
    d.reason = "x: y";
    d.created_at = 10;
    ASSERT_TRUE(server_.db().decisions().AppendDecisions({d}).ok());
  }
  httplib::Result Check(const std::string& body) {
    auto c = server_.Client();
    return c.Post("/v1/recommendations/check", {{"Authorization", "Bearer " + key_}}, body,
                  "application/json");
  }
  static std::string Body(std::initializer_list<const char*> ids) {
    json c = json::array();
    for (const char* id : ids) c.push_back({{"type", "item"}, {"id", id}});
    return json{{"candidates", c}}.dump();
  }

  testing::TestServer server_;
  std::string key_;
};

TEST_F(RecommendationsApiTest, AnswersFollowTheLogWithTheirReasons) {
  Log("removed", ActionType::kRemove, "system", "hate.remove");
  Log("reduced", ActionType::kReduce, "system", "hate.reduce");
  Log("labelled", ActionType::kLabel, "system", "misinfo.label");
  Log("in_review", ActionType::kReview, "system", "hate.review");
  Log("cleared", ActionType::kReview, "system", "hate.review");
  Log("cleared", ActionType::kNone, "reviewer:user:r1");  // a reviewer found no violation
  Log("restored", ActionType::kRemove, "system", "hate.remove");
  Log("restored", ActionType::kRestore, "reviewer:user:r2");  // restored on appeal
  ASSERT_TRUE(server_.CatchUpGuard().ok());

  auto r = Check(Body({"removed", "reduced", "labelled", "in_review", "cleared", "restored",
                       "clean", "never-seen"}));
  ASSERT_EQ(r->status, 200) << r->body;
  const json j = json::parse(r->body);
  EXPECT_EQ(j["as_of_seq"], 8);
  const json& res = j["results"];
  ASSERT_EQ(res.size(), 8u);
  EXPECT_EQ(res[0]["id"], "removed");
  EXPECT_EQ(res[0]["verdict"], "block");
  EXPECT_EQ(res[0]["reason_code"], "item.removed");
  EXPECT_EQ(res[0]["decision_seq"], 1);
  EXPECT_EQ(res[0]["rule_id"], "hate.remove");
  EXPECT_EQ(res[1]["verdict"], "block");
  EXPECT_EQ(res[1]["reason_code"], "item.reduced");
  EXPECT_EQ(res[2]["verdict"], "demote");
  EXPECT_EQ(res[2]["reason_code"], "item.labelled");
  EXPECT_EQ(res[2]["factor"], 0.5);
  EXPECT_EQ(res[3]["verdict"], "demote");
  EXPECT_EQ(res[3]["reason_code"], "item.in_review");
  EXPECT_EQ(res[3]["decision_seq"], 4);
  for (int i : {4, 5, 6, 7}) {
    EXPECT_EQ(res[i]["verdict"], "allow") << res[i].dump();
    EXPECT_FALSE(res[i].contains("reason_code"));
  }

  // A reviewer upholds the review: the item is blocked from the next answer on.
  Log("in_review", ActionType::kRemove, "reviewer:user:r3");
  ASSERT_TRUE(server_.CatchUpGuard().ok());
  const json again = json::parse(Check(Body({"in_review"}))->body);
  EXPECT_EQ(again["results"][0]["verdict"], "block");
  EXPECT_EQ(again["results"][0]["decision_seq"], 9);
  EXPECT_FALSE(again["results"][0].contains("rule_id")) << "a reviewer's decision has no rule";
}

TEST_F(RecommendationsApiTest, TheBackgroundFollowerPicksUpNewDecisions) {
  Log("clean", ActionType::kRemove, "system", "threat.remove");
  json j;
  for (int i = 0; i < 400; ++i) {  // the follower polls every 5 ms in tests
    j = json::parse(Check(Body({"clean"}))->body);
    if (j["results"][0]["verdict"] == "block") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(j["results"][0]["verdict"], "block");
}

// Views through a recommendation surface are counted by the guard's answer: how often flagged
// content was still recommended.
TEST_F(RecommendationsApiTest, RecommendedViewsOfFlaggedContentAreCounted) {
  Log("removed", ActionType::kRemove, "system", "hate.remove");
  Log("labelled", ActionType::kLabel, "system", "misinfo.label");
  ASSERT_TRUE(server_.CatchUpGuard().ok());
  auto c = server_.Client();
  auto r = c.Post("/v1/views", {{"Authorization", "Bearer " + key_}},
                  R"({"views":[{"item_id":"removed","count":5,"surface":"recommendation"},)"
                  R"({"item_id":"labelled","count":2,"surface":"recommendation"},)"
                  R"({"item_id":"clean","count":3,"surface":"recommendation"},)"
                  R"({"item_id":"removed","count":100,"surface":"feed"}]})",
                  "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string metrics = c.Get("/metrics")->body;
  EXPECT_NE(metrics.find(R"(bulwark_recommended_views_total{verdict="block"} 5)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(bulwark_recommended_views_total{verdict="demote"} 2)"),
            std::string::npos);
  EXPECT_NE(metrics.find(R"(bulwark_recommended_views_total{verdict="allow"} 3)"),
            std::string::npos);
}

TEST_F(RecommendationsApiTest, BadInputIsA400NamingTheField) {
  struct Case {
    std::string body, field;
  };
  std::string big = R"({"candidates":[)";
  for (int i = 0; i < 1001; ++i) big += std::string(i ? "," : "") + R"({"type":"item","id":"x"})";
  big += "]}";
  const Case cases[] = {
      {"[]", ""},
      {"{}", "candidates"},
      {R"({"candidates":{}})", "candidates"},
      {R"({"candidates":[]})", "candidates"},
      {R"({"extra":1,"candidates":[{"type":"item","id":"x"}]})", "extra"},
      {R"({"candidates":["x"]})", "candidates[0]"},
      {R"({"candidates":[{"type":"item"}]})", "candidates[0].id"},
      {R"({"candidates":[{"type":"item","id":""}]})", "candidates[0].id"},
      {R"({"candidates":[{"type":"item","id":7}]})", "candidates[0].id"},
      {R"({"candidates":[{"id":"x"}]})", "candidates[0].type"},
      {R"({"candidates":[{"type":"item","id":"a"},{"type":"post","id":"b"}]})",
       "candidates[1].type"},
      {R"({"candidates":[{"type":"user","id":"u1"}]})", "candidates[0].type"},
      {R"({"candidates":[{"type":"item","id":"a","score":3}]})", "candidates[0].score"},
      {"{\"candidates\":[{\"type\":\"item\",\"id\":\"" + std::string(257, 'a') + "\"}]}",
       "candidates[0].id"},
  };
  for (const Case& c : cases) {
    auto r = Check(c.body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << c.body.substr(0, 80) << " -> " << r->body;
    const json e = json::parse(r->body, nullptr, false);
    ASSERT_FALSE(e.is_discarded()) << r->body;
    EXPECT_EQ(e["error"].value("field", ""), c.field) << c.body.substr(0, 80) << " -> " << r->body;
  }
  // More than a thousand is too large a request, as for every batch route; a thousand is fine.
  auto over = Check(big);
  EXPECT_EQ(over->status, 413) << over->body;
  EXPECT_EQ(json::parse(over->body)["error"]["field"], "candidates");
  std::string ok = R"({"candidates":[)";
  for (int i = 0; i < 1000; ++i) ok += std::string(i ? "," : "") + R"({"type":"item","id":"x"})";
  ok += "]}";
  auto r = Check(ok);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["results"].size(), 1000u);
}

}  // namespace
}  // namespace bulwark

namespace bulwark {
namespace {

class GroupRecommendationsTest : public ::testing::Test {
 protected:
  void SetUp() override { key_ = server_.CreateKey(Role::kPlatform); }
  httplib::Result Post(const std::string& path, const std::string& body) {
    auto c = server_.Client();
    return c.Post(path.c_str(), {{"Authorization", "Bearer " + key_}}, body, "application/json");
  }
  httplib::Result Get(const std::string& path) {
    auto c = server_.Client();
    return c.Get(path.c_str(), {{"Authorization", "Bearer " + key_}});
  }
  std::string Item(const std::string& id) {
    return R"({"id":")" + id +
           R"(","author_id":"u1","text":"text","group_id":"g1",)"
           R"("group_visibility":"private","created_at":"2026-01-01T00:00:00Z"})";
  }

  testing::TestServer server_;
  std::string key_;
};

TEST_F(GroupRecommendationsTest, ARestrictedGroupAndEveryItemOfItAreBlocked) {
  auto g = Post("/v1/groups",
                R"({"groups":[{"id":"g1","name":"Night Owls","description":"we stay up",)"
                R"("visibility":"private","created_at":"2026-01-01T00:00:00Z","owner_id":"u1",)"
                R"("admin_ids":["u2"]}]})");
  ASSERT_EQ(g->status, 200) << g->body;
  EXPECT_EQ(json::parse(g->body)["created"], 1);
  ASSERT_EQ(Post("/v1/items", R"({"items":[)" + Item("a") + "," + Item("b") + "]}")->status, 200);
  auto m = Post("/v1/memberships",
                R"({"memberships":[{"id":"m1","group_id":"g1","account_id":"u9","action":"join",)"
                R"("at":"2026-01-02T00:00:00Z"},{"id":"m2","group_id":"nope","account_id":"u9",)"
                R"("action":"join","at":"2026-01-02T00:00:00Z"}]})");
  ASSERT_EQ(m->status, 422) << m->body;  // an unknown group: the whole batch is refused
  EXPECT_EQ(json::parse(m->body)["error"]["field"], "memberships[1].group_id");

  Decision d;
  d.target_kind = TargetKind::kGroup;
  d.item_id = "g1";
  d.action = ActionType::kRestrict;
  d.category = "hate";
  d.actor = "reviewer:user:r1";
  d.reason = "group.hate: built around hate";
  d.created_at = 10;
  ASSERT_TRUE(server_.db().decisions().AppendDecisions({d}).ok());
  ASSERT_TRUE(server_.CatchUpGuard().ok());
  // A post made after the restriction is blocked too.
  ASSERT_EQ(Post("/v1/items", R"({"items":[)" + Item("c") + "]}")->status, 200);

  auto r = Post("/v1/recommendations/check",
                R"({"candidates":[{"type":"group","id":"g1"},{"type":"item","id":"a"},)"
                R"({"type":"item","id":"c"},{"type":"group","id":"other"},)"
                R"({"type":"item","id":"group:g1"}]})");
  ASSERT_EQ(r->status, 200) << r->body;
  const json res = json::parse(r->body)["results"];
  ASSERT_EQ(res.size(), 5u);
  EXPECT_EQ(res[0]["type"], "group");
  EXPECT_EQ(res[0]["verdict"], "block");
  EXPECT_EQ(res[0]["reason_code"], "group.restricted");
  EXPECT_EQ(res[1]["verdict"], "block");
  EXPECT_EQ(res[1]["reason_code"], "group.restricted");
  EXPECT_EQ(res[2]["verdict"], "block") << "an item posted after the restriction";
  EXPECT_EQ(res[3]["verdict"], "allow");
  EXPECT_EQ(res[4]["verdict"], "block");  // the group's profile

  auto got = Get("/v1/groups/g1");
  ASSERT_EQ(got->status, 200) << got->body;
  const json j = json::parse(got->body);
  EXPECT_EQ(j["state"], "restricted");
  EXPECT_EQ(j["visibility"], "private");
  EXPECT_EQ(j["admin_ids"], json::array({"u2"}));
  ASSERT_EQ(j["history"].size(), 1u);
  EXPECT_EQ(j["history"][0]["decided_by"], "reviewer");
  EXPECT_TRUE(j["risk"].contains("shares"));
  EXPECT_EQ(Get("/v1/groups/nope")->status, 404);
  EXPECT_EQ(Get("/v1/groups/g1?window_days=0")->status, 400);
  auto list = Get("/v1/groups?limit=10");
  ASSERT_EQ(list->status, 200);
  EXPECT_EQ(json::parse(list->body)["groups"].size(), 1u);

  // A reviewer lifts the restriction on appeal: everything is allowed again.
  d.action = ActionType::kRestore;
  d.actor = "appeal:user:r2";
  ASSERT_TRUE(server_.db().decisions().AppendDecisions({d}).ok());
  ASSERT_TRUE(server_.CatchUpGuard().ok());
  r = Post("/v1/recommendations/check",
           R"({"candidates":[{"type":"group","id":"g1"},{"type":"item","id":"a"}]})");
  const json after = json::parse(r->body)["results"];
  EXPECT_EQ(after[0]["verdict"], "allow");
  EXPECT_EQ(after[1]["verdict"], "allow");
  EXPECT_EQ(json::parse(Get("/v1/groups/g1")->body)["state"], "active");
}

TEST_F(GroupRecommendationsTest, AnAccountUnderAConsequenceIsBlockedAndShownWithItsStrikes) {
  std::string items;
  for (int i = 0; i < 3; ++i) {
    items += std::string(i ? "," : "") + R"({"id":"s)" + std::to_string(i) +
             R"(","author_id":"u5","author_public_figure":true,"text":"text",)"
             R"("created_at":"2026-01-01T00:00:00Z"})";
  }
  ASSERT_EQ(Post("/v1/items", R"({"items":[)" + items + "]}")->status, 200);
  const UnixMillis now = WallNowMillis();
  std::vector<Decision> removals;
  for (int i = 0; i < 3; ++i) {
    Decision d;
    d.item_id = "s" + std::to_string(i);
    d.item_revision = 1;
    d.action = ActionType::kRemove;
    d.category = "hate";
    d.rule_id = "hate.remove";
    d.actor = "system";
    d.created_at = now - 1000;
    removals.push_back(d);
  }
  ASSERT_TRUE(server_.db().decisions().AppendDecisions(removals).ok());
  Decision restrict;
  restrict.target_kind = TargetKind::kAccount;
  restrict.item_id = "u5";
  restrict.action = ActionType::kRestrict;
  restrict.category = "hate";
  restrict.rule_id = "strikes.restrict";
  restrict.actor = "system";
  restrict.reason = "strikes.restrict: three strikes";
  restrict.evidence = R"({"until":)" + std::to_string(now + 7 * 86'400'000LL) + "}";
  restrict.created_at = now;
  auto logged = server_.db().decisions().AppendDecisions({restrict});
  ASSERT_TRUE(logged.ok()) << logged.status().ToString();
  ASSERT_TRUE(server_.CatchUpGuard().ok());

  auto r = Post("/v1/recommendations/check",
                R"({"candidates":[{"type":"account","id":"u5"},{"type":"item","id":"u5"},)"
                R"({"type":"account","id":"u1"}]})");
  ASSERT_EQ(r->status, 200) << r->body;
  const json res = json::parse(r->body)["results"];
  EXPECT_EQ(res[0]["type"], "account");
  EXPECT_EQ(res[0]["verdict"], "block");
  EXPECT_EQ(res[0]["reason_code"], "account.restricted");
  EXPECT_EQ(res[0]["decision_seq"], logged->front().seq);
  EXPECT_EQ(res[1]["verdict"], "allow");  // an item with the account's id is another target
  EXPECT_EQ(res[2]["verdict"], "allow");

  auto got = Get("/v1/accounts/u5");
  ASSERT_EQ(got->status, 200) << got->body;
  const json j = json::parse(got->body);
  EXPECT_EQ(j["state"], "restricted");
  EXPECT_EQ(j["public_figure"], true);
  EXPECT_EQ(j["until"], FormatRfc3339(now + 7 * 86'400'000LL));
  EXPECT_EQ(j["strikes"].size(), 3u);
  EXPECT_EQ(j["strikes"][0]["source"], "item");
  ASSERT_EQ(j["decisions"].size(), 1u);
  EXPECT_EQ(j["decisions"][0]["target_kind"], "account");
  EXPECT_EQ(Get("/v1/accounts/nobody")->status, 404);
  EXPECT_EQ(Get("/v1/accounts/u5?window_days=0")->status, 400);

  // The account's owner appeals through the platform.
  auto appeal = Post("/v1/appeals", R"({"decision_seq":)" + std::to_string(logged->front().seq) +
                                        R"(,"statement":"I was quoting them"})");
  ASSERT_EQ(appeal->status, 201) << appeal->body;
  EXPECT_EQ(json::parse(appeal->body)["case"]["target_kind"], "account");
}

}  // namespace
}  // namespace bulwark

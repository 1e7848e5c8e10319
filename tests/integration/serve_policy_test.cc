// The real server enforces the database's active policy version: on a fresh database it imports
// --policy (bootstrap), and a version activated meanwhile by another process (here the CLI)
// governs the items enforced after it, while earlier decisions stay as they were.

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/time.h"
#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace bulwark {
namespace {

using nlohmann::json;
using testing::Process;

class ServePolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = testing::BulwarkBinary();
    src_ = BULWARK_SOURCE_DIR;
    db_ = "sqlite:" + dir_.File("serve.db");
    cache_ = (std::filesystem::temp_directory_path() / "bulwark-test-lexicon-cache").string();
    std::string out;
    ASSERT_EQ(Cli("keys create --name acme --role platform", &out, false), 0) << out;
    key_ = out.substr(0, out.find('\n'));
  }
  int Cli(const std::string& args, std::string* out, bool with_stderr = true) {
    out->clear();
    return testing::RunCommand(
        bin_ + " " + args + " --db " + db_ + (with_stderr ? " 2>&1" : " 2>/dev/null"), out);
  }
  void PostItem(int port, const std::string& id, const std::string& text) {
    httplib::Client c("127.0.0.1", port);
    auto r = c.Post("/v1/items", {{"Authorization", "Bearer " + key_}},
                    R"({"items":[{"id":")" + id + R"(","author_id":"u","text":")" + text +
                        R"(","created_at":"2026-01-01T00:00:00Z"}]})",
                    "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  // The log entries about `item`, once the background worker has enforced it.
  json DecisionsFor(int port, const std::string& item) {
    httplib::Client c("127.0.0.1", port);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = c.Get("/v1/decisions?after=0&limit=1000", {{"Authorization", "Bearer " + key_}});
      json found = json::array();
      if (r && r->status == 200) {
        const json page = json::parse(r->body);
        for (const json& d : page["decisions"]) {
          if (d["item_id"] == item) found.push_back(d);
        }
      }
      if (!found.empty()) return found;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return json::array();
  }

  std::string bin_, src_, db_, cache_, key_;
  testing::TempDir dir_;
};

TEST_F(ServePolicyTest, AVersionActivatedElsewhereGovernsTheNextItems) {
  const std::string port_file = dir_.File("port");
  Process server({bin_, "serve", "--db", db_, "--port", "0", "--threads", "2", "--port-file",
                  port_file, "--data-dir", src_ + "/data", "--cache-dir", cache_, "--policy",
                  src_ + "/data/policy/default.policy"});
  const int port = testing::WaitForPortFile(port_file, std::chrono::seconds(60));
  ASSERT_GT(port, 0);
  const std::string threat = "I am going to kill you and your whole family";

  PostItem(port, "before", threat);
  json before = DecisionsFor(port, "before");
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(before[0]["action"], "remove");
  EXPECT_EQ(before[0]["policy_version"], "default@1.0.0");

  // A weaker version goes through the lifecycle on the CLI, in another process.
  std::ifstream in(src_ + "/data/policy/default.policy");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("version = 1.0.0"), 15, "version = 1.1.0");
  const std::string from = "score      >= 0.80\naction      = remove";
  text.replace(text.find(from), from.size(), "score      >= 0.80\naction      = label:violent");
  std::ofstream(dir_.File("weaker.policy")) << text;
  std::string out;
  ASSERT_EQ(Cli("policy draft " + dir_.File("weaker.policy") + " --author alice", &out), 0) << out;
  ASSERT_EQ(Cli("policy submit 2 --data-dir " + src_ + "/data --cache-dir " + cache_, &out), 0)
      << out;
  ASSERT_EQ(Cli("policy approve 2 --as carol --role civil_rights", &out), 0) << out;
  ASSERT_EQ(Cli("policy activate 2 --as dave --role admin", &out), 0) << out;

  PostItem(port, "after", threat);
  json after = DecisionsFor(port, "after");
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(after[0]["action"], "reduce") << after.dump();
  EXPECT_EQ(after[0]["policy_version"], "default@1.1.0");
  EXPECT_EQ(DecisionsFor(port, "before"), before) << "earlier decisions are never edited";

  // Bootstrap import, the item, the activation, the next item: one verified chain.
  httplib::Client c("127.0.0.1", port);
  auto feed =
      json::parse(c.Get("/v1/decisions?after=0&limit=1000", {{"Authorization", "Bearer " + key_}})
                      ->body)["decisions"];
  ASSERT_GE(feed.size(), 4u);
  EXPECT_EQ(feed[0]["action"], "activate_policy");
  EXPECT_EQ(feed[0]["actor"], "bootstrap");
  int activations = 0;
  for (const json& d : feed) activations += d["action"] == "activate_policy";
  EXPECT_EQ(activations, 2);
  server.Kill(SIGTERM);
  ASSERT_EQ(Cli("log verify", &out), 0) << out;
}

// Reports that arrive after an item was enforced send it to review (issue 10): the real server,
// an item below every review line, then three reports from three people.
TEST_F(ServePolicyTest, AReportedItemBelowTheReviewLineReachesAReviewQueueWithinFiveSeconds) {
  const std::string port_file = dir_.File("port");
  Process server({bin_, "serve", "--db", db_, "--port", "0", "--threads", "2", "--port-file",
                  port_file, "--data-dir", src_ + "/data", "--cache-dir", cache_, "--policy",
                  src_ + "/data/policy/default.policy"});
  const int port = testing::WaitForPortFile(port_file, std::chrono::seconds(60));
  ASSERT_GT(port, 0);
  httplib::Client c("127.0.0.1", port);
  const httplib::Headers auth = {{"Authorization", "Bearer " + key_}};
  // A text the shipped detectors score as possible harassment between harassment.reported's
  // line (0.30) and harassment.review's (0.60): on its own it reaches no one.
  PostItem(port, "low", "nobody likes you, just leave");
  // Wait until the worker has enforced it (no decision: below every line).
  const auto enforced_by = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    auto m = c.Get("/metrics");
    if (m && m->body.find("bulwark_enforced_items_total 1") != std::string::npos) break;
    ASSERT_LT(std::chrono::steady_clock::now(), enforced_by) << "never enforced";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto none = c.Get("/v1/decisions?after=0&limit=1000", auth);
  ASSERT_EQ(none->body.find("\"low\""), std::string::npos) << none->body;

  const auto reported_at = std::chrono::steady_clock::now();
  auto rep = c.Post(
      "/v1/reports", auth,
      R"({"reports":[)"
      R"({"id":"r1","item_id":"low","reporter_id":"a","reason":"harassment","created_at":"2026-01-02T00:00:00Z"},)"
      R"({"id":"r2","item_id":"low","reporter_id":"b","reason":"harassment","created_at":"2026-01-02T01:00:00Z"},)"
      R"({"id":"r3","item_id":"low","reporter_id":"c","reason":"harassment","created_at":"2026-01-02T02:00:00Z"}]})",
      "application/json");
  ASSERT_TRUE(rep);
  ASSERT_EQ(rep->status, 200) << rep->body;
  json review;
  while (review.is_null() &&
         std::chrono::steady_clock::now() - reported_at < std::chrono::seconds(5)) {
    auto r = c.Get("/v1/decisions?after=0&limit=1000", auth);
    if (r && r->status == 200) {
      const json page = json::parse(r->body);
      for (const json& d : page["decisions"]) {
        if (d["item_id"] == "low" && d["action"] == "review") review = d;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - reported_at);
  ASSERT_FALSE(review.is_null()) << "no review within 5 s of the reports";
  EXPECT_EQ(review["rule_id"], "harassment.reported");
  EXPECT_LT(took.count(), 5000);
  auto st = c.Get("/v1/reports/r2", auth);
  ASSERT_EQ(st->status, 200) << st->body;
  EXPECT_EQ(json::parse(st->body)["status"], "in_review");
  server.Kill(SIGTERM);
  std::string out;
  ASSERT_EQ(Cli("log verify", &out), 0) << out;
}

// Recommendation 4 through the real binary: a group whose content is hateful is found by the
// group scan, a reviewer with the expertise restricts it through the review API, and the
// recommender is then told to block the group and its items.
TEST_F(ServePolicyTest, AHateGroupIsFoundReviewedRestrictedAndThenBlockedFromRecommendation) {
  std::ofstream(dir_.File("pw")) << "correct horse battery staple\n";
  std::string out;
  ASSERT_EQ(Cli("users create --username rita --role reviewer --expertise extremism "
                "--password-stdin < " +
                    dir_.File("pw"),
                &out),
            0)
      << out;
  const std::string port_file = dir_.File("port");
  Process server({bin_, "serve", "--db", db_, "--port", "0", "--threads", "2", "--port-file",
                  port_file, "--data-dir", src_ + "/data", "--cache-dir", cache_, "--policy",
                  src_ + "/data/policy/default.policy", "--group-scan-seconds", "1",
                  "--insecure-http"});
  const int port = testing::WaitForPortFile(port_file, std::chrono::seconds(60));
  ASSERT_GT(port, 0);
  httplib::Client c("127.0.0.1", port);
  const httplib::Headers auth = {{"Authorization", "Bearer " + key_}};
  const std::string now = FormatRfc3339(WallNowMillis() - 3600 * 1000);
  auto g = c.Post("/v1/groups", auth,
                  R"({"groups":[{"id":"g-hate","name":"Heritage Club","visibility":"secret",)"
                  R"("created_at":")" +
                      now + R"(","owner_id":"boss","admin_ids":["deputy"]}]})",
                  "application/json");
  ASSERT_TRUE(g);
  ASSERT_EQ(g->status, 200) << g->body;
  json items = json::array();
  for (int i = 0; i < 24; ++i) {
    items.push_back({{"id", "h" + std::to_string(i)},
                     {"author_id", "m" + std::to_string(i % 6)},
                     {"group_id", "g-hate"},
                     {"group_visibility", "secret"},
                     {"text", i % 2 ? "Muslims are filthy vermin and should be driven out of "
                                      "this country"
                                    : "Lovely evening for a walk by the river"},
                     {"created_at", now}});
  }
  auto posted = c.Post("/v1/items", auth, json{{"items", items}}.dump(), "application/json");
  ASSERT_EQ(posted->status, 200) << posted->body;

  // The scan sends the group to the extremism queue (half its items are hate: lower bound 0.31).
  json group_review;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (group_review.is_null() && std::chrono::steady_clock::now() < deadline) {
    auto r = c.Get("/v1/decisions?after=0&limit=1000", auth);
    if (r && r->status == 200) {
      const json page = json::parse(r->body);  // named: a loop over a temporary's member dangles
      for (const json& d : page["decisions"]) {
        if (d["target_kind"] == "group" && d["item_id"] == "g-hate") group_review = d;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_FALSE(group_review.is_null()) << "the group scan never sent the group to review: "
                                       << c.Get("/v1/groups/g-hate", auth)->body.substr(0, 2000);
  EXPECT_EQ(group_review["rule_id"], "group.hate");
  EXPECT_EQ(group_review["action"], "review");
  EXPECT_EQ(group_review["evidence"]["shares"][0]["category"], "hate");
  EXPECT_EQ(group_review["evidence"]["shares"][0]["flagged"], 12);

  auto login =
      c.Post("/v1/auth/login",
             json{{"username", "rita"}, {"password", "correct horse battery staple"}}.dump(),
             "application/json");
  ASSERT_EQ(login->status, 200) << login->body;
  const std::string cookie = login->get_header_value("Set-Cookie");
  const httplib::Headers session = {{"Cookie", cookie.substr(0, cookie.find(';'))},
                                    {"X-CSRF-Token", json::parse(login->body)["csrf_token"]}};
  auto claim = c.Post("/v1/review/queues/extremism/claim", session, "", "application/json");
  ASSERT_EQ(claim->status, 200) << claim->body;
  const json claimed = json::parse(claim->body);
  ASSERT_EQ(claimed["case"]["target_kind"], "group") << claim->body;
  EXPECT_EQ(claimed["group"]["visibility"], "secret");
  EXPECT_EQ(claimed["opened_by"]["rule_id"], "group.hate");
  const std::string case_id = std::to_string(claimed["case"]["id"].get<std::int64_t>());
  auto reduce =
      c.Post("/v1/review/cases/" + case_id + "/decision", session,
             R"({"action":"reduce","reason_code":"group.hate_share"})", "application/json");
  EXPECT_EQ(reduce->status, 400) << reduce->body;  // a group is restricted, not reduced
  auto restrict =
      c.Post("/v1/review/cases/" + case_id + "/decision", session,
             R"({"action":"restrict","reason_code":"group.hate_share"})", "application/json");
  ASSERT_EQ(restrict->status, 200) << restrict->body;
  EXPECT_EQ(json::parse(restrict->body)["decision"]["target_kind"], "group");

  // Within the follower's poll the group and its items are blocked.
  json results;
  const auto blocked_by = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < blocked_by) {
    auto r = c.Post("/v1/recommendations/check", auth,
                    R"({"candidates":[{"type":"group","id":"g-hate"},{"type":"item","id":"h0"}]})",
                    "application/json");
    ASSERT_EQ(r->status, 200) << r->body;
    results = json::parse(r->body)["results"];
    if (results[0]["verdict"] == "block" && results[1]["verdict"] == "block") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(results[0]["reason_code"], "group.restricted") << results.dump();
  EXPECT_EQ(results[1]["reason_code"], "group.restricted") << results.dump();
  auto state = c.Get("/v1/groups/g-hate", auth);
  EXPECT_EQ(json::parse(state->body)["state"], "restricted");
  server.Kill(SIGTERM);
  ASSERT_EQ(Cli("log verify", &out), 0) << out;
}

}  // namespace
}  // namespace bulwark

// The enforcement pipeline with the shipped detectors (data/) and the default policy: items in,
// explainable decisions in the hash-chained log out, progress kept across restarts.

#include "enforce/enforcer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "enforce/backtest.h"
#include "enforce/worker.h"
#include "ingest/ingest_service.h"
#include "policy/lifecycle.h"
#include "testing/temp_dir.h"

namespace bulwark::enforce {
namespace {

using nlohmann::json;

class EnforcerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    detect::DetectorConfig dc;
    dc.data_dir = std::string(BULWARK_SOURCE_DIR) + "/data";
    dc.lexicon_cache_dir =
        (std::filesystem::temp_directory_path() / "bulwark-test-lexicon-cache").string();
    detectors_ = new detect::DetectorHandle(dc);
    ASSERT_TRUE(detectors_->Reload().ok());
    policy_ = new PolicyHandle(std::string(BULWARK_SOURCE_DIR) + "/data/policy/default.policy");
    ASSERT_TRUE(policy_->Reload().ok());
  }
  static void TearDownTestSuite() {
    delete detectors_;
    delete policy_;
  }
  void SetUp() override {
    db_ =
        std::move(store::OpenDatabase("sqlite:" + dir_.File("e.db"), store::OpenOptions{})).value();
    enforcer_ = std::make_unique<Enforcer>(*db_, *detectors_, *policy_, clock_, nullptr);
  }
  void Put(std::vector<Item> items) { ASSERT_TRUE(db_->items().UpsertItems(items, 1).ok()); }
  std::vector<Decision> For(const std::string& id) {
    return std::move(db_->decisions().DecisionsForItem(id)).value();
  }
  static bool Has(const std::vector<Decision>& ds, ActionType a) {
    for (const auto& d : ds) {
      if (d.action == a) return true;
    }
    return false;
  }

  static detect::DetectorHandle* detectors_;
  static PolicyHandle* policy_;
  testing::TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Enforcer> enforcer_;
};
detect::DetectorHandle* EnforcerTest::detectors_ = nullptr;
PolicyHandle* EnforcerTest::policy_ = nullptr;

TEST_F(EnforcerTest, CallToViolenceIsRemovedWithItsReasonEvenFromAPolitician) {
  Item threat = testing::MakeItem("t1", "I am going to kill you and your whole family", "senator");
  threat.author_is_public_figure = true;
  Put({threat, testing::MakeItem("ok", "Lovely weather for the town picnic today")});
  auto r = enforcer_->RunPending(100);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->items, 2);
  auto ds = For("t1");
  ASSERT_TRUE(Has(ds, ActionType::kRemove)) << "politicians get no exemption";
  const Decision* removal = nullptr;
  for (const auto& d : ds) {
    if (d.action == ActionType::kRemove) removal = &d;
  }
  EXPECT_EQ(removal->category, "threat");
  EXPECT_FALSE(removal->rule_id.empty());
  EXPECT_NE(removal->policy_version.find("@"), std::string::npos);
  EXPECT_NE(removal->model_version.find("lexicon="), std::string::npos);
  EXPECT_EQ(removal->actor, "system");
  auto ev = json::parse(removal->evidence);
  EXPECT_GE(ev["probability"].get<double>(), ev["threshold"].get<double>());
  EXPECT_FALSE(ev["evidence"].empty());
  EXPECT_TRUE(For("ok").empty());
  EXPECT_EQ(*db_->enforcement().PendingCount(), 0);
}

TEST_F(EnforcerTest, PrivateGroupContentIsReviewedLikePublicContent) {
  const std::string text = "Muslims are vermin and should be driven out of this country";
  Item pub = testing::MakeItem("pub", text);
  pub.group_id = "g-public";
  Item priv = testing::MakeItem("priv", text);
  priv.group_id = "g-private";
  priv.group_visibility = Visibility::kPrivate;
  Put({pub, priv});
  ASSERT_TRUE(enforcer_->RunPending(100).ok());
  auto a = For("pub"), b = For("priv");
  ASSERT_FALSE(a.empty());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].action, b[i].action);
    EXPECT_EQ(a[i].rule_id, b[i].rule_id);
  }
  EXPECT_TRUE(Has(b, ActionType::kReview) || Has(b, ActionType::kEscalate));
}

TEST_F(EnforcerTest, AnEditIsEnforcedAgainAndOldDecisionsStay) {
  Put({testing::MakeItem("e", "I will kill you")});
  ASSERT_TRUE(enforcer_->RunPending(10).ok());
  size_t before = For("e").size();
  ASSERT_GT(before, 0u);
  EXPECT_EQ(enforcer_->RunPending(10)->items, 0);  // nothing pending, nothing re-decided
  Put({testing::MakeItem("e", "I will kill you, I mean it, you are dead")});
  EXPECT_EQ(*db_->enforcement().PendingCount(), 1);
  ASSERT_TRUE(enforcer_->RunPending(10).ok());
  auto after = For("e");
  EXPECT_GT(after.size(), before);
  EXPECT_EQ(after.front().item_revision, 1);
  EXPECT_EQ(after.back().item_revision, 2);
  EXPECT_TRUE(db_->decisions().VerifyLog()->ok);
}

TEST_F(EnforcerTest, ThreeRescansLogNoDecisionTwice) {
  Put({testing::MakeItem("r", "I will kill you"),
       testing::MakeItem("h", "Muslims are vermin and should be driven out of this country")});
  ASSERT_TRUE(enforcer_->RunPending(10).ok());
  const auto r1 = For("r"), h1 = For("h");
  ASSERT_FALSE(r1.empty());
  ASSERT_FALSE(h1.empty());
  const std::int64_t head = db_->decisions().Head()->seq;
  for (int i = 0; i < 3; ++i) {
    auto s = enforcer_->RescanAll(50);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->items, 2);
    EXPECT_EQ(s->decisions, 0) << "rescan " << i + 1 << ": the same outcomes, nothing new";
  }
  EXPECT_EQ(db_->decisions().Head()->seq, head);
  auto r2 = For("r");
  ASSERT_EQ(r2.size(), r1.size());
  for (size_t i = 0; i < r1.size(); ++i) EXPECT_EQ(r2[i].hash, r1[i].hash);
  EXPECT_EQ(For("h").size(), h1.size());
  EXPECT_TRUE(db_->decisions().VerifyLog()->ok);
}

// A text the shipped detectors score as possible harassment below the policy's review line
// (harassment.review at 0.60) but above harassment.reported's 0.30: alone it reaches no one.
const char kBorderlineHarassment[] = "nobody likes you, just leave";

// Ingest and the background worker wired as in `serve`, with kBorderlineHarassment stored as item
// "b" and enforced.
class LiveEnforcement {
 public:
  LiveEnforcement(store::Database& db, Enforcer& enforcer, const Clock& clock)
      : ingest(db, ingest::IngestOptions{}, clock, nullptr), worker(enforcer, db, WorkerOptions{}) {
    ingest.set_observer(&worker);
    worker.Start();
  }
  ~LiveEnforcement() { worker.Stop(); }
  void StoreBorderlineItem() {
    ASSERT_TRUE(
        ingest
            .IngestItemsJson(std::string(R"({"items":[{"id":"b","author_id":"u","text":")") +
                             kBorderlineHarassment + R"(","created_at":"2026-01-01T00:00:00Z"}]})")
            .ok());
    ASSERT_TRUE(worker.WaitIdle(std::chrono::seconds(30)));
  }

  ingest::IngestService ingest;
  EnforcementWorker worker;
};

TEST_F(EnforcerTest, ReportsArrivingAfterEnforcementSendAnItemToReview) {
  LiveEnforcement live(*db_, *enforcer_, clock_);
  ASSERT_NO_FATAL_FAILURE(live.StoreBorderlineItem());
  auto& ingest = live.ingest;
  auto& worker = live.worker;
  ASSERT_FALSE(Has(For("b"), ActionType::kReview)) << "below the review line on its own";

  auto r = ingest.IngestReportsJson(
      R"({"reports":[)"
      R"({"id":"r1","item_id":"b","reporter_id":"p1","reason":"harassment","created_at":"2026-01-02T00:00:00Z"},)"
      R"({"id":"r2","item_id":"b","reporter_id":"p2","reason":"harassment","created_at":"2026-01-02T03:00:00Z"},)"
      R"({"id":"r3","item_id":"b","reporter_id":"p3","reason":"harassment","created_at":"2026-01-03T00:00:00Z"}]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->requeued, 1);
  ASSERT_TRUE(worker.WaitIdle(std::chrono::seconds(30)));
  auto ds = For("b");
  const Decision* review = nullptr;
  for (const Decision& d : ds) {
    if (d.action == ActionType::kReview) review = &d;
  }
  ASSERT_NE(review, nullptr) << "three reports re-trigger enforcement";
  EXPECT_EQ(review->rule_id, "harassment.reported");
  auto ev = json::parse(review->evidence);
  EXPECT_EQ(ev["report_weighting"]["raw"], 3);
  EXPECT_EQ(ev["report_weighting"]["weighted"], 3.0);
  auto waiting = db_->review().WaitingCases("harassment", clock_.NowMillis(), 10);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ((*waiting)[0].item_id, "b");

  // A fourth report re-evaluates the item again but logs nothing new and opens no second case.
  const size_t logged = ds.size();
  ASSERT_TRUE(
      ingest
          .IngestReportsJson(R"({"reports":[{"id":"r4","item_id":"b","reporter_id":"p4",)"
                             R"("reason":"harassment","created_at":"2026-01-04T00:00:00Z"}]})")
          .ok());
  ASSERT_TRUE(worker.WaitIdle(std::chrono::seconds(30)));
  EXPECT_EQ(For("b").size(), logged);
  EXPECT_EQ(db_->review().WaitingCases("harassment", clock_.NowMillis(), 10)->size(), 1u);
  EXPECT_EQ(*db_->enforcement().PendingCount(), 0);
  worker.Stop();
}

TEST_F(EnforcerTest, FiftyReportsFromAccountsCreatedTogetherDoNotMoveAnItem) {
  LiveEnforcement live(*db_, *enforcer_, clock_);
  ASSERT_NO_FATAL_FAILURE(live.StoreBorderlineItem());
  auto& ingest = live.ingest;
  auto& worker = live.worker;
  const auto before = For("b");
  std::string batch = R"({"reports":[)";
  for (int i = 0; i < 50; ++i) {
    if (i) batch += ",";
    const std::string sec = (i < 10 ? "0" : "") + std::to_string(i);
    batch += R"({"id":"brigade)" + std::to_string(i) + R"(","item_id":"b","reporter_id":"sock)" +
             std::to_string(i) + R"(","reason":"hate","created_at":"2026-01-02T00:01:)" + sec +
             R"(Z","reporter_created_at":"2026-01-01T12:00:)" + sec + R"(Z"})";
  }
  batch += "]}";
  auto r = ingest.IngestReportsJson(batch);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 50);
  ASSERT_TRUE(worker.WaitIdle(std::chrono::seconds(30)));
  EXPECT_EQ(*db_->enforcement().PendingCount(), 0) << "re-evaluated";
  const auto after = For("b");
  EXPECT_EQ(after.size(), before.size()) << "50 accounts made in one minute count as one reporter";
  EXPECT_FALSE(Has(after, ActionType::kRemove));
  worker.Stop();
}

TEST_F(EnforcerTest, WorkerEnforcesIngestedItemsAndAppliesBackpressure) {
  ingest::IngestService ingest(*db_, ingest::IngestOptions{}, clock_, nullptr);
  EnforcementWorker worker(*enforcer_, *db_, WorkerOptions{});
  ingest.set_observer(&worker);
  worker.Start();
  auto r = ingest.IngestItemsJson(
      R"({"items":[{"id":"w1","author_id":"u","text":"I will kill you tonight",)"
      R"("created_at":"2026-01-01T00:00:00Z"}]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(worker.WaitIdle(std::chrono::seconds(30)));
  EXPECT_TRUE(Has(For("w1"), ActionType::kRemove));
  worker.Stop();

  WorkerOptions tight;
  tight.max_backlog = 0;
  EnforcementWorker full(*enforcer_, *db_, tight);
  ingest.set_observer(&full);
  full.Notify(1);  // one item pending and a backlog limit of zero
  auto refused = ingest.IngestItemsJson(
      R"({"items":[{"id":"w2","author_id":"u","text":"x","created_at":"2026-01-01T00:00:00Z"}]})");
  EXPECT_EQ(refused.status().code(), Code::kUnavailable);
  EXPECT_EQ(db_->items().GetItem("w2").status().code(), Code::kNotFound);
}

TEST_F(EnforcerTest, PendingItemsSurviveARestart) {
  Put({testing::MakeItem("p1", "I will kill you"), testing::MakeItem("p2", "hello")});
  EXPECT_EQ(*db_->enforcement().PendingCount(), 2);  // nobody enforced them yet
  db_.reset();
  db_ = std::move(store::OpenDatabase("sqlite:" + dir_.File("e.db"), store::OpenOptions{})).value();
  Enforcer fresh(*db_, *detectors_, *policy_, clock_, nullptr);
  EnforcementWorker worker(fresh, *db_, WorkerOptions{});
  worker.Start();
  ASSERT_TRUE(worker.WaitIdle(std::chrono::seconds(30)));
  EXPECT_EQ(*db_->enforcement().PendingCount(), 0);
  EXPECT_TRUE(Has(For("p1"), ActionType::kRemove));
}

}  // namespace
}  // namespace bulwark::enforce

namespace bulwark::enforce {
namespace {

TEST_F(EnforcerTest, BacktestShowsWhatAPolicyChangeDoesByCategoryAndGroup) {
  Put({testing::MakeItem("t", "I am going to kill you and your whole family"),
       testing::MakeItem("h", "Muslims are vermin and should be driven out of this country"),
       testing::MakeItem("n", "Lovely weather for the town picnic today")});
  auto current = policy_->Get();
  std::ifstream in(std::string(BULWARK_SOURCE_DIR) + "/data/policy/default.policy");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The proposal weakens threat removal to a label.
  const std::string from =
      "[rule threat.remove]\ncategory    = threat\nscore      >= 0.80\naction      = remove";
  const std::string to =
      "[rule threat.remove]\ncategory    = threat\nscore      >= 0.80\naction      = label:violent";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), to);
  auto proposal = policy::ParsePolicy(text, "proposal.policy");
  ASSERT_TRUE(proposal.ok()) << proposal.status().ToString();

  auto same = Backtest(*db_, *detectors_->Get(), *current, *current);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->items, 3);
  EXPECT_EQ(same->changed, 0);

  auto r = Backtest(*db_, *detectors_->Get(), *current, **proposal);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->changed, 1);
  EXPECT_EQ(r->looser, 1);
  EXPECT_EQ(r->stricter, 0);
  ASSERT_EQ(r->changes.size(), 1u);
  const auto& [key, n] = *r->changes.begin();
  EXPECT_EQ(std::get<0>(key), "threat");
  EXPECT_EQ(std::get<2>(key).rfind("remove", 0), 0u);
  // With removal gone, the strongest remaining threat rule (reduce at 0.65) decides.
  EXPECT_EQ(std::get<3>(key).rfind("reduce", 0), 0u) << std::get<3>(key);
  EXPECT_EQ(n, 1);
  EXPECT_EQ(db_->decisions().Head()->seq, 0);  // read-only
}

}  // namespace
}  // namespace bulwark::enforce

namespace bulwark::enforce {
namespace {

// The pipeline enforces the database's active policy version and follows activations: items
// enforced after an activation get the new version; decisions already made are never edited.
TEST_F(EnforcerTest, ThePipelinePicksUpANewlyActivatedVersion) {
  std::ifstream in(std::string(BULWARK_SOURCE_DIR) + "/data/policy/default.policy");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  policy::Lifecycle lifecycle(db_->policies(), clock_, StoredItemsBacktest(*db_, *detectors_));
  PolicyHandle from_db(db_->policies());
  EXPECT_EQ(from_db.Refresh().code(), Code::kNotFound);  // nothing active yet
  auto boot = lifecycle.Bootstrap(text, "default.policy");
  ASSERT_TRUE(boot.ok()) << boot.status().ToString();
  ASSERT_TRUE(from_db.Reload().ok());
  EXPECT_EQ(from_db.version_id(), boot->active.id);
  Enforcer enforcer(*db_, *detectors_, from_db, clock_, nullptr);

  Put({testing::MakeItem("before", "I am going to kill you and your whole family")});
  ASSERT_TRUE(enforcer.RunPending(10).ok());
  const auto old_decisions = For("before");
  ASSERT_TRUE(Has(old_decisions, ActionType::kRemove));
  EXPECT_EQ(old_decisions.front().policy_version, "default@1.0.0");

  // Version 1.1.0 labels threats instead of removing them; signed off and activated.
  std::string weaker = text;
  for (auto [from, to] : {std::pair<std::string, std::string>{"version = 1.0.0", "version = 1.1.0"},
                          {"score      >= 0.80\naction      = remove",
                           "score      >= 0.80\naction      = label:violent"}}) {
    ASSERT_NE(weaker.find(from), std::string::npos) << from;
    weaker.replace(weaker.find(from), from.size(), to);
  }
  auto d = lifecycle.Draft(weaker, "weaker.policy", {"alice", Role::kPolicyAuthor});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_TRUE(lifecycle.Submit(d->version.id, {"alice", Role::kPolicyAuthor}).ok());
  ASSERT_TRUE(lifecycle.Approve(d->version.id, {"carol", Role::kCivilRights}).ok());
  auto activated = lifecycle.Activate(d->version.id, {"dave", Role::kAdmin});
  ASSERT_TRUE(activated.ok()) << activated.status().ToString();

  // No reload call: the next batch asks the store which version is active.
  Put({testing::MakeItem("after", "I am going to kill you and your whole family")});
  ASSERT_TRUE(enforcer.RunPending(10).ok());
  EXPECT_EQ(from_db.version_id(), d->version.id);
  const auto new_decisions = For("after");
  ASSERT_FALSE(new_decisions.empty());
  EXPECT_FALSE(Has(new_decisions, ActionType::kRemove));
  // With removal gone, the strongest remaining threat rule (reduce at 0.65) decides.
  EXPECT_TRUE(Has(new_decisions, ActionType::kReduce));
  for (const Decision& x : new_decisions) EXPECT_EQ(x.policy_version, "default@1.1.0");
  EXPECT_GT(new_decisions.front().seq, activated->log_entry.seq);

  const auto still = For("before");
  ASSERT_EQ(still.size(), old_decisions.size());
  for (size_t i = 0; i < still.size(); ++i) {
    EXPECT_EQ(still[i].hash, old_decisions[i].hash);
    EXPECT_EQ(still[i].action, old_decisions[i].action);
  }
  EXPECT_TRUE(db_->decisions().VerifyLog()->ok);
}

}  // namespace
}  // namespace bulwark::enforce

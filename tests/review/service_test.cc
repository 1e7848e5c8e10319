// The review service on a real SQLite database with an injected clock: expertise decides what a
// reviewer sees and claims, decisions carry valid reason codes, second reviews are blind, go to
// a different reviewer and never enforce, disagreements are broken by a third reviewer, and the
// agreement and SLA figures match hand-computed values.

#include "review/service.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "testing/temp_dir.h"

namespace bulwark::review {
namespace {

class ManualClock final : public Clock {
 public:
  UnixMillis NowMillis() const override { return now; }
  UnixMillis now = 1'000'000'000;
};

constexpr std::int64_t kMinute = 60 * 1000;

std::string QueueJson(const std::string& id, const std::string& expertise, double share) {
  return R"({"id":")" + id + R"(","title":")" + id + R"(","description":"d","expertise":[)" +
         expertise + R"(],"sla_first_review_minutes":60,"second_review_share":)" +
         std::to_string(share) + R"(,"wellbeing":false})";
}

const char* kReasonCodes = R"(,"reviewer_reason_codes":[
  {"code":"no_violation","outcomes":["none"],"description":"d"},
  {"code":"appeal.upheld","outcomes":["uphold"],"description":"d"},
  {"code":"appeal.overturned","outcomes":["restore"],"description":"d"},
  {"code":"review.overturned","outcomes":["restore"],"description":"d"}])";

class ReviewServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::OpenOptions open;
    open.synchronous_full = false;
    db_ = std::move(store::OpenDatabase("sqlite:" + dir_.File("r.db"), open)).value();
    auto config = ParseQueueConfig(
        std::string(R"({"format":"bulwark-review-queues/1","queues":[)") +
            QueueJson("antisemitism", R"("antisemitism")", 0) + "," +
            QueueJson("checked", R"("hate")", 1) + "," + QueueJson("sampled", R"("hate")", 0.1) +
            "," + QueueJson("appeals", R"("appeals")", 0) + "]" + kReasonCodes + "}",
        "test-queues.json");
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    auto policy =
        policy::LoadPolicyFile(std::string(BULWARK_SOURCE_DIR) + "/data/policy/default.policy");
    ASSERT_TRUE(policy.ok());
    policy_ = *policy;
    ReviewOptions options;
    options.sampling_key = "k";
    options.lease_ms = 10 * kMinute;
    service_ = std::make_unique<ReviewService>(
        *db_, *config, [this] { return policy_; }, clock_, options, &metrics_);
  }

  // Stores `n` items and sends each to `queue`, opened at the clock's current time.
  std::vector<std::string> Open(const std::string& queue, int n = 1) {
    std::vector<Item> items;
    std::vector<Decision> ds;
    std::vector<store::ReviewRequest> reviews;
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      std::string id = queue + "-" + std::to_string(next_++);
      items.push_back(testing::MakeItem(id, "text of " + id));
      Decision d;
      d.item_id = id;
      d.item_revision = 1;
      d.action = ActionType::kReview;
      d.category = "hate";
      d.actor = "system";
      d.created_at = clock_.now;
      reviews.push_back({ds.size(), queue, 500, 5});
      ds.push_back(d);
      ids.push_back(id);
    }
    EXPECT_TRUE(db_->items().UpsertItems(items, clock_.now).ok());
    EXPECT_TRUE(db_->enforcement().RecordEnforcement(ds, reviews, {}).ok());
    return ids;
  }

  std::int64_t LogSize() { return db_->decisions().Head()->seq; }

  Result<store::CaseDecisionResult> Decide(const Reviewer& r, std::int64_t id,
                                           const std::string& outcome, const std::string& code,
                                           const std::string& reason = "") {
    return service_->Decide(r, id, {outcome, code, reason});
  }

  std::vector<std::string> QueueIds(const Reviewer& r) {
    std::vector<std::string> out;
    auto listing = service_->Queues(r);
    for (const auto& q : listing->queues) out.push_back(q.id);
    return out;
  }

  testing::TempDir dir_;
  ManualClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<store::Database> db_;
  std::shared_ptr<const policy::Policy> policy_;
  std::unique_ptr<ReviewService> service_;
  int next_ = 0;

  const Reviewer alice_{"user:alice", {"antisemitism", "hate"}, false};
  const Reviewer bob_{"user:bob", {"hate", "appeals"}, false};
  const Reviewer carol_{"user:carol", {"hate"}, false};
  const Reviewer newcomer_{"user:newcomer", {}, false};
  const Reviewer admin_{"key:admin", {}, true};
};

TEST_F(ReviewServiceTest, AReviewerSeesAndClaimsOnlyTheQueuesOfTheirExpertise) {
  Open("antisemitism");
  Open("checked");
  Open("legacy");  // a queue an old policy named, no longer configured

  EXPECT_EQ(QueueIds(alice_), (std::vector<std::string>{"antisemitism", "checked", "sampled"}));
  EXPECT_EQ(QueueIds(bob_), (std::vector<std::string>{"checked", "sampled", "appeals"}));
  EXPECT_TRUE(QueueIds(newcomer_).empty());
  // Oversight sees every queue, configured ones first, then any other queue that has cases.
  EXPECT_EQ(QueueIds(admin_),
            (std::vector<std::string>{"antisemitism", "checked", "sampled", "appeals", "legacy"}));

  auto denied = service_->Claim(bob_, "antisemitism");
  EXPECT_EQ(denied.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(denied.status().field(), "queue");
  EXPECT_NE(denied.status().message().find("antisemitism"), std::string::npos);
  EXPECT_EQ(service_->Claim(newcomer_, "checked").status().code(), Code::kPermissionDenied);
  EXPECT_EQ(service_->Claim(admin_, "antisemitism").status().code(), Code::kPermissionDenied)
      << "oversight is read-only";
  EXPECT_EQ(service_->Claim(alice_, "legacy").status().code(), Code::kNotFound);
  EXPECT_EQ(service_->Claim(alice_, "legacy").status().field(), "queue");

  auto c = service_->Claim(alice_, "antisemitism");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->claimed_by, "user:alice");
  EXPECT_EQ(c->lease_expires_at, clock_.now + 10 * kMinute);
  EXPECT_EQ(service_->Claim(alice_, "antisemitism").status().code(), Code::kNotFound);
}

TEST_F(ReviewServiceTest, ADecisionCarriesAReasonCodeThatFitsItsOutcome) {
  Open("antisemitism");
  auto c = service_->Claim(alice_, "antisemitism");
  ASSERT_TRUE(c.ok());
  auto field = [&](const std::string& outcome, const std::string& code,
                   const std::string& reason = "") {
    auto r = Decide(alice_, c->id, outcome, code, reason);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << outcome << " " << code;
    return r.status().field();
  };
  EXPECT_EQ(field("obliterate", "hate.attack"), "action");
  EXPECT_EQ(field("restore", "review.overturned"), "action");  // only appeals and tie-breaks
  EXPECT_EQ(field("review", "hate.attack"), "action");
  EXPECT_EQ(field("remove", "made.up.code"), "reason_code");
  EXPECT_EQ(field("remove", "HATE_SLUR"), "reason_code");
  EXPECT_EQ(field("remove", "no_violation"), "reason_code");  // a reviewer code for none
  EXPECT_EQ(field("none", "hate.attack"), "reason_code");     // a policy code explains enforcement
  EXPECT_EQ(field("remove", "priority.reach"), "reason_code");  // not a reason for an action
  EXPECT_EQ(field("remove", "hate.attack", std::string(kMaxReasonBytes + 1, 'x')), "reason");
  EXPECT_EQ(Decide(alice_, 999, "remove", "hate.attack").status().code(), Code::kNotFound);
  EXPECT_EQ(Decide(bob_, c->id, "remove", "hate.attack").status().code(),
            Code::kFailedPrecondition);  // not bob's claim

  auto r = Decide(alice_, c->id, "remove", "hate.attack", "dehumanising");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->logged.has_value());
  EXPECT_EQ(r->logged->action, ActionType::kRemove);
  EXPECT_EQ(r->logged->actor, "reviewer:user:alice");
  EXPECT_EQ(r->logged->reason, "hate.attack: dehumanising");
  EXPECT_EQ(r->logged->rule_id, "human_review");
  EXPECT_EQ(r->logged->policy_version, "default@1.0.0");
  EXPECT_EQ(r->decided.reason_code, "hate.attack");
  EXPECT_EQ(r->decided.outcome, "remove");
  EXPECT_EQ(r->second_review, 0) << "share 0: never sampled";
}

TEST_F(ReviewServiceTest, ASecondReviewIsBlindByAnotherReviewerAndNeverEnforces) {
  auto items = Open("checked", 2);  // second_review_share 1
  auto first = service_->Claim(alice_, "checked");
  ASSERT_TRUE(first.ok());
  auto decided = Decide(alice_, first->id, "remove", "hate.attack");
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  ASSERT_GT(decided->second_review, 0);
  const std::int64_t log_after_first = LogSize();

  // Alice's other case comes next for her, never her own second review.
  auto other = service_->Claim(alice_, "checked");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->id, decided->second_review);
  EXPECT_EQ(other->round, store::kFirstReview);
  EXPECT_EQ(service_->Claim(alice_, "checked").status().code(), Code::kNotFound);

  auto second = service_->Claim(bob_, "checked");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->id, decided->second_review);
  EXPECT_EQ(second->round, store::kSecondReview);
  EXPECT_EQ(second->item_id, first->item_id);
  EXPECT_EQ(second->opened_by_seq, first->opened_by_seq) << "opened by the system decision";
  EXPECT_TRUE(second->outcome.empty()) << "blind: no earlier outcome";
  auto agreed = Decide(bob_, second->id, "remove", "hate.attack");
  ASSERT_TRUE(agreed.ok()) << agreed.status().ToString();
  EXPECT_EQ(agreed->agreed, true);
  EXPECT_FALSE(agreed->logged.has_value());
  EXPECT_EQ(agreed->tie_break, 0);
  EXPECT_EQ(LogSize(), log_after_first) << "a second review changes no enforcement";
  EXPECT_EQ(agreed->second_review, 0) << "second reviews are not sampled again";
  auto logged = db_->decisions().DecisionsForItem(first->item_id);
  for (const Decision& d : *logged) {
    EXPECT_NE(d.actor, "reviewer:user:bob");
  }
}

TEST_F(ReviewServiceTest, ADisagreementIsEscalatedAndBrokenByAThirdReviewer) {
  Open("checked");
  auto first = service_->Claim(alice_, "checked");
  auto removed = Decide(alice_, first->id, "remove", "hate.attack");
  ASSERT_TRUE(removed.ok());
  auto second = service_->Claim(bob_, "checked");
  ASSERT_TRUE(second.ok());
  const std::int64_t before = LogSize();
  auto disagreed = Decide(bob_, second->id, "none", "no_violation");
  ASSERT_TRUE(disagreed.ok()) << disagreed.status().ToString();
  EXPECT_EQ(disagreed->agreed, false);
  ASSERT_TRUE(disagreed->escalation.has_value());
  EXPECT_EQ(disagreed->escalation->action, ActionType::kEscalate);
  EXPECT_EQ(disagreed->escalation->rule_id, "review.tie_break");
  EXPECT_EQ(LogSize(), before + 1) << "only the escalation is logged";
  ASSERT_GT(disagreed->tie_break, 0);

  // Neither reviewer may break the tie.
  EXPECT_EQ(service_->Claim(alice_, "checked").status().code(), Code::kNotFound);
  EXPECT_EQ(service_->Claim(bob_, "checked").status().code(), Code::kNotFound);
  auto tie = service_->Claim(carol_, "checked");
  ASSERT_TRUE(tie.ok());
  EXPECT_EQ(tie->id, disagreed->tie_break);
  EXPECT_EQ(tie->round, store::kTieBreak);
  auto restored = Decide(carol_, tie->id, "restore", "review.overturned");
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  ASSERT_TRUE(restored->logged.has_value());
  EXPECT_EQ(restored->logged->action, ActionType::kRestore);
  EXPECT_EQ(restored->logged->rule_id, "review.tie_break");
  EXPECT_EQ(restored->second_review, 0);
  EXPECT_TRUE(db_->decisions().VerifyLog()->ok);
}

TEST_F(ReviewServiceTest, TheSampledShareOfFirstReviewsGetsASecondReview) {
  const int n = 400;
  Open("sampled", n);  // second_review_share 0.1
  const QueueSpec& spec = *service_->queues()->Find("sampled");
  int opened = 0, expected = 0;
  for (int i = 0; i < n; ++i) {
    auto c = service_->Claim(alice_, "sampled");
    ASSERT_TRUE(c.ok()) << i;
    ASSERT_EQ(c->round, store::kFirstReview);
    expected += service_->SampledForSecondReview(c->id, spec);
    auto r = Decide(alice_, c->id, "none", "no_violation");
    ASSERT_TRUE(r.ok());
    opened += r->second_review != 0;
  }
  EXPECT_EQ(opened, expected) << "exactly the cases the keyed hash picks";
  EXPECT_NEAR(opened, n * 0.1, 5 * std::sqrt(n * 0.1 * 0.9));
  // Every second review waits for someone other than alice.
  EXPECT_EQ(service_->Claim(alice_, "sampled").status().code(), Code::kNotFound);
  auto q = service_->Queues(bob_);
  for (const auto& v : q->queues) {
    if (v.id == "sampled") {
      EXPECT_EQ(v.counts.checks_waiting, opened);
    }
  }
}

TEST_F(ReviewServiceTest, AgreementStatisticsOverAWindow) {
  // Four pairs in "checked": (remove, remove), (remove, none), (none, none), (none, none).
  // p_o = 3/4; first says remove 2/4, second 1/4; p_e = 0.5*0.25 + 0.5*0.75 = 0.5; kappa = 0.5.
  const std::pair<const char*, const char*> outcomes[] = {
      {"remove", "remove"}, {"remove", "none"}, {"none", "none"}, {"none", "none"}};
  auto code = [](const std::string& o) { return o == "none" ? "no_violation" : "hate.attack"; };
  for (const auto& [a, b] : outcomes) {
    Open("checked");
    auto c = service_->Claim(alice_, "checked");
    ASSERT_TRUE(c.ok());
    ASSERT_EQ(c->round, store::kFirstReview);
    ASSERT_TRUE(Decide(alice_, c->id, a, code(a)).ok());
    clock_.now += kMinute;
    auto s = service_->Claim(bob_, "checked");
    ASSERT_TRUE(s.ok());
    ASSERT_EQ(s->round, store::kSecondReview);
    ASSERT_TRUE(Decide(bob_, s->id, b, code(b)).ok());
  }
  auto stats = service_->Stats(0, clock_.now + 1);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  const QueueReport* checked = nullptr;
  for (const auto& q : stats->queues) {
    if (q.queue == "checked") checked = &q;
  }
  ASSERT_NE(checked, nullptr);
  EXPECT_EQ(checked->agreement.pairs, 4);
  EXPECT_EQ(checked->agreement.agreed, 3);
  EXPECT_DOUBLE_EQ(checked->agreement.percent, 75);
  ASSERT_TRUE(checked->agreement.kappa.has_value());
  EXPECT_NEAR(*checked->agreement.kappa, 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(checked->reason_code_percent, 75);
  EXPECT_EQ(stats->overall.pairs, 4);
  // A window that ends before any second review was decided has no pairs.
  EXPECT_EQ(service_->Stats(0, 1'000'000'000)->overall.pairs, 0);
  EXPECT_EQ(service_->Stats(5, 5).status().field(), "since");
}

TEST_F(ReviewServiceTest, AReviewerHoldsAtMostTheCapOfLiveClaims) {
  // Issue 9, item 14: one account cannot drain a queue into leases nobody works.
  Open("antisemitism", 8);
  std::vector<std::int64_t> held;
  for (int i = 0; i < ReviewOptions{}.max_claims_per_reviewer; ++i) {
    auto c = service_->Claim(alice_, "antisemitism");
    ASSERT_TRUE(c.ok()) << i << ": " << c.status().ToString();
    held.push_back(c->id);
  }
  auto over = service_->Claim(alice_, "antisemitism");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(over.status().field(), "reviewer");
  Open("checked");
  EXPECT_TRUE(service_->Claim(carol_, "checked").ok()) << "the cap is per reviewer";
  // Deciding one frees a slot; so does a lease running out.
  ASSERT_TRUE(Decide(alice_, held[0], "none", "no_violation").ok());
  EXPECT_TRUE(service_->Claim(alice_, "antisemitism").ok());
  EXPECT_FALSE(service_->Claim(alice_, "antisemitism").ok());
  clock_.now += 11 * kMinute;  // every lease (10 minutes) has expired
  EXPECT_TRUE(service_->Claim(alice_, "antisemitism").ok());
}

TEST_F(ReviewServiceTest, SlaTimersWithAnInjectedClock) {
  const UnixMillis t0 = clock_.now;
  Open("antisemitism", 4);  // SLA 60 minutes
  for (std::int64_t wait : {10 * kMinute, 30 * kMinute, 300 * kMinute}) {
    clock_.now = t0 + wait;
    auto c = service_->Claim(alice_, "antisemitism");
    ASSERT_TRUE(c.ok());
    clock_.now += 2 * kMinute;  // time to decide does not count
    ASSERT_TRUE(Decide(alice_, c->id, "none", "no_violation").ok());
  }
  clock_.now = t0 + 270 * kMinute;
  Open("antisemitism");  // waits 32 minutes by the end: within the SLA
  clock_.now = t0 + 302 * kMinute;

  auto listing = service_->Queues(alice_);
  ASSERT_TRUE(listing.ok());
  const QueueView& q = listing->queues.front();
  ASSERT_EQ(q.id, "antisemitism");
  EXPECT_EQ(q.sla.target_ms, 60 * kMinute);
  EXPECT_EQ(q.sla.first_review.count, 3);
  EXPECT_EQ(q.sla.first_review.p50_ms, 30 * kMinute);
  EXPECT_EQ(q.sla.first_review.p90_ms, 300 * kMinute);
  EXPECT_EQ(q.sla.first_review.max_ms, 300 * kMinute);
  EXPECT_EQ(q.sla.first_review.within_target, 2);
  EXPECT_EQ(q.counts.open, 2);
  EXPECT_EQ(q.sla.open_past_sla, 1) << "the fourth case has waited 302 minutes";
  EXPECT_EQ(q.sla.oldest_waiting_ms, 302 * kMinute);

  auto stats = service_->Stats(t0, clock_.now + 1);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->queues.front().sla.first_review.p90_ms, 300 * kMinute);
  // Outside the window: no decided first reviews.
  EXPECT_EQ(service_->Stats(t0 - 10, t0)->queues.front().sla.first_review.count, 0);

  // The same figures on /metrics.
  const std::string m = metrics_.RenderPrometheus();
  EXPECT_NE(m.find("bulwark_review_open_past_sla_cases{queue=\"antisemitism\"} 1\n"),
            std::string::npos)
      << m;
  EXPECT_NE(
      m.find("bulwark_review_time_to_first_review_seconds{queue=\"antisemitism\",quantile=\"0.5\"}"
             " 1800\n"),
      std::string::npos);
  EXPECT_NE(m.find("bulwark_review_sla_target_seconds{queue=\"antisemitism\"} 3600\n"),
            std::string::npos);
  EXPECT_NE(m.find("bulwark_review_oldest_waiting_seconds{queue=\"antisemitism\"} 18120\n"),
            std::string::npos);
  EXPECT_NE(m.find("# TYPE bulwark_review_waiting_cases gauge"), std::string::npos);
}

TEST_F(ReviewServiceTest, MetricsFiguresAreComputedAtMostEveryRefreshInterval) {
  // Issue 9, item 14: /metrics is public; a scrape must not cost a scan of the review tables
  // each time. Figures are recomputed once ReviewOptions::metrics_refresh_ms has passed.
  Open("antisemitism", 2);
  const std::string two = "bulwark_review_waiting_cases{queue=\"antisemitism\"} 2\n";
  const std::string three = "bulwark_review_waiting_cases{queue=\"antisemitism\"} 3\n";
  EXPECT_NE(metrics_.RenderPrometheus().find(two), std::string::npos);
  Open("antisemitism");
  clock_.now += ReviewOptions{}.metrics_refresh_ms - 1;
  EXPECT_NE(metrics_.RenderPrometheus().find(two), std::string::npos) << "served from the cache";
  clock_.now += 1;
  EXPECT_NE(metrics_.RenderPrometheus().find(three), std::string::npos) << "refreshed";
}

TEST_F(ReviewServiceTest, AppealsAreUpheldOrRestoredWithAReasonCode) {
  Open("antisemitism");
  auto c = service_->Claim(alice_, "antisemitism");
  auto removed = Decide(alice_, c->id, "remove", "hate.attack");
  ASSERT_TRUE(removed.ok());
  auto appeal = db_->review().OpenAppeal(removed->logged->seq, "quoting", clock_.now);
  ASSERT_TRUE(appeal.ok());
  EXPECT_EQ(service_->Claim(alice_, "appeals").status().code(), Code::kPermissionDenied);
  auto a = service_->Claim(bob_, "appeals");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Decide(bob_, a->id, "remove", "hate.attack").status().field(), "action");
  EXPECT_EQ(Decide(bob_, a->id, "uphold", "appeal.overturned").status().field(), "reason_code");
  auto upheld = Decide(bob_, a->id, "uphold", "appeal.upheld");
  ASSERT_TRUE(upheld.ok()) << upheld.status().ToString();
  EXPECT_EQ(upheld->logged->action, ActionType::kRemove);
  EXPECT_EQ(upheld->logged->rule_id, "appeal");
  EXPECT_EQ(upheld->second_review, 0);
}

// Recommendation 7's coverage figures: private-group items scanned within 60 s of receipt, and
// their flagged cases first claimed within the queue's SLA (here 60 minutes).
TEST_F(ReviewServiceTest, PrivateGroupCoverageCountsScansAndCasesAgainstTheirTargets) {
  const UnixMillis t0 = clock_.now;
  auto open = [&](const std::string& id, const std::string& queue, bool is_private) {
    Item item = testing::MakeItem(id, "text of " + id);
    item.group_id = is_private ? "g-private" : "g-public";
    item.group_visibility = is_private ? Visibility::kPrivate : Visibility::kPublic;
    std::vector<Item> items = {item};
    ASSERT_TRUE(db_->items().UpsertItems(items, clock_.now).ok());
    Decision d;
    d.item_id = id;
    d.item_revision = 1;
    d.action = ActionType::kReview;
    d.category = "hate";
    d.actor = "system";
    d.rule_id = "hate.review";
    d.created_at = clock_.now;
    std::vector<store::ReviewRequest> reviews = {{0, queue, 500, 5}};
    ASSERT_TRUE(db_->enforcement().RecordEnforcement({d}, reviews, {}).ok());
  };
  auto mark = [&](const std::string& id, UnixMillis at) {
    std::vector<store::EnforcedMark> m = {{id, 1, 0, at}};
    ASSERT_TRUE(db_->enforcement().RecordEnforcement({}, {}, m).ok());
  };
  open("p1", "checked", true);
  mark("p1", t0 + 10 * 1000);  // scanned 10 s after receipt
  open("pub", "checked", false);
  clock_.now += 10 * kMinute;
  ASSERT_TRUE(service_->Claim(carol_, "checked").ok());  // p1, 10 minutes after it opened
  open("p2", "sampled", true);
  mark("p2", clock_.now + 5 * kMinute);  // scanned 5 minutes after receipt
  open("p4", "checked", true);
  clock_.now += 2 * 60 * kMinute;
  ASSERT_TRUE(service_->Claim(bob_, "sampled").ok());  // p2, two hours after it opened
  open("p3", "antisemitism", true);                    // just opened: not yet due

  auto r = service_->PrivateGroupStats(t0, clock_.now + 1, 60 * 1000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->scans.items, 4);
  EXPECT_EQ(r->scans.within, 1);
  EXPECT_EQ(r->scans.later, 1);
  EXPECT_EQ(r->scans.pending, 2);
  EXPECT_EQ(r->cases, 4) << "the public-group case is not counted";
  EXPECT_EQ(r->within_sla, 1);
  EXPECT_EQ(r->breached, 2) << "p2 claimed late, p4 still waiting past the SLA";
  EXPECT_EQ(r->not_yet_due, 1);
  const std::string metrics = metrics_.RenderPrometheus();
  EXPECT_NE(metrics.find(R"(bulwark_private_group_cases_claimed_total{within_sla="true"} 1)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(bulwark_private_group_cases_claimed_total{within_sla="false"} 1)"),
            std::string::npos);
}

// A reviewer's decision through the service resolves the reports on the item and counts for the
// reporters' records (what review::WeighReports reads), as the amplification guard and
// GET /v1/reports/{id} see it from the same log entry.
TEST_F(ReviewServiceTest, AReviewersDecisionResolvesTheItemsReports) {
  const std::string id = Open("checked")[0];
  std::vector<Report> reports = {{"r1", id, "p1", ReportReason::kHate, "", clock_.now, 0}};
  ASSERT_TRUE(db_->events().AppendReports(reports, clock_.now).ok());
  clock_.now += kMinute;
  auto c = service_->Claim(carol_, "checked");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto r = Decide(carol_, c->id, "remove", "hate.attack");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(db_->events().GetReport("r1")->outcome, "upheld");
  auto items = db_->enforcement().ItemsAfter("", 10);
  ASSERT_EQ(items->size(), 1u);
  ASSERT_EQ((*items)[0].report_signals.size(), 1u);
  EXPECT_EQ((*items)[0].report_signals[0].upheld, 1);
}

}  // namespace
}  // namespace bulwark::review

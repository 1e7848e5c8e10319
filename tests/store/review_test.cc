// Expert review queues: routing from enforcement, priority order, leases that keep two
// reviewers off the same case and give abandoned cases back, decisions in the log.

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "store/store.h"
#include "testing/temp_dir.h"

namespace bulwark::store {
namespace {

class ReviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::move(OpenDatabase("sqlite:" + dir_.File("r.db"), OpenOptions{})).value();
  }
  // Stores `n` items and sends each to `queue` with the given priorities (cycled).
  void Open(int n, const std::string& queue, std::vector<int> priorities = {5}) {
    std::vector<Item> items;
    std::vector<Decision> ds;
    std::vector<ReviewRequest> reviews;
    std::vector<store::EnforcedMark> enforced;
    for (int i = 0; i < n; ++i) {
      std::string id = queue + "-" + std::to_string(next_++);
      items.push_back(testing::MakeItem(id, "text"));
      Decision d;
      d.item_id = id;
      d.item_revision = 1;
      d.action = ActionType::kReview;
      d.category = "hate";
      d.created_at = 100 + next_;
      reviews.push_back({ds.size(), queue, priorities[static_cast<size_t>(i) % priorities.size()]});
      ds.push_back(d);
      enforced.push_back({id, 1, 0});
    }
    ASSERT_TRUE(db_->items().UpsertItems(items, 1).ok());
    ASSERT_TRUE(db_->enforcement().RecordEnforcement(ds, reviews, enforced).ok());
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  int next_ = 0;
};

TEST_F(ReviewTest, ClaimsHighestPriorityFirstThenOldest) {
  Open(3, "antisemitism", {2, 9, 9});
  auto a = db_->review().ClaimNext("antisemitism", "rev1", 1000, 60000);
  auto b = db_->review().ClaimNext("antisemitism", "rev1", 1000, 60000);
  auto c = db_->review().ClaimNext("antisemitism", "rev1", 1000, 60000);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->priority, 9);
  EXPECT_EQ(b->priority, 9);
  EXPECT_LT(a->created_at, b->created_at);
  EXPECT_EQ(c->priority, 2);
  EXPECT_EQ(db_->review().ClaimNext("antisemitism", "rev1", 1000, 60000).status().code(),
            Code::kNotFound);
  EXPECT_EQ(db_->review().ClaimNext("misogyny", "rev1", 1000, 60000).status().code(),
            Code::kNotFound);
}

TEST_F(ReviewTest, TwoReviewersClaimingConcurrentlyNeverGetTheSameCase) {
  Open(200, "threats");
  std::mutex mu;
  std::vector<std::int64_t> claimed;
  std::vector<std::thread> reviewers;
  for (int r = 0; r < 4; ++r) {
    reviewers.emplace_back([&, r] {
      for (;;) {
        auto c = db_->review().ClaimNext("threats", "rev" + std::to_string(r), 5000, 60000);
        if (!c.ok()) break;
        std::lock_guard lock(mu);
        claimed.push_back(c->id);
      }
    });
  }
  for (auto& t : reviewers) t.join();
  std::set<std::int64_t> unique(claimed.begin(), claimed.end());
  EXPECT_EQ(claimed.size(), 200u);
  EXPECT_EQ(unique.size(), claimed.size()) << "a case was handed to two reviewers";
}

TEST_F(ReviewTest, AnExpiredLeaseReturnsTheCaseToTheQueue) {
  Open(1, "anti_muslim");
  auto first = db_->review().ClaimNext("anti_muslim", "alice", 1000, 30000);
  ASSERT_TRUE(first.ok());
  // Before expiry nobody else can take it; the queue shows it as claimed.
  EXPECT_EQ(db_->review().ClaimNext("anti_muslim", "bob", 20000, 30000).status().code(),
            Code::kNotFound);
  auto q = db_->review().Queues(20000);
  ASSERT_EQ(q->size(), 1u);
  EXPECT_EQ((*q)[0].claimed, 1);
  EXPECT_EQ((*q)[0].open, 0);
  // Alice walked away; after expiry Bob gets the same case.
  auto second = db_->review().ClaimNext("anti_muslim", "bob", 31001, 30000);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(second->claimed_by, "bob");
  EXPECT_EQ(second->first_claimed_at, 1000);  // time to first review is not reset
  // Alice's late decision is refused; Bob's is recorded in the log.
  Decision late;
  late.action = ActionType::kRemove;
  EXPECT_EQ(db_->review().DecideCase(first->id, "alice", late, 32000).status().code(),
            Code::kFailedPrecondition);
  Decision d;
  d.action = ActionType::kRemove;
  d.actor = "reviewer:bob";
  d.reason = "HATE_DEHUMANISATION: dehumanising a religious group";
  auto decided = db_->review().DecideCase(second->id, "bob", d, 33000);
  ASSERT_TRUE(decided.ok()) << decided.status().ToString();
  EXPECT_EQ(decided->item_id, first->item_id);
  EXPECT_GT(decided->seq, 0);
  auto after = db_->review().GetCase(first->id);
  EXPECT_EQ(after->status, "decided");
  EXPECT_EQ(after->outcome, "remove");
  EXPECT_EQ(after->decision_seq, decided->seq);
  EXPECT_EQ(db_->review().DecideCase(first->id, "bob", d, 34000).status().code(),
            Code::kFailedPrecondition);
  EXPECT_TRUE(db_->decisions().VerifyLog()->ok);
}

TEST_F(ReviewTest, AnItemWaitsInAQueueOnceAtItsHighestPriority) {
  Open(1, "misogyny", {3});
  // The same item sent again (a re-scan) at a higher priority keeps one case.
  Decision d;
  d.item_id = "misogyny-0";
  d.item_revision = 1;
  d.action = ActionType::kReview;
  std::vector<ReviewRequest> again = {{0, "misogyny", 8}};
  ASSERT_TRUE(db_->enforcement().RecordEnforcement({d}, again, {}).ok());
  auto q = db_->review().Queues(0);
  ASSERT_EQ(q->size(), 1u);
  EXPECT_EQ((*q)[0].open, 1);
  EXPECT_EQ(db_->review().ClaimNext("misogyny", "r", 0, 1000)->priority, 8);
}

}  // namespace
}  // namespace bulwark::store

namespace bulwark::store {
namespace {

TEST_F(ReviewTest, AnAppealGoesToADifferentReviewerAndCanRestore) {
  Open(1, "anti_black_racism");
  auto c = db_->review().ClaimNext("anti_black_racism", "key:alice", 1000, 60000);
  ASSERT_TRUE(c.ok());
  Decision removal;
  removal.action = ActionType::kRemove;
  removal.actor = "reviewer:key:alice";
  auto removed = db_->review().DecideCase(c->id, "key:alice", removal, 2000);
  ASSERT_TRUE(removed.ok());

  auto appeal = db_->review().OpenAppeal(removed->seq, "It was a quote from a news report", 3000);
  ASSERT_TRUE(appeal.ok()) << appeal.status().ToString();
  EXPECT_EQ(appeal->queue, kAppealsQueue);
  EXPECT_EQ(appeal->exclude_reviewer, "key:alice");
  EXPECT_EQ(appeal->statement, "It was a quote from a news report");
  EXPECT_EQ(db_->review().OpenAppeal(removed->seq, "again", 3001).status().code(),
            Code::kFailedPrecondition);  // one waiting appeal per item

  // The reviewer who removed it may not judge the appeal.
  EXPECT_EQ(db_->review().ClaimNext(kAppealsQueue, "key:alice", 4000, 60000).status().code(),
            Code::kNotFound);
  auto bob = db_->review().ClaimNext(kAppealsQueue, "key:bob", 4000, 60000);
  ASSERT_TRUE(bob.ok());
  EXPECT_EQ(bob->appeal_of_seq, removed->seq);
  Decision restore;
  restore.action = ActionType::kRestore;
  restore.actor = "reviewer:key:bob";
  restore.reason = "APPEAL_OVERTURNED: quoted reporting, not an attack";
  auto restored = db_->review().DecideCase(bob->id, "key:bob", restore, 5000);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->item_id, removed->item_id);
  EXPECT_EQ(restored->action, ActionType::kRestore);
  EXPECT_TRUE(db_->decisions().VerifyLog()->ok);
}

TEST_F(ReviewTest, OnlyEnforcementDecisionsCanBeAppealedAndOnlyAppealsRestore) {
  Open(1, "xenophobia");
  auto review_decision = db_->decisions().ListDecisions(0, 1);
  ASSERT_EQ(review_decision->size(), 1u);
  EXPECT_EQ(db_->review().OpenAppeal((*review_decision)[0].seq, "", 1).status().code(),
            Code::kFailedPrecondition);  // "review" is not an enforcement
  EXPECT_EQ(db_->review().OpenAppeal(999, "", 1).status().code(), Code::kNotFound);
  auto c = db_->review().ClaimNext("xenophobia", "key:r", 10, 60000);
  Decision restore;
  restore.action = ActionType::kRestore;
  EXPECT_EQ(db_->review().DecideCase(c->id, "key:r", restore, 20).status().code(),
            Code::kFailedPrecondition);
}

}  // namespace
}  // namespace bulwark::store

namespace bulwark::store {
namespace {

TEST_F(ReviewTest, RecordReviewOpensABlindSecondRoundBesideANewFirstReview) {
  Open(1, "misogyny", {4});
  auto c = db_->review().ClaimNext("misogyny", "alice", 1000, 60000);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->round, kFirstReview);
  EXPECT_EQ(c->severity, 4);  // no severity given: the priority
  CaseDecision d;
  d.case_id = c->id;
  d.reviewer = "alice";
  d.reason_code = "hate.attack";
  d.decision.action = ActionType::kRemove;
  d.decision.actor = "reviewer:alice";
  d.open_second_review = true;
  auto r = db_->review().RecordReview(d, 2000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->logged.has_value());
  ASSERT_GT(r->second_review, 0);
  EXPECT_EQ(r->decided.reason_code, "hate.attack");

  // A re-scan sends the item to the queue again: a new first review waits beside the second.
  Decision again;
  again.item_id = c->item_id;
  again.item_revision = 1;
  again.action = ActionType::kReview;
  std::vector<ReviewRequest> req = {{0, "misogyny", 2}};
  ASSERT_TRUE(db_->enforcement().RecordEnforcement({again}, req, {}).ok());
  auto q = db_->review().Queues(3000);
  ASSERT_EQ(q->size(), 1u);
  EXPECT_EQ((*q)[0].open, 2);
  EXPECT_EQ((*q)[0].checks_waiting, 1);

  // Alice gets the new first review, never her own second review; DecideCase refuses round 2.
  auto next = db_->review().ClaimNext("misogyny", "alice", 3000, 60000);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->round, kFirstReview);
  EXPECT_EQ(db_->review().ClaimNext("misogyny", "alice", 3000, 60000).status().code(),
            Code::kNotFound);
  auto second = db_->review().ClaimNext("misogyny", "bob", 3000, 60000);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->id, r->second_review);
  EXPECT_EQ(second->checks_case, c->id);
  EXPECT_EQ(second->exclude_reviewer, "alice");
  Decision other;
  other.action = ActionType::kNone;
  EXPECT_EQ(db_->review().DecideCase(second->id, "bob", other, 4000).status().code(),
            Code::kFailedPrecondition);

  // Bob disagrees: nothing of his is logged but the escalation; a tie-break excludes both.
  CaseDecision b;
  b.case_id = second->id;
  b.reviewer = "bob";
  b.reason_code = "no_violation";
  b.decision.action = ActionType::kNone;
  auto head = db_->decisions().Head()->seq;
  auto rb = db_->review().RecordReview(b, 5000);
  ASSERT_TRUE(rb.ok()) << rb.status().ToString();
  EXPECT_EQ(rb->agreed, false);
  EXPECT_EQ(db_->decisions().Head()->seq, head + 1);
  ASSERT_GT(rb->tie_break, 0);
  auto tie = db_->review().GetCase(rb->tie_break);
  EXPECT_EQ(tie->round, kTieBreak);
  EXPECT_EQ(tie->exclude_reviewer, "alice\nbob");
  EXPECT_EQ(db_->review().ClaimNext("misogyny", "bob", 6000, 60000).status().code(),
            Code::kNotFound);
  auto pairs = db_->review().ReviewPairs(0, 10000);
  ASSERT_EQ(pairs->size(), 1u);
  EXPECT_EQ((*pairs)[0].first_outcome, "remove");
  EXPECT_EQ((*pairs)[0].second_outcome, "none");
  EXPECT_EQ((*pairs)[0].second_reason_code, "no_violation");
  auto waits = db_->review().FirstReviewWaits(0, 10000);
  ASSERT_EQ(waits->size(), 1u);  // the decided first review only
  EXPECT_EQ((*waits)[0].wait_ms, 1000 - c->created_at);
  EXPECT_EQ(*db_->review().UnclaimedBefore("misogyny", 10000), 0);
  EXPECT_TRUE(db_->decisions().VerifyLog()->ok);
}

}  // namespace
}  // namespace bulwark::store

// GroupScanner against a real SQLite database: group rules open group review cases once per
// period, removed groups are left alone, and a reviewer's group decision sets the group's state.

#include "groups/scanner.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "policy/policy.h"
#include "store/store.h"
#include "testing/clock.h"
#include "testing/temp_dir.h"

namespace bulwark::groups {
namespace {

constexpr UnixMillis kNow = 1'800'000'000'000;
constexpr UnixMillis kDay = 86'400'000;

constexpr std::string_view kPolicy = R"(format = bulwark-policy/1
policy = test
version = 1
title = Group rules

[rule hate.review]
category = hate
score >= 0.5
action = review:hate_general priority:4
reason_code = hate.review
reason = Possible hate.

[group_rule group.hate]
category = hate, extremism
share_lower_bound >= 0.10
items >= 20
window = 30d
action = review:extremism priority:6
reason_code = group.hate_share
reason = Much of this group's content is hateful.
)";

class ScannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::OpenDatabase("sqlite:" + dir_.File("g.db"), store::OpenOptions{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto p = policy::ParsePolicy(kPolicy, "test.policy");
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    policy_ = *p;
    scanner_ = std::make_unique<GroupScanner>(
        *db_, [this] { return policy_; }, clock_, nullptr);
  }

  // A group with `n` items in the last 30 days, `hateful` of them removed by the pipeline.
  void SeedGroup(const std::string& id, int n, int hateful, Visibility v = Visibility::kPublic) {
    Group g;
    g.id = id;
    g.name = id;
    g.visibility = v;
    g.created_at = kNow - 90 * kDay;
    g.owner_id = "owner-" + id;
    ASSERT_TRUE(db_->groups().UpsertGroups({&g, 1}, kNow - 90 * kDay).ok());
    std::vector<Item> items;
    for (int i = 0; i < n; ++i) {
      Item it = testing::MakeItem(id + "-" + std::to_string(i), "text", "member");
      it.group_id = id;
      it.group_visibility = v;
      it.created_at = clock_.now - (i % 25 + 1) * kDay;
      items.push_back(it);
    }
    ASSERT_TRUE(db_->items().UpsertItems(items, clock_.now).ok());
    std::vector<Decision> ds;
    for (int i = 0; i < hateful; ++i) {
      Decision d;
      d.item_id = id + "-" + std::to_string(i);
      d.item_revision = 1;
      d.action = ActionType::kRemove;
      d.category = "hate";
      d.rule_id = "hate.remove";
      d.actor = std::string(kSystemActor);
      d.created_at = kNow - kDay;
      ds.push_back(d);
    }
    if (!ds.empty()) {
      ASSERT_TRUE(db_->decisions().AppendDecisions(ds).ok());
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::shared_ptr<const policy::Policy> policy_;
  testing::SettableClock clock_{kNow};
  std::unique_ptr<GroupScanner> scanner_;
};

TEST_F(ScannerTest, SendsAHateGroupToReviewOncePerPeriodWithItsEvidence) {
  SeedGroup("haters", 60, 24, Visibility::kSecret);  // 40%: lower bound ~0.28
  SeedGroup("gardeners", 60, 2);                     // 3%: lower bound ~0.009
  SeedGroup("tiny", 4, 4);                           // 100% of 4 items: under the 20-item floor
  auto sum = scanner_->Scan();
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->groups, 3);
  EXPECT_EQ(sum->matched, 1);
  EXPECT_EQ(sum->logged, 1);

  auto waiting = db_->review().WaitingCases("extremism", kNow, 10);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), 1u);
  const store::ReviewCase& c = (*waiting)[0];
  EXPECT_EQ(c.target_kind, TargetKind::kGroup);
  EXPECT_EQ(c.item_id, "haters");
  EXPECT_EQ(c.category, "hate");
  auto log = db_->decisions().ListDecisions(0, 1000);
  ASSERT_TRUE(log.ok());
  const Decision& d = log->back();
  EXPECT_EQ(d.seq, c.opened_by_seq);
  EXPECT_EQ(d.target_kind, TargetKind::kGroup);
  EXPECT_EQ(d.action, ActionType::kReview);
  EXPECT_EQ(d.rule_id, "group.hate");
  EXPECT_EQ(d.policy_version, "test@1");
  auto evidence = nlohmann::json::parse(d.evidence);
  EXPECT_EQ(evidence["items"], 60);
  EXPECT_EQ(evidence["shares"][0]["category"], "hate");
  EXPECT_EQ(evidence["shares"][0]["flagged"], 24);
  EXPECT_EQ(evidence["shares"][0]["top_items"].size(), 5u);

  // Scanning again in the same period logs nothing new.
  sum = scanner_->Scan();
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->matched, 1);
  EXPECT_EQ(sum->logged, 0);
  EXPECT_EQ(db_->review().WaitingCases("extremism", kNow, 10)->size(), 1u);
}

TEST_F(ScannerTest, AReviewersRemovalSetsTheStateAndTheGroupIsNotScannedAgain) {
  SeedGroup("haters", 40, 20);
  ASSERT_TRUE(scanner_->Scan().ok());
  auto claimed = db_->review().ClaimNext("extremism", "user:r1", kNow, 60'000);
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  ASSERT_EQ(claimed->target_kind, TargetKind::kGroup);

  store::CaseDecision bad;
  bad.case_id = claimed->id;
  bad.reviewer = "user:r1";
  bad.decision.action = ActionType::kReduce;  // not a group outcome
  bad.decision.actor = "reviewer:user:r1";
  auto refused = db_->review().RecordReview(bad, kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().field(), "action");

  store::CaseDecision ok = bad;
  ok.decision.action = ActionType::kRemove;
  ok.decision.reason = "group.hate: a hate group";
  ok.decision.created_at = kNow;
  auto r = db_->review().RecordReview(ok, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->logged.has_value());
  EXPECT_EQ(r->logged->target_kind, TargetKind::kGroup);
  EXPECT_EQ(db_->groups().GetGroup("haters")->state, store::GroupState::kRemoved);

  // A later period: the removed group is not evaluated again.
  clock_.now = kNow + 31 * kDay;
  SeedGroup("haters", 40, 0);
  auto sum = scanner_->Scan();
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->skipped_removed, 1);
  EXPECT_EQ(sum->logged, 0);

  // The group's admins appeal; an appeal reviewer restores it.
  auto appeal = db_->review().OpenAppeal(r->logged->seq, "we moderate now", kNow);
  ASSERT_TRUE(appeal.ok()) << appeal.status().ToString();
  EXPECT_EQ(appeal->target_kind, TargetKind::kGroup);
}

}  // namespace
}  // namespace bulwark::groups

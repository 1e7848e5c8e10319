// AccountScanner against a real SQLite database: strikes (standing removals of an account's items
// and of the groups it runs) lead to the strike rules' consequences, once per strike count; an
// overturned strike lifts a consequence that no longer adds up; terms end; public figures are
// counted like everyone; and an account's owner can appeal.

#include "accounts/scanner.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "policy/lint.h"
#include "policy/policy.h"
#include "store/store.h"
#include "testing/clock.h"
#include "testing/temp_dir.h"

namespace bulwark::accounts {
namespace {

constexpr UnixMillis kNow = 1'800'000'000'000;
constexpr UnixMillis kDay = 86'400'000;

constexpr std::string_view kPolicy = R"(format = bulwark-policy/1
policy = test
version = 1
title = Strike rules

[rule hate.remove]
category = hate
score >= 0.9
action = remove
reason_code = hate.remove
reason = Hate.

[strike_rule strikes.restrict]
category = hate, harassment
window = 90d
strikes >= 3
action = restrict:7d
reason_code = strikes.restrict
reason = Three strikes in 90 days.

[strike_rule strikes.suspend]
category = hate, harassment
window = 90d
strikes >= 5
action = suspend
reason_code = strikes.suspend
reason = Five strikes in 90 days.
)";

class AccountScannerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::OpenDatabase("sqlite:" + dir_.File("a.db"), store::OpenOptions{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    auto p = policy::ParsePolicy(kPolicy, "test.policy");
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    policy_ = *p;
    scanner_ = std::make_unique<AccountScanner>(
        *db_, [this] { return policy_; }, clock_, nullptr);
  }

  // `n` posts by `author`, each removed by the pipeline for `category` `days_ago` days ago
  // (spread over the day before). Returns the removals' seqs.
  std::vector<std::int64_t> Removals(const std::string& author, int n, const std::string& category,
                                     int days_ago, bool public_figure = false) {
    std::vector<Item> items;
    std::vector<Decision> ds;
    for (int i = 0; i < n; ++i) {
      Item it = testing::MakeItem(
          author + "-" + category + "-" + std::to_string(days_ago) + "-" + std::to_string(i),
          "text", author);
      it.author_is_public_figure = public_figure;
      it.created_at = clock_.now - days_ago * kDay - 3600'000;
      items.push_back(it);
      Decision d;
      d.item_id = it.id;
      d.item_revision = 1;
      d.action = ActionType::kRemove;
      d.category = category;
      d.rule_id = category + ".remove";
      d.actor = std::string(kSystemActor);
      d.created_at = clock_.now - days_ago * kDay + i;
      ds.push_back(d);
    }
    EXPECT_TRUE(db_->items().UpsertItems(items, clock_.now).ok());
    auto logged = db_->decisions().AppendDecisions(ds);
    EXPECT_TRUE(logged.ok()) << logged.status().ToString();
    std::vector<std::int64_t> seqs;
    if (logged.ok()) {
      for (const Decision& d : *logged) seqs.push_back(d.seq);
    }
    return seqs;
  }

  // An appeal reviewer restores item `item_id`.
  void Restore(const std::string& item_id) {
    Decision d;
    d.item_id = item_id;
    d.item_revision = 1;
    d.action = ActionType::kRestore;
    d.rule_id = "appeal";
    d.actor = "reviewer:user:r1";
    d.created_at = clock_.now;
    ASSERT_TRUE(db_->decisions().AppendDecisions({d}).ok());
  }

  std::vector<Decision> AccountLog(const std::string& id) {
    auto r = db_->accounts().AccountDecisions(id);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<Decision>{};
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  std::shared_ptr<const policy::Policy> policy_;
  testing::SettableClock clock_{kNow};
  std::unique_ptr<AccountScanner> scanner_;
};

TEST_F(AccountScannerTest, ThreeStrikesRestrictOnceWithTheStrikesAsEvidence) {
  Removals("repeat", 3, "hate", 10);
  Removals("twice", 2, "hate", 10);
  Removals("other", 3, "misinformation.climate", 10);  // a category no strike rule counts
  // A dry run says what a scan would log, and logs nothing.
  auto dry = scanner_->ScanAccount("repeat", false);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  ASSERT_TRUE(dry->logged.has_value());
  EXPECT_EQ(dry->logged->action, ActionType::kRestrict);
  EXPECT_TRUE(AccountLog("repeat").empty());
  auto sum = scanner_->Scan();
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  EXPECT_EQ(sum->accounts, 3);
  EXPECT_EQ(sum->matched, 1);
  EXPECT_EQ(sum->logged, 1);

  const std::vector<Decision> log = AccountLog("repeat");
  ASSERT_EQ(log.size(), 1u);
  const Decision& d = log[0];
  EXPECT_EQ(d.target_kind, TargetKind::kAccount);
  EXPECT_EQ(d.action, ActionType::kRestrict);
  EXPECT_EQ(d.rule_id, "strikes.restrict");
  EXPECT_EQ(d.actor, kSystemActor);
  EXPECT_EQ(d.policy_version, "test@1");
  EXPECT_EQ(d.reason, "strikes.restrict: Three strikes in 90 days.");
  auto ev = nlohmann::json::parse(d.evidence);
  EXPECT_EQ(ev["counted"], 3);
  EXPECT_EQ(ev["threshold"], 3.0);
  EXPECT_EQ(ev["strikes"].size(), 3u);
  EXPECT_EQ(ev["strikes"][0]["source"], "item");
  EXPECT_EQ(ev["strikes"][0]["category"], "hate");
  EXPECT_EQ(ev["until"], kNow + 7 * kDay);
  EXPECT_EQ(ev["public_figure"], false);

  auto a = db_->accounts().GetAccount("repeat");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->state, store::AccountState::kRestricted);
  EXPECT_EQ(a->until, kNow + 7 * kDay);
  EXPECT_EQ(a->state_seq, d.seq);
  EXPECT_EQ(db_->accounts().GetAccount("twice")->state, store::AccountState::kActive);
  EXPECT_TRUE(AccountLog("twice").empty());
  EXPECT_TRUE(AccountLog("other").empty());

  // Three more scans: nothing new is logged for the same strikes.
  for (int i = 0; i < 3; ++i) {
    sum = scanner_->Scan();
    ASSERT_TRUE(sum.ok());
    EXPECT_EQ(sum->logged, 0);
  }
  EXPECT_EQ(AccountLog("repeat").size(), 1u);
  EXPECT_FALSE(scanner_->ScanAccount("repeat", false)->logged.has_value());
  auto verify = db_->decisions().VerifyLog();
  ASSERT_TRUE(verify.ok());
  EXPECT_TRUE(verify->ok);

  // The term ends on its own: seven days later the account is active again, without a decision.
  clock_.now += 7 * kDay;
  EXPECT_EQ(db_->accounts().GetAccount("repeat")->StateAt(clock_.now),
            store::AccountState::kActive);
}

TEST_F(AccountScannerTest, FiveStrikesSuspendAndASuspensionIsNeverWeakened) {
  Removals("worst", 5, "harassment", 20);
  ASSERT_TRUE(scanner_->Scan().ok());
  std::vector<Decision> log = AccountLog("worst");
  ASSERT_EQ(log.size(), 1u);  // the strongest rule that matches, not both
  EXPECT_EQ(log[0].action, ActionType::kSuspend);
  EXPECT_EQ(log[0].category, "harassment");  // a rule of several categories: the most counted
  auto a = db_->accounts().GetAccount("worst");
  EXPECT_EQ(a->state, store::AccountState::kSuspended);
  EXPECT_FALSE(a->until.has_value());  // no end
  EXPECT_TRUE(nlohmann::json::parse(log[0].evidence)["until"].is_null());
}

TEST_F(AccountScannerTest, AFurtherStrikeLogsAgainAndExpiredStrikesNoLongerCount) {
  Removals("r", 3, "hate", 80);
  ASSERT_TRUE(scanner_->Scan().ok());
  ASSERT_EQ(AccountLog("r").size(), 1u);
  // Twenty days later the three strikes are over 90 days old: they no longer count, and a new
  // one alone leads to nothing.
  clock_.now += 20 * kDay;
  Removals("r", 1, "hate", 0);
  auto scan = scanner_->ScanAccount("r", true);
  ASSERT_TRUE(scan.ok());
  EXPECT_EQ(scan->strikes.size(), 1u);
  EXPECT_TRUE(scan->matched_rule.empty());
  EXPECT_EQ(AccountLog("r").size(), 1u);
  // Two more within the window: three again, a new restriction.
  Removals("r", 2, "hate", 1);
  ASSERT_TRUE(scanner_->Scan().ok());
  ASSERT_EQ(AccountLog("r").size(), 2u);
  EXPECT_EQ(AccountLog("r")[1].action, ActionType::kRestrict);
}

TEST_F(AccountScannerTest, AnOverturnedStrikeLiftsAConsequenceThatNoLongerAddsUp) {
  Removals("appealer", 3, "hate", 5);
  ASSERT_TRUE(scanner_->Scan().ok());
  ASSERT_EQ(db_->accounts().GetAccount("appealer")->state, store::AccountState::kRestricted);
  // One removal is overturned on appeal: two strikes stand, under the rule's three.
  Restore("appealer-hate-5-1");
  auto sum = scanner_->Scan();
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->lifted, 1);
  EXPECT_EQ(sum->logged, 0);
  const std::vector<Decision> log = AccountLog("appealer");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1].action, ActionType::kRestore);
  EXPECT_EQ(log[1].actor, kSystemActor);
  EXPECT_EQ(nlohmann::json::parse(log[1].evidence)["lifts_seq"], log[0].seq);
  EXPECT_EQ(db_->accounts().GetAccount("appealer")->state, store::AccountState::kActive);
  auto strikes = db_->accounts().Strikes("appealer", kNow - 90 * kDay, kNow + 1);
  ASSERT_TRUE(strikes.ok());
  EXPECT_EQ(strikes->size(), 2u);
  // Scanning again lifts nothing more and logs nothing.
  sum = scanner_->Scan();
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->lifted + sum->logged, 0);
}

TEST_F(AccountScannerTest, StrikesThatExpireDuringASuspensionDoNotLiftIt) {
  Removals("s", 5, "hate", 89);
  ASSERT_TRUE(scanner_->Scan().ok());
  ASSERT_EQ(db_->accounts().GetAccount("s")->state, store::AccountState::kSuspended);
  clock_.now += 30 * kDay;  // the strikes are now 119 days old
  auto sum = scanner_->Scan();
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->lifted, 0);
  EXPECT_EQ(db_->accounts().GetAccount("s")->StateAt(clock_.now), store::AccountState::kSuspended);
}

TEST_F(AccountScannerTest, PublicFiguresAreCountedExactlyLikeEveryoneElse) {
  Removals("senator", 3, "hate", 3, /*public_figure=*/true);
  Removals("citizen", 3, "hate", 3);
  ASSERT_TRUE(scanner_->Scan().ok());
  const std::vector<Decision> a = AccountLog("senator"), b = AccountLog("citizen");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(a[0].action, b[0].action);
  EXPECT_EQ(a[0].rule_id, b[0].rule_id);
  EXPECT_EQ(nlohmann::json::parse(a[0].evidence)["public_figure"], true);
  EXPECT_EQ(db_->accounts().GetAccount("senator")->state, store::AccountState::kRestricted);
}

TEST_F(AccountScannerTest, TheAdminsOfARemovedGroupGetAStrikeEach) {
  Group g;
  g.id = "militia";
  g.name = "Militia";
  g.visibility = Visibility::kPrivate;
  g.owner_id = "boss";
  g.admin_ids = {"deputy"};
  g.created_at = kNow - 100 * kDay;
  ASSERT_TRUE(db_->groups().UpsertGroups({&g, 1}, kNow - 100 * kDay).ok());
  Removals("deputy", 2, "hate", 4);
  Removals("boss", 2, "hate", 4);
  Decision remove;
  remove.target_kind = TargetKind::kGroup;
  remove.item_id = "militia";
  remove.action = ActionType::kRemove;
  remove.category = "extremism";
  remove.rule_id = "human_review";
  remove.actor = "reviewer:user:r1";
  remove.created_at = kNow - kDay;
  ASSERT_TRUE(db_->decisions().AppendDecisions({remove}).ok());
  // The group's removal is an extremism strike: the rules here count hate and harassment only.
  auto strikes = db_->accounts().Strikes("deputy", kNow - 90 * kDay, kNow + 1);
  ASSERT_TRUE(strikes.ok());
  ASSERT_EQ(strikes->size(), 3u);
  EXPECT_EQ(strikes->back().source, TargetKind::kGroup);
  EXPECT_EQ(strikes->back().target_id, "militia");
  EXPECT_EQ(strikes->back().category, "extremism");
  EXPECT_EQ(db_->accounts().Strikes("boss", kNow - 90 * kDay, kNow + 1)->size(), 3u);

  auto p = policy::ParsePolicy(std::string(kPolicy) + R"(
[strike_rule strikes.extremism]
category = hate, extremism
window = 30d
strikes >= 3
action = restrict:14d
reason_code = strikes.extremism
reason = Extremism strikes.
)",
                               "test.policy");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  policy_ = *p;
  auto sum = scanner_->Scan();
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->logged, 2);  // the owner and the admin
  EXPECT_EQ(AccountLog("boss").at(0).rule_id, "strikes.extremism");
  EXPECT_EQ(AccountLog("deputy").at(0).rule_id, "strikes.extremism");
}

TEST_F(AccountScannerTest, TheAccountsOwnerCanAppealAndARestoreLiftsIt) {
  Removals("appellant", 3, "hate", 2);
  ASSERT_TRUE(scanner_->Scan().ok());
  const std::int64_t seq = AccountLog("appellant").at(0).seq;
  auto c = db_->review().OpenAppeal(seq, "These were jokes between friends.", kNow);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->target_kind, TargetKind::kAccount);
  EXPECT_EQ(c->item_id, "appellant");
  EXPECT_EQ(c->appeal_of_seq, seq);
  // An appeal reviewer restores the account: the restriction ends now, and further scans of the
  // same strikes do not impose it again.
  Decision restore;
  restore.target_kind = TargetKind::kAccount;
  restore.item_id = "appellant";
  restore.action = ActionType::kRestore;
  restore.rule_id = "appeal";
  restore.actor = "reviewer:user:r2";
  restore.created_at = kNow;
  ASSERT_TRUE(db_->decisions().AppendDecisions({restore}).ok());
  EXPECT_EQ(db_->accounts().GetAccount("appellant")->state, store::AccountState::kActive);
  auto sum = scanner_->Scan();
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->logged, 0);
  // An uphold logs the action again without "until": the state stays as the log left it.
  Decision uphold = restore;
  uphold.action = ActionType::kRestrict;
  uphold.evidence = R"({"case":1})";
  ASSERT_TRUE(db_->decisions().AppendDecisions({uphold}).ok());
  EXPECT_EQ(db_->accounts().GetAccount("appellant")->state, store::AccountState::kActive);
  // Only an account's restrict or suspend is appealable as an account decision.
  EXPECT_FALSE(db_->review().OpenAppeal(AccountLog("appellant").at(1).seq, "x", kNow).ok());
}

TEST_F(AccountScannerTest, WithoutStrikeRulesNothingIsLogged) {
  auto p = policy::ParsePolicy(kPolicy.substr(0, kPolicy.find("[strike_rule")), "t.policy");
  ASSERT_TRUE(p.ok());
  policy_ = *p;
  Removals("x", 6, "hate", 1);
  auto sum = scanner_->Scan();
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->accounts, 0);
  EXPECT_TRUE(AccountLog("x").empty());
}

}  // namespace
}  // namespace bulwark::accounts

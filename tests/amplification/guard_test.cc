// The amplification guard as a consumer of the decision log: the latest enforcement decides,
// a person's decision settles a review, replays change nothing, and LogFollower rebuilds the
// same state from a real log.

#include "amplification/guard.h"

#include <gtest/gtest.h>

#include "amplification/follower.h"
#include "testing/temp_dir.h"

namespace bulwark::amplification {
namespace {

Decision D(std::int64_t seq, std::string item, ActionType a, std::string actor = "system") {
  Decision d;
  d.seq = seq;
  d.item_id = std::move(item);
  d.item_revision = 1;
  d.action = a;
  d.actor = std::move(actor);
  d.rule_id = d.actor == "system" ? "rule." + std::to_string(seq) : "";
  return d;
}

Answer One(const AmplificationGuard& g, std::string_view id) {
  std::vector<Answer> out;
  std::string_view ids[] = {id};
  g.CheckItems(ids, &out);
  return out.at(0);
}

Decision G(std::int64_t seq, std::string group, ActionType a, std::string actor) {
  Decision d = D(seq, std::move(group), a, std::move(actor));
  d.target_kind = TargetKind::kGroup;
  d.item_revision = 0;
  return d;
}

Answer OneGroup(const AmplificationGuard& g, std::string_view id) {
  std::vector<Answer> out;
  std::string_view ids[] = {id};
  g.CheckGroups(ids, &out);
  return out.at(0);
}

TEST(AmplificationGuardTest, GroupsFollowPeoplesDecisionsAndBlockTheirItems) {
  AmplificationGuard g;
  // A group rule's review demotes the group, not its items; a group decision is never mistaken
  // for a decision about an item with the same id.
  g.Apply(std::vector<Decision>{G(1, "g1", ActionType::kReview, "system")});
  EXPECT_EQ(OneGroup(g, "g1").verdict, Verdict::kDemote);
  EXPECT_EQ(OneGroup(g, "g1").reason_code, "group.in_review");
  EXPECT_EQ(One(g, "g1").verdict, Verdict::kAllow);
  EXPECT_TRUE(g.TakeNewlyBlockedGroups().empty());

  g.Apply(std::vector<Decision>{G(2, "g1", ActionType::kRestrict, "reviewer:user:r1")});
  EXPECT_EQ(OneGroup(g, "g1").verdict, Verdict::kBlock);
  EXPECT_EQ(OneGroup(g, "g1").decision_seq, 2);
  EXPECT_EQ(g.TakeNewlyBlockedGroups(), std::vector<std::string>{"g1"});
  std::vector<std::string> items = {"p1", "p2"};
  g.AddGroupItems("g1", items);
  Item late;
  late.id = "p3";
  late.group_id = "g1";
  Item elsewhere;
  elsewhere.id = "p4";
  elsewhere.group_id = "g2";
  std::vector<Item> posted = {late, elsewhere};
  g.NoteItems(posted);
  EXPECT_EQ(One(g, "p1").reason_code, "group.restricted");
  EXPECT_EQ(One(g, "p3").verdict, Verdict::kBlock);
  EXPECT_EQ(One(g, "p4").verdict, Verdict::kAllow);

  // A label after the restriction replaces it: the group is demoted, its items no longer blocked.
  g.Apply(std::vector<Decision>{G(3, "g1", ActionType::kLabel, "appeal:user:r2")});
  EXPECT_EQ(OneGroup(g, "g1").verdict, Verdict::kDemote);
  EXPECT_EQ(One(g, "p1").verdict, Verdict::kAllow);
  g.Apply(std::vector<Decision>{G(4, "g1", ActionType::kNone, "reviewer:user:r3")});
  EXPECT_EQ(OneGroup(g, "g1").verdict, Verdict::kAllow);
  EXPECT_EQ(g.tracked_groups(), 0u);
}

Decision A(std::int64_t seq, std::string account, ActionType a, std::string evidence) {
  Decision d = D(seq, std::move(account), a);
  d.target_kind = TargetKind::kAccount;
  d.item_revision = 0;
  d.evidence = std::move(evidence);
  return d;
}

TEST(AmplificationGuardTest, AccountsUnderAConsequenceAreBlockedUntilItEnds) {
  AmplificationGuard g;
  constexpr UnixMillis kNow = 1'800'000'000'000;
  auto check = [&](std::string_view id, UnixMillis now) {
    std::vector<Answer> out;
    std::string_view ids[] = {id};
    g.CheckAccounts(ids, now, &out);
    return out.at(0);
  };
  const std::string until = R"({"until":)" + std::to_string(kNow + 1000) + "}";
  g.Apply(std::vector<Decision>{A(1, "u1", ActionType::kRestrict, until),
                                A(2, "u2", ActionType::kSuspend, R"({"until":null})")});
  EXPECT_EQ(check("u1", kNow).verdict, Verdict::kBlock);
  EXPECT_EQ(check("u1", kNow).reason_code, "account.restricted");
  EXPECT_EQ(check("u1", kNow).decision_seq, 1);
  EXPECT_EQ(check("u1", kNow + 1000).verdict, Verdict::kAllow);  // the term is over
  EXPECT_EQ(check("u2", kNow + 1'000'000'000).reason_code, "account.suspended");  // no end
  EXPECT_EQ(check("u3", kNow).verdict, Verdict::kAllow);
  // An account decision is not an item decision with the same id.
  EXPECT_EQ(One(g, "u2").verdict, Verdict::kAllow);
  // An appeal's uphold (no "until") changes nothing; a restore lifts.
  g.Apply(std::vector<Decision>{A(3, "u2", ActionType::kSuspend, R"({"case":4})")});
  EXPECT_EQ(check("u2", kNow).decision_seq, 2);
  g.Apply(std::vector<Decision>{A(4, "u2", ActionType::kRestore, "{}")});
  EXPECT_EQ(check("u2", kNow).verdict, Verdict::kAllow);
}

TEST(AmplificationGuardTest, TheLatestEnforcementDecides) {
  AmplificationGuard g;
  std::vector<Decision> log = {D(1, "a", ActionType::kLabel), D(2, "a", ActionType::kRemove),
                               D(3, "b", ActionType::kRemove), D(4, "b", ActionType::kLabel)};
  g.Apply(log);
  EXPECT_EQ(One(g, "a").verdict, Verdict::kBlock);
  EXPECT_EQ(One(g, "a").decision_seq, 2);
  EXPECT_EQ(One(g, "a").rule_id, "rule.2");
  EXPECT_EQ(One(g, "b").verdict, Verdict::kDemote) << "relabelled after a removal: the latest";
  EXPECT_EQ(One(g, "b").factor, kLabelledFactor);
  EXPECT_EQ(One(g, "nobody").verdict, Verdict::kAllow);
  EXPECT_EQ(g.as_of_seq(), 4);
}

TEST(AmplificationGuardTest, AReviewDemotesUntilAPersonDecides) {
  AmplificationGuard g;
  std::vector<Decision> log = {D(1, "a", ActionType::kReview), D(2, "b", ActionType::kEscalate),
                               D(3, "a", ActionType::kNone),  // automated: settles nothing
                               D(4, "b", ActionType::kNone, "reviewer:user:7")};
  g.Apply(log);
  EXPECT_EQ(One(g, "a").verdict, Verdict::kDemote);
  EXPECT_EQ(One(g, "a").reason_code, "item.in_review");
  EXPECT_EQ(One(g, "b").verdict, Verdict::kAllow);
  EXPECT_EQ(g.tracked_items(), 1u);
  std::vector<Decision> more = {D(5, "a", ActionType::kLabel, "reviewer:user:8")};
  g.Apply(more);
  EXPECT_EQ(One(g, "a").reason_code, "item.labelled") << "the reviewer's label, review settled";
  std::vector<Decision> restore = {D(6, "a", ActionType::kRestore, "reviewer:key:9")};
  g.Apply(restore);
  EXPECT_EQ(One(g, "a").verdict, Verdict::kAllow);
  EXPECT_EQ(g.tracked_items(), 0u);
}

TEST(AmplificationGuardTest, ReplaysAreHarmless) {
  AmplificationGuard g;
  std::vector<Decision> log = {D(1, "a", ActionType::kRemove),
                               D(2, "a", ActionType::kRestore, "reviewer:user:1")};
  g.Apply(log);
  std::vector<Decision> replay = {D(1, "a", ActionType::kRemove)};
  g.Apply(replay);
  EXPECT_EQ(One(g, "a").verdict, Verdict::kAllow) << "an entry at or below as_of_seq is skipped";
}

TEST(AmplificationGuardTest, TheFollowerReadsARealLogInPages) {
  testing::TempDir dir;
  auto db = std::move(store::OpenDatabase("sqlite:" + dir.File("g.db"), {})).value();
  std::vector<Item> items;
  std::vector<Decision> ds;
  for (int i = 0; i < 12000; ++i) {
    const std::string id = "i" + std::to_string(i);
    items.push_back(testing::MakeItem(id, "t"));
    Decision d = D(0, id, i % 3 == 0 ? ActionType::kRemove : ActionType::kReview);
    ds.push_back(d);
  }
  ASSERT_TRUE(db->items().UpsertItems(items, 1).ok());
  ASSERT_TRUE(db->decisions().AppendDecisions(ds).ok());
  AmplificationGuard g;
  LogFollower f(db->decisions(), g);
  ASSERT_TRUE(f.CatchUp().ok());
  EXPECT_EQ(g.as_of_seq(), 12000);
  EXPECT_EQ(g.tracked_items(), 12000u);
  EXPECT_EQ(One(g, "i0").verdict, Verdict::kBlock);
  EXPECT_EQ(One(g, "i1").verdict, Verdict::kDemote);
  EXPECT_EQ(One(g, "i11997").verdict, Verdict::kBlock);
  EXPECT_EQ(One(g, "i11999").verdict, Verdict::kDemote);
}

}  // namespace
}  // namespace bulwark::amplification

// Group risk: the smoothed share, the standing verdict of each item and the explanation.

#include "groups/risk.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

namespace bulwark::groups {
namespace {

constexpr UnixMillis kNow = 1'700'000'000'000;
constexpr UnixMillis kDay = 86'400'000;

Decision D(std::int64_t seq, ActionType a, std::string category, std::string actor = "system",
           std::string rule = "r") {
  Decision d;
  d.seq = seq;
  d.action = a;
  d.category = std::move(category);
  d.actor = std::move(actor);
  d.rule_id = std::move(rule);
  return d;
}

store::GroupItemRecord Item(std::string id, UnixMillis created, std::vector<Decision> ds = {}) {
  store::GroupItemRecord r;
  r.item_id = std::move(id);
  r.author_id = "a";
  r.created_at = created;
  r.decisions = std::move(ds);
  return r;
}

TEST(WilsonLowerBound, SmallGroupsDoNotOutrankLargeOnes) {
  EXPECT_EQ(WilsonLowerBound(0, 0), 0);
  EXPECT_NEAR(WilsonLowerBound(3, 3), 0.439, 0.001);
  EXPECT_NEAR(WilsonLowerBound(3000, 30000), 0.0967, 0.001);
  // All three posts of a tiny group flagged still ranks below 20% of a large one.
  EXPECT_LT(WilsonLowerBound(3, 3), WilsonLowerBound(6000, 10000));
  EXPECT_LT(WilsonLowerBound(1, 2), WilsonLowerBound(100, 400));
  EXPECT_GE(WilsonLowerBound(0, 100), 0);
  EXPECT_LT(WilsonLowerBound(0, 100), 1e-9);
}

TEST(ComputeRisk, CountsStandingVerdictsAndExplainsThem) {
  store::GroupActivity a;
  a.group.group.id = "g1";
  a.group.group.visibility = Visibility::kPrivate;
  // 40 items; 10 hateful (automated review or removal), of which a reviewer cleared 2.
  for (int i = 0; i < 40; ++i) {
    std::vector<Decision> ds;
    if (i < 10)
      ds.push_back(D(i * 10 + 1, i % 2 ? ActionType::kRemove : ActionType::kReview, "hate"));
    if (i < 2) ds.push_back(D(i * 10 + 2, ActionType::kNone, "hate", "reviewer:user:r1", ""));
    if (i == 5) ds.push_back(D(i * 10 + 3, ActionType::kLabel, "misinformation.health"));
    a.items.push_back(Item("i" + std::to_string(i), kNow - (i % 28 + 1) * kDay, ds));
  }
  a.profile = Item("group:g1", kNow - 40 * kDay,
                   {D(900, ActionType::kReduce, "extremism", "system", "extremism.reduce")});
  a.admin_removals = {{"owner", 2}, {"adm", 1}};
  a.members_at_start = 50;
  a.members_now = 150;
  a.joins = 120;
  a.leaves = 20;
  a.members_with_removals = 15;
  GroupRisk r = ComputeRisk(a, 30, kNow - 30 * kDay, kNow);
  EXPECT_EQ(r.items, 40);
  ASSERT_EQ(r.shares.size(), 2u);
  const CategoryShare* hate = r.Share(Category::kHate);
  ASSERT_NE(hate, nullptr);
  EXPECT_EQ(hate->flagged, 8);
  EXPECT_DOUBLE_EQ(hate->share, 0.2);
  EXPECT_NEAR(hate->lower_bound, WilsonLowerBound(8, 40), 1e-12);
  EXPECT_EQ(r.shares[0].category, Category::kHate);  // highest lower bound first
  EXPECT_EQ(hate->top.size(), 5u);
  EXPECT_FALSE(hate->top[0].by_reviewer);
  ASSERT_EQ(r.profile_flags.size(), 1u);
  EXPECT_EQ(r.profile_flags[0].first, Category::kExtremism);
  EXPECT_EQ(r.profile_flags[0].second.rule_id, "extremism.reduce");
  EXPECT_EQ(r.admin_removals, 3);
  EXPECT_DOUBLE_EQ(r.growth, 2.0);
  EXPECT_DOUBLE_EQ(r.member_removal_share, 0.1);
  std::int64_t bucketed = 0;
  for (const RiskBucket& b : r.timeline) bucketed += b.items;
  EXPECT_EQ(bucketed, 40);

  policy::GroupPolicyInput in = r.PolicyInput();
  EXPECT_EQ(in.visibility, Visibility::kPrivate);
  EXPECT_NEAR(in.share_lower_bound[static_cast<int>(Category::kHate)], hate->lower_bound, 1e-12);
  EXPECT_TRUE(in.profile_flagged[static_cast<int>(Category::kExtremism)]);
  EXPECT_EQ(in.admin_removals, 3);

  auto j = nlohmann::json::parse(RiskJson(r));
  EXPECT_EQ(j["shares"][0]["category"], "hate");
  EXPECT_EQ(j["shares"][0]["flagged"], 8);
  EXPECT_EQ(j["shares"][0]["top_items"].size(), 5u);
  EXPECT_EQ(j["profile"]["flags"][0]["category"], "extremism");
  EXPECT_EQ(j["members"]["growth"], 2.0);
}

TEST(ComputeRisk, AnEmptyGroupHasNoShares) {
  store::GroupActivity a;
  a.group.group.id = "g";
  GroupRisk r = ComputeRisk(a, 30, kNow - 30 * kDay, kNow);
  EXPECT_EQ(r.items, 0);
  EXPECT_TRUE(r.shares.empty());
  EXPECT_DOUBLE_EQ(r.growth, 0.0);
  EXPECT_DOUBLE_EQ(r.member_removal_share, 0);
}

}  // namespace
}  // namespace bulwark::groups

// Routing to expert queues by detected target group and category (default policy), into queues
// the shipped queue configuration defines, with the case priority of review/priority.h.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "enforce/enforcer.h"
#include "review/priority.h"
#include "review/queues.h"
#include "testing/temp_dir.h"

namespace bulwark::enforce {
namespace {

class RoutingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string data = std::string(BULWARK_SOURCE_DIR) + "/data";
    policy_ = new std::shared_ptr<const policy::Policy>(
        policy::LoadPolicyFile(data + "/policy/default.policy").value());
    queues_ = new std::shared_ptr<const review::QueueConfig>(
        review::LoadQueueConfig(data + "/review/queues.json").value());
  }
  static void TearDownTestSuite() {
    delete policy_;
    delete queues_;
  }

  // The (queue, severity, priority) of every case `verdict` opens for `item`.
  static std::vector<store::ReviewRequest> Route(const detect::Verdict& verdict,
                                                 const store::EnforcementItem& item = {}) {
    store::EnforcementItem it = item;
    if (it.item.id.empty()) it.item = testing::MakeItem("i", "text");
    auto out = Enforcer::Decide(it, verdict, **policy_, 1);
    for (const auto& r : out.reviews) {
      EXPECT_NE((*queues_)->Find(r.queue), nullptr) << "queue '" << r.queue << "' not configured";
    }
    return out.reviews;
  }
  static std::set<std::string> Queues(const detect::Verdict& v) {
    std::set<std::string> out;
    for (const auto& r : Route(v)) out.insert(r.queue);
    return out;
  }
  static detect::Verdict Scored(Category c, double p, std::vector<TargetGroup> targets = {}) {
    detect::Verdict v;
    v.categories[static_cast<size_t>(c)].probability = p;
    v.categories[static_cast<size_t>(c)].label = p >= 0.5;
    v.targets = std::move(targets);
    return v;
  }

  static std::shared_ptr<const policy::Policy>* policy_;
  static std::shared_ptr<const review::QueueConfig>* queues_;
};
std::shared_ptr<const policy::Policy>* RoutingTest::policy_ = nullptr;
std::shared_ptr<const review::QueueConfig>* RoutingTest::queues_ = nullptr;

using S = std::set<std::string>;

TEST_F(RoutingTest, HateGoesToTheExpertTeamOfTheTargetGroup) {
  EXPECT_EQ(Queues(Scored(Category::kHate, 0.6, {TargetGroup::kJewish})), S{"antisemitism"});
  EXPECT_EQ(Queues(Scored(Category::kHate, 0.6, {TargetGroup::kBlack})), S{"anti_black_racism"});
  EXPECT_EQ(Queues(Scored(Category::kHate, 0.6, {TargetGroup::kMuslim})), S{"anti_muslim"});
  EXPECT_EQ(Queues(Scored(Category::kHate, 0.6, {TargetGroup::kAsian})), S{"anti_asian"});
  EXPECT_EQ(Queues(Scored(Category::kHate, 0.6, {TargetGroup::kTransgender})), S{"anti_lgbtq"});
  EXPECT_EQ(Queues(Scored(Category::kHate, 0.6, {TargetGroup::kLgb})), S{"anti_lgbtq"});
  EXPECT_EQ(Queues(Scored(Category::kHate, 0.6, {TargetGroup::kWomen})), S{"misogyny"});
  EXPECT_EQ(Queues(Scored(Category::kHate, 0.6, {TargetGroup::kDisabled})), S{"disability"});
  EXPECT_EQ(Queues(Scored(Category::kHate, 0.6, {TargetGroup::kImmigrants})), S{"xenophobia"});
  EXPECT_EQ(Queues(Scored(Category::kHate, 0.6, {TargetGroup::kRoma})), S{"racism"});
  EXPECT_EQ(Queues(Scored(Category::kHate, 0.6, {TargetGroup::kSikh})), S{"religious_hate"});
  EXPECT_EQ(Queues(Scored(Category::kHate, 0.6)), S{"hate_general"});
  // An item that attacks two groups goes to both teams.
  EXPECT_EQ(Queues(Scored(Category::kHate, 0.6, {TargetGroup::kMuslim, TargetGroup::kWomen})),
            (S{"anti_muslim", "misogyny"}));
  // Below the review threshold: no case.
  EXPECT_TRUE(Queues(Scored(Category::kHate, 0.4, {TargetGroup::kJewish})).empty());
}

TEST_F(RoutingTest, OtherCategoriesGoToTheirTeams) {
  EXPECT_EQ(Queues(Scored(Category::kThreat, 0.6)), S{"threat"});
  EXPECT_EQ(Queues(Scored(Category::kThreat, 0.97)), (S{"threat", "threat_escalation"}));
  EXPECT_EQ(Queues(Scored(Category::kExtremism, 0.6)), S{"extremism"});
  EXPECT_EQ(Queues(Scored(Category::kHarassment, 0.7)), S{"harassment"});
  EXPECT_EQ(Queues(Scored(Category::kMisinfoVoting, 0.55)), S{"election_integrity"});
  EXPECT_EQ(Queues(Scored(Category::kMisinfoHealth, 0.65)), S{"health_misinformation"});
  EXPECT_EQ(Queues(Scored(Category::kMisinfoClimate, 0.75)), S{"climate_misinformation"});
  EXPECT_EQ(Queues(Scored(Category::kMisinfoConspiracy, 0.65)), S{"conspiracy"});
  EXPECT_EQ(Queues(Scored(Category::kMisinfoHolocaustDenial, 0.6)), S{"antisemitism"});
}

TEST_F(RoutingTest, CasePriorityComesFromSeverityReachPrivateGroupAndReports) {
  const detect::Verdict v = Scored(Category::kHate, 0.6, {TargetGroup::kJewish});
  auto quiet = Route(v);
  ASSERT_EQ(quiet.size(), 1u);
  EXPECT_EQ(quiet[0].severity, 5);
  EXPECT_EQ(quiet[0].priority, review::CasePriority({5, 0, false, 0}));

  store::EnforcementItem viral;
  viral.item = testing::MakeItem("v", "text");
  viral.item.group_id = "g";
  viral.item.group_visibility = Visibility::kPrivate;
  viral.views = 2'000'000;
  viral.reports = 12;
  auto loud = Route(v, viral);
  ASSERT_EQ(loud.size(), 1u);
  // The policy's own reach rule raises the severity (+3 at a million views) ...
  EXPECT_EQ(loud[0].severity, 8);
  // ... and the case priority adds reach, the private group and reports on top.
  EXPECT_EQ(loud[0].priority, review::CasePriority({8, 2'000'000, true, 12}));
  EXPECT_GT(loud[0].priority, quiet[0].priority);

  // A private group alone raises priority, never the queue or the action.
  store::EnforcementItem priv;
  priv.item = testing::MakeItem("p", "text");
  priv.item.group_id = "g";
  priv.item.group_visibility = Visibility::kPrivate;
  auto in_private = Route(v, priv);
  ASSERT_EQ(in_private.size(), 1u);
  EXPECT_EQ(in_private[0].queue, quiet[0].queue);
  EXPECT_GT(in_private[0].priority, quiet[0].priority);
}

}  // namespace
}  // namespace bulwark::enforce

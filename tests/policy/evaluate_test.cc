#include <gtest/gtest.h>

#include <string>

#include "policy/policy.h"
#include "policy_test_util.h"

namespace bulwark::policy {
namespace {

using testing::MustParse;

std::string RuleText(std::string_view id, std::string_view body) {
  return "[rule " + std::string(id) + "]\n" + std::string(body) + "reason_code = code." +
         std::string(id) + "\nreason = Reason " + std::string(id) + "\n";
}

PolicyInput Scored(Category c, double p) {
  PolicyInput in;
  in.set_score(c, p);
  return in;
}

TEST(PolicyEvaluate, StrongestEnforcementWinsAndCarriesItsExplanation) {
  auto p =
      MustParse(RuleText("label", "category = threat\nscore >= 0.3\naction = label:Careful\n") +
                RuleText("remove", "category = threat\nscore >= 0.8\naction = remove\n") +
                RuleText("reduce", "category = threat\nscore >= 0.5\naction = reduce\n"));
  ASSERT_NE(p, nullptr);
  Decision d = Evaluate(*p, Scored(Category::kThreat, 0.9));
  EXPECT_EQ(d.policy_id, "test");
  EXPECT_EQ(d.policy_version, "3");
  ASSERT_EQ(d.actions.size(), 1u);
  const Action& a = d.actions[0];
  EXPECT_EQ(a.kind, ActionKind::kRemove);
  EXPECT_EQ(a.category, Category::kThreat);
  EXPECT_EQ(a.rule_id, "remove");
  EXPECT_EQ(a.reason_code, "code.remove");
  EXPECT_EQ(a.reason, "Reason remove");
  EXPECT_EQ(a.line, p->rules[1].line);
  EXPECT_EQ(d.enforcement(), ActionKind::kRemove);

  EXPECT_EQ(Evaluate(*p, Scored(Category::kThreat, 0.6)).enforcement(), ActionKind::kReduce);
  Decision l = Evaluate(*p, Scored(Category::kThreat, 0.4));
  ASSERT_EQ(l.actions.size(), 1u);
  EXPECT_EQ(l.actions[0].label, "Careful");
  EXPECT_TRUE(Evaluate(*p, Scored(Category::kThreat, 0.2)).actions.empty());
  EXPECT_TRUE(Evaluate(*p, Scored(Category::kHate, 0.99)).actions.empty());
}

TEST(PolicyEvaluate, TiesGoToTheEarliestRuleAndNoneIsRecorded) {
  auto p = MustParse(RuleText("first", "category = hate\nscore >= 0.5\naction = label:One\n") +
                     RuleText("second", "category = hate\nscore >= 0.5\naction = label:Two\n") +
                     RuleText("nothing", "category = harassment\nscore >= 0.5\naction = none\n"));
  ASSERT_NE(p, nullptr);
  Decision d = Evaluate(*p, Scored(Category::kHate, 0.7));
  ASSERT_EQ(d.actions.size(), 1u);
  EXPECT_EQ(d.actions[0].rule_id, "first");
  Decision n = Evaluate(*p, Scored(Category::kHarassment, 0.7));
  ASSERT_EQ(n.actions.size(), 1u);
  EXPECT_EQ(n.actions[0].kind, ActionKind::kNone);
  EXPECT_EQ(n.actions[0].rule_id, "nothing");
  EXPECT_EQ(n.enforcement(), ActionKind::kNone);
}

TEST(PolicyEvaluate, ReviewsAddUpOnePerQueueAtTheHighestPriority) {
  auto p = MustParse(
      RuleText("q1", "category = hate\nscore >= 0.5\naction = review:experts priority:3\n") +
      RuleText("q2", "category = hate\nscore >= 0.7\naction = review:experts priority:6\n") +
      RuleText("q3", "category = hate\nscore >= 0.5\naction = review:other priority:4\n") +
      RuleText("esc", "category = hate\nscore >= 0.9\naction = escalate:senior\n") +
      RuleText("rm", "category = hate\nscore >= 0.9\naction = remove\n"));
  ASSERT_NE(p, nullptr);
  Decision d = Evaluate(*p, Scored(Category::kHate, 0.95));
  ASSERT_EQ(d.actions.size(), 4u);
  EXPECT_EQ(d.actions[0].kind, ActionKind::kRemove);  // enforcement first
  EXPECT_EQ(d.actions[1].kind, ActionKind::kEscalate);
  EXPECT_EQ(d.actions[1].priority, kDefaultEscalatePriority);
  EXPECT_EQ(d.actions[2].queue, "experts");
  EXPECT_EQ(d.actions[2].priority, 6);
  EXPECT_EQ(d.actions[2].rule_id, "q2");
  EXPECT_EQ(d.actions[3].queue, "other");
  ASSERT_NE(d.FindQueue("other"), nullptr);
  EXPECT_EQ(d.FindQueue("missing"), nullptr);

  Decision low = Evaluate(*p, Scored(Category::kHate, 0.6));
  ASSERT_EQ(low.actions.size(), 2u);
  EXPECT_EQ(low.enforcement(), ActionKind::kNone);
  EXPECT_EQ(low.actions[0].queue, "other");  // priority 4 before 3
  EXPECT_EQ(low.actions[1].priority, 3);
}

TEST(PolicyEvaluate, RaisePriorityTakesTheLargestRaiseOfTheCategoryAndCaps) {
  auto p = MustParse(
      RuleText("q", "category = hate, threat\nscore >= 0.5\naction = review:q priority:8\n") +
      RuleText("r1", "category = *\nscore >= 0.5\nviews >= 100\naction = raise_priority:+1\n") +
      RuleText("r2", "category = *\nscore >= 0.5\nviews >= 1000\naction = raise_priority:+3\n") +
      RuleText("rt",
               "category = threat\nscore >= 0.5\nreports >= 1\naction = raise_priority:+1\n"));
  ASSERT_NE(p, nullptr);
  PolicyInput in = Scored(Category::kHate, 0.6);
  EXPECT_EQ(Evaluate(*p, in).actions[0].priority, 8);
  in.views = 500;
  EXPECT_EQ(Evaluate(*p, in).actions[0].priority, 9);
  in.views = 5000;
  EXPECT_EQ(Evaluate(*p, in).actions[0].priority, kMaxPriority);  // 8 + 3, capped
  in.reports = 5;  // the threat raise does not apply to a hate action
  PolicyInput h = Scored(Category::kHate, 0.6);
  h.reports = 5;
  EXPECT_EQ(Evaluate(*p, h).actions[0].priority, 8);
  // A raise alone produces no action.
  PolicyInput quiet = Scored(Category::kHarassment, 0.9);
  quiet.views = 5000;
  EXPECT_TRUE(Evaluate(*p, quiet).actions.empty());
}

TEST(PolicyEvaluate, WildcardCategoryPicksTheHighestMatchingScore) {
  auto p = MustParse(RuleText("any", "category = *\nscore >= 0.5\naction = review:q priority:2\n"));
  ASSERT_NE(p, nullptr);
  PolicyInput in;
  in.set_score(Category::kHate, 0.6);
  in.set_score(Category::kMisinfoVoting, 0.8);
  in.set_score(Category::kThreat, 0.4);
  Decision d = Evaluate(*p, in);
  ASSERT_EQ(d.actions.size(), 1u);
  EXPECT_EQ(d.actions[0].category, Category::kMisinfoVoting);
}

TEST(PolicyEvaluate, ContextConditions) {
  auto p = MustParse(
      RuleText("jewish",
               "category = hate\ntargets = jewish, muslim\nscore >= 0.5\n"
               "action = review:faith priority:5\n") +
      RuleText("untargeted",
               "category = hate\ntargets = none\nscore >= 0.5\n"
               "action = review:general priority:5\n") +
      RuleText("comments", "category = hate\nkind = comment\nscore >= 0.5\naction = label:C\n") +
      RuleText("reported",
               "category = hate\nreports >= 3\nreports < 10\nscore >= 0.2\n"
               "action = review:reported priority:5\n") +
      RuleText("seen",
               "category = hate\nviews > 100\nscore >= 0.2\naction = review:seen priority:5\n") +
      RuleText("pf",
               "category = hate\nauthor_is_public_figure = true\nscore >= 0.5\n"
               "action = escalate:pf\n"));
  ASSERT_NE(p, nullptr);
  PolicyInput in = Scored(Category::kHate, 0.6);
  EXPECT_NE(Evaluate(*p, in).FindQueue("general"), nullptr);
  EXPECT_EQ(Evaluate(*p, in).FindQueue("faith"), nullptr);
  in.target_groups.Add(TargetGroup::kMuslim);
  in.target_groups.Add(TargetGroup::kWomen);
  EXPECT_NE(Evaluate(*p, in).FindQueue("faith"), nullptr);
  EXPECT_EQ(Evaluate(*p, in).FindQueue("general"), nullptr);

  EXPECT_EQ(Evaluate(*p, in).enforcement(), ActionKind::kNone);
  in.kind = ItemKind::kComment;
  EXPECT_EQ(Evaluate(*p, in).enforcement(), ActionKind::kLabel);

  in.reports = 2;
  EXPECT_EQ(Evaluate(*p, in).FindQueue("reported"), nullptr);
  in.reports = 3;
  EXPECT_NE(Evaluate(*p, in).FindQueue("reported"), nullptr);
  in.reports = 10;
  EXPECT_EQ(Evaluate(*p, in).FindQueue("reported"), nullptr);

  in.views = 100;
  EXPECT_EQ(Evaluate(*p, in).FindQueue("seen"), nullptr);
  in.views = 101;
  EXPECT_NE(Evaluate(*p, in).FindQueue("seen"), nullptr);

  EXPECT_EQ(Evaluate(*p, in).FindQueue("pf"), nullptr);
  in.author_is_public_figure = true;
  EXPECT_NE(Evaluate(*p, in).FindQueue("pf"), nullptr);
}

TEST(PolicyEvaluate, VisibilityCondition) {
  auto p = MustParse(
      RuleText("pub", "category = hate\nvisibility = public\nscore >= 0.5\naction = reduce\n") +
      RuleText("priv", "category = hate\nvisibility != public\nscore >= 0.5\naction = label:P\n"));
  ASSERT_NE(p, nullptr);
  PolicyInput in = Scored(Category::kHate, 0.6);
  EXPECT_EQ(Evaluate(*p, in).enforcement(), ActionKind::kReduce);
  in.visibility = Visibility::kPrivate;
  EXPECT_EQ(Evaluate(*p, in).enforcement(), ActionKind::kLabel);
}

TEST(PolicyEvaluate, RuleMatchesAgreesWithEvaluate) {
  auto p =
      MustParse(RuleText("a", "category = threat\nscore >= 0.5\nscore < 0.7\naction = reduce\n"));
  ASSERT_NE(p, nullptr);
  for (double s : {0.0, 0.49, 0.5, 0.69, 0.7, 1.0}) {
    PolicyInput in = Scored(Category::kThreat, s);
    EXPECT_EQ(RuleMatches(p->rules[0], in), !Evaluate(*p, in).actions.empty()) << s;
  }
}

}  // namespace
}  // namespace bulwark::policy

namespace bulwark::policy {
namespace {

TEST(PolicyEvaluate, CoverageConditionRoutesUncoveredLanguagesOnly) {
  auto p = testing::MustParse(
      "[rule uncovered]\ncategory = *\ncoverage = none\nreports >= 1\n"
      "action = review:language priority:4\nreason_code = coverage.x\nreason = Unread language\n");
  ASSERT_NE(p, nullptr);
  PolicyInput in;
  in.reports = 2;
  in.coverage_full = false;
  Decision d = Evaluate(*p, in);
  ASSERT_NE(d.FindQueue("language"), nullptr);
  in.coverage_full = true;  // an English text with the same reports: not this rule
  EXPECT_EQ(Evaluate(*p, in).FindQueue("language"), nullptr);
  in.coverage_full = false;
  in.reports = 0;  // no reports, no reach: nothing
  EXPECT_EQ(Evaluate(*p, in).FindQueue("language"), nullptr);
  // != inverts; a bad value names the key.
  auto q = testing::MustParse(
      "[rule covered]\ncategory = *\ncoverage != none\naction = review:x priority:1\nreason_code = "
      "c\n"
      "reason = r\n");
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->rules[0].coverage_full.has_value());
  EXPECT_TRUE(*q->rules[0].coverage_full);
  auto bad = ParsePolicy(std::string(testing::kHeader) +
                             "[rule b]\ncategory = *\ncoverage = some\naction = review:x "
                             "priority:1\nreason_code = c\nreason = r\n",
                         "t.policy");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("coverage"), std::string::npos);
}

}  // namespace
}  // namespace bulwark::policy

// Strike rules: [strike_rule ID] sections, their evaluation and their lint (no exemption for
// public figures).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/lint.h"
#include "policy/policy.h"
#include "policy_test_util.h"

namespace bulwark::policy {
namespace {

using testing::kHeader;
using testing::MustParse;

constexpr std::string_view kItemRule =
    "[rule threat.remove]\ncategory = threat\nscore >= 0.8\naction = remove\n"
    "reason_code = violence.threat\nreason = Calls to violence are removed.\n";
constexpr UnixMillis kNow = 1'800'000'000'000;
constexpr UnixMillis kDay = 86'400'000;

std::string StrikeRule(std::string_view id, std::string_view body) {
  return "[strike_rule " + std::string(id) + "]\n" + std::string(body) +
         "reason_code = strikes.x\nreason = Repeated violations.\n";
}

std::vector<StrikeFact> Strikes(Category c, int n, int days_ago) {
  return std::vector<StrikeFact>(static_cast<size_t>(n), StrikeFact{c, kNow - days_ago * kDay});
}

TEST(StrikeRules, ParseIntoTheirOwnList) {
  auto p = MustParse(
      std::string(kItemRule) +
      StrikeRule(
          "s.restrict",
          "category = hate, harassment\nwindow = 60d\nstrikes >= 3\naction = restrict:7d\n") +
      StrikeRule("s.suspend", "category = hate\nstrikes >= 5\naction = suspend\n"));
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->rules.size(), 1u);
  ASSERT_EQ(p->strike_rules.size(), 2u);
  const Rule& r = p->strike_rules[0];
  EXPECT_TRUE(r.strike_rule);
  EXPECT_EQ(r.window_days, 60);
  EXPECT_EQ(*r.strikes.lo, 3);
  EXPECT_EQ(r.action, ActionKind::kRestrict);
  EXPECT_EQ(r.duration_days, 7);
  EXPECT_EQ(p->strike_rules[1].action, ActionKind::kSuspend);
  EXPECT_EQ(p->strike_rules[1].duration_days, 0);  // no end
  EXPECT_EQ(p->strike_rules[1].window_days, 30);   // the default window
  EXPECT_EQ(LongestStrikeWindow(*p), 60);
  EXPECT_EQ(ActionKindName(ActionKind::kSuspend), "suspend");
}

TEST(StrikeRules, RefuseOtherConditionsAndActions) {
  struct Case {
    std::string body;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"category = hate\nstrikes >= 3\nscore >= 0.5\naction = restrict:7d\n",
            "not a strike rule condition"},
           {"category = hate\nstrikes >= 3\nitems >= 5\naction = restrict:7d\n",
            "not a strike rule condition"},
           {"category = hate\nstrikes >= 3\naction = remove\n", "restrict or suspend"},
           {"category = hate\nstrikes >= 3\naction = restrict\n", "needs a duration"},
           {"category = hate\nstrikes >= 3\naction = restrict:7\n", "number of days"},
           {"category = hate\nstrikes >= 3\naction = suspend:400d\n", "number of days"},
           {"category = hate\nstrikes >= 2.5\naction = suspend\n", "whole number"},
           {"category = hate\naction = suspend\n", "strikes >= <n>"},
       }) {
    auto p = ParsePolicy(std::string(kHeader) + std::string(kItemRule) + StrikeRule("s", c.body),
                         "t.policy");
    ASSERT_FALSE(p.ok()) << c.body;
    EXPECT_NE(p.status().message().find(c.message), std::string::npos)
        << c.body << " -> " << p.status().ToString();
  }
  // An item rule cannot restrict or suspend.
  auto item = ParsePolicy(std::string(kHeader) +
                              "[rule x]\ncategory = hate\nscore >= 0.9\naction = suspend\n"
                              "reason_code = x\nreason = x\n",
                          "t.policy");
  ASSERT_FALSE(item.ok());
  EXPECT_NE(item.status().message().find("strike rule's action"), std::string::npos);
  // Ids are shared with item and group rules.
  auto dup = ParsePolicy(std::string(kHeader) + std::string(kItemRule) +
                             StrikeRule("threat.remove",
                                        "category = hate\nstrikes >= 3\n"
                                        "action = suspend\n"),
                         "t.policy");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("duplicate rule id"), std::string::npos);
}

TEST(StrikeRules, CountTheirCategoriesInTheirWindowAndTheStrongestWins) {
  auto p = MustParse(
      std::string(kItemRule) +
      StrikeRule(
          "s.restrict",
          "category = hate, harassment\nwindow = 90d\nstrikes >= 3\naction = restrict:7d\n") +
      StrikeRule("s.long", "category = hate\nwindow = 90d\nstrikes >= 3\naction = restrict:30d\n") +
      StrikeRule("s.suspend", "category = hate\nwindow = 90d\nstrikes >= 5\naction = suspend\n"));
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(EvaluateStrikes(*p, Strikes(Category::kHate, 2, 10), kNow));
  // Three harassment strikes: only the rule that counts harassment.
  auto o = EvaluateStrikes(*p, Strikes(Category::kHarassment, 3, 10), kNow);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->rule->id, "s.restrict");
  EXPECT_EQ(o->counted, 3);
  // Three hate strikes: both restrictions match; the longer one wins.
  o = EvaluateStrikes(*p, Strikes(Category::kHate, 3, 10), kNow);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->rule->id, "s.long");
  // Five: the suspension outranks both.
  o = EvaluateStrikes(*p, Strikes(Category::kHate, 5, 10), kNow);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->rule->id, "s.suspend");
  // Strikes past the window, in the future, or of other categories do not count.
  std::vector<StrikeFact> mixed = Strikes(Category::kHate, 2, 95);
  for (const StrikeFact& f : Strikes(Category::kMisinfoClimate, 4, 1)) mixed.push_back(f);
  mixed.push_back({Category::kHate, kNow + kDay});
  EXPECT_FALSE(EvaluateStrikes(*p, mixed, kNow));
}

TEST(StrikeRules, LintRefusesAnyPublicFigureCondition) {
  for (std::string_view cond : {"author_is_public_figure = false\n", "politician = true\n"}) {
    auto p = MustParse(std::string(kItemRule) +
                       StrikeRule("s", "category = hate\nstrikes >= 3\naction = restrict:7d\n" +
                                           std::string(cond)));
    ASSERT_NE(p, nullptr);
    const std::vector<LintFinding> findings = Lint(*p);
    ASSERT_TRUE(HasLintErrors(findings)) << cond;
    bool named = false;
    for (const LintFinding& f : findings) {
      named |= f.check == "public-figure-exemption" && f.rule_id == "s";
    }
    EXPECT_TRUE(named) << cond;
  }
}

TEST(StrikeRules, TheDefaultPolicyHasStrikeRulesAndLintsClean) {
  auto p = LoadPolicyFile(testing::DefaultPolicyPath());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_GE((*p)->strike_rules.size(), 2u);
  for (const LintFinding& f : Lint(**p)) {
    EXPECT_NE(f.severity, LintSeverity::kError) << FormatFinding(**p, f);
  }
  // Three hate removals in 90 days restrict for a week; five suspend.
  auto three = EvaluateStrikes(**p, Strikes(Category::kHate, 3, 30), kNow);
  ASSERT_TRUE(three);
  EXPECT_EQ(three->rule->action, ActionKind::kRestrict);
  EXPECT_EQ(three->rule->duration_days, 7);
  auto five = EvaluateStrikes(**p, Strikes(Category::kHate, 5, 30), kNow);
  ASSERT_TRUE(five);
  EXPECT_EQ(five->rule->action, ActionKind::kSuspend);
}

}  // namespace
}  // namespace bulwark::policy

// Group rules: [group_rule ID] sections, their conditions, their evaluation and their lint.

#include <gtest/gtest.h>

#include <string>

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

std::string GroupRule(std::string_view id, std::string_view body) {
  return "[group_rule " + std::string(id) + "]\n" + std::string(body) +
         "reason_code = group.x\nreason = Sent to review.\n";
}

TEST(GroupRules, ParseIntoTheirOwnListWithEveryCondition) {
  auto p = MustParse(std::string(kItemRule) +
                     GroupRule("g.hate",
                               "category = hate, extremism\nshare_lower_bound >= 0.1\n"
                               "items >= 20\nadmin_removals >= 2\n"
                               "member_removal_share >= 0.05\ngrowth >= 1.5\n"
                               "profile = flagged\nwindow = 14d\n"
                               "action = review:extremism priority:6\n"));
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->rules.size(), 1u);  // item rules stay apart: items are never evaluated by them
  ASSERT_EQ(p->group_rules.size(), 1u);
  const Rule& g = p->group_rules[0];
  EXPECT_TRUE(g.group_rule);
  EXPECT_EQ(g.window_days, 14);
  EXPECT_EQ(*g.share_lower_bound.lo, 0.1);
  EXPECT_EQ(*g.items.lo, 20);
  EXPECT_EQ(*g.growth.lo, 1.5);
  EXPECT_EQ(g.profile_flagged, std::optional<bool>(true));
  EXPECT_EQ(g.queue, "extremism");
  EXPECT_EQ(GroupRuleWindows(*p), (std::vector<int>{14}));
}

TEST(GroupRules, RefuseItemConditionsAndEnforcementActions) {
  struct Case {
    std::string body;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"category = hate\nscore >= 0.5\naction = review:extremism priority:5\n",
            "is an item condition"},
           {"category = hate\nshare_lower_bound >= 0.1\naction = remove\n",
            "a reviewer's decision"},
           {"category = hate\nwindow = 30\naction = review:extremism priority:5\n",
            "number of days"},
           {"category = hate\nwindow = 400d\naction = review:extremism priority:5\n",
            "number of days"},
           {"category = hate\nprofile = bad\naction = review:extremism priority:5\n",
            "flagged or clean"},
           {"category = hate\nshare_lower_bound >= 1.2\naction = review:extremism priority:5\n",
            "between 0 and 1"},
       }) {
    auto p = ParsePolicy(std::string(kHeader) + std::string(kItemRule) + GroupRule("g", c.body),
                         "t.policy");
    ASSERT_FALSE(p.ok()) << c.body;
    EXPECT_NE(p.status().message().find(c.message), std::string::npos)
        << c.body << " -> " << p.status().ToString();
  }
  // The ids of item and group rules share one namespace.
  auto dup =
      ParsePolicy(std::string(kHeader) + std::string(kItemRule) +
                      GroupRule("threat.remove", "category = hate\naction = review:x priority:1\n"),
                  "t.policy");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("duplicate rule id"), std::string::npos);
}

TEST(GroupRules, EvaluateMatchesTheCategoryWithTheHighestLowerBound) {
  auto p = MustParse(std::string(kItemRule) +
                     GroupRule("g.share",
                               "category = hate, extremism\nshare_lower_bound >= 0.1\nitems >= 20\n"
                               "action = review:extremism priority:6\n") +
                     GroupRule("g.profile",
                               "category = hate\nprofile = flagged\n"
                               "action = review:extremism priority:5\n") +
                     GroupRule("g.week",
                               "category = hate\nshare_lower_bound >= 0.01\nwindow = 7d\n"
                               "action = review:hate_general priority:3\n"));
  ASSERT_NE(p, nullptr);
  GroupPolicyInput in;
  in.items = 200;
  in.share_lower_bound[static_cast<int>(Category::kHate)] = 0.12;
  in.share_lower_bound[static_cast<int>(Category::kExtremism)] = 0.2;
  Decision d = EvaluateGroup(*p, in);
  ASSERT_EQ(d.actions.size(), 1u);  // one case per queue, at the highest priority
  EXPECT_EQ(d.actions[0].rule_id, "g.share");
  EXPECT_EQ(d.actions[0].category, Category::kExtremism);
  EXPECT_EQ(d.actions[0].queue, "extremism");

  in.items = 10;  // too few items for g.share; the profile rule still can match
  in.profile_flagged[static_cast<int>(Category::kHate)] = true;
  d = EvaluateGroup(*p, in);
  ASSERT_EQ(d.actions.size(), 1u);
  EXPECT_EQ(d.actions[0].rule_id, "g.profile");

  in.window_days = 7;  // only the 7-day rule looks at a 7-day window
  d = EvaluateGroup(*p, in);
  ASSERT_EQ(d.actions.size(), 1u);
  EXPECT_EQ(d.actions[0].rule_id, "g.week");
  EXPECT_EQ(GroupRuleWindows(*p), (std::vector<int>{7, 30}));

  GroupPolicyInput clean;
  EXPECT_TRUE(EvaluateGroup(*p, clean).actions.empty());
}

TEST(GroupRules, LintRefusesAGroupRuleThatSparesPrivateOrSecretGroups) {
  auto p =
      MustParse(std::string(kItemRule) + GroupRule("g.public",
                                                   "category = hate\nshare_lower_bound >= 0.1\n"
                                                   "visibility = public, private\n"
                                                   "action = review:extremism priority:6\n"));
  ASSERT_NE(p, nullptr);
  auto findings = Lint(*p);
  bool found = false;
  for (const LintFinding& f : findings) {
    if (f.check == "private-weaker" && f.rule_id == "g.public") {
      found = true;
      EXPECT_EQ(f.severity, LintSeverity::kError);
      EXPECT_NE(f.message.find("secret"), std::string::npos) << f.message;
    }
  }
  EXPECT_TRUE(found);
  auto ok =
      MustParse(std::string(kItemRule) + GroupRule("g.private",
                                                   "category = hate\nshare_lower_bound >= 0.05\n"
                                                   "visibility = private, secret\n"
                                                   "action = review:extremism priority:6\n"));
  for (const LintFinding& f : Lint(*ok)) EXPECT_NE(f.check, "private-weaker") << f.message;
}

TEST(GroupRules, TheDefaultPolicyHasGroupRulesAndLintsClean) {
  auto p = LoadPolicyFile(testing::DefaultPolicyPath());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_GE((*p)->group_rules.size(), 3u);
  EXPECT_FALSE(HasLintErrors(Lint(**p)));
}

}  // namespace
}  // namespace bulwark::policy

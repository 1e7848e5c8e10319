// The default policy against tests/policy/golden_cases (format described in that file).

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "policy/golden.h"
#include "policy/lint.h"
#include "policy/policy.h"
#include "policy_test_util.h"

namespace bulwark::policy {
namespace {

std::vector<GoldenCase> LoadCases() {
  auto cases = LoadGoldenCases(std::string(BULWARK_SOURCE_DIR) + "/tests/policy/golden_cases");
  EXPECT_TRUE(cases.ok()) << cases.status().ToString();
  return cases.ok() ? *cases : std::vector<GoldenCase>();
}

std::shared_ptr<const Policy> DefaultPolicy() {
  auto p = LoadPolicyFile(testing::DefaultPolicyPath());
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : nullptr;
}

TEST(PolicyGolden, DefaultPolicyPassesEveryCase) {
  auto policy = DefaultPolicy();
  ASSERT_NE(policy, nullptr);
  auto cases = LoadCases();
  EXPECT_GE(cases.size(), 40u);
  for (const GoldenFailure& f : RunGoldenCases(*policy, cases)) {
    ADD_FAILURE() << "golden_cases:" << f.line << ": case " << f.name
                  << "\n  expected: " << f.expected << "\n  actual:   " << f.actual;
  }
  for (const GoldenCase& c : cases) {
    Decision d = Evaluate(*policy, c.input);
    EXPECT_EQ(d.policy_id, "default");
    for (const Action& a : d.actions) {
      EXPECT_FALSE(a.rule_id.empty());
      EXPECT_FALSE(a.reason_code.empty());
      EXPECT_FALSE(a.reason.empty());
    }
  }
}

TEST(PolicyGolden, CaseFileErrorsNameFileAndLine) {
  const std::pair<std::string, std::string> bad[] = {
      {"a | threat=0.5\n", "expected NAME | INPUT | EXPECTED"},
      {"a | threat=1.5 | none\n", "between 0 and 1"},
      {"a | threats=0.5 | none\n", "unknown input key"},
      {"a | targets=jews | none\n", "unknown target group"},
      {"a | views=-1 | none\n", "whole number"},
      {"a | threat=0.5 | review:q@3\n", "missing the enforcement word"},
      {"a | threat=0.5 | remove reduce\n", "more than one enforcement word"},
      {"a | threat=0.5 | delete\n", "unexpected \"delete\""},
      {"a | | none\na | | none\n", "duplicate case name"},
  };
  for (const auto& [text, part] : bad) {
    auto r = ParseGoldenCases("# header\n" + text, "cases");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.status().message().find(part), std::string::npos) << r.status().ToString();
    EXPECT_EQ(r.status().field().rfind("cases:", 0), 0u) << r.status().ToString();
  }
  auto ok = ParseGoldenCases("x | threat=0.9 | review:b@2 remove review:a@3\n", "cases");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ((*ok)[0].expected, "remove review:a@3 review:b@2");
  EXPECT_EQ((*ok)[0].line, 1);
}

// True when `b` keeps everything of `a`: the same enforcement action and every queue of `a` at
// no lower priority.
::testing::AssertionResult NoWeaker(const Decision& a, const Decision& b) {
  if (a.enforcement() != b.enforcement()) {
    return ::testing::AssertionFailure() << "enforcement " << ActionKindName(a.enforcement())
                                         << " became " << ActionKindName(b.enforcement());
  }
  for (const Action& x : a.actions) {
    if (IsEnforcement(x.kind)) continue;
    const Action* y = b.FindQueue(x.queue);
    if (y == nullptr || y->priority < x.priority) {
      return ::testing::AssertionFailure() << "queue " << x.queue << " lost or lowered";
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(PolicyGolden, PrivatePublicFigureAndReachNeverWeaken) {
  auto policy = DefaultPolicy();
  ASSERT_NE(policy, nullptr);
  for (const GoldenCase& c : LoadCases()) {
    Decision base = Evaluate(*policy, c.input);
    PolicyInput priv = c.input, pub = c.input;
    priv.visibility = Visibility::kPrivate;
    pub.visibility = Visibility::kPublic;
    Decision dpriv = Evaluate(*policy, priv), dpub = Evaluate(*policy, pub);
    // Recommendation 7: exactly like public content, review queues included.
    EXPECT_EQ(FormatOutcome(dpriv), FormatOutcome(dpub)) << c.name;

    PolicyInput pf = c.input, nopf = c.input;
    pf.author_is_public_figure = true;
    nopf.author_is_public_figure = false;
    EXPECT_TRUE(NoWeaker(Evaluate(*policy, nopf), Evaluate(*policy, pf))) << c.name;

    for (std::int64_t views : {10'000, 100'000, 1'000'000, 100'000'000}) {
      PolicyInput more = c.input;
      more.views = std::max(c.input.views, static_cast<std::int64_t>(views));
      EXPECT_TRUE(NoWeaker(base, Evaluate(*policy, more))) << c.name << " views " << views;
    }
  }
}

TEST(PolicyGolden, DefaultPolicyCoversEveryCategoryAndTargetGroup) {
  auto policy = DefaultPolicy();
  ASSERT_NE(policy, nullptr);
  for (Category c : kAllCategories) {
    PolicyInput in;
    in.set_score(c, 0.99);
    Decision d = Evaluate(*policy, in);
    EXPECT_NE(d.enforcement(), ActionKind::kNone) << CategoryName(c);
    bool reviewed = false;
    for (const Action& a : d.actions) reviewed |= a.kind == ActionKind::kReview;
    EXPECT_TRUE(reviewed) << CategoryName(c);
  }
  for (TargetGroup g : kAllTargetGroups) {
    PolicyInput in;
    in.set_score(Category::kHate, 0.6);
    in.target_groups.Add(g);
    Decision d = Evaluate(*policy, in);
    ASSERT_EQ(d.actions.size(), 1u) << TargetGroupName(g);
    EXPECT_EQ(d.actions[0].kind, ActionKind::kReview) << TargetGroupName(g);
  }
  EXPECT_FALSE(HasLintErrors(Lint(*policy)));
}

}  // namespace
}  // namespace bulwark::policy

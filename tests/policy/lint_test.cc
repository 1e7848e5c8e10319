#include "policy/lint.h"

#include <gtest/gtest.h>

#include <string>

#include "policy_test_util.h"

namespace bulwark::policy {
namespace {

using testing::MustParse;

std::string RuleText(std::string_view id, std::string_view body) {
  return "[rule " + std::string(id) + "]\n" + std::string(body) +
         "reason_code = x\nreason = Reason\n";
}

// A small policy that lints clean: the base every case below adds one rule to.
const std::string kBase =
    RuleText("threat.remove", "category = threat\nscore >= 0.8\naction = remove\n") +
    RuleText("threat.review",
             "category = threat\nscore >= 0.5\naction = review:threat priority:6\n");

const LintFinding* Find(const std::vector<LintFinding>& f, std::string_view check,
                        std::string_view rule_id) {
  for (const LintFinding& x : f) {
    if (x.check == check && x.rule_id == rule_id) return &x;
  }
  return nullptr;
}

std::string Dump(const Policy& p, const std::vector<LintFinding>& f) {
  std::string s;
  for (const LintFinding& x : f) s += FormatFinding(p, x) + "\n";
  return s;
}

std::vector<LintFinding> LintOf(const std::string& rules, std::shared_ptr<const Policy>* keep) {
  *keep = MustParse(rules);
  if (*keep == nullptr) return {};
  return Lint(**keep);
}

TEST(PolicyLint, DefaultPolicyHasNoErrorsOrWarnings) {
  auto p = LoadPolicyFile(testing::DefaultPolicyPath());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto findings = Lint(**p);
  EXPECT_TRUE(findings.empty()) << Dump(**p, findings);
}

TEST(PolicyLint, BaseIsClean) {
  std::shared_ptr<const Policy> p;
  auto f = LintOf(kBase + RuleText("rest",
                                   "category = hate, harassment, extremism, "
                                   "misinformation.voting, misinformation.health, "
                                   "misinformation.climate, "
                                   "misinformation.holocaust_denial, "
                                   "misinformation.conspiracy\nscore >= 0.5\n"
                                   "action = review:other priority:3\n"),
                  &p);
  EXPECT_TRUE(f.empty()) << Dump(*p, f);
}

// User reports may route and prioritise, never act by count: a brigade of reporters must not be
// able to remove, reduce or label anyone's post (issue 10, item 7).
TEST(PolicyLint, ReportsMayRouteButNeverEnforce) {
  for (const char* action : {"remove", "reduce", "label:disputed"}) {
    std::shared_ptr<const Policy> p;
    auto f = LintOf(kBase + RuleText("mob", std::string("category = harassment\nscore >= 0.3\n"
                                                        "reports >= 20\naction = ") +
                                                action + "\n"),
                    &p);
    const LintFinding* x = Find(f, "reports-enforce", "mob");
    ASSERT_NE(x, nullptr) << action << "\n" << Dump(*p, f);
    EXPECT_EQ(x->severity, LintSeverity::kError);
  }
  std::shared_ptr<const Policy> p;
  auto f = LintOf(kBase + RuleText("reported",
                                   "category = harassment\nscore >= 0.3\n"
                                   "reports >= 3\naction = review:harassment "
                                   "priority:5\n"),
                  &p);
  EXPECT_EQ(Find(f, "reports-enforce", "reported"), nullptr) << Dump(*p, f);
}

struct Phrasing {
  const char* name;
  std::string rule;
};

// Every way we could think of to write "politicians get off lighter" is an error.
TEST(PolicyLint, RejectsPublicFigureExemptionsInEveryPhrasing) {
  const Phrasing cases[] = {
      {"explicit none for politicians",
       RuleText("exempt",
                "category = threat\nscore >= 0.5\nauthor_is_public_figure = true\n"
                "action = none\n")},
      {"removal only for non-public figures",
       RuleText("exempt",
                "category = hate\nscore >= 0.9\nauthor_is_public_figure = false\n"
                "action = remove\n")},
      {"!= true spelling",
       RuleText("exempt",
                "category = hate\nscore >= 0.9\nauthor_is_public_figure != true\n"
                "action = remove\n")},
      {"politician alias with 'no'",
       RuleText("exempt",
                "category = extremism\nscore >= 0.7\npolitician = no\n"
                "action = reduce\n")},
      {"label instead of removal for politicians",
       RuleText("exempt",
                "category = threat\nscore >= 0.8\npublic_figure = true\n"
                "action = label:Newsworthy\n")},
      {"reduce for politicians where others are removed",
       RuleText("exempt",
                "category = threat\nscore >= 0.8\nis_politician = yes\n"
                "action = reduce\n")},
      {"review only for non-politicians",
       RuleText("exempt",
                "category = misinformation.voting\nscore >= 0.5\n"
                "author_is_politician = false\naction = review:votes priority:5\n")},
      {"priority raised only for non-politicians",
       RuleText("exempt",
                "category = *\nscore >= 0.5\nviews >= 1000\n"
                "author_is_public_figure = false\naction = raise_priority:+2\n")},
      {"escalation only for ordinary users",
       RuleText("exempt",
                "category = threat\nscore >= 0.9\nauthor_is_public_figure = 0\n"
                "action = escalate:urgent\n")},
  };
  for (const Phrasing& c : cases) {
    std::shared_ptr<const Policy> p;
    auto f = LintOf(kBase + c.rule, &p);
    ASSERT_NE(p, nullptr) << c.name;
    EXPECT_TRUE(HasLintErrors(f)) << c.name << "\n" << Dump(*p, f);
    const LintFinding* x = Find(f, "public-figure-exemption", "exempt");
    ASSERT_NE(x, nullptr) << c.name << "\n" << Dump(*p, f);
    EXPECT_EQ(x->severity, LintSeverity::kError);
    EXPECT_EQ(x->line, p->rules.back().public_figure_line) << c.name;
  }
}

TEST(PolicyLint, DifferentialCheckCatchesAnExemptionBuiltFromTwoRules) {
  // Neither rule mentions anything odd on its own except the public-figure condition; the
  // differential check names the rule that public figures escape.
  std::shared_ptr<const Policy> p;
  auto f = LintOf(RuleText("hate.ordinary",
                           "category = hate\nscore >= 0.9\nauthor_is_public_figure = false\n"
                           "action = remove\n") +
                      RuleText("hate.review",
                               "category = hate\nscore >= 0.5\n"
                               "action = review:hate priority:5\n"),
                  &p);
  ASSERT_NE(p, nullptr);
  const LintFinding* x = Find(f, "public-figure-exemption", "hate.ordinary");
  ASSERT_NE(x, nullptr) << Dump(*p, f);
  EXPECT_NE(FormatFinding(*p, *x).find("test.policy:"), std::string::npos);
  EXPECT_NE(FormatFinding(*p, *x).find(": error: "), std::string::npos);
}

TEST(PolicyLint, AllowsPublicFigureConditionsThatOnlyRaise) {
  std::shared_ptr<const Policy> p;
  auto f = LintOf(kBase +
                      RuleText("pf.escalate",
                               "category = threat\nscore >= 0.5\n"
                               "author_is_public_figure = true\n"
                               "action = escalate:public_figures priority:9\n") +
                      RuleText("pf.raise",
                               "category = threat\nscore >= 0.5\n"
                               "author_is_public_figure = true\n"
                               "action = raise_priority:+2\n") +
                      RuleText("pf.review",
                               "category = threat\nscore >= 0.3\n"
                               "politician = true\n"
                               "action = review:public_figures priority:4\n"),
                  &p);
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(HasLintErrors(f)) << Dump(*p, f);
}

TEST(PolicyLint, ReachMayRaisePriorityButNeverLowerTheAction) {
  std::shared_ptr<const Policy> p;
  auto f = LintOf(RuleText("small.remove",
                           "category = threat\nscore >= 0.8\nviews < 100000\n"
                           "action = remove\n") +
                      RuleText("big.label",
                               "category = threat\nscore >= 0.8\nviews >= 100000\n"
                               "action = label:Newsworthy\n"),
                  &p);
  ASSERT_NE(p, nullptr);
  const LintFinding* x = Find(f, "reach-lowers-action", "small.remove");
  ASSERT_NE(x, nullptr) << Dump(*p, f);
  EXPECT_EQ(x->severity, LintSeverity::kError);
  EXPECT_EQ(x->line, p->rules[0].views_line);

  // A review that stops at high reach also lowers the outcome.
  f = LintOf(kBase + RuleText("q",
                              "category = threat\nscore >= 0.5\nreach <= 5000\n"
                              "action = review:small priority:3\n"),
             &p);
  EXPECT_NE(Find(f, "reach-lowers-action", "q"), nullptr) << Dump(*p, f);

  // Raising priority with reach, and removing at every reach, is fine.
  f = LintOf(kBase + RuleText("viral",
                              "category = *\nscore >= 0.5\nviews >= 100000\n"
                              "action = raise_priority:+3\n"),
             &p);
  EXPECT_FALSE(HasLintErrors(f)) << Dump(*p, f);
}

// Recommendation 7: private groups get the same or stronger outcomes. An error, not a warning
// (issue 10, item 4): a version that weakens them cannot be submitted or activated.
TEST(PolicyLint, RejectsPrivateContentTreatedMoreLeniently) {
  std::shared_ptr<const Policy> p;
  auto f = LintOf(kBase + RuleText("hate.public",
                                   "category = hate\nscore >= 0.9\n"
                                   "visibility = public\naction = remove\n"),
                  &p);
  ASSERT_NE(p, nullptr);
  const LintFinding* x = Find(f, "private-weaker", "hate.public");
  ASSERT_NE(x, nullptr) << Dump(*p, f);
  EXPECT_EQ(x->severity, LintSeverity::kError);

  f = LintOf(kBase + RuleText("quiet",
                              "category = threat\nscore >= 0.5\n"
                              "visibility = private\naction = none\n"),
             &p);
  ASSERT_NE(Find(f, "private-weaker", "quiet"), nullptr) << Dump(*p, f);
  EXPECT_EQ(Find(f, "private-weaker", "quiet")->severity, LintSeverity::kError);

  f = LintOf(kBase + RuleText("reviewpub",
                              "category = threat\nscore >= 0.3\n"
                              "visibility != private\n"
                              "action = review:early priority:2\n"),
             &p);
  ASSERT_NE(Find(f, "private-weaker", "reviewpub"), nullptr) << Dump(*p, f);
  EXPECT_EQ(Find(f, "private-weaker", "reviewpub")->severity, LintSeverity::kError);

  // Extra review for private content is not a weakening.
  f = LintOf(kBase + RuleText("privreview",
                              "category = threat\nscore >= 0.3\n"
                              "visibility = private\n"
                              "action = review:private_groups priority:4\n"),
             &p);
  EXPECT_EQ(Find(f, "private-weaker", "privreview"), nullptr) << Dump(*p, f);
}

TEST(PolicyLint, OtherChecks) {
  std::shared_ptr<const Policy> p;
  auto f = LintOf(kBase + RuleText("everything", "category = hate\naction = remove\n"), &p);
  ASSERT_NE(p, nullptr);
  const LintFinding* x = Find(f, "unconditional-removal", "everything");
  ASSERT_NE(x, nullptr) << Dump(*p, f);
  EXPECT_EQ(x->severity, LintSeverity::kError);

  f = LintOf(kBase +
                 RuleText("gap",
                          "category = threat\nscore >= 0.3\nscore < 0.5\n"
                          "action = label:Maybe\n") +
                 RuleText("gap2",
                          "category = threat\nscore >= 0.3\nscore < 0.5\n"
                          "action = review:early priority:9\n"),
             &p);
  EXPECT_NE(Find(f, "score-gap", "gap2"), nullptr) << Dump(*p, f);

  f = LintOf(kBase, &p);
  int coverage = 0;
  for (const LintFinding& c : f) coverage += c.check == "coverage";
  EXPECT_EQ(coverage, kNumCategories - 1) << Dump(*p, f);
  EXPECT_FALSE(HasLintErrors(f));
}

TEST(PolicyLint, HugePoliciesStopEarlyWithAWarning) {
  std::string rules;
  for (int i = 0; i < 300; ++i) {
    rules += RuleText("r" + std::to_string(i),
                      "category = threat\nscore >= 0." + std::to_string(100 + i) + "\nviews >= " +
                          std::to_string(1000 + i) + "\naction = review:q priority:3\n");
  }
  std::shared_ptr<const Policy> p = MustParse(rules);
  ASSERT_NE(p, nullptr);
  LintOptions small;
  small.max_rule_tests = 1'000'000;
  auto f = Lint(*p, small);
  const LintFinding* x = Find(f, "lint-incomplete", "");
  ASSERT_NE(x, nullptr) << Dump(*p, f);
  EXPECT_EQ(x->severity, LintSeverity::kWarning);
}

}  // namespace
}  // namespace bulwark::policy

#include <gtest/gtest.h>

#include <string>

#include "policy/policy.h"
#include "policy_test_util.h"

namespace bulwark::policy {
namespace {

using testing::kHeader;
using testing::MustParse;

constexpr std::string_view kRule =
    "[rule threat.remove]\n"
    "category = threat\n"
    "score >= 0.8\n"
    "action = remove\n"
    "reason_code = violence.threat\n"
    "reason = Calls to violence are removed.\n";

TEST(PolicyParser, ParsesHeaderAndRule) {
  std::string text = "# comment\n\n" + std::string(kHeader) +
                     "effective = 2026-12-01\nnotes = one\nnotes = \"two # not a comment\"\n" +
                     std::string(kRule);
  auto p = ParsePolicy(text, "a.policy");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const Policy& policy = **p;
  EXPECT_EQ(policy.filename, "a.policy");
  EXPECT_EQ(policy.id, "test");
  EXPECT_EQ(policy.version, "3");
  EXPECT_EQ(policy.title, "Test policy");
  EXPECT_EQ(policy.effective, "2026-12-01");
  ASSERT_EQ(policy.notes.size(), 2u);
  EXPECT_EQ(policy.notes[1], "two # not a comment");
  ASSERT_EQ(policy.rules.size(), 1u);
  const Rule& r = policy.rules[0];
  EXPECT_EQ(r.id, "threat.remove");
  EXPECT_EQ(r.line, 10);
  EXPECT_TRUE(r.HasCategory(Category::kThreat));
  EXPECT_FALSE(r.HasCategory(Category::kHate));
  ASSERT_TRUE(r.score.lo.has_value());
  EXPECT_DOUBLE_EQ(*r.score.lo, 0.8);
  EXPECT_TRUE(r.score.lo_inclusive);
  EXPECT_EQ(r.action, ActionKind::kRemove);
  EXPECT_EQ(r.reason_code, "violence.threat");
  EXPECT_EQ(r.reason, "Calls to violence are removed.");
}

TEST(PolicyParser, ParsesEveryConditionAndAction) {
  auto p = MustParse(
      "[rule a]\ncategory = hate, harassment\ntargets = jewish, lgb\nscore > 0.5\nscore <= 0.9\n"
      "reports >= 2\nviews < 1000\nvisibility != private\nkind = post, comment\n"
      "action = review:antisemitism priority:6\nreason_code = x\nreason = y\n"
      "[rule b]\ncategory = *\ntargets = none\nscore >= 0.1\nauthor_is_public_figure = true\n"
      "action = escalate:public_figures\nreason_code = x\nreason = y\n"
      "[rule c]\ncategory = misinformation.health\nscore >= 0.6\n"
      "action = label:Health authorities dispute this.\nreason_code = x\nreason = y\n"
      "[rule d]\ncategory = *\nscore >= 0.5\nviews >= 10000\naction = raise_priority:+2\n"
      "reason_code = x\nreason = y\n"
      "[rule e]\ncategory = threat\nscore >= 0.5\naction = review:threat\npriority = 4\n"
      "reason_code = x\nreason = y\n");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->rules.size(), 5u);
  const Rule& a = p->rules[0];
  EXPECT_TRUE(a.HasCategory(Category::kHate) && a.HasCategory(Category::kHarassment));
  ASSERT_TRUE(a.targets.has_value());
  EXPECT_TRUE(a.targets->Has(TargetGroup::kJewish));
  EXPECT_TRUE(a.targets->Has(TargetGroup::kLgb));
  EXPECT_FALSE(a.targets->Has(TargetGroup::kBlack));
  EXPECT_FALSE(a.score.lo_inclusive);
  EXPECT_TRUE(a.score.hi_inclusive);
  // != private: public and secret.
  EXPECT_EQ(*a.visibilities, (1u << static_cast<unsigned>(Visibility::kPublic)) |
                                 (1u << static_cast<unsigned>(Visibility::kSecret)));
  EXPECT_EQ(a.action, ActionKind::kReview);
  EXPECT_EQ(a.queue, "antisemitism");
  EXPECT_EQ(a.priority, 6);
  const Rule& b = p->rules[1];
  EXPECT_TRUE(b.any_category);
  EXPECT_TRUE(b.targets_none);
  EXPECT_EQ(b.author_is_public_figure, std::optional<bool>(true));
  EXPECT_EQ(b.priority, kDefaultEscalatePriority);
  EXPECT_EQ(p->rules[2].label, "Health authorities dispute this.");
  EXPECT_EQ(p->rules[3].action, ActionKind::kRaisePriority);
  EXPECT_EQ(p->rules[3].priority, 2);
  EXPECT_EQ(p->rules[4].priority, 4);
}

TEST(PolicyParser, PublicFigureSpellingsAreOneCondition) {
  for (std::string_view cond :
       {"author_is_public_figure = false", "author_is_public_figure != true", "politician = no",
        "public_figure = 0", "is_politician != yes", "author_is_politician = false"}) {
    auto p = MustParse(std::string("[rule a]\ncategory = threat\nscore >= 0.5\n") +
                       std::string(cond) + "\naction = remove\nreason_code = x\nreason = y\n");
    ASSERT_NE(p, nullptr) << cond;
    EXPECT_EQ(p->rules[0].author_is_public_figure, std::optional<bool>(false)) << cond;
    EXPECT_EQ(p->rules[0].public_figure_line, 8) << cond;
  }
}

struct BadCase {
  std::string text;  // whole file
  int line;
  std::string message_part;
};

std::string H() { return std::string(kHeader); }
std::string R(std::string_view body) {
  return "[rule r]\ncategory = threat\n" + std::string(body) + "reason_code = x\nreason = y\n";
}

TEST(PolicyParser, RejectsBadInputWithFileLineAndReason) {
  const BadCase cases[] = {
      {"policy = x\n", 1, "first setting must be 'format = bulwark-policy/1'"},
      {"format = bulwark-policy/2\n", 1, "unsupported format"},
      {"", 1, "missing 'format"},
      {"format = bulwark-policy/1\npolicy = a\nversion = 1\n[rule r]\n", 4, "missing 'title"},
      {"format = bulwark-policy/1\npolicy = a\nversion = 1.2\ntitle = t\n", 3,
       "must be an integer (7) or MAJOR.MINOR.PATCH"},
      {"format = bulwark-policy/1\npolicy = A B\n", 2, "policy id"},
      {H() + "colour = red\n", 5, "unknown header key \"colour\""},
      {H() + "title = again\n", 5, "duplicate header key"},
      {H(), 4, "policy has no rules"},
      {H() + "[rule r]\ncategory = hat\n", 6, "unknown category \"hat\""},
      {H() + "[rule r]\ncategory = threat\ntargets = jews\n", 7, "unknown target group \"jews\""},
      {H() + R("score >= 1.5\naction = remove\n"), 7, "between 0 and 1"},
      {H() + R("score = 0.5\naction = remove\n"), 7, "takes >=, >, < or <="},
      {H() + R("score >= 0.5\nscore >= 0.6\naction = remove\n"), 8, "second lower bound"},
      {H() + R("score >= 0.8\nscore < 0.5\naction = remove\n"), 8, "can never both hold"},
      {H() + R("reports >= -1\naction = remove\n"), 7, "whole number >= 0"},
      {H() + R("score >= 0.5\naction = delete\n"), 8, "unknown action \"delete\""},
      {H() + R("score >= 0.5\naction = review:threat\n"), 8, "review needs a priority"},
      {H() + R("score >= 0.5\naction = review:threat priority:11\n"), 8, "priority must be"},
      {H() + R("score >= 0.5\naction = remove\npriority = 3\n"), 9,
       "priority applies only to review"},
      {H() + R("score >= 0.5\naction = review:q priority:3\npriority = 4\n"), 9,
       "priority given twice"},
      {H() + R("score >= 0.5\npriority = 4\naction = raise_priority:+1\n"), 8,
       "priority applies only to review"},
      {H() + R("score >= 0.5\naction = raise_priority:+1\npriority = 4\n"), 9,
       "priority applies only to review"},
      {H() + R("score >= 0.5\naction = label:\n"), 8, "label needs its text"},
      {H() + R("score >= 0.5\naction = raise_priority:-1\n"), 8, "raise_priority needs"},
      {H() + R("score >= 0.5\naction = remove\naction = reduce\n"), 9, "duplicate key \"action\""},
      {H() + R("score >= 0.5\naction = remove\n") + R("score >= 0.5\naction = remove\n"), 11,
       "duplicate rule id \"r\" (first defined on line 5)"},
      {H() + "[rule r]\ncategory = threat\naction = remove\nreason_code = x\n", 5,
       "has no 'reason = ...'"},
      {H() + "[rule r]\ncategory = threat\nreason_code = x\nreason = y\n", 5, "has no 'action"},
      {H() + "[rule r]\naction = remove\nreason_code = x\nreason = y\n", 5, "has no 'category"},
      {H() + R("score >= 0.5\naction = remove\nseverity = high\n"), 9,
       "unknown rule key \"severity\""},
      {H() + R("visibility = hidden\naction = remove\n"), 7, "unknown visibility"},
      {H() + R("kind = tweet\naction = remove\n"), 7, "unknown kind"},
      {H() + R("author_is_public_figure = maybe\naction = remove\n"), 7, "takes true or false"},
      {H() + R("author_is_public_figure >= 1\naction = remove\n"), 7, "takes = or !="},
      {H() + "[rule Bad Id]\n", 5, "rule id"},
      {H() + "[group g]\n", 5, "unknown section"},
      {H() + "[rule r\n", 5, "must end with ']'"},
      {H() + "just some words\n", 5, "expected an operator"},
      {H() + "= value\n", 5, "expected 'key = value'"},
      {H() + "notes = \"open\n", 5, "unterminated quoted value"},
      {H() + "notes =\n", 5, "missing value"},
      {H() + "notes = caf\xC3\n", 5, "invalid UTF-8"},
  };
  for (const BadCase& c : cases) {
    auto p = ParsePolicy(c.text, "bad.policy");
    ASSERT_FALSE(p.ok()) << c.text;
    EXPECT_EQ(p.status().code(), Code::kInvalidArgument) << c.text;
    EXPECT_EQ(p.status().field(), "bad.policy:" + std::to_string(c.line)) << c.text << "\n"
                                                                          << p.status().ToString();
    EXPECT_NE(p.status().message().find(c.message_part), std::string::npos)
        << "want \"" << c.message_part << "\", got: " << p.status().ToString();
  }
}

TEST(PolicyParser, AcceptsByteOrderMarkAndCrlf) {
  std::string text = "\xEF\xBB\xBF" + std::string(kHeader) + std::string(kRule);
  std::string crlf;
  for (char c : text) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  auto p = ParsePolicy(crlf, "win.policy");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)->rules[0].reason, "Calls to violence are removed.");
  EXPECT_EQ((*p)->title, "Test policy");
}

TEST(PolicyParser, EnforcesLimits) {
  std::string long_line = H() + "notes = " + std::string(kMaxLineBytes, 'x') + "\n";
  auto p = ParsePolicy(long_line, "big.policy");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(p.status().field(), "big.policy:5");

  std::string huge(kMaxPolicyBytes + 1, '\n');
  p = ParsePolicy(huge, "huge.policy");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kResourceExhausted);
}

TEST(PolicyParser, LoadsFilesAndNamesThemInErrors) {
  auto missing = LoadPolicyFile("/nonexistent/x.policy");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);

  auto p = LoadPolicyFile(testing::DefaultPolicyPath());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)->id, "default");
  EXPECT_EQ((*p)->filename, testing::DefaultPolicyPath());
  EXPECT_GE((*p)->rules.size(), 30u);
}

}  // namespace
}  // namespace bulwark::policy

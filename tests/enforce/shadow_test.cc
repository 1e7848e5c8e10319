// Shadow policies: a policy version evaluated beside the active one on live traffic. The
// comparison is pure (CompareByCategory, BuildShadowReport); the enforcer records it apart from
// the decision log, with the shipped detectors and a real database.

#include "enforce/shadow.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "enforce/enforcer.h"
#include "policy/lifecycle.h"
#include "testing/temp_dir.h"

namespace bulwark::enforce {
namespace {

constexpr std::string_view kHeader =
    "format = bulwark-policy/1\npolicy = test\nversion = 1\ntitle = T\n";

std::shared_ptr<const policy::Policy> Parse(std::string_view rules) {
  auto p = policy::ParsePolicy(std::string(kHeader) + std::string(rules), "t.policy");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? *p : nullptr;
}

TEST(Shadow, ComparesTheStrongestOutcomePerCategory) {
  auto active = Parse(
      "[rule threat.remove]\ncategory = threat\nscore >= 0.8\naction = remove\n"
      "reason_code = t\nreason = t\n"
      "[rule hate.review]\ncategory = hate\nscore >= 0.5\naction = review:hate priority:3\n"
      "reason_code = h\nreason = h\n");
  auto shadow = Parse(
      "[rule threat.review]\ncategory = threat\nscore >= 0.8\naction = review:threat priority:5\n"
      "reason_code = t\nreason = t\n"
      "[rule hate.remove]\ncategory = hate\nscore >= 0.5\naction = remove\n"
      "reason_code = h\nreason = h\n"
      "[rule hate.review]\ncategory = hate\nscore >= 0.5\naction = review:hate priority:3\n"
      "reason_code = h\nreason = h\n");
  policy::PolicyInput in;
  in.set_score(Category::kThreat, 0.9);
  in.set_score(Category::kHate, 0.6);
  auto cmp = CompareByCategory(policy::Evaluate(*active, in), policy::Evaluate(*shadow, in));
  ASSERT_EQ(cmp.size(), 2u);
  EXPECT_EQ(cmp[0].category, Category::kHate);
  EXPECT_EQ(OutcomeName(cmp[0].active), "review");
  EXPECT_EQ(OutcomeName(cmp[0].shadow), "remove");  // remove outranks the review beside it
  EXPECT_EQ(cmp[0].shadow_rule, "hate.remove");
  EXPECT_EQ(cmp[1].category, Category::kThreat);
  EXPECT_EQ(OutcomeName(cmp[1].active), "remove");
  EXPECT_EQ(OutcomeName(cmp[1].shadow), "review");
  // Nothing either policy acts on is not compared.
  policy::PolicyInput quiet;
  EXPECT_TRUE(CompareByCategory(policy::Evaluate(*active, quiet), policy::Evaluate(*shadow, quiet))
                  .empty());
  EXPECT_EQ(OutcomeRankOf("reduce"), OutcomeRank(policy::ActionKind::kReduce));
}

TEST(Shadow, TheReportCountsByCategoryTargetGroupAndVisibility) {
  auto row = [](std::string item, std::string category, std::string targets, std::string active,
                std::string shadow) {
    store::ShadowOutcome o;
    o.run_id = 1;
    o.item_id = std::move(item);
    o.revision = 1;
    o.category = std::move(category);
    o.targets = std::move(targets);
    o.visibility = "public";
    o.active_action = std::move(active);
    o.shadow_action = std::move(shadow);
    return o;
  };
  const std::vector<store::ShadowOutcome> rows = {
      row("a", "hate", "muslims,jews", "review", "remove"),
      row("b", "hate", "muslims", "remove", "remove"),
      row("c", "threat", "", "remove", "review"),
      row("d", "hate", "women", "none", "label"),
  };
  const ShadowReport r = BuildShadowReport(7, 0, 10, {}, rows);
  EXPECT_EQ(r.total.outcomes, 4);
  EXPECT_EQ(r.total.active_acted, 3);
  EXPECT_EQ(r.total.shadow_acted, 4);
  EXPECT_EQ(r.total.same, 1);
  EXPECT_EQ(r.total.shadow_stronger, 2);
  EXPECT_EQ(r.total.shadow_weaker, 1);
  EXPECT_EQ(r.by_category.at("hate").outcomes, 3);
  EXPECT_EQ(r.by_category.at("hate").shadow_removed, 2);
  EXPECT_EQ(r.by_target.at("muslims").outcomes, 2);
  EXPECT_EQ(r.by_target.at("jews").shadow_stronger, 1);
  EXPECT_EQ(r.by_target.at("none").shadow_weaker, 1);
  EXPECT_EQ(r.by_visibility.at("public").outcomes, 4);
  ASSERT_EQ(r.weaker_examples.size(), 1u);
  EXPECT_EQ(r.weaker_examples[0].item_id, "c");
  const auto j = nlohmann::json::parse(ShadowReportJson(r));
  EXPECT_EQ(j["by_category"]["hate"]["shadow_stronger"], 2);
  EXPECT_NE(ShadowReportText(r).find("threat"), std::string::npos);
}

class ShadowRunTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    detect::DetectorConfig dc;
    dc.data_dir = std::string(BULWARK_SOURCE_DIR) + "/data";
    dc.lexicon_cache_dir =
        (std::filesystem::temp_directory_path() / "bulwark-test-lexicon-cache").string();
    detectors_ = new detect::DetectorHandle(dc);
    ASSERT_TRUE(detectors_->Reload().ok());
  }
  static void TearDownTestSuite() { delete detectors_; }

  static std::string DefaultPolicyText() {
    std::ifstream in(std::string(BULWARK_SOURCE_DIR) + "/data/policy/default.policy");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  static detect::DetectorHandle* detectors_;
  testing::TempDir dir_;
  SystemClock clock_;
};
detect::DetectorHandle* ShadowRunTest::detectors_ = nullptr;

TEST_F(ShadowRunTest, AShadowVersionIsComparedOnLiveItemsAndTakesNoAction) {
  auto db =
      std::move(store::OpenDatabase("sqlite:" + dir_.File("s.db"), store::OpenOptions{})).value();
  policy::Lifecycle lifecycle(db->policies(), clock_);
  const std::string active_text = DefaultPolicyText();
  ASSERT_TRUE(lifecycle.Bootstrap(active_text, "default.policy").ok());
  // The candidate only reviews threats the active version removes.
  std::string candidate = active_text;
  const std::string from =
      "[rule threat.remove]\ncategory    = threat\nscore      >= 0.80\n"
      "action      = remove\n";
  const auto at = candidate.find(from);
  ASSERT_NE(at, std::string::npos);
  candidate.replace(at, from.size(),
                    "[rule threat.remove]\ncategory    = threat\nscore      >= 0.80\n"
                    "action      = review:threat priority:9\n");
  candidate.replace(candidate.find("version = 1.0.0"), 15, "version = 1.1.0");
  auto drafted = lifecycle.Draft(candidate, "candidate.policy", {"amira", Role::kPolicyAuthor});
  ASSERT_TRUE(drafted.ok()) << drafted.status().ToString();
  const std::int64_t candidate_id = drafted->version.id;
  // Only a version that could go live runs in shadow; the active one does not.
  auto active_id = db->policies().ActiveVersionId();
  ASSERT_TRUE(active_id.ok());
  EXPECT_EQ(db->shadow().StartRun(*active_id, "amira", 1).status().code(),
            Code::kFailedPrecondition);
  auto run = db->shadow().StartRun(candidate_id, "amira as policy_author", clock_.NowMillis());
  ASSERT_TRUE(run.ok()) << run.status().ToString();

  PolicyHandle policy(db->policies());
  ASSERT_TRUE(policy.Reload().ok());
  Enforcer enforcer(*db, *detectors_, policy, clock_, nullptr);
  std::vector<Item> items = {
      testing::MakeItem("t1", "I am going to kill you and your whole family"),
      testing::MakeItem("ok", "Lovely weather for the town picnic today")};
  ASSERT_TRUE(db->items().UpsertItems(items, 1).ok());
  auto r = enforcer.RunPending(100);
  ASSERT_TRUE(r.ok()) << r.status().ToString();

  // The log holds the active version's removal only: the shadow version took no action.
  auto log = db->decisions().DecisionsForItem("t1");
  ASSERT_TRUE(log.ok());
  bool removed = false;
  for (const Decision& d : *log) {
    removed |= d.action == ActionType::kRemove;
    EXPECT_NE(d.policy_version, "default@1.1.0") << "a shadow decision reached the log";
  }
  EXPECT_TRUE(removed);
  // The shadow log says what the candidate would have done instead.
  auto outcomes = db->shadow().Outcomes(candidate_id, 0, clock_.NowMillis() + 1);
  ASSERT_TRUE(outcomes.ok());
  const store::ShadowOutcome* threat = nullptr;
  for (const store::ShadowOutcome& o : *outcomes) {
    EXPECT_NE(o.item_id, "ok") << "nothing is recorded where neither policy acted";
    if (o.item_id == "t1" && o.category == "threat") threat = &o;
  }
  ASSERT_NE(threat, nullptr);
  EXPECT_EQ(threat->active_action, "remove");
  EXPECT_EQ(threat->active_rule, "threat.remove");
  // The candidate's own threat.reduce rule still matches: reduce is its strongest threat action.
  EXPECT_EQ(threat->shadow_action, "reduce");
  EXPECT_EQ(threat->shadow_rule, "threat.reduce");
  EXPECT_EQ(threat->run_id, run->id);
  // Re-enforcing the same revision replaces its shadow outcome instead of doubling it.
  ASSERT_TRUE(enforcer.RescanAll(100).ok());
  auto again = db->shadow().Outcomes(candidate_id, 0, clock_.NowMillis() + 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->size(), outcomes->size());
  const ShadowReport report = BuildShadowReport(candidate_id, 0, clock_.NowMillis() + 1,
                                                *db->shadow().Runs(candidate_id), *again);
  EXPECT_GE(report.by_category.at("threat").shadow_weaker, 1);

  // Stopped: items enforced afterwards are not compared.
  auto stopped = db->shadow().StopRun("amira as policy_author", clock_.NowMillis());
  ASSERT_TRUE(stopped.ok() && stopped->has_value());
  const std::vector<Item> later = {testing::MakeItem("t2", "I will kill you tomorrow, watch out")};
  ASSERT_TRUE(db->items().UpsertItems(later, 2).ok());
  ASSERT_TRUE(enforcer.RunPending(100).ok());
  auto after = db->shadow().Outcomes(candidate_id, 0, clock_.NowMillis() + 1);
  for (const store::ShadowOutcome& o : *after) EXPECT_NE(o.item_id, "t2");
  EXPECT_FALSE(db->shadow().RunningRun()->has_value());
}

}  // namespace
}  // namespace bulwark::enforce

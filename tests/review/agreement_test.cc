// Agreement (percent and Cohen's kappa) against hand-computed examples, and the nearest-rank
// waiting-time summary.

#include "review/agreement.h"

#include <gtest/gtest.h>

namespace bulwark::review {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs Repeat(Pairs out, const std::string& a, const std::string& b, int n) {
  for (int i = 0; i < n; ++i) out.emplace_back(a, b);
  return out;
}

TEST(Agreement, CohensKappaMatchesAHandComputedTwoOutcomeExample) {
  // 50 pairs: remove/remove 20, remove/none 5, none/remove 10, none/none 15.
  // p_o = 35/50 = 0.7; first says remove 25/50, second 30/50;
  // p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
  Pairs p;
  p = Repeat(p, "remove", "remove", 20);
  p = Repeat(p, "remove", "none", 5);
  p = Repeat(p, "none", "remove", 10);
  p = Repeat(p, "none", "none", 15);
  Agreement a = ComputeAgreement(p);
  EXPECT_EQ(a.pairs, 50);
  EXPECT_EQ(a.agreed, 35);
  EXPECT_DOUBLE_EQ(a.percent, 70.0);
  ASSERT_TRUE(a.kappa.has_value());
  EXPECT_NEAR(*a.kappa, 0.4, 1e-12);
}

TEST(Agreement, CohensKappaMatchesAHandComputedThreeOutcomeExample) {
  // 10 pairs over remove / label / none:
  //            second: remove label none
  //   first remove       3      1     0     (4)
  //         label        0      2     1     (3)
  //         none         0      1     2     (3)
  //                     (3)    (4)   (3)
  // p_o = 7/10; p_e = (4*3 + 3*4 + 3*3) / 100 = 0.33; kappa = 0.37 / 0.67.
  Pairs p;
  p = Repeat(p, "remove", "remove", 3);
  p = Repeat(p, "remove", "label", 1);
  p = Repeat(p, "label", "label", 2);
  p = Repeat(p, "label", "none", 1);
  p = Repeat(p, "none", "label", 1);
  p = Repeat(p, "none", "none", 2);
  Agreement a = ComputeAgreement(p);
  EXPECT_EQ(a.agreed, 7);
  EXPECT_NEAR(*a.kappa, 0.37 / 0.67, 1e-12);
}

TEST(Agreement, EdgeCases) {
  EXPECT_EQ(ComputeAgreement(Pairs{}).pairs, 0);
  EXPECT_FALSE(ComputeAgreement(Pairs{}).kappa.has_value());
  // Always the same single outcome: perfect agreement, kappa undefined (p_e = 1).
  Agreement same = ComputeAgreement(Repeat({}, "remove", "remove", 5));
  EXPECT_DOUBLE_EQ(same.percent, 100);
  EXPECT_FALSE(same.kappa.has_value());
  // Perfect agreement over two outcomes: kappa 1. Systematic disagreement: kappa -1.
  Pairs perfect = Repeat(Repeat({}, "remove", "remove", 3), "none", "none", 3);
  EXPECT_NEAR(*ComputeAgreement(perfect).kappa, 1.0, 1e-12);
  Pairs opposite = Repeat(Repeat({}, "remove", "none", 3), "none", "remove", 3);
  EXPECT_NEAR(*ComputeAgreement(opposite).kappa, -1.0, 1e-12);
}

TEST(WaitSummary, NearestRankPercentiles) {
  std::vector<std::int64_t> w = {90, 10, 80, 20, 70, 30, 60, 40, 50, 100};
  WaitSummary s = SummarizeWaits(w, 45);
  EXPECT_EQ(s.count, 10);
  EXPECT_EQ(s.p50_ms, 50);  // rank ceil(0.5 * 10) = 5
  EXPECT_EQ(s.p90_ms, 90);  // rank 9
  EXPECT_EQ(s.max_ms, 100);
  EXPECT_EQ(s.within_target, 4);
  std::vector<std::int64_t> one = {7};
  EXPECT_EQ(SummarizeWaits(one, 0).p90_ms, 7);
  std::vector<std::int64_t> none;
  EXPECT_EQ(SummarizeWaits(none, 0).count, 0);
}

}  // namespace
}  // namespace bulwark::review

#include "detect/metrics.h"

#include <gtest/gtest.h>

namespace bulwark::detect {
namespace {

TEST(Metrics, ConfusionCountsAtThreshold) {
  const Confusion c = ConfusionAt({0.9, 0.5, 0.4, 0.1}, {true, false, true, false}, 0.5);
  EXPECT_EQ(c.tp, 1);
  EXPECT_EQ(c.fp, 1);  // 0.5 >= 0.5 counts as positive
  EXPECT_EQ(c.fn, 1);
  EXPECT_EQ(c.tn, 1);
  EXPECT_DOUBLE_EQ(*Precision(c), 0.5);
  EXPECT_DOUBLE_EQ(*Recall(c), 0.5);
  EXPECT_DOUBLE_EQ(*F1(c), 0.5);
  EXPECT_DOUBLE_EQ(*FalsePositiveRate(c), 0.5);
}

TEST(Metrics, F1WithZeroGoldPositivesIsUndefined) {
  const Confusion c = ConfusionAt({0.9, 0.1}, {false, false}, 0.5);
  EXPECT_FALSE(Recall(c).has_value());
  EXPECT_FALSE(F1(c).has_value());
  EXPECT_DOUBLE_EQ(*Precision(c), 0.0);
}

TEST(Metrics, F1IsZeroWhenNoPositiveIsFound) {
  const Confusion c = ConfusionAt({0.1, 0.2}, {true, false}, 0.5);
  EXPECT_FALSE(Precision(c).has_value());  // nothing predicted positive
  EXPECT_DOUBLE_EQ(*Recall(c), 0.0);
  EXPECT_DOUBLE_EQ(*F1(c), 0.0);
}

TEST(Metrics, F1HandComputed) {
  // tp=2, fp=1, fn=2: P=2/3, R=1/2, F1=2*(1/3)/(7/6)=4/7.
  const Confusion c =
      ConfusionAt({0.9, 0.8, 0.7, 0.3, 0.2, 0.1}, {true, true, false, true, true, false}, 0.5);
  EXPECT_NEAR(*F1(c), 4.0 / 7.0, 1e-12);
}

TEST(Metrics, AucPerfectAndInverted) {
  EXPECT_DOUBLE_EQ(*RocAuc({0.1, 0.2, 0.8, 0.9}, {false, false, true, true}), 1.0);
  EXPECT_DOUBLE_EQ(*RocAuc({0.9, 0.8, 0.2, 0.1}, {false, false, true, true}), 0.0);
}

TEST(Metrics, AucCountsTiesAsHalf) {
  // All scores tied: AUC 0.5.
  EXPECT_DOUBLE_EQ(*RocAuc({0.5, 0.5, 0.5, 0.5}, {true, false, true, false}), 0.5);
  // Positives {0.8, 0.5}, negatives {0.5, 0.2}: pairs (0.8>0.5) 1, (0.8>0.2) 1, (0.5=0.5) 1/2,
  // (0.5>0.2) 1 -> 3.5 / 4.
  EXPECT_DOUBLE_EQ(*RocAuc({0.8, 0.5, 0.5, 0.2}, {true, true, false, false}), 0.875);
}

TEST(Metrics, AucUndefinedWithOneClass) {
  EXPECT_FALSE(RocAuc({0.1, 0.2}, {true, true}).has_value());
  EXPECT_FALSE(RocAuc({}, {}).has_value());
}

TEST(Metrics, EceHandComputed) {
  // Bin [0.1,0.2): scores 0.1, 0.1, labels 0, 1 -> |0.1 - 0.5| = 0.4, weight 2/4.
  // Bin [0.9,1.0]: scores 0.9, 1.0, labels 1, 1 -> |0.95 - 1| = 0.05, weight 2/4.
  const auto ece = ExpectedCalibrationError({0.1, 0.1, 0.9, 1.0}, {false, true, true, true}, 10);
  EXPECT_NEAR(*ece, 0.5 * 0.4 + 0.5 * 0.05, 1e-12);
  EXPECT_FALSE(ExpectedCalibrationError({}, {}, 10).has_value());
}

TEST(Metrics, EcePerfectlyCalibratedIsZero) {
  EXPECT_NEAR(*ExpectedCalibrationError({0.0, 0.0, 1.0}, {false, false, true}, 10), 0.0, 1e-12);
}

TEST(Metrics, BestF1ThresholdSeparates) {
  EXPECT_DOUBLE_EQ(BestF1Threshold({0.1, 0.3, 0.6, 0.9}, {false, false, true, true}), 0.6);
  EXPECT_DOUBLE_EQ(BestF1Threshold({0.1, 0.3}, {false, false}), 0.5);
}

}  // namespace
}  // namespace bulwark::detect

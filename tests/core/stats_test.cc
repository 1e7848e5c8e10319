// Wilson intervals and medians: reference values, the edges, and the bounds staying in [0, 1].

#include "core/stats.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(Stats, WilsonIntervalMatchesReferenceValues) {
  // 5 of 10 at z = 1.96: [0.2366, 0.7634]; 0 of 10: [0, 0.2775]; 10 of 10: [0.7225, 1].
  Interval i = WilsonInterval(5, 10);
  EXPECT_NEAR(i.low, 0.2366, 1e-4);
  EXPECT_NEAR(i.high, 0.7634, 1e-4);
  i = WilsonInterval(0, 10);
  EXPECT_DOUBLE_EQ(i.low, 0);
  EXPECT_NEAR(i.high, 0.2775, 1e-4);
  i = WilsonInterval(10, 10);
  EXPECT_NEAR(i.low, 0.7225, 1e-4);
  EXPECT_DOUBLE_EQ(i.high, 1);
  // Nothing observed: any share.
  i = WilsonInterval(0, 0);
  EXPECT_DOUBLE_EQ(i.low, 0);
  EXPECT_DOUBLE_EQ(i.high, 1);
  // Narrower with more trials, and always around the observed share.
  const Interval a = WilsonInterval(10, 1000), b = WilsonInterval(100, 10000);
  EXPECT_LT(b.high - b.low, a.high - a.low);
  EXPECT_LT(a.low, 0.01);
  EXPECT_GT(a.high, 0.01);
}

TEST(Stats, MedianOfOddEvenAndEmpty) {
  EXPECT_FALSE(Median({}).has_value());
  EXPECT_DOUBLE_EQ(*Median({3}), 3);
  EXPECT_DOUBLE_EQ(*Median({5, 1, 3}), 3);
  EXPECT_DOUBLE_EQ(*Median({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(*Median({7, 7, 7, 1}), 7);
}

}  // namespace
}  // namespace bulwark

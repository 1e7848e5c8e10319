#include "detect/calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace bulwark::detect {
namespace {

TEST(PlattCalibrator, IdentityByDefault) {
  PlattCalibrator c;
  EXPECT_NEAR(c.Apply(0.3), 0.3, 1e-9);
  EXPECT_NEAR(c.Apply(0.0), 1e-6, 1e-9);  // clamped, never exactly 0
}

TEST(PlattCalibrator, FixesOverconfidentScores) {
  // Raw score 0.9 is right 60% of the time, 0.1 is right (negative) 60% of the time.
  std::vector<double> raw;
  std::vector<bool> gold;
  for (int i = 0; i < 100; ++i) {
    raw.push_back(0.9);
    gold.push_back(i < 60);
    raw.push_back(0.1);
    gold.push_back(i >= 60);
  }
  auto c = PlattCalibrator::Fit(raw, gold);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_NEAR(c->Apply(0.9), 0.6, 0.02);
  EXPECT_NEAR(c->Apply(0.1), 0.4, 0.02);
  EXPECT_LT(c->a(), 1.0);  // shrinks towards 0.5
}

TEST(PlattCalibrator, SeparableDataStaysFinite) {
  auto c = PlattCalibrator::Fit({0.1, 0.2, 0.8, 0.9}, {false, false, true, true});
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(std::isfinite(c->a()));
  EXPECT_GT(c->Apply(0.9), 0.5);
  EXPECT_LT(c->Apply(0.1), 0.5);
}

TEST(PlattCalibrator, RejectsSingleClass) {
  EXPECT_EQ(PlattCalibrator::Fit({0.1, 0.2}, {true, true}).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(PlattCalibrator::Fit({0.1}, {true, false}).status().code(), Code::kInvalidArgument);
}

TEST(PlattCalibrator, JsonRoundTrip) {
  PlattCalibrator c(0.7, -0.2);
  auto back = PlattCalibrator::FromJson(c.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_DOUBLE_EQ(back->a(), 0.7);
  EXPECT_DOUBLE_EQ(back->b(), -0.2);
  EXPECT_FALSE(PlattCalibrator::FromJson(nlohmann::json{{"method", "isotonic"}}).ok());
  EXPECT_FALSE(PlattCalibrator::FromJson(nlohmann::json{{"method", "platt"}, {"a", "x"}}).ok());
}

}  // namespace
}  // namespace bulwark::detect

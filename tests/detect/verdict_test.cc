#include "detect/verdict.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <random>
#include <string>

namespace bulwark::detect {
namespace {

// What the verdict JSON printed before AppendScore had its fast path: to_chars of the value
// rounded to 4 decimals.
std::string Reference(double v) {
  v = std::round(v * 1e4) / 1e4;
  if (!std::isfinite(v)) v = 0;
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

std::string Fast(double v) {
  std::string s;
  AppendScore(v, &s);
  return s;
}

TEST(VerdictJson, ScoreTextMatchesToChars) {
  // Every 4-decimal value in [-200, 200], then random magnitudes up to the fast path's limit
  // and beyond, and the special values.
  for (int64_t k = -2000000; k <= 2000000; ++k) {
    const double v = static_cast<double>(k) / 1e4;
    ASSERT_EQ(Fast(v), Reference(v)) << k;
  }
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> unit(-1, 1);
  for (int i = 0; i < 2000000; ++i) {
    const double v = unit(rng) * std::pow(10.0, static_cast<int>(rng() % 24) - 8);
    ASSERT_EQ(Fast(v), Reference(v)) << v;
  }
  for (double v : {0.0,
                   -0.0,
                   0.00004,
                   -0.00004,
                   0.00005,
                   -0.00005,
                   0.0001,
                   1e5,
                   1e6,
                   123e9,
                   99999999999.9999,
                   1e11,
                   1e12,
                   1e15,
                   1e16,
                   1e300,
                   -1e300,
                   5e-324,
                   std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::quiet_NaN()}) {
    EXPECT_EQ(Fast(v), Reference(v)) << v;
  }
  EXPECT_EQ(Fast(0.0009), "9e-04");  // the exponent form where it is shorter, like to_chars
  EXPECT_EQ(Fast(0.5), "0.5");
  EXPECT_EQ(Fast(100000), "1e+05");
}

}  // namespace
}  // namespace bulwark::detect

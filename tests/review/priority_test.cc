// The case priority formula: severity x reach x private group x reports, where reach, reports
// and a private group only ever raise priority.

#include "review/priority.h"

#include <gtest/gtest.h>

namespace bulwark::review {
namespace {

int P(int severity, std::int64_t views = 0, bool priv = false, std::int64_t reports = 0) {
  return CasePriority({severity, views, priv, reports});
}

TEST(CasePriority, IsMonotoneInEveryInput) {
  const std::int64_t views[] = {0,     1,      9,       10,       99,         1000,      9999,
                                10000, 123456, 1000000, 50000000, 1000000000, 5000000000};
  const std::int64_t reports[] = {0, 1, 2, 3, 10, 50, 1023, 5000};
  for (int s = 1; s <= 10; ++s) {
    for (bool priv : {false, true}) {
      for (size_t v = 0; v < std::size(views); ++v) {
        for (size_t r = 0; r < std::size(reports); ++r) {
          const int p = P(s, views[v], priv, reports[r]);
          if (s > 1) {
            EXPECT_GE(p, P(s - 1, views[v], priv, reports[r]));
          }
          if (v > 0) {
            EXPECT_GE(p, P(s, views[v - 1], priv, reports[r]));
          }
          if (r > 0) {
            EXPECT_GE(p, P(s, views[v], priv, reports[r - 1]));
          }
          if (priv) {
            EXPECT_GE(p, P(s, views[v], false, reports[r]));
          }
          EXPECT_GE(p, 100 * s) << "reach and reports never lower the severity's base";
        }
      }
    }
  }
}

TEST(CasePriority, DocumentedValues) {
  EXPECT_EQ(P(1), 100);
  EXPECT_EQ(P(5), 500);
  EXPECT_EQ(P(10, 1'000'000'000, true, 1023), 4560);           // the maximum
  EXPECT_EQ(P(10, 1'000'000'000'000, true, 1'000'000), 4560);  // capped
  EXPECT_EQ(P(3, 1'000'000), 480);
  EXPECT_GT(P(6), P(3, 1'000'000)) << "severity dominates reach";
  EXPECT_GT(P(5, 0, true), P(5));  // 600 > 500
  EXPECT_EQ(P(5, 0, true), 600);
  EXPECT_EQ(P(5, 0, false, 1), 550);  // one report: x1.1
  EXPECT_GT(P(5, 10000), P(5, 100));
}

TEST(CasePriority, OutOfRangeInputsAreClamped) {
  EXPECT_EQ(P(0), P(1));
  EXPECT_EQ(P(42), P(10));
  EXPECT_EQ(P(5, -7, false, -3), P(5));
}

}  // namespace
}  // namespace bulwark::review

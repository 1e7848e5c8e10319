// Second-review sampling: a keyed hash of the case id, reproducible, at the configured share.

#include "review/sampling.h"

#include <gtest/gtest.h>

#include <cmath>

namespace bulwark::review {
namespace {

TEST(Sampling, HmacMatchesRfc4231) {
  // RFC 4231 test cases 2 and 6 (a key longer than the block).
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HmacSha256Hex(std::string(131, '\xaa'),
                          "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Sampling, MeetsTheShareAndIsReproducible) {
  SecondReviewSampler a("secret"), again("secret"), other("another secret");
  for (double share : {0.05, 0.1, 0.5}) {
    int sampled = 0, same = 0;
    const int n = 20000;
    for (int id = 1; id <= n; ++id) {
      sampled += a.Sampled(id, share);
      EXPECT_EQ(a.Sampled(id, share), again.Sampled(id, share));
      same += a.Sampled(id, share) == other.Sampled(id, share);
    }
    // A binomial(n, share) count lies within 5 standard deviations of n * share.
    const double sd = std::sqrt(n * share * (1 - share));
    EXPECT_NEAR(sampled, n * share, 5 * sd) << share;
    EXPECT_LT(same, n) << "a different key picks different cases";
  }
  EXPECT_FALSE(a.Sampled(1, 0));
  for (int id = 1; id < 100; ++id) EXPECT_TRUE(a.Sampled(id, 1));
  EXPECT_GE(a.Fraction(3), 0);
  EXPECT_LT(a.Fraction(3), 1);
}

}  // namespace
}  // namespace bulwark::review

#pragma once

// Small statistics shared by the components that publish rates: the Wilson score interval for a
// binomial proportion (a share of impressions, of flagged items, of false positives) and the
// median.

#include <cstdint>
#include <optional>
#include <vector>

namespace bulwark {

struct Interval {
  double low = 0, high = 0;
};

// Wilson score interval for `k` successes in `n` trials at `z` standard deviations (1.96: 95%).
// {0, 1} for n <= 0: nothing observed, any share is possible.
Interval WilsonInterval(std::int64_t k, std::int64_t n, double z = 1.96);

// The median of `values` (the mean of the middle two for an even count); nullopt when empty.
std::optional<double> Median(std::vector<double> values);

}  // namespace bulwark

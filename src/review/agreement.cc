#include "review/agreement.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace bulwark::review {

Agreement ComputeAgreement(std::span<const std::pair<std::string, std::string>> pairs) {
  Agreement a;
  a.pairs = static_cast<std::int64_t>(pairs.size());
  if (pairs.empty()) return a;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> marginals;  // first, second
  for (const auto& [first, second] : pairs) {
    if (first == second) ++a.agreed;
    ++marginals[first].first;
    ++marginals[second].second;
  }
  const double n = static_cast<double>(a.pairs);
  const double observed = static_cast<double>(a.agreed) / n;
  double expected = 0;
  for (const auto& [outcome, counts] : marginals) {
    expected += (static_cast<double>(counts.first) / n) * (static_cast<double>(counts.second) / n);
  }
  a.percent = 100 * observed;
  if (1 - expected > 1e-12) a.kappa = (observed - expected) / (1 - expected);
  return a;
}

WaitSummary SummarizeWaits(std::vector<std::int64_t>& waits_ms, std::int64_t target_ms) {
  WaitSummary s;
  s.count = static_cast<std::int64_t>(waits_ms.size());
  if (waits_ms.empty()) return s;
  std::sort(waits_ms.begin(), waits_ms.end());
  // Nearest rank: the smallest value with at least p of the values at or below it.
  auto rank = [&](std::size_t percent) {
    const std::size_t r = (percent * waits_ms.size() + 99) / 100;  // ceil, in integers
    return waits_ms[std::clamp<std::size_t>(r, 1, waits_ms.size()) - 1];
  };
  s.p50_ms = rank(50);
  s.p90_ms = rank(90);
  s.max_ms = waits_ms.back();
  s.within_target =
      std::upper_bound(waits_ms.begin(), waits_ms.end(), target_ms) - waits_ms.begin();
  return s;
}

}  // namespace bulwark::review

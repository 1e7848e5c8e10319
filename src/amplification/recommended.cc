#include "amplification/recommended.h"

#include <string>
#include <vector>

namespace bulwark::amplification {

std::array<std::int64_t, 3> TallyRecommendedViews(const AmplificationGuard& guard,
                                                  std::span<const ViewEvent> views) {
  std::array<std::int64_t, 3> by_verdict{};
  std::vector<std::string_view> ids;
  std::vector<std::int64_t> counts;
  for (const ViewEvent& v : views) {
    if (v.surface != kRecommendationSurface) continue;
    ids.push_back(v.item_id);
    counts.push_back(v.count);
  }
  if (ids.empty()) return by_verdict;
  std::vector<Answer> answers;
  guard.CheckItems(ids, &answers);
  for (size_t i = 0; i < ids.size(); ++i) {
    by_verdict[static_cast<int>(answers[i].verdict)] += counts[i];
  }
  return by_verdict;
}

void CountRecommendedViews(const AmplificationGuard& guard, std::span<const ViewEvent> views,
                           MetricsRegistry& metrics) {
  const std::array<std::int64_t, 3> by_verdict = TallyRecommendedViews(guard, views);
  if (by_verdict[0] + by_verdict[1] + by_verdict[2] == 0) return;
  for (int v = 0; v < 3; ++v) {
    metrics
        .GetCounter("bulwark_recommended_views_total",
                    "Views through a recommendation surface, by what the amplification guard "
                    "answered for the item when they arrived (demote or block: flagged content "
                    "that was still recommended).",
                    {{"verdict", std::string(VerdictName(static_cast<Verdict>(v)))}})
        .Inc(static_cast<std::uint64_t>(by_verdict[v]));
  }
}

}  // namespace bulwark::amplification

#include "amplification/recommended.h"

#include <string>
#include <vector>

namespace bulwark::amplification {

void CountRecommendedViews(const AmplificationGuard& guard, std::span<const ViewEvent> views,
                           MetricsRegistry& metrics) {
  std::vector<std::string_view> ids;
  std::vector<std::int64_t> counts;
  for (const ViewEvent& v : views) {
    if (v.surface != kRecommendationSurface) continue;
    ids.push_back(v.item_id);
    counts.push_back(v.count);
  }
  if (ids.empty()) return;
  std::vector<Answer> answers;
  guard.CheckItems(ids, &answers);
  std::uint64_t by_verdict[3] = {0, 0, 0};
  for (size_t i = 0; i < ids.size(); ++i) {
    by_verdict[static_cast<int>(answers[i].verdict)] += static_cast<std::uint64_t>(counts[i]);
  }
  for (int v = 0; v < 3; ++v) {
    metrics
        .GetCounter("bulwark_recommended_views_total",
                    "Views through a recommendation surface, by what the amplification guard "
                    "answered for the item when they arrived (demote or block: flagged content "
                    "that was still recommended).",
                    {{"verdict", std::string(VerdictName(static_cast<Verdict>(v)))}})
        .Inc(by_verdict[v]);
  }
}

}  // namespace bulwark::amplification

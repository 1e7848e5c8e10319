#pragma once

// How often flagged content was still recommended: views through a recommendation surface
// (POST /v1/views with surface "recommendation"), counted by what the guard answers for the item
// when the views arrive, on /metrics as bulwark_recommended_views_total{verdict}. The share of
// recommended views that were demote or block answers is the figure a platform reports.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "amplification/guard.h"
#include "core/events.h"
#include "core/metrics.h"

namespace bulwark::amplification {

inline constexpr std::string_view kRecommendationSurface = "recommendation";

// The views of `views` whose surface is kRecommendationSurface, summed by the verdict the guard
// answers now for their item (indexed by Verdict). Thread-safe.
std::array<std::int64_t, 3> TallyRecommendedViews(const AmplificationGuard& guard,
                                                  std::span<const ViewEvent> views);

// Adds TallyRecommendedViews to the counters. Thread-safe.
void CountRecommendedViews(const AmplificationGuard& guard, std::span<const ViewEvent> views,
                           MetricsRegistry& metrics);

}  // namespace bulwark::amplification

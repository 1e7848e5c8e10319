#pragma once

// Reviewer agreement and waiting-time statistics: pure functions over what the store returns.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace bulwark::review {

struct Agreement {
  std::int64_t pairs = 0;
  std::int64_t agreed = 0;
  double percent = 0;  // 100 * agreed / pairs (0 when there are no pairs)
  // Cohen's kappa: (p_o - p_e) / (1 - p_e), p_o the observed agreement, p_e the agreement
  // expected by chance from each round's outcome frequencies. Unset when there are no pairs
  // or p_e = 1 (both rounds always gave the same single outcome: kappa is undefined).
  std::optional<double> kappa;
};

// Agreement over (first outcome, second outcome) pairs; outcomes are compared as strings.
Agreement ComputeAgreement(std::span<const std::pair<std::string, std::string>> pairs);

struct WaitSummary {
  std::int64_t count = 0;
  std::int64_t p50_ms = 0;  // nearest-rank percentiles; 0 when count is 0
  std::int64_t p90_ms = 0;
  std::int64_t max_ms = 0;
  std::int64_t within_target = 0;  // waits <= the target given to SummarizeWaits
};

// Summarises waits (any order; sorted in place).
WaitSummary SummarizeWaits(std::vector<std::int64_t>& waits_ms, std::int64_t target_ms);

}  // namespace bulwark::review

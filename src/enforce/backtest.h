#pragma once

// Policy backtest: replays stored items through the current detectors and two policy versions
// and reports how the enforcement outcome would change, broken down by category and by target
// group — what a civil-rights reviewer needs to see before signing a new version off
// (recommendation 1). Read-only: nothing is written to the store or the decision log.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

#include "core/status.h"
#include "detect/detector.h"
#include "policy/lifecycle.h"
#include "policy/policy.h"
#include "store/store.h"

namespace bulwark::enforce {

struct BacktestReport {
  std::int64_t items = 0;
  std::int64_t changed = 0;   // items whose enforcement action or review queues differ
  std::int64_t stricter = 0;  // the new enforcement action is stronger
  std::int64_t looser = 0;    // the new enforcement action is weaker
  // (category, target group, old outcome, new outcome) -> items. Outcomes are the enforcement
  // action ("remove", "none", ...) followed by "+review:<queue>" for each review/escalation.
  // An item with several target groups counts once per group; "-" when no group was detected.
  std::map<std::tuple<std::string, std::string, std::string, std::string>, std::int64_t> changes;
};

// Scans every stored item (`batch` per read) with `detector`, evaluates `before` and `after`.
// `progress` (may be empty) is called after each batch with the items scanned so far; when it
// returns false the scan stops with Unavailable.
Result<BacktestReport> Backtest(store::Database& db, const detect::Detector& detector,
                                const policy::Policy& before, const policy::Policy& after,
                                int batch = 500, const policy::BacktestProgressFn& progress = {});

// The report as the JSON object stored with a submitted policy version (docs/policy.md):
// {"items","changed","stricter","looser","changes":[{"category","target_group","old","new",
// "items"}],"detectors":{"lexicon","model","claims"}}.
std::string BacktestSummaryJson(const BacktestReport& report, const detect::Detector& detector);

// The backtest the policy lifecycle runs at submission: every stored item in `db`, the current
// snapshot of `detectors`, the active version (or, when none is, a policy without rules) against
// the proposal. Unavailable when no detectors are loaded. Both must outlive the function.
policy::BacktestFn StoredItemsBacktest(store::Database& db,
                                       const detect::DetectorHandle& detectors);

}  // namespace bulwark::enforce

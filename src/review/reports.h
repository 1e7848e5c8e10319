#pragma once

// User reports as a signal, not a weapon.
//
// WeighReports turns the reports on an item into the count the policy's `reports` conditions
// see, so that a brigade cannot push an item over a line by numbers alone:
//   * one reporter counts once, however often they report the item;
//   * a reporter weighs by their track record: w = min(1, 2 (upheld + 1) / (upheld + rejected
//     + 2)), so a newcomer counts 1, one whose reports reviewers keep rejecting counts less
//     (0 upheld of 5: 0.29), and no one counts more than 1;
//   * an account under kYoungAccountMs old at the time of its report, with nothing upheld yet,
//     counts half;
//   * accounts created together (kClusterMinReporters or more made within kClusterWindowMs of
//     the first of them) count together as at most one reporter, and are flagged;
//   * a burst (kBurstMinReporters or more reporters without a track record within
//     kBurstWindowMs) is flagged for the reviewer as acting in step; it is not down-weighted,
//     since a post that really is vile draws fast reports too.
// The reviewer sees the raw and weighted counts and the coordination flags in the evidence.
//
// ReportStatusOf tells the person who reported what became of their report, from the item's
// decisions, without naming who decided (docs/api.md, GET /v1/reports/{id}).

#include <cstdint>
#include <span>
#include <string>

#include "core/decision.h"
#include "core/time.h"
#include "store/store.h"

namespace bulwark::review {

inline constexpr std::int64_t kClusterWindowMs = 60 * 1000;
inline constexpr int kClusterMinReporters = 3;
inline constexpr std::int64_t kYoungAccountMs = 7LL * 24 * 3600 * 1000;
inline constexpr std::int64_t kBurstWindowMs = 10 * 60 * 1000;
inline constexpr int kBurstMinReporters = 10;

struct ReportWeighting {
  std::int64_t raw = 0;         // reports
  int reporters = 0;            // distinct reporters
  double weighted = 0;          // the weighted count (see above)
  int largest_cluster = 0;      // most reporters whose accounts were created together (>= 3)
  int clustered_reporters = 0;  // reporters in such clusters
  int largest_burst = 0;        // most reporters without a track record within kBurstWindowMs
  // What the policy's `reports` conditions compare: the weighted count, rounded down.
  std::int64_t policy_count() const { return static_cast<std::int64_t>(weighted + 1e-9); }
  bool coordinated() const {
    return largest_cluster >= kClusterMinReporters || largest_burst >= kBurstMinReporters;
  }
};

// Pure; `reports` in any order.
ReportWeighting WeighReports(std::span<const store::ReportSignal> reports);

// What became of a report.
struct ReportStatus {
  // "received" (nothing decided since), "in_review" (waiting for a reviewer), "actioned" (the
  // item is removed, reduced or labelled), "no_violation" (a reviewer found none after the
  // report was received).
  std::string status;
  std::string action;       // actioned: remove, reduce or label; no_violation: none or restore
  std::string reason_code;  // the policy's or reviewer's reason code of that decision
  UnixMillis decided_at = 0;
  bool by_reviewer = false;  // decided by a person (who is never named) rather than automatically
};

// `item_decisions`: the log entries about the report's item, oldest first.
ReportStatus ReportStatusOf(const store::StoredReport& report,
                            std::span<const Decision> item_decisions);

}  // namespace bulwark::review

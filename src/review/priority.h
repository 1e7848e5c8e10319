#pragma once

// The claim order of a review case: severity x reach x private group x user reports.
//
//   priority = round(100 * S * R * G * U)
//     S = the policy's priority for the queue, clamped to 1..10 (severity; it already includes
//         the policy's own raise_priority rules)
//     R = 1 + 0.1 * log10(1 + views)          views capped at 10^9   -> 1 .. 1.9
//     G = 1.2 if the item is in a private group, else 1                -> 1 .. 1.2
//     U = 1 + 0.1 * log2(1 + reports)         reports capped at 1023 -> 1 .. 2
//
// Every factor is at least 1 and never decreases as its input grows, so reach, reports and a
// private group only ever raise a case's priority; the result runs from 100 (severity 1, no
// views, public, unreported) to 4560. Reach is log-scaled so that a viral item comes sooner
// without drowning every less-seen severe one: severity dominates (an unseen severity-6 case
// outranks a severity-3 case with a million views, 600 > 480). Private groups get a small
// boost because fewer outsiders see and report what is posted there (recommendation 7).
// See docs/review.md.

#include <cstdint>

namespace bulwark::review {

struct PriorityInput {
  int severity = 1;  // the policy's priority, 1 (routine) .. 10 (most urgent)
  std::int64_t views = 0;
  bool private_group = false;
  std::int64_t reports = 0;
};

// Pure and thread-safe. Negative counts are treated as 0.
int CasePriority(const PriorityInput& in);

}  // namespace bulwark::review

#pragma once

// Advertiser refunds (recommendation 3): the refund formula, as pure functions over integer
// micros. No public industry formula exists; this one is Bulwark's (docs/advertisers.md):
//
//   An impression is exposed to an item when the item was shown within `max_distance` places of
//   the ad (|position| <= k; position 0 is simultaneously viewable) and was posted before the
//   impression was shown. When a decision removes the item for a violation, every impression
//   exposed to it that was shown between the item's creation and its removal accrues a refund:
//   price x weight(distance), where weight is 1 for distance 0 or 1 and 1/d beyond, capped so
//   that an impression's refunds never exceed its price. A restore (an appeal) reverses the
//   item's accruals exactly; a second removal of an item whose accrual stands adds nothing.
//
// Amounts are integer micros of the impression's own currency, never converted or summed across
// currencies. Every line names the impression, the item, the decision's seq and rule, so a
// statement can be recomputed from the log.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/time.h"
#include "store/store.h"

namespace bulwark::ads {

struct RefundTerms {
  int max_distance = 1;  // k: |position| <= k
};

// The weight of an exposure at `distance` in parts per million: 1,000,000 for 0 and 1,
// 1,000,000 / d up to max_distance, 0 beyond.
std::int64_t DistanceWeightPpm(int distance, const RefundTerms& terms);

// price x weight, rounded down: never more than the price.
std::int64_t WeightedAmount(std::int64_t price_micros, std::int64_t weight_ppm);

// An impression exposed to the item being decided, with what it has accrued so far.
using Exposure = store::RefundExposure;

// What a decision did to an item, as accrual sees it.
struct ItemEvent {
  std::string item_id;
  UnixMillis item_created_at = 0;
  std::int64_t decision_seq = 0;
  std::string rule_id;
  std::string category;
  UnixMillis decided_at = 0;
};

// One append-only line: positive for an accrual, negative for a reversal.
using AccrualLine = store::RefundLine;

// The accruals of a removal: one line per exposure shown in [item_created_at, decided_at], not
// already accrued for this item, with a positive amount after the cap.
std::vector<AccrualLine> AccrueRemoval(const ItemEvent& removal,
                                       std::span<const Exposure> exposures,
                                       const RefundTerms& terms);

// The reversals of a restore: one line per exposure with a standing accrual for the item,
// cancelling it exactly.
std::vector<AccrualLine> ReverseRestore(const ItemEvent& restore,
                                        std::span<const Exposure> exposures);

}  // namespace bulwark::ads

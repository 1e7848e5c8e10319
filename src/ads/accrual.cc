#include "ads/accrual.h"

#include <algorithm>

namespace bulwark::ads {

std::int64_t DistanceWeightPpm(int distance, const RefundTerms& terms) {
  if (distance < 0) distance = -distance;
  if (distance > terms.max_distance) return 0;
  return distance <= 1 ? 1'000'000 : 1'000'000 / distance;
}

std::int64_t WeightedAmount(std::int64_t price_micros, std::int64_t weight_ppm) {
  if (price_micros <= 0 || weight_ppm <= 0) return 0;
  weight_ppm = std::min<std::int64_t>(weight_ppm, 1'000'000);
  // floor(price * weight / 10^6) without overflow: split the price at 10^6.
  constexpr std::int64_t kOne = 1'000'000;
  return (price_micros / kOne) * weight_ppm + (price_micros % kOne) * weight_ppm / kOne;
}

std::vector<AccrualLine> AccrueRemoval(const ItemEvent& removal,
                                       std::span<const Exposure> exposures,
                                       const RefundTerms& terms) {
  std::vector<AccrualLine> out;
  for (const Exposure& e : exposures) {
    if (e.item_net_micros > 0) continue;  // accrued for this item already: never twice
    if (e.shown_at < removal.item_created_at || e.shown_at > removal.decided_at) continue;
    const std::int64_t weight = DistanceWeightPpm(e.distance, terms);
    const std::int64_t room = std::max<std::int64_t>(0, e.price_micros - e.accrued_micros);
    const std::int64_t amount = std::min(WeightedAmount(e.price_micros, weight), room);
    if (amount <= 0) continue;
    AccrualLine l;
    l.impression_id = e.impression_id;
    l.advertiser_id = e.advertiser_id;
    l.item_id = removal.item_id;
    l.decision_seq = removal.decision_seq;
    l.rule_id = removal.rule_id;
    l.category = removal.category;
    l.currency = e.currency;
    l.distance = e.distance;
    l.weight_ppm = weight;
    l.amount_micros = amount;
    l.at = removal.decided_at;
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<AccrualLine> ReverseRestore(const ItemEvent& restore,
                                        std::span<const Exposure> exposures) {
  std::vector<AccrualLine> out;
  for (const Exposure& e : exposures) {
    if (e.item_net_micros <= 0) continue;
    AccrualLine l;
    l.impression_id = e.impression_id;
    l.advertiser_id = e.advertiser_id;
    l.item_id = restore.item_id;
    l.decision_seq = restore.decision_seq;
    l.rule_id = restore.rule_id;
    l.category = restore.category;
    l.currency = e.currency;
    l.distance = e.distance;
    l.amount_micros = -e.item_net_micros;
    l.at = restore.decided_at;
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace bulwark::ads

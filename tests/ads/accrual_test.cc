// The refund formula's pure functions: weights by distance, the price cap, the window between
// the item's creation and its removal, exact reversal on restore, and never accruing twice.
// Property tests over seeded random exposures check the invariants the statements rely on.

#include "ads/accrual.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace bulwark::ads {
namespace {

Exposure E(std::string id, std::int64_t price, UnixMillis shown_at, int distance,
           std::int64_t accrued = 0, std::int64_t item_net = 0) {
  Exposure e;
  e.impression_id = std::move(id);
  e.advertiser_id = "acme";
  e.currency = "USD";
  e.price_micros = price;
  e.shown_at = shown_at;
  e.distance = distance;
  e.accrued_micros = accrued;
  e.item_net_micros = item_net;
  return e;
}

ItemEvent Removal(UnixMillis created, UnixMillis decided, std::int64_t seq = 7) {
  return {"p1", created, seq, "hate.remove", "hate", decided};
}

TEST(RefundFormula, WeightsByDistance) {
  RefundTerms k1;
  EXPECT_EQ(DistanceWeightPpm(0, k1), 1'000'000);
  EXPECT_EQ(DistanceWeightPpm(1, k1), 1'000'000);
  EXPECT_EQ(DistanceWeightPpm(-1, k1), 1'000'000);
  EXPECT_EQ(DistanceWeightPpm(2, k1), 0);
  RefundTerms k3{3};
  EXPECT_EQ(DistanceWeightPpm(2, k3), 500'000);
  EXPECT_EQ(DistanceWeightPpm(3, k3), 333'333);
  EXPECT_EQ(DistanceWeightPpm(4, k3), 0);
  EXPECT_EQ(WeightedAmount(4'200, 333'333), 1'399);                            // rounded down
  EXPECT_EQ(WeightedAmount(9'000'000'000'000, 1'000'000), 9'000'000'000'000);  // no overflow
}

TEST(RefundFormula, AccruesOnlyImpressionsShownWhileTheItemWasUp) {
  const std::vector<Exposure> ex = {
      E("before", 1000, 50, 1),   // shown before the item existed
      E("during", 1000, 150, 1),  // shown while it was up
      E("after", 1000, 250, 1),   // shown after the removal
      E("far", 1000, 150, 2),     // beyond k = 1
  };
  auto lines = AccrueRemoval(Removal(100, 200), ex, RefundTerms{});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].impression_id, "during");
  EXPECT_EQ(lines[0].amount_micros, 1000);
  EXPECT_EQ(lines[0].decision_seq, 7);
  EXPECT_EQ(lines[0].rule_id, "hate.remove");
  EXPECT_EQ(lines[0].at, 200);
}

TEST(RefundFormula, CapsAtThePriceAndNeverAccruesTwice) {
  // Half the price is already refunded for another item: only the other half can accrue.
  auto capped =
      AccrueRemoval(Removal(0, 10), std::vector<Exposure>{E("i", 1000, 5, 0, 500)}, RefundTerms{});
  ASSERT_EQ(capped.size(), 1u);
  EXPECT_EQ(capped[0].amount_micros, 500);
  // Fully refunded: nothing more.
  EXPECT_TRUE(
      AccrueRemoval(Removal(0, 10), std::vector<Exposure>{E("i", 1000, 5, 0, 1000)}, RefundTerms{})
          .empty());
  // Already accrued for this very item (a second removal by another rule): nothing.
  EXPECT_TRUE(AccrueRemoval(Removal(0, 10, 9),
                            std::vector<Exposure>{E("i", 1000, 5, 0, 1000, 1000)}, RefundTerms{})
                  .empty());
}

TEST(RefundFormula, ARestoreReversesExactly) {
  auto lines = ReverseRestore(
      {"p1", 0, 12, "appeal", "hate", 30},
      std::vector<Exposure>{E("i", 1000, 5, 1, 1200, 700), E("j", 1000, 5, 1, 0, 0)});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].impression_id, "i");
  EXPECT_EQ(lines[0].amount_micros, -700);
  EXPECT_EQ(lines[0].decision_seq, 12);
}

// A random history of removals and restores over random exposures, replayed through the
// formula with the running sums a store would keep.
std::map<std::string, std::int64_t> Replay(
    std::uint32_t seed, std::int64_t* max_over_price,
    std::map<std::pair<std::string, std::string>, std::int64_t>* item_nets) {
  std::mt19937 rng(seed);
  constexpr int kImpressions = 40, kItems = 12;
  std::vector<std::int64_t> price(kImpressions);
  for (auto& p : price) p = std::uniform_int_distribution<std::int64_t>(0, 50'000)(rng);
  // exposure[imp][item] = distance or -1
  std::vector<std::vector<int>> dist(kImpressions, std::vector<int>(kItems, -1));
  for (auto& row : dist) {
    for (int& d : row) d = std::uniform_int_distribution<int>(0, 9)(rng) < 3 ? rng() % 4 : -1;
  }
  std::vector<UnixMillis> shown(kImpressions);
  for (auto& s : shown) s = rng() % 1000;
  std::map<std::string, std::int64_t> accrued;  // per impression
  item_nets->clear();
  RefundTerms terms{3};
  for (int step = 0; step < 200; ++step) {
    const int item = static_cast<int>(rng() % kItems);
    const bool restore = rng() % 3 == 0;
    std::vector<Exposure> ex;
    for (int i = 0; i < kImpressions; ++i) {
      if (dist[i][item] < 0) continue;
      const std::string id = "imp" + std::to_string(i);
      ex.push_back(E(id, price[i], shown[i], dist[i][item], accrued[id],
                     (*item_nets)[{id, "item" + std::to_string(item)}]));
    }
    ItemEvent ev{"item" + std::to_string(item),      100, step + 1, "r", "hate",
                 static_cast<UnixMillis>(500 + step)};
    auto lines = restore ? ReverseRestore(ev, ex) : AccrueRemoval(ev, ex, terms);
    for (const AccrualLine& l : lines) {
      accrued[l.impression_id] += l.amount_micros;
      (*item_nets)[{l.impression_id, l.item_id}] += l.amount_micros;
    }
  }
  *max_over_price = 0;
  for (int i = 0; i < kImpressions; ++i) {
    const std::string id = "imp" + std::to_string(i);
    *max_over_price = std::max(*max_over_price, accrued[id] - price[i]);
  }
  return accrued;
}

TEST(RefundFormulaProperties, NeverAboveThePriceNeverNegativeAndReplaysIdentically) {
  for (std::uint32_t seed = 1; seed <= 200; ++seed) {
    std::int64_t over = 0;
    std::map<std::pair<std::string, std::string>, std::int64_t> nets, nets2;
    const auto a = Replay(seed, &over, &nets);
    EXPECT_LE(over, 0) << "seed " << seed << ": an impression's refunds exceed its price";
    for (const auto& [key, net] : nets) EXPECT_GE(net, 0) << "seed " << seed;
    for (const auto& [id, v] : a) EXPECT_GE(v, 0) << "seed " << seed;
    std::int64_t over2 = 0;
    EXPECT_EQ(Replay(seed, &over2, &nets2), a) << "seed " << seed << ": a replay differs";
  }
}

TEST(RefundFormulaProperties, RestoreAfterRemovalNetsToZero) {
  std::mt19937 rng(42);
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<Exposure> ex;
    const int n = 1 + static_cast<int>(rng() % 20);
    for (int i = 0; i < n; ++i) {
      const std::int64_t price = rng() % 100'000;
      const std::int64_t prior = price == 0 ? 0 : static_cast<std::int64_t>(rng() % (price + 1));
      ex.push_back(
          E("i" + std::to_string(i), price, rng() % 100, static_cast<int>(rng() % 5), prior));
    }
    const auto removed = AccrueRemoval(Removal(0, 100), ex, RefundTerms{4});
    std::map<std::string, std::int64_t> net;
    for (const auto& l : removed) net[l.impression_id] += l.amount_micros;
    for (Exposure& e : ex) e.item_net_micros = net[e.impression_id];
    const auto restored = ReverseRestore({"p1", 0, 8, "appeal", "hate", 150}, ex);
    for (const auto& l : restored) net[l.impression_id] += l.amount_micros;
    for (const auto& [id, v] : net) EXPECT_EQ(v, 0) << "trial " << trial << " " << id;
  }
}

}  // namespace
}  // namespace bulwark::ads

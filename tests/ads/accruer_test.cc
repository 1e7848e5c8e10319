// Refund accrual over a real SQLite log: removals accrue for the impressions shown next to the
// item while it was up, capped at their price; a restore reverses; repeats add nothing; the
// cursor makes catching up idempotent; and accruing step by step or replaying the whole log at
// once gives byte-identical statements.

#include "ads/accruer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "ads/statement.h"
#include "testing/temp_dir.h"

namespace bulwark::ads {
namespace {

constexpr UnixMillis kT0 = 1'793'491'200'000;  // 2026-11-01T00:00:00Z

std::unique_ptr<store::Database> Open(const std::string& path) {
  auto db = store::OpenDatabase("sqlite:" + path, store::OpenOptions{});
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return std::move(db).value();
}

void Seed(store::Database& db) {
  std::vector<Item> items;
  for (const char* id : {"p1", "p2"}) {
    Item it = testing::MakeItem(id, "text");
    it.created_at = kT0;
    items.push_back(it);
  }
  ASSERT_TRUE(db.items().UpsertItems(items, kT0).ok());
  auto imp = [](std::string id, std::int64_t price, UnixMillis at,
                std::vector<AdjacentItem> adjacent) {
    AdImpression i;
    i.id = std::move(id);
    i.ad_id = "ad-1";
    i.advertiser_id = "acme";
    i.price_micros = price;
    i.shown_at = at;
    i.adjacent = std::move(adjacent);
    return i;
  };
  std::vector<AdImpression> imps = {
      imp("imp1", 1000, kT0 + 10, {{"p1", -1}}),
      imp("imp2", 800, kT0 + 10, {{"p1", 2}}),  // two places away: beyond k = 1
      imp("imp3", 500, kT0 + 20, {{"p1", 0}, {"p2", 1}}),
  };
  ASSERT_TRUE(db.events().AppendAdImpressions(imps, kT0 + 30).ok());
}

Decision D(std::string item, ActionType a, std::string actor, UnixMillis at) {
  Decision d;
  d.item_id = std::move(item);
  d.item_revision = 1;
  d.action = a;
  d.category = "hate";
  d.rule_id = actor == "system" ? "hate.remove" : "appeal";
  d.actor = std::move(actor);
  d.created_at = at;
  return d;
}

std::int64_t Net(const std::vector<store::RefundLine>& lines, std::string_view imp) {
  std::int64_t n = 0;
  for (const auto& l : lines) n += l.impression_id == imp ? l.amount_micros : 0;
  return n;
}

TEST(RefundAccruerTest, RemovalAccruesCappedRestoreReversesRepeatsAddNothing) {
  testing::TempDir dir;
  auto db = Open(dir.File("a.db"));
  Seed(*db);
  RefundAccruer accruer(*db);
  ASSERT_TRUE(
      db->decisions().AppendDecisions({D("p1", ActionType::kRemove, "system", kT0 + 100)}).ok());
  auto p = accruer.CatchUp();
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->lines, 2);
  auto lines = *db->ads().RefundLines("acme", kT0, kT0 + 1'000'000);
  EXPECT_EQ(Net(lines, "imp1"), 1000);
  EXPECT_EQ(Net(lines, "imp2"), 0);
  EXPECT_EQ(Net(lines, "imp3"), 500);
  EXPECT_EQ(lines[0].decision_seq, 1);
  EXPECT_EQ(lines[0].rule_id, "hate.remove");

  // p2's removal finds imp3 already refunded in full; a second removal of p1 adds nothing.
  ASSERT_TRUE(db->decisions()
                  .AppendDecisions({D("p2", ActionType::kRemove, "system", kT0 + 110),
                                    D("p1", ActionType::kRemove, "reviewer:user:r", kT0 + 120)})
                  .ok());
  p = accruer.CatchUp();
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->lines, 0);
  EXPECT_EQ(accruer.CatchUp()->decisions, 0) << "caught up: nothing to read";

  // The appeal restores p1: every accrual for it is reversed, to the micro.
  ASSERT_TRUE(db->decisions()
                  .AppendDecisions({D("p1", ActionType::kRestore, "appeal:user:a", kT0 + 130)})
                  .ok());
  ASSERT_TRUE(accruer.CatchUp().ok());
  lines = *db->ads().RefundLines("acme", kT0, kT0 + 1'000'000);
  EXPECT_EQ(Net(lines, "imp1"), 0);
  EXPECT_EQ(Net(lines, "imp3"), 0);
  EXPECT_EQ(lines.back().amount_micros, -500);
  EXPECT_EQ(lines.back().decision_seq, 4);

  // Removed again after the restore: it accrues again (once).
  ASSERT_TRUE(
      db->decisions().AppendDecisions({D("p1", ActionType::kRemove, "system", kT0 + 140)}).ok());
  ASSERT_TRUE(accruer.CatchUp().ok());
  lines = *db->ads().RefundLines("acme", kT0, kT0 + 1'000'000);
  EXPECT_EQ(Net(lines, "imp1"), 1000);
  for (const auto& l : lines) EXPECT_LE(Net(lines, l.impression_id), 1000);
}

TEST(RefundAccruerTest, ConcurrentCatchUpsNeverDoubleALine) {
  testing::TempDir dir;
  auto db = Open(dir.File("c.db"));
  Seed(*db);
  for (int round = 0; round < 20; ++round) {
    const ActionType a = round % 2 ? ActionType::kRestore : ActionType::kRemove;
    ASSERT_TRUE(db->decisions()
                    .AppendDecisions(
                        {D("p1", a, round % 2 ? "appeal:user:a" : "system", kT0 + 100 + round)})
                    .ok());
    RefundAccruer first(*db), second(*db);
    std::thread t([&] { EXPECT_TRUE(first.CatchUp().ok()); });
    EXPECT_TRUE(second.CatchUp().ok());
    t.join();
    auto lines = *db->ads().RefundLines("acme", kT0, kT0 + 1'000'000);
    const std::int64_t expected = a == ActionType::kRemove ? 1000 : 0;
    EXPECT_EQ(Net(lines, "imp1"), expected) << "round " << round;
    EXPECT_EQ(static_cast<int>(lines.size()), 2 * (round + 1)) << "round " << round;
  }
}

TEST(RefundAccruerTest, AWiderDistanceWeighsFartherImpressionsLess) {
  testing::TempDir dir;
  auto db = Open(dir.File("k.db"));
  Seed(*db);
  RefundAccruer accruer(*db, RefundTerms{3});
  ASSERT_TRUE(
      db->decisions().AppendDecisions({D("p1", ActionType::kRemove, "system", kT0 + 100)}).ok());
  ASSERT_TRUE(accruer.CatchUp().ok());
  auto lines = *db->ads().RefundLines("acme", kT0, kT0 + 1'000'000);
  EXPECT_EQ(Net(lines, "imp2"), 400);  // half of 800 at distance 2
}

TEST(RefundAccruerTest, StepByStepAndAWholeReplayGiveByteIdenticalStatements) {
  testing::TempDir dir;
  auto a = Open(dir.File("a.db"));
  auto b = Open(dir.File("b.db"));
  Seed(*a);
  Seed(*b);
  const std::vector<Decision> history = {
      D("p1", ActionType::kRemove, "system", kT0 + 100),
      D("p2", ActionType::kRemove, "system", kT0 + 110),
      D("p1", ActionType::kRestore, "appeal:user:a", kT0 + 130),
      D("p1", ActionType::kRemove, "reviewer:user:r", kT0 + 140),
  };
  RefundAccruer step(*a), replay(*b);
  for (const Decision& d : history) {
    ASSERT_TRUE(a->decisions().AppendDecisions({d}).ok());
    ASSERT_TRUE(step.CatchUp().ok());
  }
  ASSERT_TRUE(b->decisions().AppendDecisions(history).ok());
  ASSERT_TRUE(replay.CatchUp().ok());
  auto month = ParseMonth("2026-11");
  ASSERT_TRUE(month.ok());
  auto statement = [&](store::Database& db) {
    auto lines = db.ads().RefundLines("acme", month->since, month->until);
    EXPECT_TRUE(lines.ok());
    const Statement s = BuildStatement("acme", "2026-11", *month, *lines);
    return StatementJson(s) + StatementCsv(s);
  };
  const std::string sa = statement(*a);
  EXPECT_EQ(sa, statement(*b));
  const auto j = nlohmann::json::parse(sa.substr(0, sa.find("seq,impression_id")));
  ASSERT_EQ(j["totals"].size(), 1u);
  EXPECT_EQ(j["totals"][0]["currency"], "USD");
  EXPECT_EQ(j["totals"][0]["net_micros"], 1500);  // imp1 1000 + imp3 500 after the re-removal
  EXPECT_EQ(j["totals"][0]["reversed_micros"], -1500);
  EXPECT_NE(sa.find("imp1,p1,1,hate.remove,hate,1,1000000,USD,1000,"), std::string::npos) << sa;
  // A month is YYYY-MM.
  EXPECT_FALSE(ParseMonth("2026-13").ok());
  EXPECT_EQ(ParseMonth("2026-1").status().field(), "month");
}

}  // namespace
}  // namespace bulwark::ads

// Refund accrual over a real SQLite log: removals accrue for the impressions shown next to the
// item while it was up, capped at their price; a restore reverses; repeats add nothing; the
// cursor makes catching up idempotent; and accruing step by step or replaying the whole log at
// once gives byte-identical statements.

#include "ads/accruer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "ads/statement.h"
#include "core/sha256.h"
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

constexpr UnixMillis kDay = 86'400'000;
constexpr UnixMillis kDec = 1'796'083'200'000;  // 2026-12-01T00:00:00Z

std::int64_t NetOf(const Statement& s) {
  std::int64_t n = 0;
  for (const auto& l : s.lines) n += l.amount_micros;
  return n;
}

TEST(IssuedStatementTest, FrozenOnceIssuedAndLateLinesCorrectTheNextOpenStatement) {
  testing::TempDir dir;
  auto db = Open(dir.File("r.db"));
  Seed(*db);
  RefundAccruer accruer(*db);
  ASSERT_TRUE(db->decisions()
                  .AppendDecisions({D("p1", ActionType::kRemove, "system", kT0 + 3600'000)})
                  .ok());
  ASSERT_TRUE(accruer.CatchUp().ok());

  // Not before the month is over.
  auto early = IssueStatement(db->ads(), "acme", "2026-11", "finance", kT0 + 15 * kDay);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(early.status().field(), "month");

  auto nov = IssueStatement(db->ads(), "acme", "2026-11", "finance", kDec + kDay);
  ASSERT_TRUE(nov.ok()) << nov.status().ToString();
  EXPECT_EQ(nov->sha256, Sha256Hex(nov->body));
  auto again = IssueStatement(db->ads(), "acme", "2026-11", "finance", kDec + 2 * kDay);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Code::kAlreadyExists);
  EXPECT_EQ(again.status().field(), "month");

  // A restore dated in November but logged after the statement was issued.
  ASSERT_TRUE(db->decisions()
                  .AppendDecisions({D("p1", ActionType::kNone, "user:alice", kT0 + 7200'000)})
                  .ok());
  ASSERT_TRUE(accruer.CatchUp().ok());

  auto nov_now = LoadStatement(db->ads(), "acme", "2026-11");
  ASSERT_TRUE(nov_now.ok()) << nov_now.status().ToString();
  EXPECT_EQ(StatementJson(*nov_now), nov->body);  // byte for byte as issued
  ASSERT_TRUE(nov_now->issued.has_value());
  EXPECT_EQ(nov_now->issued->by, "finance");
  EXPECT_EQ(nov_now->lines.size(), 2u);
  EXPECT_EQ(NetOf(*nov_now), 1500);

  auto dec = LoadStatement(db->ads(), "acme", "2026-12");
  ASSERT_TRUE(dec.ok());
  ASSERT_EQ(dec->lines.size(), 2u);  // the two reversals, as corrections of November
  EXPECT_EQ(dec->correction_of[0], "2026-11");
  EXPECT_EQ(dec->correction_of[1], "2026-11");
  EXPECT_EQ(NetOf(*dec), -1500);
  EXPECT_NE(StatementCsv(*dec).find(",2026-11\r\n"), std::string::npos);

  auto dec_issued = IssueStatement(db->ads(), "acme", "2026-12", "finance", kDec + 32 * kDay);
  ASSERT_TRUE(dec_issued.ok()) << dec_issued.status().ToString();
  auto dec_parsed = ParseStatementJson(dec_issued->body);
  ASSERT_TRUE(dec_parsed.ok());
  EXPECT_EQ(dec_parsed->correction_of[0], "2026-11");
  // Never twice: January has nothing of it.
  auto jan = LoadStatement(db->ads(), "acme", "2027-01");
  ASSERT_TRUE(jan.ok());
  EXPECT_TRUE(jan->lines.empty());
}

TEST(IssuedStatementTest, MonthsIssuedOutOfOrderKeepEveryLineOnExactlyOneStatement) {
  testing::TempDir dir;
  auto db = Open(dir.File("r.db"));
  Seed(*db);
  RefundAccruer accruer(*db);
  ASSERT_TRUE(db->decisions()
                  .AppendDecisions({D("p1", ActionType::kRemove, "system", kT0 + 3600'000)})
                  .ok());
  ASSERT_TRUE(accruer.CatchUp().ok());
  // December first: November's lines stay on November's open statement.
  auto dec = IssueStatement(db->ads(), "acme", "2026-12", "finance", kDec + 40 * kDay);
  ASSERT_TRUE(dec.ok());
  auto dec_s = ParseStatementJson(dec->body);
  ASSERT_TRUE(dec_s.ok());
  EXPECT_TRUE(dec_s->lines.empty());
  auto nov = IssueStatement(db->ads(), "acme", "2026-11", "finance", kDec + 41 * kDay);
  ASSERT_TRUE(nov.ok());
  auto nov_s = ParseStatementJson(nov->body);
  ASSERT_TRUE(nov_s.ok());
  EXPECT_EQ(nov_s->lines.size(), 2u);
  // A late November line now skips both issued months and lands on January.
  ASSERT_TRUE(db->decisions()
                  .AppendDecisions({D("p1", ActionType::kNone, "user:alice", kT0 + 7200'000)})
                  .ok());
  ASSERT_TRUE(accruer.CatchUp().ok());
  auto jan = LoadStatement(db->ads(), "acme", "2027-01");
  ASSERT_TRUE(jan.ok());
  EXPECT_EQ(jan->lines.size(), 2u);
  EXPECT_EQ(NetOf(*jan), -1500);
  auto feb = LoadStatement(db->ads(), "acme", "2027-02");
  ASSERT_TRUE(feb.ok());
  EXPECT_TRUE(feb->lines.empty());
}

TEST(BrandSafetyTest, ShareOfImpressionsNextToRemovedItemsAndTheTimeToRemoval) {
  testing::TempDir dir;
  auto db = Open(dir.File("r.db"));
  Seed(*db);
  RefundAccruer accruer(*db);
  ASSERT_TRUE(db->decisions()
                  .AppendDecisions({D("p1", ActionType::kRemove, "system", kT0 + 3600'000)})
                  .ok());
  ASSERT_TRUE(accruer.CatchUp().ok());
  auto nov = LoadStatement(db->ads(), "acme", "2026-11");
  ASSERT_TRUE(nov.ok()) << nov.status().ToString();
  ASSERT_TRUE(nov->brand_safety.has_value());
  // imp1 and imp3 were shown within one place of p1 while it was up; imp2 two places away.
  EXPECT_EQ(nov->brand_safety->impressions, 3);
  EXPECT_EQ(nov->brand_safety->next_to_removed, 2);
  EXPECT_EQ(nov->brand_safety->share_ppm, 666'667);
  EXPECT_LT(nov->brand_safety->low_ppm, 666'667);
  EXPECT_GT(nov->brand_safety->high_ppm, 666'667);
  EXPECT_EQ(nov->brand_safety->timed, 0);  // no view counted yet
  EXPECT_FALSE(nov->brand_safety->median_seconds_to_removal.has_value());
  // p1 was first viewed 100 ms after it went up: removed 3,599.9 s later.
  ViewEvent v;
  v.item_id = "p1";
  v.viewed_at = kT0 + 100;
  ASSERT_TRUE(db->events().AppendViews({&v, 1}, {}, kT0 + 200).ok());
  nov = LoadStatement(db->ads(), "acme", "2026-11");
  ASSERT_TRUE(nov.ok());
  EXPECT_EQ(nov->brand_safety->timed, 2);
  EXPECT_EQ(nov->brand_safety->median_seconds_to_removal, 3600);
  // A restore takes the impressions back out; an issued statement keeps its figures.
  auto issued = IssueStatement(db->ads(), "acme", "2026-11", "finance", kDec + kDay);
  ASSERT_TRUE(issued.ok());
  ASSERT_TRUE(db->decisions()
                  .AppendDecisions({D("p1", ActionType::kNone, "user:alice", kDec + 2 * kDay)})
                  .ok());
  ASSERT_TRUE(accruer.CatchUp().ok());
  auto frozen = LoadStatement(db->ads(), "acme", "2026-11");
  ASSERT_TRUE(frozen.ok());
  EXPECT_EQ(frozen->brand_safety->next_to_removed, 2);
  EXPECT_EQ(StatementJson(*frozen), issued->body);
  auto dec = LoadStatement(db->ads(), "acme", "2026-12");
  ASSERT_TRUE(dec.ok());
  EXPECT_EQ(dec->brand_safety->impressions, 0);  // none shown in December
  EXPECT_EQ(dec->brand_safety->low_ppm, 0);
  EXPECT_EQ(dec->brand_safety->high_ppm, 1'000'000);
}

TEST(BrandSafetyTest, ComputedFromAnAudit) {
  store::ImpressionAudit a;
  a.impressions = 1000;
  for (int k = 0; k < 10; ++k) {
    store::RefundedImpression r;
    r.impression_id = "i" + std::to_string(k);
    r.removed_at = 100'000;
    r.first_view_at = k < 5 ? 100'000 - 1000 * (k + 1) : 0;  // 1..5 s before; 5 never viewed
    a.refunded.push_back(r);
  }
  const BrandSafety b = ComputeBrandSafety(a);
  EXPECT_EQ(b.share_ppm, 10'000);
  EXPECT_EQ(b.low_ppm, 5'441);
  EXPECT_EQ(b.high_ppm, 18'310);
  EXPECT_EQ(b.timed, 5);
  EXPECT_EQ(b.median_seconds_to_removal, 3);
}

TEST(IssuedStatementTest, HomeMonthIsTheFirstMonthOpenWhenTheLineWasWritten) {
  store::RefundLine l;
  l.seq = 10;
  l.at = kT0 + kDay;  // November
  EXPECT_EQ(HomeMonth(l, {}), "2026-11");
  EXPECT_EQ(HomeMonth(l, {{"2026-11", 10}}), "2026-11");  // issued with it
  EXPECT_EQ(HomeMonth(l, {{"2026-11", 9}}), "2026-12");   // issued before it
  EXPECT_EQ(HomeMonth(l, {{"2026-11", 9}, {"2026-12", 9}}), "2027-01");
  EXPECT_EQ(HomeMonth(l, {{"2026-11", 9}, {"2026-12", 12}}), "2026-12");
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

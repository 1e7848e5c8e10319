// Statements: the directly written JSON parses back to exactly what went in (escapes, invalid
// UTF-8 replaced), in nlohmann's dump(2) form.

#include "ads/statement.h"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace bulwark::ads {
namespace {

Statement Hostile() {
  store::RefundLine l;
  l.seq = 7;
  l.impression_id = "imp \"quoted\" \\ back\nline\t\x01";
  l.advertiser_id = "adv<script>";
  l.item_id = "item-\xff\xfe";  // invalid UTF-8
  l.decision_seq = 42;
  l.rule_id = "hate.remove & <b>";
  l.category = "hate";
  l.currency = "EUR";
  l.distance = 2;
  l.weight_ppm = 500000;
  l.amount_micros = -1500;
  l.at = *ParseRfc3339("2026-11-03T10:00:00Z");
  auto range = ParseMonth("2026-11");
  return BuildStatement("adv<script>", "2026-11", *range, {l});
}

TEST(StatementJson, ParsesBackToTheSameValuesInDumpForm) {
  const Statement s = Hostile();
  const std::string text = StatementJson(s);
  const nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j["advertiser_id"], "adv<script>");
  ASSERT_EQ(j["lines"].size(), 1u);
  EXPECT_EQ(j["lines"][0]["impression_id"], "imp \"quoted\" \\ back\nline\t\x01");
  EXPECT_EQ(j["lines"][0]["item_id"], "item-\xEF\xBF\xBD");  // one per maximal invalid run
  EXPECT_EQ(j["lines"][0]["amount_micros"], -1500);
  EXPECT_EQ(j["totals"][0]["reversed_micros"], -1500);
  EXPECT_EQ(j["by_category"][0]["category"], "hate");
  // Byte for byte the form nlohmann's dump(2) gives the same value.
  EXPECT_EQ(text, j.dump(2) + "\n");
  // With brand-safety figures and an issue stamp, and back.
  Statement b = s;
  b.brand_safety = BrandSafety{1000, 10, 10'000, 5'441, 18'310, 5, 3};
  b.issued = IssueInfo{*ParseRfc3339("2026-12-02T00:00:00Z"), "finance", 9};
  const std::string bt = StatementJson(b);
  EXPECT_EQ(bt, nlohmann::json::parse(bt).dump(2) + "\n");
  auto back = ParseStatementJson(bt);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(StatementJson(*back), bt);
  b.brand_safety->median_seconds_to_removal.reset();
  const std::string nt = StatementJson(b);
  EXPECT_EQ(nlohmann::json::parse(nt)["brand_safety"]["median_seconds_first_view_to_removal"],
            nullptr);
  EXPECT_EQ(StatementJson(*ParseStatementJson(nt)), nt);
  // And an empty month.
  const Statement empty = BuildStatement("a", "2026-11", *ParseMonth("2026-11"), {});
  const std::string e = StatementJson(empty);
  EXPECT_EQ(e, nlohmann::json::parse(e).dump(2) + "\n");
}

}  // namespace
}  // namespace bulwark::ads

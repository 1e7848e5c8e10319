// The printable refund statement: everything it shows is escaped, amounts in currency units.

#include "server/statement_page.h"

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "ads/statement.h"
#include "server/pages.h"

namespace bulwark::server {
namespace {

using ads::BuildStatement;
using ads::ParseMonth;
using ads::Statement;

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

TEST(StatementPage, EscapesEverythingItShowsAndFormatsAmounts) {
  auto page = RenderStatementPage(Hostile(), PageRenderer());
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->find("<script"), std::string::npos);
  EXPECT_NE(page->find("adv&lt;script&gt;"), std::string::npos);
  EXPECT_NE(page->find("hate.remove &amp; &lt;b&gt;"), std::string::npos);
  EXPECT_NE(page->find("-0.001500 EUR"), std::string::npos);
  EXPECT_EQ(FormatMicros(1234567, "USD"), "1.234567 USD");
  EXPECT_EQ(FormatMicros(0, "USD"), "0.000000 USD");
  EXPECT_EQ(FormatMicros(INT64_MIN, "X"), "-9223372036854.775808 X");
}

}  // namespace
}  // namespace bulwark::server

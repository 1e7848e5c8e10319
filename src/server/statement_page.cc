#include "server/statement_page.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/time.h"

namespace bulwark::server {
namespace {

nlohmann::json TotalView(const ads::CurrencyTotal& t) {
  return {{"currency", t.currency},
          {"category", t.category},
          {"accrued", FormatMicros(t.accrued_micros, t.currency)},
          {"reversed", FormatMicros(t.reversed_micros, t.currency)},
          {"net", FormatMicros(t.net_micros, t.currency)},
          {"impressions", t.impressions},
          {"lines", t.lines}};
}

}  // namespace

std::string FormatMicros(std::int64_t micros, const std::string& currency) {
  // Magnitude as unsigned, so the most negative value has one too.
  const std::uint64_t m =
      micros < 0 ? 0 - static_cast<std::uint64_t>(micros) : static_cast<std::uint64_t>(micros);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%llu.%06llu", micros < 0 ? "-" : "",
                static_cast<unsigned long long>(m / 1000000),
                static_cast<unsigned long long>(m % 1000000));
  return std::string(buf) + " " + currency;
}

Result<std::string> RenderStatementPage(const ads::Statement& s, const PageRenderer& pages) {
  nlohmann::json totals = nlohmann::json::array(), by_category = nlohmann::json::array(),
                 lines = nlohmann::json::array();
  for (const ads::CurrencyTotal& t : s.totals) totals.push_back(TotalView(t));
  for (const ads::CurrencyTotal& t : s.by_category) by_category.push_back(TotalView(t));
  for (size_t i = 0; i < s.lines.size(); ++i) {
    const store::RefundLine& l = s.lines[i];
    char weight[32];
    std::snprintf(weight, sizeof weight, "%.4f", static_cast<double>(l.weight_ppm) / 1e6);
    lines.push_back({{"seq", l.seq},
                     {"impression_id", l.impression_id},
                     {"item_id", l.item_id},
                     {"decision_seq", l.decision_seq},
                     {"rule_id", l.rule_id},
                     {"category", l.category},
                     {"distance", l.distance},
                     {"weight", weight},
                     {"amount", FormatMicros(l.amount_micros, l.currency)},
                     {"at", FormatRfc3339(l.at)},
                     {"correction_of", i < s.correction_of.size() ? s.correction_of[i] : ""}});
  }
  nlohmann::json view = {{"advertiser_id", s.advertiser_id},
                         {"month", s.month},
                         {"since", FormatRfc3339(s.range.since)},
                         {"until", FormatRfc3339(s.range.until)},
                         {"has_totals", !s.lines.empty()},
                         {"issued", s.issued.has_value()},
                         {"has_brand_safety", s.brand_safety.has_value()},
                         {"issued_at", s.issued ? FormatRfc3339(s.issued->at) : ""},
                         {"issued_by", s.issued ? s.issued->by : ""},
                         {"totals", totals},
                         {"by_category", by_category},
                         {"lines", lines}};
  nlohmann::json v = view;
  if (s.brand_safety) {
    const ads::BrandSafety& b = *s.brand_safety;
    auto pct = [](std::int64_t ppm) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.3f%%", static_cast<double>(ppm) / 1e4);
      return std::string(buf);
    };
    v["bs_impressions"] = b.impressions;
    v["bs_next_to_removed"] = b.next_to_removed;
    v["bs_share"] = pct(b.share_ppm);
    v["bs_low"] = pct(b.low_ppm);
    v["bs_high"] = pct(b.high_ppm);
    v["bs_timed"] = b.timed;
    if (b.median_seconds_to_removal) {
      char buf[48];
      const double s_ = static_cast<double>(*b.median_seconds_to_removal);
      if (s_ < 3600) {
        std::snprintf(buf, sizeof buf, "%.0f minutes", s_ / 60);
      } else {
        std::snprintf(buf, sizeof buf, "%.1f hours", s_ / 3600);
      }
      v["bs_median"] = buf;
    } else {
      v["bs_median"] = "";
    }
  }
  return pages.Render("statement", v);
}

}  // namespace bulwark::server

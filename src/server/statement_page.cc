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
  const nlohmann::json view = {{"advertiser_id", s.advertiser_id},
                               {"month", s.month},
                               {"since", FormatRfc3339(s.range.since)},
                               {"until", FormatRfc3339(s.range.until)},
                               {"has_totals", !s.lines.empty()},
                               {"issued", s.issued.has_value()},
                               {"issued_at", s.issued ? FormatRfc3339(s.issued->at) : ""},
                               {"issued_by", s.issued ? s.issued->by : ""},
                               {"totals", totals},
                               {"by_category", by_category},
                               {"lines", lines}};
  return pages.Render("statement", view);
}

}  // namespace bulwark::server

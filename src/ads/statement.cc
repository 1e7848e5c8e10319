#include "ads/statement.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <map>
#include <set>
#include <tuple>

namespace bulwark::ads {
namespace {

// RFC 4180: quote a field that holds a comma, a quote or a line break.
std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

nlohmann::json TotalJson(const CurrencyTotal& t) {
  nlohmann::json j = {{"currency", t.currency},
                      {"accrued_micros", t.accrued_micros},
                      {"reversed_micros", t.reversed_micros},
                      {"net_micros", t.net_micros},
                      {"impressions", t.impressions},
                      {"lines", t.lines}};
  if (!t.category.empty()) j["category"] = t.category;
  return j;
}

}  // namespace

Result<MonthRange> ParseMonth(std::string_view month) {
  int y = 0, m = 0;
  const bool shape = month.size() == 7 && month[4] == '-';
  if (shape) {
    auto a = std::from_chars(month.data(), month.data() + 4, y);
    auto b = std::from_chars(month.data() + 5, month.data() + 7, m);
    if (a.ec != std::errc() || a.ptr != month.data() + 4 || b.ec != std::errc() ||
        b.ptr != month.data() + 7) {
      y = 0;
    }
  }
  if (!shape || y < 1970 || y > 9998 || m < 1 || m > 12) {
    return InvalidArgument("must be a month, YYYY-MM (e.g. 2026-11)", "month");
  }
  char from[32], to[32];
  std::snprintf(from, sizeof from, "%04d-%02d-01T00:00:00Z", y, m);
  std::snprintf(to, sizeof to, "%04d-%02d-01T00:00:00Z", m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1);
  return MonthRange{*ParseRfc3339(from), *ParseRfc3339(to)};
}

Statement BuildStatement(std::string advertiser_id, std::string month, MonthRange range,
                         std::vector<store::RefundLine> lines) {
  Statement s;
  s.advertiser_id = std::move(advertiser_id);
  s.month = std::move(month);
  s.range = range;
  std::map<std::pair<std::string, std::string>, CurrencyTotal> acc;  // (currency, category)
  std::map<std::pair<std::string, std::string>, std::set<std::string>> seen;
  for (const store::RefundLine& l : lines) {
    for (const std::string& cat : {std::string(), l.category}) {
      CurrencyTotal& t = acc[{l.currency, cat}];
      t.currency = l.currency;
      t.category = cat;
      (l.amount_micros >= 0 ? t.accrued_micros : t.reversed_micros) += l.amount_micros;
      t.net_micros += l.amount_micros;
      ++t.lines;
      if (seen[{l.currency, cat}].insert(l.impression_id).second) ++t.impressions;
    }
  }
  for (auto& [key, t] : acc) (key.second.empty() ? s.totals : s.by_category).push_back(t);
  s.lines = std::move(lines);
  return s;
}

std::string StatementJson(const Statement& s) {
  using nlohmann::json;
  json totals = json::array(), by_category = json::array(), lines = json::array();
  for (const CurrencyTotal& t : s.totals) totals.push_back(TotalJson(t));
  for (const CurrencyTotal& t : s.by_category) by_category.push_back(TotalJson(t));
  for (const store::RefundLine& l : s.lines) {
    lines.push_back({{"seq", l.seq},
                     {"impression_id", l.impression_id},
                     {"item_id", l.item_id},
                     {"decision_seq", l.decision_seq},
                     {"rule_id", l.rule_id},
                     {"category", l.category},
                     {"distance", l.distance},
                     {"weight_ppm", l.weight_ppm},
                     {"currency", l.currency},
                     {"amount_micros", l.amount_micros},
                     {"at", FormatRfc3339(l.at)}});
  }
  return json{{"advertiser_id", s.advertiser_id},
              {"month", s.month},
              {"since", FormatRfc3339(s.range.since)},
              {"until", FormatRfc3339(s.range.until)},
              {"totals", totals},
              {"by_category", by_category},
              {"lines", lines}}
             .dump(2, ' ', false, json::error_handler_t::replace) +
         "\n";
}

std::string StatementCsv(const Statement& s) {
  std::string out =
      "seq,impression_id,item_id,decision_seq,rule_id,category,distance,weight_ppm,currency,"
      "amount_micros,at\r\n";
  for (const store::RefundLine& l : s.lines) {
    out += std::to_string(l.seq) + "," + CsvField(l.impression_id) + "," + CsvField(l.item_id) +
           "," + std::to_string(l.decision_seq) + "," + CsvField(l.rule_id) + "," +
           CsvField(l.category) + "," + std::to_string(l.distance) + "," +
           std::to_string(l.weight_ppm) + "," + CsvField(l.currency) + "," +
           std::to_string(l.amount_micros) + "," + FormatRfc3339(l.at) + "\r\n";
  }
  return out;
}

}  // namespace bulwark::ads

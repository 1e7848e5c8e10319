#include "ads/statement.h"

#include <charconv>
#include <map>
#include <set>
#include <tuple>

#include "core/json_text.h"

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

// The statement's JSON is written directly (no tree: a statement may hold millions of lines),
// in the form nlohmann's dump(2) gives: keys sorted, two-space indentation.
void Key(int indent, std::string_view key, std::string* out) {
  out->append(static_cast<size_t>(indent), ' ');
  AppendJsonString(key, out);
  out->append(": ");
}
void IntField(int indent, std::string_view key, std::int64_t v, std::string* out, bool last) {
  Key(indent, key, out);
  out->append(std::to_string(v));
  out->append(last ? "\n" : ",\n");
}
void StrField(int indent, std::string_view key, std::string_view v, std::string* out, bool last) {
  Key(indent, key, out);
  AppendJsonStringSafe(v, out);
  out->append(last ? "\n" : ",\n");
}

void TotalJson(const CurrencyTotal& t, std::string* out) {
  out->append("    {\n");
  IntField(6, "accrued_micros", t.accrued_micros, out, false);
  if (!t.category.empty()) StrField(6, "category", t.category, out, false);
  StrField(6, "currency", t.currency, out, false);
  IntField(6, "impressions", t.impressions, out, false);
  IntField(6, "lines", t.lines, out, false);
  IntField(6, "net_micros", t.net_micros, out, false);
  IntField(6, "reversed_micros", t.reversed_micros, out, true);
  out->append("    }");
}

void TotalsArray(std::string_view key, const std::vector<CurrencyTotal>& totals, std::string* out) {
  Key(2, key, out);
  if (totals.empty()) {
    out->append("[],\n");
    return;
  }
  out->append("[\n");
  for (size_t i = 0; i < totals.size(); ++i) {
    TotalJson(totals[i], out);
    out->append(i + 1 < totals.size() ? ",\n" : "\n");
  }
  out->append("  ],\n");
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
  std::string out;
  out.reserve(512 + s.lines.size() * 360);
  out.append("{\n");
  StrField(2, "advertiser_id", s.advertiser_id, &out, false);
  TotalsArray("by_category", s.by_category, &out);
  Key(2, "lines", &out);
  if (s.lines.empty()) {
    out.append("[],\n");
  } else {
    out.append("[\n");
    for (size_t i = 0; i < s.lines.size(); ++i) {
      const store::RefundLine& l = s.lines[i];
      out.append("    {\n");
      IntField(6, "amount_micros", l.amount_micros, &out, false);
      StrField(6, "at", FormatRfc3339(l.at), &out, false);
      StrField(6, "category", l.category, &out, false);
      StrField(6, "currency", l.currency, &out, false);
      IntField(6, "decision_seq", l.decision_seq, &out, false);
      IntField(6, "distance", l.distance, &out, false);
      StrField(6, "impression_id", l.impression_id, &out, false);
      StrField(6, "item_id", l.item_id, &out, false);
      StrField(6, "rule_id", l.rule_id, &out, false);
      IntField(6, "seq", l.seq, &out, false);
      IntField(6, "weight_ppm", l.weight_ppm, &out, true);
      out.append(i + 1 < s.lines.size() ? "    },\n" : "    }\n");
    }
    out.append("  ],\n");
  }
  StrField(2, "month", s.month, &out, false);
  StrField(2, "since", FormatRfc3339(s.range.since), &out, false);
  TotalsArray("totals", s.totals, &out);
  StrField(2, "until", FormatRfc3339(s.range.until), &out, true);
  out.append("}\n");
  return out;
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

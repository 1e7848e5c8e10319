#include "ads/statement.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/json_text.h"
#include "core/sha256.h"
#include "core/stats.h"

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
                         std::vector<store::RefundLine> lines,
                         std::vector<std::string> corrections) {
  Statement s;
  corrections.resize(lines.size());
  s.correction_of = std::move(corrections);
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
  if (s.brand_safety) {
    const BrandSafety& b = *s.brand_safety;
    Key(2, "brand_safety", &out);
    out.append("{\n");
    IntField(4, "high_ppm", b.high_ppm, &out, false);
    IntField(4, "impressions", b.impressions, &out, false);
    IntField(4, "low_ppm", b.low_ppm, &out, false);
    Key(4, "median_seconds_first_view_to_removal", &out);
    out.append(b.median_seconds_to_removal ? std::to_string(*b.median_seconds_to_removal)
                                           : std::string("null"));
    out.append(",\n");
    IntField(4, "next_to_removed", b.next_to_removed, &out, false);
    IntField(4, "share_ppm", b.share_ppm, &out, false);
    IntField(4, "timed", b.timed, &out, true);
    out.append("  },\n");
  }
  TotalsArray("by_category", s.by_category, &out);
  if (s.issued) {
    Key(2, "issued", &out);
    out.append("{\n");
    StrField(4, "at", FormatRfc3339(s.issued->at), &out, false);
    StrField(4, "by", s.issued->by, &out, false);
    IntField(4, "through_seq", s.issued->through_seq, &out, true);
    out.append("  },\n");
  }
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
      if (i < s.correction_of.size() && !s.correction_of[i].empty()) {
        StrField(6, "correction_of", s.correction_of[i], &out, false);
      }
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
      "amount_micros,at,correction_of\r\n";
  for (size_t i = 0; i < s.lines.size(); ++i) {
    const store::RefundLine& l = s.lines[i];
    out += std::to_string(l.seq) + "," + CsvField(l.impression_id) + "," + CsvField(l.item_id) +
           "," + std::to_string(l.decision_seq) + "," + CsvField(l.rule_id) + "," +
           CsvField(l.category) + "," + std::to_string(l.distance) + "," +
           std::to_string(l.weight_ppm) + "," + CsvField(l.currency) + "," +
           std::to_string(l.amount_micros) + "," + FormatRfc3339(l.at) + "," +
           CsvField(i < s.correction_of.size() ? s.correction_of[i] : std::string()) + "\r\n";
  }
  return out;
}

std::string MonthOf(UnixMillis t) {
  // FormatRfc3339 gives "YYYY-MM-DDT...": the month is its first seven characters.
  return FormatRfc3339(t).substr(0, 7);
}

namespace {

std::string NextMonth(const std::string& month) {
  int y = std::stoi(month.substr(0, 4)), m = std::stoi(month.substr(5, 2));
  if (++m == 13) {
    m = 1;
    ++y;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d", y, m);
  return buf;
}

CurrencyTotal ParseTotal(const nlohmann::json& j) {
  CurrencyTotal t;
  t.currency = j.at("currency").get<std::string>();
  if (j.contains("category")) t.category = j.at("category").get<std::string>();
  t.accrued_micros = j.at("accrued_micros").get<std::int64_t>();
  t.reversed_micros = j.at("reversed_micros").get<std::int64_t>();
  t.net_micros = j.at("net_micros").get<std::int64_t>();
  t.impressions = j.at("impressions").get<std::int64_t>();
  t.lines = j.at("lines").get<std::int64_t>();
  return t;
}

Result<UnixMillis> Time(const nlohmann::json& j) {
  auto t = ParseRfc3339(j.get<std::string>());
  if (!t) return Internal("a stored statement holds a time that does not parse");
  return *t;
}

}  // namespace

BrandSafety ComputeBrandSafety(const store::ImpressionAudit& audit) {
  BrandSafety b;
  b.impressions = audit.impressions;
  b.next_to_removed = static_cast<std::int64_t>(audit.refunded.size());
  auto ppm = [](double x) { return static_cast<std::int64_t>(std::llround(x * 1e6)); };
  if (b.impressions > 0) {
    b.share_ppm = ppm(static_cast<double>(b.next_to_removed) / static_cast<double>(b.impressions));
  }
  const Interval i = WilsonInterval(b.next_to_removed, b.impressions);
  b.low_ppm = ppm(i.low);
  b.high_ppm = ppm(i.high);
  std::vector<double> seconds;
  for (const store::RefundedImpression& r : audit.refunded) {
    if (r.first_view_at <= 0 || r.first_view_at > r.removed_at) continue;
    seconds.push_back(static_cast<double>(r.removed_at - r.first_view_at) / 1000.0);
  }
  b.timed = static_cast<std::int64_t>(seconds.size());
  if (auto m = Median(std::move(seconds))) b.median_seconds_to_removal = std::llround(*m);
  return b;
}

std::string HomeMonth(const store::RefundLine& line,
                      const std::map<std::string, std::int64_t>& issued_through) {
  std::string m = MonthOf(line.at);
  for (;;) {
    auto it = issued_through.find(m);
    if (it == issued_through.end() || it->second >= line.seq) return m;
    m = NextMonth(m);
  }
}

Result<Statement> ParseStatementJson(std::string_view text) {
  // Exceptions stay in this adapter: a malformed body is a value.
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    const std::string month = j.at("month").get<std::string>();
    BULWARK_ASSIGN_OR_RETURN(MonthRange range, ParseMonth(month));
    Statement s;
    s.advertiser_id = j.at("advertiser_id").get<std::string>();
    s.month = month;
    s.range = range;
    for (const auto& t : j.at("totals")) s.totals.push_back(ParseTotal(t));
    for (const auto& t : j.at("by_category")) s.by_category.push_back(ParseTotal(t));
    for (const auto& l : j.at("lines")) {
      store::RefundLine r;
      r.seq = l.at("seq").get<std::int64_t>();
      r.impression_id = l.at("impression_id").get<std::string>();
      r.advertiser_id = s.advertiser_id;
      r.item_id = l.at("item_id").get<std::string>();
      r.decision_seq = l.at("decision_seq").get<std::int64_t>();
      r.rule_id = l.at("rule_id").get<std::string>();
      r.category = l.at("category").get<std::string>();
      r.distance = l.at("distance").get<int>();
      r.weight_ppm = l.at("weight_ppm").get<std::int64_t>();
      r.currency = l.at("currency").get<std::string>();
      r.amount_micros = l.at("amount_micros").get<std::int64_t>();
      BULWARK_ASSIGN_OR_RETURN(r.at, Time(l.at("at")));
      s.lines.push_back(std::move(r));
      s.correction_of.push_back(
          l.contains("correction_of") ? l.at("correction_of").get<std::string>() : std::string());
    }
    if (j.contains("brand_safety")) {
      const auto& b = j.at("brand_safety");
      BrandSafety bs;
      bs.impressions = b.at("impressions").get<std::int64_t>();
      bs.next_to_removed = b.at("next_to_removed").get<std::int64_t>();
      bs.share_ppm = b.at("share_ppm").get<std::int64_t>();
      bs.low_ppm = b.at("low_ppm").get<std::int64_t>();
      bs.high_ppm = b.at("high_ppm").get<std::int64_t>();
      bs.timed = b.at("timed").get<std::int64_t>();
      const auto& m = b.at("median_seconds_first_view_to_removal");
      if (!m.is_null()) bs.median_seconds_to_removal = m.get<std::int64_t>();
      s.brand_safety = bs;
    }
    if (j.contains("issued")) {
      IssueInfo i;
      BULWARK_ASSIGN_OR_RETURN(i.at, Time(j.at("issued").at("at")));
      i.by = j.at("issued").at("by").get<std::string>();
      i.through_seq = j.at("issued").at("through_seq").get<std::int64_t>();
      s.issued = std::move(i);
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    return Internal(std::string("a stored statement does not parse: ") + e.what());
  }
}

namespace {

// The lines whose home month is `month`, with the months they correct, as of now.
Result<Statement> BuildLive(store::AdStore& ads, const std::string& advertiser_id,
                            const std::string& month, MonthRange range, std::int64_t through_seq) {
  BULWARK_ASSIGN_OR_RETURN(std::vector<store::IssuedStatement> issued,
                           ads.IssuedMonths(advertiser_id));
  std::map<std::string, std::int64_t> through;
  std::int64_t earliest_before = -1;  // the least through_seq of an issued month before this one
  for (const store::IssuedStatement& i : issued) {
    through[i.month] = i.through_seq;
    if (i.month < month && (earliest_before < 0 || i.through_seq < earliest_before)) {
      earliest_before = i.through_seq;
    }
  }
  BULWARK_ASSIGN_OR_RETURN(std::vector<store::RefundLine> own,
                           ads.RefundLines(advertiser_id, range.since, range.until));
  std::vector<store::RefundLine> late;
  if (earliest_before >= 0) {
    BULWARK_ASSIGN_OR_RETURN(late,
                             ads.RefundLinesAfter(advertiser_id, earliest_before, range.since));
  }
  // Merge by seq, keeping what belongs here and was written by `through_seq`.
  std::vector<store::RefundLine> lines;
  std::vector<std::string> corrections;
  size_t a = 0, b = 0;
  while (a < own.size() || b < late.size()) {
    const bool take_own = b >= late.size() || (a < own.size() && own[a].seq < late[b].seq);
    store::RefundLine& l = take_own ? own[a++] : late[b++];
    if (through_seq > 0 && l.seq > through_seq) continue;
    if (HomeMonth(l, through) != month) continue;
    corrections.push_back(take_own ? std::string() : MonthOf(l.at));
    lines.push_back(std::move(l));
  }
  Statement s =
      BuildStatement(advertiser_id, month, range, std::move(lines), std::move(corrections));
  BULWARK_ASSIGN_OR_RETURN(store::ImpressionAudit audit,
                           ads.AuditImpressions(advertiser_id, range.since, range.until));
  s.brand_safety = ComputeBrandSafety(audit);
  return s;
}

}  // namespace

Result<Statement> LoadStatement(store::AdStore& ads, const std::string& advertiser_id,
                                const std::string& month) {
  BULWARK_ASSIGN_OR_RETURN(MonthRange range, ParseMonth(month));
  BULWARK_ASSIGN_OR_RETURN(std::optional<store::IssuedStatement> issued,
                           ads.IssuedStatementFor(advertiser_id, month));
  if (issued) return ParseStatementJson(issued->body);
  return BuildLive(ads, advertiser_id, month, range, 0);
}

Result<store::IssuedStatement> IssueStatement(store::AdStore& ads, const std::string& advertiser_id,
                                              const std::string& month, const std::string& by,
                                              UnixMillis now) {
  BULWARK_ASSIGN_OR_RETURN(MonthRange range, ParseMonth(month));
  if (now < range.until) {
    return FailedPrecondition("the month is not over yet: a statement is issued after its end",
                              "month");
  }
  // The last line first: lines written while this runs belong to a later statement.
  BULWARK_ASSIGN_OR_RETURN(std::int64_t through_seq, ads.LastRefundLineSeq());
  BULWARK_ASSIGN_OR_RETURN(Statement s, BuildLive(ads, advertiser_id, month, range, through_seq));
  s.issued = IssueInfo{now, by, through_seq};
  store::IssuedStatement out;
  out.advertiser_id = advertiser_id;
  out.month = month;
  out.issued_at = now;
  out.issued_by = by;
  out.through_seq = through_seq;
  out.body = StatementJson(s);
  out.sha256 = Sha256Hex(out.body);
  BULWARK_RETURN_IF_ERROR(ads.IssueStatement(out));
  return out;
}

}  // namespace bulwark::ads

#pragma once

// Refund statements: an advertiser's refund lines for one calendar month (UTC), by the time of
// the decision that caused them, with totals per currency and per currency and category. Lines of
// an earlier month corrected later (a restore after the month closed) appear, as reversals, in
// the month of the restore. Pure: the same lines give byte-identical output.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace bulwark::ads {

// "2026-11" -> [2026-11-01T00:00Z, 2026-12-01T00:00Z); InvalidArgument naming "month" otherwise.
struct MonthRange {
  UnixMillis since = 0, until = 0;
};
Result<MonthRange> ParseMonth(std::string_view month);

struct CurrencyTotal {
  std::string currency;
  std::string category;              // "" for the currency's total
  std::int64_t accrued_micros = 0;   // sum of the positive lines
  std::int64_t reversed_micros = 0;  // sum of the negative lines (<= 0)
  std::int64_t net_micros = 0;
  std::int64_t impressions = 0;  // distinct impressions with a line
  std::int64_t lines = 0;
};

struct Statement {
  std::string advertiser_id;
  std::string month;
  MonthRange range;
  std::vector<CurrencyTotal> totals;       // per currency, sorted by currency
  std::vector<CurrencyTotal> by_category;  // per currency and category, sorted
  std::vector<store::RefundLine> lines;    // in log order
};

Statement BuildStatement(std::string advertiser_id, std::string month, MonthRange range,
                         std::vector<store::RefundLine> lines);

std::string StatementJson(const Statement& s);
// One row per line: seq,impression_id,item_id,decision_seq,rule_id,category,distance,
// weight_ppm,currency,amount_micros,at.
std::string StatementCsv(const Statement& s);

}  // namespace bulwark::ads

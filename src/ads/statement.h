#pragma once

// Refund statements: an advertiser's refund lines for one calendar month (UTC), by the time of
// the decision that caused them, with totals per currency and per currency and category. Lines of
// an earlier month corrected later (a restore after the month closed) appear, as reversals, in
// the month of the restore. Once issued, a statement is frozen; a line written later for an
// issued month appears on the next open statement as a correction. The builders and writers are
// pure: the same lines give byte-identical output.

#include <cstdint>
#include <map>
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

// Brand-safety figures for the impressions shown in the statement's month (by the impression's
// time; the refund lines go by the decision's): the share shown next to an item while it was up
// and later removed, with its Wilson 95% interval (the platform may send a sample of its
// impressions), and the median time from such an item's first counted view to its removal.
struct BrandSafety {
  std::int64_t impressions = 0;
  std::int64_t next_to_removed = 0;
  std::int64_t share_ppm = 0, low_ppm = 0, high_ppm = 0;  // parts per million
  std::int64_t timed = 0;  // of next_to_removed, those whose item has a first view before it
  std::optional<std::int64_t> median_seconds_to_removal;  // from the item's first view
};
BrandSafety ComputeBrandSafety(const store::ImpressionAudit& audit);

// Who issued a statement, when, and the last refund line that existed then.
struct IssueInfo {
  UnixMillis at = 0;
  std::string by;
  std::int64_t through_seq = 0;
};

struct Statement {
  std::string advertiser_id;
  std::string month;
  MonthRange range;
  std::vector<CurrencyTotal> totals;       // per currency, sorted by currency
  std::vector<CurrencyTotal> by_category;  // per currency and category, sorted
  std::vector<store::RefundLine> lines;    // in log order
  // Per line: the earlier (issued) month it corrects, or "" for a line of this month.
  std::vector<std::string> correction_of;
  std::optional<IssueInfo> issued;  // set once the statement is issued: it never changes again
  std::optional<BrandSafety> brand_safety;  // set by LoadStatement and IssueStatement
};

// `corrections[i]` is the month line i corrects ("" or absent: none).
Statement BuildStatement(std::string advertiser_id, std::string month, MonthRange range,
                         std::vector<store::RefundLine> lines,
                         std::vector<std::string> corrections = {});

// Keys sorted, two-space indentation (nlohmann's dump(2) form); "brand_safety", "issued" and a
// line's "correction_of" only when set.
std::string StatementJson(const Statement& s);
// Reads StatementJson's output back (an issued statement's stored body).
Result<Statement> ParseStatementJson(std::string_view json);
// One row per line: seq,impression_id,item_id,decision_seq,rule_id,category,distance,
// weight_ppm,currency,amount_micros,at,correction_of.
std::string StatementCsv(const Statement& s);

// "YYYY-MM" of a time (UTC).
std::string MonthOf(UnixMillis t);

// The statement a refund line belongs on, given the advertiser's issued months (month ->
// through_seq): its own month, unless that month was issued before the line was written; then
// the first later month not issued before it. So a line made after its month was issued is a
// correction on the next open statement, exactly once, whatever order months are issued in.
std::string HomeMonth(const store::RefundLine& line,
                      const std::map<std::string, std::int64_t>& issued_through);

// The advertiser's statement for `month`: as issued if it was, else built from the lines whose
// home month it is (its own and later corrections of issued months).
Result<Statement> LoadStatement(store::AdStore& ads, const std::string& advertiser_id,
                                const std::string& month);

// Freezes the statement of a month that is over (`now` at or after its end): its body, the
// last line written and its SHA-256 are stored, and it never changes again. FailedPrecondition
// naming "month" for a month not over; AlreadyExists naming "month" if issued already.
Result<store::IssuedStatement> IssueStatement(store::AdStore& ads, const std::string& advertiser_id,
                                              const std::string& month, const std::string& by,
                                              UnixMillis now);

}  // namespace bulwark::ads

// The SQLite AdStore: refund lines (append-only, each tied to the decision it follows from) and
// the cursor of the log position accrual has reached. The formula itself is the caller's
// (ads/accrual.h); this file reads the exposures it needs and writes its lines, a page of the
// log per transaction with the cursor, so a crash never loses or doubles a line.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/sqlite/connection_pool.h"

namespace bulwark::store::sqlite {
namespace {

constexpr std::string_view kCursor = "SELECT seq FROM refund_cursor WHERE id = 1";
constexpr std::string_view kSetCursor =
    "INSERT INTO refund_cursor (id, seq) VALUES (1, ?1) "
    "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq";
constexpr std::string_view kItemCreated = "SELECT created_at FROM items WHERE id = ?1";
// Every impression shown with the item within ?2 places, with the impression's net refunds and
// those for this item.
constexpr std::string_view kExposures =
    "SELECT i.id, i.advertiser_id, i.currency, i.price_micros, i.shown_at, ABS(a.position), "
    "COALESCE((SELECT SUM(r.amount_micros) FROM refund_lines r WHERE r.impression_id = i.id), 0), "
    "COALESCE((SELECT SUM(r.amount_micros) FROM refund_lines r WHERE r.impression_id = i.id "
    "AND r.item_id = ?1), 0) "
    "FROM ad_adjacency a JOIN ad_impressions i ON i.id = a.impression_id "
    "WHERE a.item_id = ?1 AND ABS(a.position) <= ?2 ORDER BY i.id";
constexpr std::string_view kInsertLine =
    "INSERT INTO refund_lines (impression_id, advertiser_id, item_id, decision_seq, rule_id, "
    "category, currency, distance, weight_ppm, amount_micros, at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
constexpr std::string_view kLines =
    "SELECT seq, impression_id, advertiser_id, item_id, decision_seq, rule_id, category, "
    "currency, distance, weight_ppm, amount_micros, at FROM refund_lines "
    "WHERE advertiser_id = ?1 AND at >= ?2 AND at < ?3 ORDER BY seq";

constexpr std::string_view kLinesAfter =
    "SELECT seq, impression_id, advertiser_id, item_id, decision_seq, rule_id, category, "
    "currency, distance, weight_ppm, amount_micros, at FROM refund_lines "
    "WHERE advertiser_id = ?1 AND seq > ?2 AND at < ?3 ORDER BY seq";
constexpr std::string_view kCountShown =
    "SELECT COUNT(*) FROM ad_impressions WHERE advertiser_id = ?1 AND shown_at >= ?2 "
    "AND shown_at < ?3";
// Impressions shown in the window with a net refund: the item and time of the first positive
// line, and the item's first counted view.
constexpr std::string_view kRefundedShown =
    "SELECT i.id, r.item_id, r.at, COALESCE(v.first_view_at, 0) FROM ad_impressions i "
    "JOIN refund_lines r ON r.seq = (SELECT MIN(r2.seq) FROM refund_lines r2 "
    "WHERE r2.impression_id = i.id AND r2.amount_micros > 0) "
    "LEFT JOIN view_counts v ON v.item_id = r.item_id "
    "WHERE i.advertiser_id = ?1 AND i.shown_at >= ?2 AND i.shown_at < ?3 "
    "AND (SELECT SUM(r3.amount_micros) FROM refund_lines r3 WHERE r3.impression_id = i.id) > 0 "
    "ORDER BY i.id";
constexpr std::string_view kLastLine = "SELECT COALESCE(MAX(seq), 0) FROM refund_lines";
constexpr std::string_view kIssue =
    "INSERT INTO issued_statements (advertiser_id, month, issued_at, issued_by, through_seq, "
    "sha256, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT (advertiser_id, month) DO NOTHING";
constexpr std::string_view kIssued =
    "SELECT advertiser_id, month, issued_at, issued_by, through_seq, sha256, body "
    "FROM issued_statements WHERE advertiser_id = ?1 AND month = ?2";
constexpr std::string_view kIssuedMonths =
    "SELECT advertiser_id, month, issued_at, issued_by, through_seq, sha256, '' "
    "FROM issued_statements WHERE advertiser_id = ?1 ORDER BY month";

RefundLine ReadLine(const Statement& st) {
  RefundLine l;
  l.seq = st.ColumnInt(0);
  l.impression_id = st.ColumnText(1);
  l.advertiser_id = st.ColumnText(2);
  l.item_id = st.ColumnText(3);
  l.decision_seq = st.ColumnInt(4);
  l.rule_id = st.ColumnText(5);
  l.category = st.ColumnText(6);
  l.currency = st.ColumnText(7);
  l.distance = static_cast<int>(st.ColumnInt(8));
  l.weight_ppm = st.ColumnInt(9);
  l.amount_micros = st.ColumnInt(10);
  l.at = st.ColumnInt(11);
  return l;
}

// Steps a bound statement over kLines' columns to its end.
Status CollectLines(Statement* st, std::vector<RefundLine>* out) {
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out->push_back(ReadLine(*st));
  }
  st->Reset();
  return Status::Ok();
}

IssuedStatement ReadIssued(const Statement& st) {
  IssuedStatement i;
  i.advertiser_id = st.ColumnText(0);
  i.month = st.ColumnText(1);
  i.issued_at = st.ColumnInt(2);
  i.issued_by = st.ColumnText(3);
  i.through_seq = st.ColumnInt(4);
  i.sha256 = st.ColumnText(5);
  i.body = st.ColumnText(6);
  return i;
}

class SqliteAdStore final : public AdStore {
 public:
  explicit SqliteAdStore(ConnectionPool& pool) : pool_(pool) {}

  Result<std::int64_t> RefundCursor() override { return ReadInt(kCursor); }

  Result<std::int64_t> AccrueDecisions(std::span<const Decision> decisions,
                                       std::int64_t through_seq, int max_distance,
                                       const AccrueFn& accrue) override {
    std::int64_t written = 0;
    Status s = pool_.Write([&](Connection& w) -> Status {
      written = 0;
      BULWARK_ASSIGN_OR_RETURN(Statement * cur, w.Prepare(kCursor));
      BULWARK_ASSIGN_OR_RETURN(bool has, cur->Step());
      const std::int64_t cursor = has ? cur->ColumnInt(0) : 0;
      cur->Reset();
      for (const Decision& d : decisions) {
        if (d.seq <= cursor) continue;  // accrued before (a replayed page)
        if (d.target_kind != TargetKind::kItem || d.item_id.empty()) continue;
        BULWARK_ASSIGN_OR_RETURN(Statement * created, w.Prepare(kItemCreated));
        created->BindText(1, d.item_id);
        BULWARK_ASSIGN_OR_RETURN(bool item_row, created->Step());
        const UnixMillis created_at = item_row ? created->ColumnInt(0) : 0;
        created->Reset();
        if (!item_row) continue;
        BULWARK_ASSIGN_OR_RETURN(Statement * ex, w.Prepare(kExposures));
        ex->BindText(1, d.item_id);
        ex->BindInt(2, max_distance);
        std::vector<RefundExposure> exposures;
        for (;;) {
          BULWARK_ASSIGN_OR_RETURN(bool row, ex->Step());
          if (!row) break;
          RefundExposure e;
          e.impression_id = ex->ColumnText(0);
          e.advertiser_id = ex->ColumnText(1);
          e.currency = ex->ColumnText(2);
          e.price_micros = ex->ColumnInt(3);
          e.shown_at = ex->ColumnInt(4);
          e.distance = static_cast<int>(ex->ColumnInt(5));
          e.accrued_micros = ex->ColumnInt(6);
          e.item_net_micros = ex->ColumnInt(7);
          exposures.push_back(std::move(e));
        }
        ex->Reset();
        if (exposures.empty()) continue;
        for (const RefundLine& l : accrue(d, created_at, exposures)) {
          BULWARK_ASSIGN_OR_RETURN(Statement * ins, w.Prepare(kInsertLine));
          ins->BindText(1, l.impression_id);
          ins->BindText(2, l.advertiser_id);
          ins->BindText(3, l.item_id);
          ins->BindInt(4, l.decision_seq);
          ins->BindText(5, l.rule_id);
          ins->BindText(6, l.category);
          ins->BindText(7, l.currency);
          ins->BindInt(8, l.distance);
          ins->BindInt(9, l.weight_ppm);
          ins->BindInt(10, l.amount_micros);
          ins->BindInt(11, l.at);
          BULWARK_RETURN_IF_ERROR(ins->Run());
          ++written;
        }
      }
      if (through_seq > cursor) {
        BULWARK_ASSIGN_OR_RETURN(Statement * set, w.Prepare(kSetCursor));
        set->BindInt(1, through_seq);
        BULWARK_RETURN_IF_ERROR(set->Run());
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return written;
  }

  Result<std::vector<RefundLine>> RefundLines(std::string_view advertiser_id, UnixMillis since,
                                              UnixMillis until) override {
    return QueryLines(kLines, advertiser_id, since, until);
  }

  Result<std::vector<RefundLine>> RefundLinesAfter(std::string_view advertiser_id,
                                                   std::int64_t after_seq,
                                                   UnixMillis until) override {
    return QueryLines(kLinesAfter, advertiser_id, after_seq, until);
  }

  Result<ImpressionAudit> AuditImpressions(std::string_view advertiser_id, UnixMillis since,
                                           UnixMillis until) override {
    ImpressionAudit out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      out = {};
      BULWARK_ASSIGN_OR_RETURN(Statement * count, c.Prepare(kCountShown));
      count->BindText(1, advertiser_id);
      count->BindInt(2, since);
      count->BindInt(3, until);
      BULWARK_ASSIGN_OR_RETURN(bool has, count->Step());
      if (has) out.impressions = count->ColumnInt(0);
      count->Reset();
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kRefundedShown));
      st->BindText(1, advertiser_id);
      st->BindInt(2, since);
      st->BindInt(3, until);
      for (;;) {
        BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) break;
        RefundedImpression r;
        r.impression_id = st->ColumnText(0);
        r.item_id = st->ColumnText(1);
        r.removed_at = st->ColumnInt(2);
        r.first_view_at = st->ColumnInt(3);
        out.refunded.push_back(std::move(r));
      }
      st->Reset();
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::int64_t> LastRefundLineSeq() override { return ReadInt(kLastLine); }

  Status IssueStatement(const IssuedStatement& i) override {
    return pool_.Write([&](Connection& w) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, w.Prepare(kIssue));
      st->BindText(1, i.advertiser_id);
      st->BindText(2, i.month);
      st->BindInt(3, i.issued_at);
      st->BindText(4, i.issued_by);
      st->BindInt(5, i.through_seq);
      st->BindText(6, i.sha256);
      st->BindText(7, i.body);
      BULWARK_RETURN_IF_ERROR(st->Run());
      if (w.changes() == 0) {
        return Status(Code::kAlreadyExists, "the statement for " + i.month + " was issued already",
                      "month");
      }
      return Status::Ok();
    });
  }

  Result<std::optional<IssuedStatement>> IssuedStatementFor(std::string_view advertiser_id,
                                                            std::string_view month) override {
    std::optional<IssuedStatement> out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kIssued));
      st->BindText(1, advertiser_id);
      st->BindText(2, month);
      BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
      if (row) out = ReadIssued(*st);
      st->Reset();
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<IssuedStatement>> IssuedMonths(std::string_view advertiser_id) override {
    std::vector<IssuedStatement> out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kIssuedMonths));
      st->BindText(1, advertiser_id);
      for (;;) {
        BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) break;
        out.push_back(ReadIssued(*st));
      }
      st->Reset();
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

 private:
  // The first column of the first row of `sql` (no parameters), or 0 without a row.
  Result<std::int64_t> ReadInt(std::string_view sql) {
    std::int64_t v = 0;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(sql));
      BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
      if (row) v = st->ColumnInt(0);
      st->Reset();
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return v;
  }

  // Lines of kLines' columns from `sql`, bound to (advertiser, a, b).
  Result<std::vector<RefundLine>> QueryLines(std::string_view sql, std::string_view advertiser_id,
                                             std::int64_t a, std::int64_t b) {
    std::vector<RefundLine> out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(sql));
      st->BindText(1, advertiser_id);
      st->BindInt(2, a);
      st->BindInt(3, b);
      return CollectLines(st, &out);
    });
    if (!s.ok()) return s;
    return out;
  }

  ConnectionPool& pool_;
};

}  // namespace

std::unique_ptr<AdStore> NewSqliteAdStore(ConnectionPool& pool) {
  return std::make_unique<SqliteAdStore>(pool);
}

}  // namespace bulwark::store::sqlite

#include "store/sqlite/sqlite_review.h"

#include <sqlite3.h>

#include <string>
#include <string_view>
#include <utility>

namespace bulwark::store::sqlite {
namespace {

// A case opened by enforcement. An item waits in a queue once per round: sent again (a re-scan)
// it keeps its case, at the higher priority.
constexpr std::string_view kOpenCase =
    "INSERT INTO review_cases (id, item_id, item_revision, queue, priority, category, "
    "opened_by_seq, status, created_at, severity, review_round) "
    "VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM review_cases), ?1, ?2, ?3, ?4, ?5, ?6, "
    "'open', ?7, ?8, 1) "
    "ON CONFLICT (target_kind, item_id, queue, review_round) WHERE status <> 'decided' DO UPDATE "
    "SET "
    "priority = CASE WHEN excluded.priority > review_cases.priority THEN excluded.priority "
    "ELSE review_cases.priority END, "
    "severity = CASE WHEN excluded.severity > COALESCE(review_cases.severity, 0) "
    "THEN excluded.severity ELSE review_cases.severity END, "
    "item_revision = excluded.item_revision";
// A second review or tie-break of a decided first review.
constexpr std::string_view kOpenCheck =
    "INSERT INTO review_cases (id, item_id, item_revision, queue, priority, category, "
    "opened_by_seq, status, created_at, severity, review_round, checks_case, exclude_reviewer, "
    "target_kind) "
    "VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM review_cases), ?1, ?2, ?3, ?4, ?5, ?6, "
    "'open', ?7, ?8, ?9, ?10, ?11, ?12) "
    "ON CONFLICT (target_kind, item_id, queue, review_round) WHERE status <> 'decided' DO NOTHING";
constexpr std::string_view kCaseColumns =
    "SELECT id, item_id, item_revision, queue, priority, category, opened_by_seq, status, "
    "COALESCE(claimed_by, ''), COALESCE(lease_expires_at, 0), created_at, "
    "COALESCE(first_claimed_at, 0), COALESCE(decided_at, 0), COALESCE(decided_by, ''), "
    "COALESCE(outcome, ''), COALESCE(decision_seq, 0), COALESCE(appeal_of_seq, 0), "
    "COALESCE(statement, ''), COALESCE(exclude_reviewer, ''), COALESCE(severity, priority), "
    "review_round, COALESCE(checks_case, 0), COALESCE(reason_code, ''), target_kind "
    "FROM review_cases ";
// exclude_reviewer is a '\n'-separated list of reviewers who may not claim the case.
constexpr std::string_view kNextWaitingCase =
    "SELECT id FROM review_cases WHERE queue = ?1 AND (status = 'open' OR "
    "(status = 'claimed' AND lease_expires_at <= ?2)) "
    "AND (exclude_reviewer IS NULL OR "
    "instr(char(10) || exclude_reviewer || char(10), char(10) || ?3 || char(10)) = 0) "
    "ORDER BY priority DESC, created_at, id LIMIT 1";
constexpr std::string_view kOpenAppeal =
    "INSERT INTO review_cases (id, item_id, item_revision, queue, priority, category, "
    "opened_by_seq, status, created_at, appeal_of_seq, statement, exclude_reviewer, severity, "
    "review_round, target_kind) "
    "VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM review_cases), ?1, ?2, ?3, ?4, ?5, ?6, "
    "'open', ?7, ?6, ?8, ?9, ?4, 1, ?10)";
constexpr std::string_view kActiveCase =
    "SELECT id FROM review_cases WHERE target_kind = ?3 AND item_id = ?1 AND queue = ?2 "
    "AND status <> 'decided'";
constexpr std::string_view kLiveClaimsOf =
    "SELECT COUNT(*) FROM review_cases WHERE claimed_by = ?1 AND status = 'claimed' "
    "AND lease_expires_at > ?2";
constexpr std::string_view kClaimCase =
    "UPDATE review_cases SET status = 'claimed', claimed_by = ?2, lease_expires_at = ?3, "
    "first_claimed_at = COALESCE(first_claimed_at, ?4) WHERE id = ?1";
constexpr std::string_view kDecideCase =
    "UPDATE review_cases SET status = 'decided', decided_at = ?2, decided_by = ?3, "
    "outcome = ?4, decision_seq = ?5, reason_code = ?6 WHERE id = ?1";
constexpr std::string_view kQueueStats =
    "SELECT queue, "
    "SUM(CASE WHEN status = 'open' OR lease_expires_at <= ?1 THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN status = 'claimed' AND lease_expires_at > ?1 THEN 1 ELSE 0 END), "
    "MIN(CASE WHEN status = 'open' OR lease_expires_at <= ?1 THEN created_at END), "
    "SUM(CASE WHEN (status = 'open' OR lease_expires_at <= ?1) AND review_round > 1 "
    "THEN 1 ELSE 0 END) "
    "FROM review_cases WHERE status <> 'decided' GROUP BY queue ORDER BY queue";
constexpr std::string_view kSelectDecision =
    "SELECT item_id, item_revision, action, category, actor, target_kind FROM decisions "
    "WHERE seq = ?1";
constexpr std::string_view kReviewPairs =
    "SELECT f.queue, f.outcome, s.outcome, COALESCE(f.reason_code, ''), "
    "COALESCE(s.reason_code, ''), s.decided_at "
    "FROM review_cases s JOIN review_cases f ON f.id = s.checks_case "
    "WHERE s.status = 'decided' AND s.decided_at >= ?1 AND s.decided_at < ?2 "
    "AND s.review_round = 2 ORDER BY s.decided_at, s.id";
constexpr std::string_view kFirstReviewWaits =
    "SELECT queue, first_claimed_at - created_at FROM review_cases "
    "WHERE status = 'decided' AND decided_at >= ?1 AND decided_at < ?2 AND review_round = 1 "
    "AND first_claimed_at IS NOT NULL ORDER BY queue";
constexpr std::string_view kUnclaimedBefore =
    "SELECT COUNT(*) FROM review_cases WHERE queue = ?1 AND status <> 'decided' "
    "AND first_claimed_at IS NULL AND review_round = 1 AND created_at < ?2";

// The priority of an appeal: appeals are read in order of arrival, after urgent content.
constexpr int kAppealPriority = 5;

// "HATE_SLUR: a slur" -> "HATE_SLUR".
std::string ReasonCodeOf(std::string_view reason) {
  return std::string(reason.substr(0, reason.find(':')));
}

class SqliteReviewStore final : public ReviewStore {
 public:
  explicit SqliteReviewStore(ReviewStoreDeps deps) : d_(std::move(deps)) {}

  Result<ReviewCase> ClaimNext(std::string_view queue, std::string_view reviewer, UnixMillis now,
                               std::int64_t lease_ms, int max_held) override {
    ReviewCase out;
    Status s = d_.write([&](Connection& w) -> Status {
      if (max_held > 0) {
        BULWARK_ASSIGN_OR_RETURN(Statement * held, w.Prepare(kLiveClaimsOf));
        held->BindText(1, reviewer);
        held->BindInt(2, now);
        BULWARK_ASSIGN_OR_RETURN(bool row, held->Step());
        const std::int64_t n = row ? held->ColumnInt(0) : 0;
        held->Reset();
        if (n >= max_held) {
          return Status(Code::kFailedPrecondition,
                        "you already hold " + std::to_string(n) +
                            " cases; decide or release one before claiming another",
                        "reviewer");
        }
      }
      BULWARK_ASSIGN_OR_RETURN(Statement * next, w.Prepare(kNextWaitingCase));
      next->BindText(1, queue);
      next->BindInt(2, now);
      next->BindText(3, reviewer);
      BULWARK_ASSIGN_OR_RETURN(bool row, next->Step());
      if (!row) return NotFound("queue '" + std::string(queue) + "' has no waiting case");
      const std::int64_t id = next->ColumnInt(0);
      next->Reset();
      BULWARK_ASSIGN_OR_RETURN(Statement * claim, w.Prepare(kClaimCase));
      claim->BindInt(1, id);
      claim->BindText(2, reviewer);
      claim->BindInt(3, now + lease_ms);
      claim->BindInt(4, now);
      BULWARK_RETURN_IF_ERROR(claim->Run());
      BULWARK_ASSIGN_OR_RETURN(out, ReadCase(w, id));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<ReviewCase> GetCase(std::int64_t id) override {
    ReviewCase out;
    BULWARK_RETURN_IF_ERROR(d_.read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(out, ReadCase(c, id));
      return Status::Ok();
    }));
    return out;
  }

  Result<Decision> DecideCase(std::int64_t id, std::string_view reviewer, Decision decision,
                              UnixMillis now) override {
    BULWARK_ASSIGN_OR_RETURN(ReviewCase c, GetCase(id));
    if (c.round == kSecondReview) {
      return FailedPrecondition(
          "a second review only measures agreement: record it with RecordReview", "case");
    }
    CaseDecision d;
    d.case_id = id;
    d.reviewer = std::string(reviewer);
    d.reason_code = ReasonCodeOf(decision.reason);
    d.decision = std::move(decision);
    BULWARK_ASSIGN_OR_RETURN(CaseDecisionResult r, RecordReview(d, now));
    if (!r.logged) return Internal("decision of case " + std::to_string(id) + " was not logged");
    return std::move(*r.logged);
  }

  Result<CaseDecisionResult> RecordReview(const CaseDecision& in, UnixMillis now) override {
    CaseDecisionResult out;
    Status s = d_.write([&](Connection& w) -> Status {
      BULWARK_ASSIGN_OR_RETURN(ReviewCase c, ReadCase(w, in.case_id));
      if (c.status == "decided") return FailedPrecondition("case already decided", "case");
      if (c.status != "claimed" || c.claimed_by != in.reviewer) {
        return FailedPrecondition("case is not claimed by this reviewer", "case");
      }
      if (c.lease_expires_at <= now) {
        return FailedPrecondition("the lease on this case has expired; claim it again", "case");
      }
      const ActionType action = in.decision.action;
      if (action == ActionType::kReview) {
        return FailedPrecondition("'review' is not an outcome of a review", "action");
      }
      if (action == ActionType::kRestore && c.appeal_of_seq == 0 && c.round != kTieBreak) {
        return FailedPrecondition("only an appeal or a tie-break can restore an item", "action");
      }
      const bool group_outcome = action == ActionType::kRemove || action == ActionType::kRestrict ||
                                 action == ActionType::kLabel || action == ActionType::kNone ||
                                 action == ActionType::kRestore || action == ActionType::kEscalate;
      if (c.target_kind == TargetKind::kGroup && !group_outcome) {
        return FailedPrecondition(
            "a group case's outcome is remove, restrict, label or none, not '" +
                std::string(ActionName(action)) + "'",
            "action");
      }
      if (c.target_kind == TargetKind::kItem &&
          (action == ActionType::kRestrict || action == ActionType::kSuspend)) {
        return FailedPrecondition(
            "'" + std::string(ActionName(action)) + "' is an outcome for groups and accounts",
            "action");
      }
      std::int64_t seq = 0;
      if (c.round != kSecondReview) {
        std::vector<Decision> one{in.decision};
        one[0].target_kind = c.target_kind;
        one[0].item_id = c.item_id;
        one[0].item_revision = c.item_revision;
        if (one[0].category.empty()) one[0].category = c.category;
        BULWARK_RETURN_IF_ERROR(d_.append_in_transaction(one));
        seq = one[0].seq;
        out.logged = std::move(one[0]);
      }
      BULWARK_ASSIGN_OR_RETURN(Statement * st, w.Prepare(kDecideCase));
      st->BindInt(1, c.id);
      st->BindInt(2, now);
      st->BindText(3, in.reviewer);
      st->BindText(4, ActionName(action));
      if (seq) {
        st->BindInt(5, seq);
      } else {
        st->BindNull(5);
      }
      st->BindOptionalText(6, in.reason_code);
      BULWARK_RETURN_IF_ERROR(st->Run());

      if (c.round == kFirstReview && c.appeal_of_seq == 0 && in.open_second_review) {
        BULWARK_ASSIGN_OR_RETURN(out.second_review,
                                 OpenCheck(w, c, kSecondReview, c.id, in.reviewer, now));
      }
      if (c.round == kSecondReview) {
        BULWARK_ASSIGN_OR_RETURN(ReviewCase first, ReadCase(w, c.checks_case));
        const bool agreed = first.outcome == ActionName(action);
        out.agreed = agreed;
        if (!agreed) {
          // The log records that the item is being looked at again and why; the tie-break's
          // decision (logged when it is made) is what the platform applies.
          std::vector<Decision> esc(1);
          esc[0].target_kind = c.target_kind;
          esc[0].item_id = c.item_id;
          esc[0].item_revision = c.item_revision;
          esc[0].action = ActionType::kEscalate;
          esc[0].category = c.category;
          esc[0].rule_id = "review.tie_break";
          esc[0].actor = "system";
          esc[0].reason =
              "review.disagreement: the first and second reviews disagree; a third reviewer "
              "decides";
          esc[0].evidence = "{\"queue\":\"" + c.queue + "\",\"case\":" + std::to_string(first.id) +
                            ",\"second_review\":" + std::to_string(c.id) + ",\"first_outcome\":\"" +
                            first.outcome + "\",\"second_outcome\":\"" +
                            std::string(ActionName(action)) + "\"}";
          esc[0].created_at = now;
          BULWARK_RETURN_IF_ERROR(d_.append_in_transaction(esc));
          out.escalation = std::move(esc[0]);
          BULWARK_ASSIGN_OR_RETURN(
              out.tie_break,
              OpenCheck(w, first, kTieBreak, first.id, first.decided_by + "\n" + in.reviewer, now));
        }
      }
      BULWARK_ASSIGN_OR_RETURN(out.decided, ReadCase(w, in.case_id));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<ReviewCase> OpenAppeal(std::int64_t seq, std::string_view statement,
                                UnixMillis now) override {
    ReviewCase out;
    Status s = d_.write([&](Connection& w) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * find, w.Prepare(kSelectDecision));
      find->BindInt(1, seq);
      BULWARK_ASSIGN_OR_RETURN(bool row, find->Step());
      if (!row) return NotFound("decision " + std::to_string(seq) + " not found");
      const std::string item_id = find->ColumnText(0);
      const std::int64_t item_revision = find->ColumnInt(1);
      const auto action = ParseAction(find->ColumnText(2));
      const std::string category = find->ColumnText(3);
      const std::string actor = find->ColumnText(4);
      const std::string target_kind = find->ColumnText(5);
      find->Reset();
      // An author appeals an item's removal, reduction or label; a group's admins its removal,
      // restriction or label; an account's owner its restriction or suspension.
      const bool appealable =
          target_kind == "item" ? action == ActionType::kRemove || action == ActionType::kReduce ||
                                      action == ActionType::kLabel
          : target_kind == "group"
              ? action == ActionType::kRemove || action == ActionType::kRestrict ||
                    action == ActionType::kLabel
          : target_kind == "account"
              ? action == ActionType::kRestrict || action == ActionType::kSuspend
              : false;
      if (!appealable) {
        return FailedPrecondition(
            "only an item's remove, reduce or label, a group's remove, restrict or label, and an "
            "account's restrict or suspend decisions can be appealed",
            "decision_seq");
      }
      BULWARK_ASSIGN_OR_RETURN(Statement * active, w.Prepare(kActiveCase));
      active->BindText(1, item_id);
      active->BindText(2, kAppealsQueue);
      active->BindText(3, target_kind);
      BULWARK_ASSIGN_OR_RETURN(bool open, active->Step());
      active->Reset();
      if (open) {
        return FailedPrecondition("an appeal of this item is already waiting", "decision_seq");
      }
      // "reviewer:key:abc" decided it: "key:abc" may not decide the appeal.
      std::string exclude;
      if (actor.rfind("reviewer:", 0) == 0) exclude = actor.substr(9);
      BULWARK_ASSIGN_OR_RETURN(Statement * ins, w.Prepare(kOpenAppeal));
      ins->BindText(1, item_id);
      ins->BindInt(2, item_revision);
      ins->BindText(3, kAppealsQueue);
      ins->BindInt(4, kAppealPriority);
      ins->BindText(5, category);
      ins->BindInt(6, seq);
      ins->BindInt(7, now);
      ins->BindText(8, statement);
      ins->BindOptionalText(9, exclude);
      ins->BindText(10, target_kind);
      BULWARK_RETURN_IF_ERROR(ins->Run());
      BULWARK_ASSIGN_OR_RETURN(out, ReadCase(w, sqlite3_last_insert_rowid(w.raw())));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<ReviewCase>> WaitingCases(std::string_view queue, UnixMillis now,
                                               int limit) override {
    std::vector<ReviewCase> out;
    Status read = d_.read([&](Connection& c) -> Status {
      // One read transaction, so the ids and the cases read are one snapshot.
      if (Status begin = c.Exec("BEGIN"); !begin.ok()) return begin;
      Status s = [&]() -> Status {
        BULWARK_ASSIGN_OR_RETURN(
            Statement * st,
            c.Prepare("SELECT id FROM review_cases WHERE queue = ?1 AND (status = 'open' OR "
                      "(status = 'claimed' AND lease_expires_at <= ?2)) "
                      "ORDER BY priority DESC, created_at, id LIMIT ?3"));
        st->BindText(1, queue);
        st->BindInt(2, now);
        st->BindInt(3, limit);
        std::vector<std::int64_t> ids;
        for (;;) {
          BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
          if (!row) break;
          ids.push_back(st->ColumnInt(0));
        }
        st->Reset();
        for (std::int64_t id : ids) {
          BULWARK_ASSIGN_OR_RETURN(ReviewCase rc, ReadCase(c, id));
          out.push_back(std::move(rc));
        }
        return Status::Ok();
      }();
      c.Rollback();
      return s;
    });
    if (!read.ok()) return read;
    return out;
  }

  Result<std::vector<QueueStats>> Queues(UnixMillis now) override {
    std::vector<QueueStats> out;
    BULWARK_RETURN_IF_ERROR(d_.read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kQueueStats));
      st->BindInt(1, now);
      for (;;) {
        BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) break;
        QueueStats q;
        q.queue = st->ColumnText(0);
        q.open = st->ColumnInt(1);
        q.claimed = st->ColumnInt(2);
        q.oldest_waiting_since = st->ColumnIsNull(3) ? 0 : st->ColumnInt(3);
        q.checks_waiting = st->ColumnInt(4);
        out.push_back(std::move(q));
      }
      st->Reset();
      return Status::Ok();
    }));
    return out;
  }

  Result<std::vector<ReviewPair>> ReviewPairs(UnixMillis since, UnixMillis until) override {
    std::vector<ReviewPair> out;
    BULWARK_RETURN_IF_ERROR(d_.read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kReviewPairs));
      st->BindInt(1, since);
      st->BindInt(2, until);
      for (;;) {
        BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) break;
        out.push_back({st->ColumnText(0), st->ColumnText(1), st->ColumnText(2), st->ColumnText(3),
                       st->ColumnText(4), st->ColumnInt(5)});
      }
      st->Reset();
      return Status::Ok();
    }));
    return out;
  }

  Result<std::vector<FirstReviewWait>> FirstReviewWaits(UnixMillis since,
                                                        UnixMillis until) override {
    std::vector<FirstReviewWait> out;
    BULWARK_RETURN_IF_ERROR(d_.read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kFirstReviewWaits));
      st->BindInt(1, since);
      st->BindInt(2, until);
      for (;;) {
        BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) break;
        out.push_back({st->ColumnText(0), st->ColumnInt(1)});
      }
      st->Reset();
      return Status::Ok();
    }));
    return out;
  }

  Result<std::int64_t> UnclaimedBefore(std::string_view queue, UnixMillis created_before) override {
    std::int64_t n = 0;
    BULWARK_RETURN_IF_ERROR(d_.read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kUnclaimedBefore));
      st->BindText(1, queue);
      st->BindInt(2, created_before);
      BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
      n = row ? st->ColumnInt(0) : 0;
      st->Reset();
      return Status::Ok();
    }));
    return n;
  }

 private:
  // Opens a round-2 or round-3 case checking `first` in its queue; returns its id, or 0 if the
  // item already has a case of that round waiting there.
  static Result<std::int64_t> OpenCheck(Connection& w, const ReviewCase& first, int round,
                                        std::int64_t checks_case, const std::string& exclude,
                                        UnixMillis now) {
    BULWARK_ASSIGN_OR_RETURN(Statement * st, w.Prepare(kOpenCheck));
    st->BindText(1, first.item_id);
    st->BindInt(2, first.item_revision);
    st->BindText(3, first.queue);
    st->BindInt(4, first.priority);
    st->BindText(5, first.category);
    st->BindInt(6, first.opened_by_seq);
    st->BindInt(7, now);
    st->BindInt(8, first.severity);
    st->BindInt(9, round);
    st->BindInt(10, checks_case);
    st->BindText(11, exclude);
    st->BindText(12, TargetKindName(first.target_kind));
    BULWARK_RETURN_IF_ERROR(st->Run());
    if (w.changes() == 0) return 0;
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(w.raw()));
  }

  static Result<ReviewCase> ReadCase(Connection& c, std::int64_t id) {
    BULWARK_ASSIGN_OR_RETURN(Statement * st,
                             c.Prepare(std::string(kCaseColumns) + "WHERE id = ?1"));
    st->BindInt(1, id);
    BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return NotFound("review case " + std::to_string(id) + " not found");
    ReviewCase rc;
    rc.id = st->ColumnInt(0);
    rc.item_id = st->ColumnText(1);
    rc.item_revision = static_cast<int>(st->ColumnInt(2));
    rc.queue = st->ColumnText(3);
    rc.priority = static_cast<int>(st->ColumnInt(4));
    rc.category = st->ColumnText(5);
    rc.opened_by_seq = st->ColumnInt(6);
    rc.status = st->ColumnText(7);
    rc.claimed_by = st->ColumnText(8);
    rc.lease_expires_at = st->ColumnInt(9);
    rc.created_at = st->ColumnInt(10);
    rc.first_claimed_at = st->ColumnInt(11);
    rc.decided_at = st->ColumnInt(12);
    rc.decided_by = st->ColumnText(13);
    rc.outcome = st->ColumnText(14);
    rc.decision_seq = st->ColumnInt(15);
    rc.appeal_of_seq = st->ColumnInt(16);
    rc.statement = st->ColumnText(17);
    rc.exclude_reviewer = st->ColumnText(18);
    rc.severity = static_cast<int>(st->ColumnInt(19));
    rc.round = static_cast<int>(st->ColumnInt(20));
    rc.checks_case = st->ColumnInt(21);
    rc.reason_code = st->ColumnText(22);
    rc.target_kind = ParseTargetKind(st->ColumnText(23)).value_or(TargetKind::kItem);
    st->Reset();
    return rc;
  }

  ReviewStoreDeps d_;
};

}  // namespace

std::unique_ptr<ReviewStore> NewSqliteReviewStore(ReviewStoreDeps deps) {
  return std::make_unique<SqliteReviewStore>(std::move(deps));
}

Status OpenReviewCases(Connection& writer, const std::vector<Decision>& decisions,
                       std::span<const ReviewRequest> reviews) {
  for (const ReviewRequest& r : reviews) {
    if (r.index >= decisions.size()) return InvalidArgument("review request out of range");
    const Decision& d = decisions[r.index];
    BULWARK_ASSIGN_OR_RETURN(Statement * st, writer.Prepare(kOpenCase));
    st->BindText(1, d.item_id);
    st->BindInt(2, d.item_revision);
    st->BindText(3, r.queue);
    st->BindInt(4, r.priority);
    st->BindText(5, d.category);
    st->BindInt(6, d.seq);
    st->BindInt(7, d.created_at);
    st->BindInt(8, r.severity > 0 ? r.severity : r.priority);
    BULWARK_RETURN_IF_ERROR(st->Run());
  }
  return Status::Ok();
}

}  // namespace bulwark::store::sqlite

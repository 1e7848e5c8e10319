// The SQLite AccountStore: platform accounts, their strikes (standing removals of their items and
// of the groups they run) and the strike rules' outcomes. The state an account decision gives an
// account is set where decisions are appended (sqlite_database.cc), in the same transaction.

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "store/sqlite/connection_pool.h"

namespace bulwark::store::sqlite {
namespace {

constexpr std::string_view kSelectAccount =
    "SELECT id, is_public_figure, state, state_until, state_seq, state_at, first_seen_at, "
    "last_seen_at FROM accounts WHERE id = ?1";
// An item strike: the item's latest remove-or-undo decision (remove, restore, or a person's
// "no violation") is a removal made in [?2, ?3). Group profiles are the group's, not their
// author's: a removed group counts through its state below.
constexpr std::string_view kItemStrikes =
    "SELECT i.id, d.seq, d.category, d.rule_id, d.actor, d.created_at FROM items i "
    "JOIN decisions d ON d.item_id = i.id AND d.target_kind = 'item' "
    "WHERE i.author_id = ?1 AND i.kind <> 'group_profile' "
    "AND d.seq = (SELECT MAX(x.seq) FROM decisions x WHERE x.item_id = i.id "
    "AND x.target_kind = 'item' AND (x.action IN ('remove', 'restore') OR "
    "(x.action = 'none' AND x.actor <> 'system'))) "
    "AND d.action = 'remove' AND d.created_at >= ?2 AND d.created_at < ?3";
// A group strike: a group the account owns or administers whose state is removed, by a decision
// made in [?2, ?3).
constexpr std::string_view kGroupStrikes =
    "SELECT g.id, d.seq, d.category, d.rule_id, d.actor, d.created_at FROM platform_groups g "
    "JOIN decisions d ON d.seq = g.state_seq "
    "WHERE g.state = 'removed' AND d.created_at >= ?2 AND d.created_at < ?3 "
    "AND (g.owner_id = ?1 OR g.id IN (SELECT group_id FROM group_admins WHERE account_id = ?1))";
constexpr std::string_view kAccountsToScan =
    "SELECT id FROM ("
    "SELECT i.author_id AS id FROM decisions d JOIN items i ON i.id = d.item_id "
    "WHERE d.action = 'remove' AND d.target_kind = 'item' AND d.created_at >= ?1 "
    "UNION SELECT a.account_id FROM decisions d JOIN group_admins a ON a.group_id = d.item_id "
    "WHERE d.action = 'remove' AND d.target_kind = 'group' AND d.created_at >= ?1 "
    "UNION SELECT g.owner_id FROM decisions d JOIN platform_groups g ON g.id = d.item_id "
    "WHERE d.action = 'remove' AND d.target_kind = 'group' AND d.created_at >= ?1 "
    "AND g.owner_id <> '' "
    "UNION SELECT id FROM accounts WHERE state <> 'active') "
    "WHERE id > ?2 ORDER BY id LIMIT ?3";
constexpr std::string_view kClaimStrikeRule =
    "INSERT INTO account_rule_outcomes (account_id, rule_id, strike_seq, decision_seq) "
    "VALUES (?1, ?2, ?3, 0) ON CONFLICT DO NOTHING";
constexpr std::string_view kHasStrikeOutcome =
    "SELECT 1 FROM account_rule_outcomes WHERE account_id = ?1 AND rule_id = ?2 "
    "AND strike_seq = ?3";
constexpr std::string_view kSetStrikeRuleSeq =
    "UPDATE account_rule_outcomes SET decision_seq = ?4 WHERE account_id = ?1 AND rule_id = ?2 "
    "AND strike_seq = ?3";

class SqliteAccountStore final : public AccountStore {
 public:
  explicit SqliteAccountStore(ConnectionPool& pool) : pool_(pool) {}

  Result<StoredAccount> GetAccount(std::string_view id) override {
    StoredAccount a;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kSelectAccount));
      st->BindText(1, id);
      BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) {
        st->Reset();
        return NotFound("account '" + std::string(id) + "' not found");
      }
      a.id = st->ColumnText(0);
      a.is_public_figure = st->ColumnInt(1) != 0;
      a.state = ParseAccountState(st->ColumnText(2)).value_or(AccountState::kActive);
      if (!st->ColumnIsNull(3)) a.until = st->ColumnInt(3);
      a.state_seq = st->ColumnInt(4);
      a.state_at = st->ColumnInt(5);
      a.first_seen_at = st->ColumnInt(6);
      a.last_seen_at = st->ColumnInt(7);
      st->Reset();
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return a;
  }

  Result<std::vector<Strike>> Strikes(std::string_view id, UnixMillis since,
                                      UnixMillis until) override {
    std::vector<Strike> out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      // One read transaction: items and groups from the same snapshot.
      BULWARK_RETURN_IF_ERROR(c.Exec("BEGIN"));
      Status r = [&]() -> Status {
        for (TargetKind source : {TargetKind::kItem, TargetKind::kGroup}) {
          BULWARK_ASSIGN_OR_RETURN(
              Statement * st,
              c.Prepare(source == TargetKind::kItem ? kItemStrikes : kGroupStrikes));
          st->BindText(1, id);
          st->BindInt(2, since);
          st->BindInt(3, until);
          for (;;) {
            BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
            if (!row) break;
            Strike k;
            k.account_id = std::string(id);
            k.source = source;
            k.target_id = st->ColumnText(0);
            k.decision_seq = st->ColumnInt(1);
            k.category = st->ColumnText(2);
            k.rule_id = st->ColumnText(3);
            k.actor = st->ColumnText(4);
            k.at = st->ColumnInt(5);
            out.push_back(std::move(k));
          }
          st->Reset();
        }
        return Status::Ok();
      }();
      c.Rollback();
      return r;
    });
    if (!s.ok()) return s;
    std::sort(out.begin(), out.end(), [](const Strike& a, const Strike& b) {
      return a.at != b.at ? a.at < b.at : a.decision_seq < b.decision_seq;
    });
    return out;
  }

  Result<std::vector<std::string>> AccountsToScan(UnixMillis since, std::string_view after_id,
                                                  int limit) override {
    std::vector<std::string> out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kAccountsToScan));
      st->BindInt(1, since);
      st->BindText(2, after_id);
      st->BindInt(3, limit);
      for (;;) {
        BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) break;
        out.push_back(st->ColumnText(0));
      }
      st->Reset();
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<Decision>> AccountDecisions(std::string_view id) override {
    std::vector<Decision> out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st,
                               c.Prepare("SELECT " + std::string(kDecisionColumns) +
                                         " FROM decisions WHERE item_id = ?1 "
                                         "AND target_kind = 'account' ORDER BY seq"));
      st->BindText(1, id);
      BULWARK_ASSIGN_OR_RETURN(out, ReadDecisions(st));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::optional<Decision>> RecordStrikeOutcome(Decision d,
                                                      std::int64_t strike_seq) override {
    if (d.target_kind != TargetKind::kAccount || d.rule_id.empty() ||
        (d.action != ActionType::kRestrict && d.action != ActionType::kSuspend) ||
        !AccountDecisionTerm(d).sets_state) {
      return InvalidArgument(
          "a strike rule outcome is a restrict or suspend decision about an account, with "
          "\"until\" in its evidence");
    }
    std::optional<Decision> out;
    Status s = pool_.Write([&](Connection& w) -> Status {
      out.reset();
      BULWARK_ASSIGN_OR_RETURN(Statement * claim, w.Prepare(kClaimStrikeRule));
      claim->BindText(1, d.item_id);
      claim->BindText(2, d.rule_id);
      claim->BindInt(3, strike_seq);
      BULWARK_RETURN_IF_ERROR(claim->Run());
      if (w.changes() == 0) return Status::Ok();  // this rule already answered these strikes
      std::vector<Decision> one = {d};
      BULWARK_RETURN_IF_ERROR(pool_.AppendDecisionsInTransaction(one));
      BULWARK_ASSIGN_OR_RETURN(Statement * seq, w.Prepare(kSetStrikeRuleSeq));
      seq->BindText(1, d.item_id);
      seq->BindText(2, d.rule_id);
      seq->BindInt(3, strike_seq);
      seq->BindInt(4, one[0].seq);
      BULWARK_RETURN_IF_ERROR(seq->Run());
      out = std::move(one[0]);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<bool> HasStrikeOutcome(std::string_view id, std::string_view rule_id,
                                std::int64_t strike_seq) override {
    bool found = false;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kHasStrikeOutcome));
      st->BindText(1, id);
      st->BindText(2, rule_id);
      st->BindInt(3, strike_seq);
      BULWARK_ASSIGN_OR_RETURN(found, st->Step());
      st->Reset();
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return found;
  }

 private:
  ConnectionPool& pool_;
};

}  // namespace

std::unique_ptr<AccountStore> NewSqliteAccountStore(ConnectionPool& pool) {
  return std::make_unique<SqliteAccountStore>(pool);
}

}  // namespace bulwark::store::sqlite

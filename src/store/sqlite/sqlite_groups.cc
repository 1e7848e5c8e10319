// The SQLite GroupStore: groups as the platform describes them, their admins and membership
// events, and the state group decisions give them (the state itself is set where decisions are
// appended, sqlite_database.cc, so that a decision and its effect commit together).

#include <algorithm>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_set>
#include <utility>

#include "store/sqlite/connection_pool.h"

namespace bulwark::store::sqlite {
namespace {

constexpr std::string_view kGroupColumns =
    "SELECT id, visibility, described, name, description, created_at, owner_id, state, label, "
    "state_seq, state_at, first_seen_at, updated_at FROM platform_groups ";
constexpr std::string_view kUpsertDescribedGroup =
    "INSERT INTO platform_groups (id, visibility, first_seen_at, last_seen_at, described, name, "
    "description, created_at, owner_id, updated_at) VALUES (?1, ?2, ?7, ?7, 1, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT (id) DO UPDATE SET visibility = excluded.visibility, described = 1, "
    "name = excluded.name, description = excluded.description, created_at = excluded.created_at, "
    "owner_id = excluded.owner_id, last_seen_at = excluded.last_seen_at, "
    "updated_at = excluded.updated_at";
constexpr std::string_view kSelectAdmins =
    "SELECT account_id FROM group_admins WHERE group_id = ?1 ORDER BY account_id";
constexpr std::string_view kDeleteAdmins = "DELETE FROM group_admins WHERE group_id = ?1";
constexpr std::string_view kInsertAdmin =
    "INSERT INTO group_admins (group_id, account_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING";
constexpr std::string_view kEnsureAccount =
    "INSERT INTO accounts (id, is_public_figure, first_seen_at, last_seen_at) "
    "VALUES (?1, 0, ?2, ?2) ON CONFLICT (id) DO NOTHING";
constexpr std::string_view kGroupExists = "SELECT 1 FROM platform_groups WHERE id = ?1";
constexpr std::string_view kInsertMembership =
    "INSERT INTO group_memberships (id, group_id, account_id, action, at, received_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO NOTHING";
// Accounts whose latest membership event before ?2 is a join (ties in time: the larger id last).
constexpr std::string_view kMembersAt =
    "SELECT m.account_id FROM group_memberships m WHERE m.group_id = ?1 AND m.at < ?2 "
    "AND m.action = 'join' AND NOT EXISTS (SELECT 1 FROM group_memberships n "
    "WHERE n.group_id = m.group_id AND n.account_id = m.account_id AND n.at < ?2 "
    "AND (n.at > m.at OR (n.at = m.at AND n.id > m.id)))";
constexpr std::string_view kMembershipCounts =
    "SELECT COALESCE(SUM(action = 'join'), 0), COALESCE(SUM(action = 'leave'), 0) "
    "FROM group_memberships WHERE group_id = ?1 AND at >= ?2 AND at < ?3";
constexpr std::string_view kGroupItems =
    "SELECT id, author_id, kind, created_at FROM items WHERE group_id = ?1 "
    "AND kind <> 'group_profile' AND created_at >= ?2 AND created_at < ?3 "
    "ORDER BY created_at DESC, id LIMIT ?4";
constexpr std::string_view kProfileItem =
    "SELECT id, author_id, kind, created_at FROM items WHERE id = ?1";
constexpr std::string_view kItemDecisions =
    "SELECT seq, item_revision, action, category, rule_id, actor, created_at, policy_version "
    "FROM decisions WHERE item_id = ?1 AND target_kind = 'item' ORDER BY seq";
// An item's standing removal: its latest decision that removes or undoes a removal (restore, or
// a person's "no violation") is a removal, made in [?2, ?3).
constexpr std::string_view kStandingRemoval =
    "d.seq = (SELECT MAX(x.seq) FROM decisions x WHERE x.item_id = i.id "
    "AND x.target_kind = 'item' AND (x.action IN ('remove', 'restore') OR "
    "(x.action = 'none' AND x.actor <> 'system'))) "
    "AND d.action = 'remove' AND d.created_at >= ?2 AND d.created_at < ?3";
constexpr std::string_view kHistory =
    "SELECT decision_seq, state, label, actor, at FROM group_states WHERE group_id = ?1 "
    "ORDER BY seq";
constexpr std::string_view kActiveGroups =
    "SELECT id FROM (SELECT group_id AS id FROM items WHERE created_at >= ?1 "
    "AND group_id IS NOT NULL UNION SELECT group_id AS id FROM group_memberships "
    "WHERE at >= ?1) WHERE id > ?2 ORDER BY id LIMIT ?3";

constexpr std::string_view kClaimGroupRule =
    "INSERT INTO group_rule_outcomes (group_id, rule_id, period, decision_seq) "
    "VALUES (?1, ?2, ?3, 0) ON CONFLICT DO NOTHING";
constexpr std::string_view kSetGroupRuleSeq =
    "UPDATE group_rule_outcomes SET decision_seq = ?4 WHERE group_id = ?1 AND rule_id = ?2 "
    "AND period = ?3";
constexpr std::string_view kOpenGroupCase =
    "INSERT INTO review_cases (id, target_kind, item_id, item_revision, queue, priority, "
    "category, opened_by_seq, status, created_at, severity, review_round) "
    "VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM review_cases), 'group', ?1, 0, ?2, ?3, ?4, "
    "?5, 'open', ?6, ?7, 1) "
    "ON CONFLICT (target_kind, item_id, queue, review_round) WHERE status <> 'decided' "
    "DO UPDATE SET priority = MAX(review_cases.priority, excluded.priority), "
    "severity = MAX(COALESCE(review_cases.severity, 0), excluded.severity)";

constexpr UnixMillis kForever = std::numeric_limits<UnixMillis>::max();

std::string Indexed(size_t i, std::string_view field) {
  return "[" + std::to_string(i) + "]." + std::string(field);
}

StoredGroup ReadGroupRow(const Statement& st) {
  StoredGroup g;
  g.group.id = st.ColumnText(0);
  g.group.visibility = ParseVisibility(st.ColumnText(1)).value_or(Visibility::kPublic);
  g.described = st.ColumnInt(2) != 0;
  g.group.name = st.ColumnText(3);
  g.group.description = st.ColumnText(4);
  g.group.created_at = st.ColumnInt(5);
  g.group.owner_id = st.ColumnText(6);
  g.state = ParseGroupState(st.ColumnText(7)).value_or(GroupState::kActive);
  g.label = st.ColumnText(8);
  g.state_seq = st.ColumnInt(9);
  g.state_at = st.ColumnInt(10);
  g.first_seen_at = st.ColumnInt(11);
  g.updated_at = st.ColumnInt(12);
  return g;
}

// The first column of every row of the bound statement `st`, which is reset after.
Result<std::vector<std::string>> ReadStrings(Statement* st) {
  std::vector<std::string> out;
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(st->ColumnText(0));
  }
  st->Reset();
  return out;
}

Result<std::vector<std::string>> ReadAdmins(Connection& c, std::string_view group_id) {
  BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kSelectAdmins));
  st->BindText(1, group_id);
  return ReadStrings(st);
}

Result<std::int64_t> CountMembers(Connection& c, std::string_view group_id, UnixMillis at) {
  BULWARK_ASSIGN_OR_RETURN(Statement * st,
                           c.Prepare("SELECT COUNT(*) FROM (" + std::string(kMembersAt) + ")"));
  st->BindText(1, group_id);
  st->BindInt(2, at);
  BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
  std::int64_t n = row ? st->ColumnInt(0) : 0;
  st->Reset();
  return n;
}

// The group `id` with its member count; NotFound if unknown.
Result<StoredGroup> ReadGroup(Connection& c, std::string_view id) {
  BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(std::string(kGroupColumns) + "WHERE id = ?1"));
  st->BindText(1, id);
  BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) {
    st->Reset();
    return NotFound("group '" + std::string(id) + "' not found");
  }
  StoredGroup g = ReadGroupRow(*st);
  st->Reset();
  BULWARK_ASSIGN_OR_RETURN(g.group.admin_ids, ReadAdmins(c, id));
  BULWARK_ASSIGN_OR_RETURN(g.members, CountMembers(c, id, kForever));
  return g;
}

Result<GroupItemRecord> ReadItemRecord(Connection& c, const Statement& row) {
  GroupItemRecord r;
  r.item_id = row.ColumnText(0);
  r.author_id = row.ColumnText(1);
  r.kind = ParseItemKind(row.ColumnText(2)).value_or(ItemKind::kPost);
  r.created_at = row.ColumnInt(3);
  BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kItemDecisions));
  st->BindText(1, r.item_id);
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(bool more, st->Step());
    if (!more) break;
    Decision d;
    d.seq = st->ColumnInt(0);
    d.item_id = r.item_id;
    d.item_revision = static_cast<int>(st->ColumnInt(1));
    d.action = ParseAction(st->ColumnText(2)).value_or(ActionType::kNone);
    d.category = st->ColumnText(3);
    d.rule_id = st->ColumnText(4);
    d.actor = st->ColumnText(5);
    d.created_at = st->ColumnInt(6);
    d.policy_version = st->ColumnText(7);
    r.decisions.push_back(std::move(d));
  }
  st->Reset();
  return r;
}

class SqliteGroupStore final : public GroupStore {
 public:
  explicit SqliteGroupStore(ConnectionPool& pool) : pool_(pool) {}

  Result<UpsertSummary> UpsertGroups(std::span<const Group> groups, UnixMillis now) override {
    UpsertSummary summary;
    Status s = pool_.Write([&](Connection& w) -> Status {
      summary = {};
      std::unordered_set<std::string_view> ids;
      std::vector<Item> profiles;
      profiles.reserve(groups.size());
      for (size_t i = 0; i < groups.size(); ++i) {
        const Group& g = groups[i];
        if (!ids.insert(g.id).second) {
          return InvalidArgument("duplicate group id '" + g.id + "' in batch", Indexed(i, "id"));
        }
        BULWARK_ASSIGN_OR_RETURN(Statement * cur,
                                 w.Prepare(std::string(kGroupColumns) + "WHERE id = ?1"));
        cur->BindText(1, g.id);
        BULWARK_ASSIGN_OR_RETURN(bool found, cur->Step());
        std::optional<StoredGroup> old;
        if (found) old = ReadGroupRow(*cur);
        cur->Reset();
        std::vector<std::string> admins(g.admin_ids);
        std::sort(admins.begin(), admins.end());
        if (old && old->described) {
          BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> old_admins, ReadAdmins(w, g.id));
          if (old->group.name == g.name && old->group.description == g.description &&
              old->group.visibility == g.visibility && old->group.created_at == g.created_at &&
              old->group.owner_id == g.owner_id && old_admins == admins) {
            ++summary.unchanged;
            continue;
          }
          ++summary.revised;
        } else {
          ++summary.created;
        }
        BULWARK_ASSIGN_OR_RETURN(Statement * up, w.Prepare(kUpsertDescribedGroup));
        up->BindText(1, g.id);
        up->BindText(2, VisibilityName(g.visibility));
        up->BindText(3, g.name);
        up->BindText(4, g.description);
        up->BindInt(5, g.created_at);
        up->BindText(6, g.owner_id);
        up->BindInt(7, now);
        BULWARK_RETURN_IF_ERROR(up->Run());
        BULWARK_ASSIGN_OR_RETURN(Statement * del, w.Prepare(kDeleteAdmins));
        del->BindText(1, g.id);
        BULWARK_RETURN_IF_ERROR(del->Run());
        for (const std::string& a : admins) {
          BULWARK_ASSIGN_OR_RETURN(Statement * ins, w.Prepare(kInsertAdmin));
          ins->BindText(1, g.id);
          ins->BindText(2, a);
          BULWARK_RETURN_IF_ERROR(ins->Run());
          BULWARK_RETURN_IF_ERROR(EnsureAccount(w, a, now));
        }
        Item profile;
        profile.id = GroupProfileItemId(g.id);
        profile.kind = ItemKind::kGroupProfile;
        profile.author_id = g.owner_id;
        profile.group_id = g.id;
        profile.group_visibility = g.visibility;
        profile.text = g.description.empty() ? g.name : g.name + "\n" + g.description;
        profile.created_at = g.created_at;
        profiles.push_back(std::move(profile));
      }
      if (!profiles.empty()) {
        BULWARK_ASSIGN_OR_RETURN(UpsertSummary items,
                                 pool_.UpsertItemsInTransaction(profiles, now));
        (void)items;
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return summary;
  }

  Result<AppendSummary> AppendMemberships(std::span<const MembershipEvent> events,
                                          UnixMillis now) override {
    AppendSummary summary;
    Status s = pool_.Write([&](Connection& w) -> Status {
      summary = {};
      std::unordered_set<std::string_view> known;
      for (size_t i = 0; i < events.size(); ++i) {
        const MembershipEvent& m = events[i];
        if (!known.contains(m.group_id)) {
          BULWARK_ASSIGN_OR_RETURN(Statement * st, w.Prepare(kGroupExists));
          st->BindText(1, m.group_id);
          BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
          st->Reset();
          if (!row) {
            return FailedPrecondition("group '" + m.group_id + "' is not known",
                                      Indexed(i, "group_id"));
          }
          known.insert(m.group_id);
        }
        BULWARK_ASSIGN_OR_RETURN(Statement * ins, w.Prepare(kInsertMembership));
        ins->BindText(1, m.id);
        ins->BindText(2, m.group_id);
        ins->BindText(3, m.account_id);
        ins->BindText(4, MembershipActionName(m.action));
        ins->BindInt(5, m.at);
        ins->BindInt(6, now);
        BULWARK_RETURN_IF_ERROR(ins->Run());
        if (w.changes() == 0) {
          ++summary.duplicates;
          continue;
        }
        ++summary.accepted;
        BULWARK_RETURN_IF_ERROR(EnsureAccount(w, m.account_id, now));
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return summary;
  }

  Result<StoredGroup> GetGroup(std::string_view id) override {
    StoredGroup out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_RETURN_IF_ERROR(c.Exec("BEGIN"));
      auto g = ReadGroup(c, id);
      c.Rollback();
      if (!g.ok()) return g.status();
      out = std::move(*g);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<StoredGroup>> ListGroups(std::string_view after_id, int limit) override {
    std::vector<StoredGroup> out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_RETURN_IF_ERROR(c.Exec("BEGIN"));
      Status r = [&]() -> Status {
        BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(std::string(kGroupColumns) +
                                                           "WHERE id > ?1 ORDER BY id LIMIT ?2"));
        st->BindText(1, after_id);
        st->BindInt(2, limit);
        for (;;) {
          BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
          if (!row) break;
          out.push_back(ReadGroupRow(*st));
        }
        st->Reset();
        for (StoredGroup& g : out) {
          BULWARK_ASSIGN_OR_RETURN(g.group.admin_ids, ReadAdmins(c, g.group.id));
          BULWARK_ASSIGN_OR_RETURN(g.members, CountMembers(c, g.group.id, kForever));
        }
        return Status::Ok();
      }();
      c.Rollback();
      return r;
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<std::string>> ItemIds(std::string_view id) override {
    std::vector<std::string> out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st,
                               c.Prepare("SELECT id FROM items WHERE group_id = ?1"));
      st->BindText(1, id);
      BULWARK_ASSIGN_OR_RETURN(out, ReadStrings(st));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<GroupStateChange>> GroupHistory(std::string_view id) override {
    std::vector<GroupStateChange> out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kHistory));
      st->BindText(1, id);
      for (;;) {
        BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) break;
        GroupStateChange ch;
        ch.decision_seq = st->ColumnInt(0);
        ch.state = ParseGroupState(st->ColumnText(1)).value_or(GroupState::kActive);
        ch.label = st->ColumnText(2);
        ch.actor = st->ColumnText(3);
        ch.at = st->ColumnInt(4);
        out.push_back(std::move(ch));
      }
      st->Reset();
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<GroupActivity> Activity(std::string_view id, UnixMillis since, UnixMillis until,
                                 int max_items) override {
    GroupActivity out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      // One read transaction: the figures describe one moment.
      BULWARK_RETURN_IF_ERROR(c.Exec("BEGIN"));
      Status r = ReadActivity(c, id, since, until, max_items, &out);
      c.Rollback();
      return r;
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::optional<Decision>> RecordGroupRuleMatch(Decision d, std::string_view queue,
                                                       int priority, int severity,
                                                       std::int64_t period) override {
    if (d.target_kind != TargetKind::kGroup || d.rule_id.empty() ||
        (d.action != ActionType::kReview && d.action != ActionType::kEscalate)) {
      return InvalidArgument("a group rule match is a review or escalate decision about a group");
    }
    std::optional<Decision> out;
    Status s = pool_.Write([&](Connection& w) -> Status {
      out.reset();
      BULWARK_ASSIGN_OR_RETURN(Statement * claim, w.Prepare(kClaimGroupRule));
      claim->BindText(1, d.item_id);
      claim->BindText(2, d.rule_id);
      claim->BindInt(3, period);
      BULWARK_RETURN_IF_ERROR(claim->Run());
      if (w.changes() == 0) return Status::Ok();  // matched before in this period
      std::vector<Decision> one = {d};
      BULWARK_RETURN_IF_ERROR(pool_.AppendDecisionsInTransaction(one));
      BULWARK_ASSIGN_OR_RETURN(Statement * seq, w.Prepare(kSetGroupRuleSeq));
      seq->BindText(1, d.item_id);
      seq->BindText(2, d.rule_id);
      seq->BindInt(3, period);
      seq->BindInt(4, one[0].seq);
      BULWARK_RETURN_IF_ERROR(seq->Run());
      BULWARK_ASSIGN_OR_RETURN(Statement * open, w.Prepare(kOpenGroupCase));
      open->BindText(1, d.item_id);
      open->BindText(2, queue);
      open->BindInt(3, priority);
      open->BindText(4, d.category);
      open->BindInt(5, one[0].seq);
      open->BindInt(6, d.created_at);
      open->BindInt(7, severity);
      BULWARK_RETURN_IF_ERROR(open->Run());
      out = std::move(one[0]);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<std::string>> ActiveGroups(UnixMillis since, std::string_view after_id,
                                                int limit) override {
    std::vector<std::string> out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kActiveGroups));
      st->BindInt(1, since);
      st->BindText(2, after_id);
      st->BindInt(3, limit);
      BULWARK_ASSIGN_OR_RETURN(out, ReadStrings(st));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

 private:
  static Status EnsureAccount(Connection& w, std::string_view account_id, UnixMillis now) {
    BULWARK_ASSIGN_OR_RETURN(Statement * st, w.Prepare(kEnsureAccount));
    st->BindText(1, account_id);
    st->BindInt(2, now);
    return st->Run();
  }

  static Status ReadActivity(Connection& c, std::string_view id, UnixMillis since, UnixMillis until,
                             int max_items, GroupActivity* out) {
    BULWARK_ASSIGN_OR_RETURN(out->group, ReadGroup(c, id));
    if (!out->group.group.owner_id.empty()) out->admins.push_back(out->group.group.owner_id);
    for (const std::string& a : out->group.group.admin_ids) {
      if (a != out->group.group.owner_id) out->admins.push_back(a);
    }
    // The window's items, newest first; one more than asked for says whether there are more.
    std::vector<std::tuple<std::string, std::string, std::string, UnixMillis>> rows;
    {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kGroupItems));
      st->BindText(1, id);
      st->BindInt(2, since);
      st->BindInt(3, until);
      st->BindInt(4, static_cast<std::int64_t>(max_items) + 1);
      for (;;) {
        BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) break;
        if (static_cast<int>(out->items.size()) == max_items) {
          out->items_truncated = true;
          break;
        }
        BULWARK_ASSIGN_OR_RETURN(GroupItemRecord r, ReadItemRecord(c, *st));
        out->items.push_back(std::move(r));
      }
      st->Reset();
    }
    {
      // BindText does not copy: the id must outlive the statement's use.
      const std::string profile_id = GroupProfileItemId(id);
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kProfileItem));
      st->BindText(1, profile_id);
      BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
      if (row) {
        BULWARK_ASSIGN_OR_RETURN(GroupItemRecord r, ReadItemRecord(c, *st));
        out->profile = std::move(r);
      }
      st->Reset();
    }
    for (const std::string& admin : out->admins) {
      BULWARK_ASSIGN_OR_RETURN(
          Statement * st, c.Prepare("SELECT COUNT(*) FROM items i JOIN decisions d ON " +
                                    std::string(kStandingRemoval) + " WHERE i.author_id = ?1"));
      st->BindText(1, admin);
      st->BindInt(2, since);
      st->BindInt(3, until);
      BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
      out->admin_removals.push_back({admin, row ? st->ColumnInt(0) : 0});
      st->Reset();
    }
    BULWARK_ASSIGN_OR_RETURN(out->members_at_start, CountMembers(c, id, since));
    out->members_now = out->group.members;
    {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kMembershipCounts));
      st->BindText(1, id);
      st->BindInt(2, since);
      st->BindInt(3, until);
      BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
      if (row) {
        out->joins = st->ColumnInt(0);
        out->leaves = st->ColumnInt(1);
      }
      st->Reset();
    }
    {
      // kMembersAt binds ?1 (group) and ?2 (its time); the removal window is ?3 .. ?4 here.
      std::string removal(kStandingRemoval);
      for (auto [from, to] : {std::pair{"?3", "?4"}, std::pair{"?2", "?3"}}) {
        for (size_t pos = removal.find(from); pos != std::string::npos;
             pos = removal.find(from, pos + 2)) {
          removal.replace(pos, 2, to);
        }
      }
      BULWARK_ASSIGN_OR_RETURN(
          Statement * st, c.Prepare("SELECT COUNT(*) FROM (" + std::string(kMembersAt) +
                                    ") m WHERE EXISTS (SELECT 1 FROM items i JOIN decisions d ON " +
                                    removal + " WHERE i.author_id = m.account_id)"));
      st->BindText(1, id);
      st->BindInt(2, kForever);
      st->BindInt(3, since);
      st->BindInt(4, until);
      BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
      out->members_with_removals = row ? st->ColumnInt(0) : 0;
      st->Reset();
    }
    return Status::Ok();
  }

  ConnectionPool& pool_;
};

}  // namespace

std::unique_ptr<GroupStore> NewSqliteGroupStore(ConnectionPool& pool) {
  return std::make_unique<SqliteGroupStore>(pool);
}

}  // namespace bulwark::store::sqlite

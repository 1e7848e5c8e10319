#include "store/sqlite/sqlite_database.h"

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/metrics.h"
#include "store/migrations.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/connection_pool.h"
#include "store/sqlite/sqlite_policies.h"
#include "store/sqlite/sqlite_review.h"

namespace bulwark::store {
namespace sqlite {

Decision ReadDecision(const Statement& st) {
  Decision d;
  d.seq = st.ColumnInt(0);
  d.item_id = st.ColumnText(1);
  d.item_revision = static_cast<int>(st.ColumnInt(2));
  // An unknown action name can only come from tampering: keep it detectable by the hash.
  d.action = ParseAction(st.ColumnText(3)).value_or(ActionType::kNone);
  d.category = st.ColumnText(4);
  d.rule_id = st.ColumnText(5);
  d.policy_version = st.ColumnText(6);
  d.model_version = st.ColumnText(7);
  d.actor = st.ColumnText(8);
  d.reason = st.ColumnText(9);
  d.evidence = st.ColumnText(10);
  d.created_at = st.ColumnInt(11);
  d.prev_hash = st.ColumnText(12);
  d.hash = st.ColumnText(13);
  // As for actions: an unknown kind can only be an edit, which the hash then shows.
  d.target_kind = ParseTargetKind(st.ColumnText(14)).value_or(TargetKind::kItem);
  return d;
}

Result<std::vector<Decision>> ReadDecisions(Statement* st) {
  std::vector<Decision> out;
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadDecision(*st));
  }
  st->Reset();
  return out;
}

}  // namespace sqlite

namespace {

using sqlite::Connection;
using sqlite::Statement;

// SQL statements as named constants, so each is prepared once per connection.
constexpr std::string_view kUpsertAccount =
    "INSERT INTO accounts (id, is_public_figure, first_seen_at, last_seen_at) "
    "VALUES (?1, ?2, ?3, ?3) ON CONFLICT (id) DO UPDATE SET "
    "is_public_figure = excluded.is_public_figure, last_seen_at = excluded.last_seen_at "
    // last_seen_at is kept to the hour: skipping no-op rewrites halves the writes on ingest.
    "WHERE accounts.is_public_figure <> excluded.is_public_figure "
    "OR accounts.last_seen_at < excluded.last_seen_at - 3600000";
constexpr std::string_view kUpsertGroup =
    "INSERT INTO platform_groups (id, visibility, first_seen_at, last_seen_at) "
    "VALUES (?1, ?2, ?3, ?3) ON CONFLICT (id) DO UPDATE SET "
    "visibility = excluded.visibility, last_seen_at = excluded.last_seen_at "
    "WHERE platform_groups.visibility <> excluded.visibility "
    "OR platform_groups.last_seen_at < excluded.last_seen_at - 3600000";
constexpr std::string_view kItemExists = "SELECT 1 FROM items WHERE id = ?1";
constexpr std::string_view kCurrentRevision =
    "SELECT i.revision, r.text FROM items i JOIN item_revisions r "
    "ON r.item_id = i.id AND r.revision = i.revision WHERE i.id = ?1";
// New items (the common case on ingest) cost one b-tree probe: the insert itself. Only when it
// finds the id taken do we read the current revision.
constexpr std::string_view kInsertItem =
    "INSERT INTO items (id, kind, author_id, group_id, parent_id, lang, created_at, revision, "
    "first_seen_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?8) "
    "ON CONFLICT (id) DO NOTHING";
constexpr std::string_view kUpdateItem =
    "UPDATE items SET kind = ?2, author_id = ?3, group_id = ?4, parent_id = ?5, lang = ?6, "
    "created_at = ?7, revision = ?8, updated_at = ?9 WHERE id = ?1";
constexpr std::string_view kInsertRevision =
    "INSERT INTO item_revisions (item_id, revision, text, received_at) VALUES (?1, ?2, ?3, ?4)";
constexpr std::string_view kSelectItem =
    "SELECT i.kind, i.author_id, COALESCE(a.is_public_figure, 0), i.group_id, "
    "COALESCE(g.visibility, 'public'), i.parent_id, i.lang, i.created_at, i.revision, "
    "i.first_seen_at, i.updated_at, COALESCE(v.views, 0), "
    "(SELECT COUNT(*) FROM reports r WHERE r.item_id = i.id) "
    "FROM items i LEFT JOIN accounts a ON a.id = i.author_id "
    "LEFT JOIN platform_groups g ON g.id = i.group_id "
    "LEFT JOIN view_counts v ON v.item_id = i.id WHERE i.id = ?1";
constexpr std::string_view kSelectRevisions =
    "SELECT revision, text, received_at FROM item_revisions WHERE item_id = ?1 ORDER BY revision";
constexpr std::string_view kUpsertViewCount =
    "INSERT INTO view_counts (item_id, views, first_view_at, last_view_at) "
    "VALUES (?1, ?2, ?3, ?3) ON CONFLICT (item_id) DO UPDATE SET "
    "views = view_counts.views + excluded.views, "
    "first_view_at = CASE WHEN excluded.first_view_at < view_counts.first_view_at "
    "THEN excluded.first_view_at ELSE view_counts.first_view_at END, "
    "last_view_at = CASE WHEN excluded.last_view_at > view_counts.last_view_at "
    "THEN excluded.last_view_at ELSE view_counts.last_view_at END RETURNING views";
constexpr std::string_view kInsertViewSample =
    "INSERT INTO view_samples (item_id, viewed_at, surface, sample_rate, received_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr std::string_view kInsertReport =
    "INSERT INTO reports (id, item_id, reporter_id, reason, comment, created_at, received_at, "
    "reporter_created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING";
constexpr std::string_view kSelectReport =
    "SELECT id, item_id, reporter_id, reason, comment, created_at, received_at, "
    "reporter_created_at, COALESCE(outcome, '') FROM reports WHERE id = ?1";
// One more signal for an item: it is pending again (EnforcementItem::signal).
constexpr std::string_view kBumpSignal =
    "UPDATE items SET signal_seq = signal_seq + 1 WHERE id = ?1";
constexpr std::string_view kSelectReportSignals =
    "SELECT r.reporter_id, r.reporter_created_at, r.created_at, COALESCE(s.upheld, 0), "
    "COALESCE(s.rejected, 0) FROM reports r LEFT JOIN reporter_stats s "
    "ON s.reporter_id = r.reporter_id WHERE r.item_id = ?1 ORDER BY r.created_at, r.id LIMIT 1000";
// A reviewer's decision resolves the item's open reports received until then (`outcome`), and
// the reporters' track records count them.
constexpr std::string_view kResolveReports =
    "UPDATE reports SET outcome = ?2, resolved_seq = ?3 "
    "WHERE item_id = ?1 AND outcome IS NULL AND received_at <= ?4";
constexpr std::string_view kCountResolved =
    "INSERT INTO reporter_stats (reporter_id, upheld, rejected) "
    "SELECT reporter_id, SUM(CASE WHEN outcome = 'upheld' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END) FROM reports "
    "WHERE resolved_seq = ?1 GROUP BY reporter_id "
    "ON CONFLICT (reporter_id) DO UPDATE SET upheld = reporter_stats.upheld + excluded.upheld, "
    "rejected = reporter_stats.rejected + excluded.rejected";
// Enforcement is idempotent: an (item, revision, rule, category, action) is logged once.
constexpr std::string_view kClaimOutcome =
    "INSERT INTO enforcement_outcomes (item_id, item_revision, rule_id, category, action) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING";
// A repeat of a review decision still raises the waiting case to the priority it now has.
constexpr std::string_view kRaiseWaitingCase =
    "UPDATE review_cases SET priority = ?3 WHERE target_kind = 'item' AND item_id = ?1 "
    "AND queue = ?2 AND status <> 'decided' AND review_round = 1 AND priority < ?3";
constexpr std::string_view kInsertImpression =
    "INSERT INTO ad_impressions (id, ad_id, advertiser_id, price_micros, currency, shown_at, "
    "received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING";
constexpr std::string_view kInsertAdjacency =
    "INSERT INTO ad_adjacency (impression_id, item_id, position) VALUES (?1, ?2, ?3)";
constexpr std::string_view kInsertKey =
    "INSERT INTO api_keys (id, name, role, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)";
constexpr std::string_view kSelectKey =
    "SELECT id, name, role, secret_hash, created_at, revoked_at FROM api_keys WHERE id = ?1";
constexpr std::string_view kSelectKeys =
    "SELECT id, name, role, secret_hash, created_at, revoked_at FROM api_keys ORDER BY created_at";
constexpr std::string_view kRevokeKey =
    "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL";

constexpr const char* kStatTables[] = {
    "accounts",     "platform_groups",   "items",           "item_revisions",
    "view_counts",  "view_samples",      "reports",         "ad_impressions",
    "ad_adjacency", "api_keys",          "decisions",       "review_cases",
    "staff_users",  "staff_sessions",    "policy_versions", "policy_transitions",
    "group_admins", "group_memberships", "group_states",    "account_rule_outcomes",
    "shadow_runs",  "shadow_outcomes",   "refund_lines",    "issued_statements"};

using sqlite::kDecisionColumns;
using sqlite::ReadDecision;
using sqlite::ReadDecisions;
constexpr std::string_view kInsertDecision =
    "INSERT INTO decisions (seq, item_id, item_revision, action, category, rule_id, "
    "policy_version, model_version, actor, reason, evidence, created_at, prev_hash, hash, "
    "target_kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
constexpr std::string_view kGroupExists = "SELECT 1 FROM platform_groups WHERE id = ?1";
constexpr std::string_view kAccountExists = "SELECT 1 FROM accounts WHERE id = ?1";
// A person's group decision sets the group's state (a label leaves the state as it is).
constexpr std::string_view kSetGroupState =
    "UPDATE platform_groups SET state = ?2, label = ?3, state_seq = ?4, state_at = ?5 "
    "WHERE id = ?1";
constexpr std::string_view kInsertGroupState =
    "INSERT INTO group_states (group_id, state, label, decision_seq, actor, at) "
    "SELECT id, state, label, ?2, ?3, ?4 FROM platform_groups WHERE id = ?1";
constexpr std::string_view kCurrentGroupState =
    "SELECT state, label FROM platform_groups WHERE id = ?1";
// A shadow run's outcome for an item revision and category: the latest evaluation wins.
constexpr std::string_view kUpsertShadowOutcome =
    "INSERT INTO shadow_outcomes (run_id, item_id, item_revision, category, targets, visibility, "
    "active_action, active_rule, shadow_action, shadow_rule, at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
    "ON CONFLICT (run_id, item_id, item_revision, category) DO UPDATE SET "
    "targets = excluded.targets, visibility = excluded.visibility, "
    "active_action = excluded.active_action, active_rule = excluded.active_rule, "
    "shadow_action = excluded.shadow_action, shadow_rule = excluded.shadow_rule, at = excluded.at";
// An account decision sets the account's state (AccountDecisionTerm says whether and until when).
constexpr std::string_view kSetAccountState =
    "UPDATE accounts SET state = ?2, state_until = ?3, state_seq = ?4, state_at = ?5 WHERE id = ?1";
constexpr std::string_view kEnforcementItemColumns =
    "SELECT i.id, i.kind, i.author_id, COALESCE(a.is_public_figure, 0), i.group_id, "
    "COALESCE(g.visibility, 'public'), i.parent_id, i.lang, i.created_at, i.revision, r.text, "
    "COALESCE(v.views, 0), (SELECT COUNT(*) FROM reports rp WHERE rp.item_id = i.id), "
    "i.signal_seq, r.received_at, i.enforced_revision "
    "FROM items i JOIN item_revisions r ON r.item_id = i.id AND r.revision = i.revision "
    "LEFT JOIN accounts a ON a.id = i.author_id "
    "LEFT JOIN platform_groups g ON g.id = i.group_id "
    "LEFT JOIN view_counts v ON v.item_id = i.id ";
constexpr std::string_view kMarkEnforced =
    "UPDATE items SET enforced_at = CASE WHEN ?2 > enforced_revision THEN ?4 ELSE enforced_at END, "
    "enforced_revision = MAX(enforced_revision, ?2), "
    "enforced_signal = MAX(enforced_signal, ?3) WHERE id = ?1";
constexpr std::string_view kPrivateScanCoverage =
    "SELECT COUNT(*), "
    "COALESCE(SUM(CASE WHEN i.enforced_revision >= i.revision AND i.enforced_at > 0 "
    "AND i.enforced_at - r.received_at <= ?3 THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN i.enforced_revision >= i.revision AND i.enforced_at > 0 "
    "AND i.enforced_at - r.received_at > ?3 THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN i.enforced_revision < i.revision THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN i.enforced_revision >= i.revision AND i.enforced_at = 0 "
    "THEN 1 ELSE 0 END), 0) "
    "FROM items i JOIN item_revisions r ON r.item_id = i.id AND r.revision = i.revision "
    "JOIN platform_groups g ON g.id = i.group_id "
    "WHERE g.visibility IN ('private', 'secret') AND r.received_at >= ?1 AND r.received_at < ?2";
constexpr std::string_view kPrivateGroupCases =
    "SELECT c.queue, c.created_at, COALESCE(c.first_claimed_at, 0) FROM review_cases c "
    "JOIN items i ON i.id = c.item_id AND c.target_kind = 'item' "
    "JOIN platform_groups g ON g.id = i.group_id "
    "WHERE g.visibility IN ('private', 'secret') AND c.review_round = 1 AND "
    "COALESCE(c.appeal_of_seq, 0) = 0 "
    "AND c.created_at >= ?1 AND c.created_at < ?2 ORDER BY c.created_at";
// The partial index items_pending covers exactly this condition.
constexpr std::string_view kPendingCondition =
    "(i.enforced_revision < i.revision OR i.enforced_signal < i.signal_seq)";
constexpr std::string_view kSelectHead =
    "SELECT seq, hash FROM decisions ORDER BY seq DESC LIMIT 1";

std::string Indexed(size_t i, std::string_view field) {
  return "[" + std::to_string(i) + "]." + std::string(field);
}

// Runs `body` inside one IMMEDIATE transaction on `conn`; commits on OK, rolls back otherwise.
template <typename Fn>
Status InTransaction(Connection& conn, Fn&& body) {
  BULWARK_RETURN_IF_ERROR(conn.Begin());
  Status s = body();
  if (!s.ok()) {
    conn.Rollback();
    return s;
  }
  s = conn.Commit();
  if (!s.ok()) conn.Rollback();
  return s;
}

class SqliteDatabase final : public Database,
                             ItemStore,
                             EventStore,
                             KeyStore,
                             DecisionStore,
                             EnforcementStore,
                             sqlite::ConnectionPool,
                             sqlite::PolicyStoreHost {
 public:
  SqliteDatabase(std::string path, const OpenOptions& options)
      : path_(std::move(path)),
        options_(options),
        policies_(sqlite::MakeSqlitePolicyStore(*this)) {}

  Status Init() {
    BULWARK_ASSIGN_OR_RETURN(writer_, Connection::Open(path_, options_.create_if_missing,
                                                       options_.synchronous_full, false));
    BULWARK_RETURN_IF_ERROR(
        writer_->Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                      "name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
    BULWARK_RETURN_IF_ERROR(ReadSchemaVersion());
    if (options_.migrate) {
      BULWARK_ASSIGN_OR_RETURN(int applied, Migrate());
      (void)applied;
    }
    for (int i = 0; i < std::max(1, options_.read_connections); ++i) {
      BULWARK_ASSIGN_OR_RETURN(auto conn,
                               Connection::Open(path_, false, options_.synchronous_full, false));
      readers_.push_back(std::move(conn));
    }
    users_ = sqlite::NewSqliteUserStore(*this);
    groups_ = sqlite::NewSqliteGroupStore(*this);
    accounts_ = sqlite::NewSqliteAccountStore(*this);
    shadow_ = sqlite::NewSqliteShadowStore(*this);
    ads_ = sqlite::NewSqliteAdStore(*this);
    review_ = sqlite::NewSqliteReviewStore(
        {[this](const std::function<Status(Connection&)>& body) {
           std::lock_guard lock(write_mu_);
           return InTransaction(*writer_, [&] { return body(*writer_); });
         },
         [this](const std::function<Status(Connection&)>& body) {
           auto lease = AcquireReader();
           return body(*lease.conn);
         },
         [this](std::vector<Decision>& d) { return AppendInTransaction(d); }});
    if (options_.metrics) {
      for (const char* op :
           {"upsert_items", "append_views", "append_reports", "append_ad_impressions", "get_item",
            "keys", "append_decisions", "read_decisions"}) {
        timers_.emplace_back(op, &options_.metrics->GetHistogram(
                                     "bulwark_db_transaction_seconds",
                                     "Time spent in one database transaction, by operation.",
                                     {{"backend", "sqlite"}, {"op", op}}));
      }
    }
    return Status::Ok();
  }

  // Database
  ItemStore& items() override { return *this; }
  EventStore& events() override { return *this; }
  KeyStore& keys() override { return *this; }
  DecisionStore& decisions() override { return *this; }
  EnforcementStore& enforcement() override { return *this; }
  ReviewStore& review() override { return *review_; }
  GroupStore& groups() override { return *groups_; }
  AccountStore& accounts() override { return *accounts_; }
  ShadowStore& shadow() override { return *shadow_; }
  AdStore& ads() override { return *ads_; }
  UserStore& users() override { return *users_; }
  PolicyStore& policies() override { return *policies_; }

  // sqlite::ConnectionPool and sqlite::PolicyStoreHost, for the stores implemented in their own
  // files (sqlite_users.cc, sqlite_policies.cc).
  Status WriteTransaction(const std::function<Status(Connection&)>& body) override {
    return Write(body);
  }
  Status Write(const std::function<Status(Connection&)>& body) override {
    std::lock_guard lock(write_mu_);
    return InTransaction(*writer_, [&] { return body(*writer_); });
  }
  Status Read(const std::function<Status(Connection&)>& body) override {
    auto lease = AcquireReader();
    return body(*lease.conn);
  }
  Status AppendDecisionsInTransaction(std::vector<Decision>& decisions) override {
    return AppendInTransaction(decisions);
  }
  Result<UpsertSummary> UpsertItemsInTransaction(std::span<const Item> items,
                                                 UnixMillis now) override {
    UpsertSummary summary;
    Touched touched;
    BULWARK_RETURN_IF_ERROR(UpsertItemsLocked(items, now, &summary, &touched));
    // The caller's transaction may still roll back: forget rather than remember.
    for (const Item& item : items) recent_groups_.Forget(item.group_id);
    for (const Item& item : items) recent_accounts_.Forget(item.author_id);
    return summary;
  }
  int schema_version() const override {
    std::lock_guard lock(write_mu_);
    return schema_version_;
  }
  int latest_schema_version() const override { return LatestSchemaVersion(); }

  Result<int> Migrate() override {
    std::lock_guard lock(write_mu_);
    int applied = 0;
    for (const Migration& m : AllMigrations()) {
      if (m.version <= schema_version_) continue;
      Status s = InTransaction(*writer_, [&]() -> Status {
        BULWARK_RETURN_IF_ERROR(writer_->Exec(ExpandSql(m.sql, Dialect::kSqlite)));
        if (*m.sqlite_only) BULWARK_RETURN_IF_ERROR(writer_->Exec(m.sqlite_only));
        BULWARK_ASSIGN_OR_RETURN(
            Statement * st,
            writer_->Prepare(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)"));
        st->BindInt(1, m.version);
        st->BindText(2, m.name);
        st->BindInt(3, WallNowMillis());
        return st->Run();
      });
      if (!s.ok()) {
        return Status(s.code(), "migration " + std::to_string(m.version) + ": " + s.message());
      }
      schema_version_ = m.version;
      ++applied;
    }
    return applied;
  }

  Result<DatabaseStats> Stats() override {
    auto lease = AcquireReader();
    Connection& c = *lease.conn;
    DatabaseStats stats;
    stats.backend = "sqlite";
    stats.location = path_;
    stats.schema_version = schema_version();
    std::error_code ec;
    for (const char* suffix : {"", "-wal"}) {
      auto size = std::filesystem::file_size(path_ + suffix, ec);
      if (!ec) stats.size_bytes += static_cast<std::int64_t>(size);
    }
    if (stats.schema_version == 0) return stats;
    for (const char* table : kStatTables) {
      BULWARK_ASSIGN_OR_RETURN(Statement * st,
                               c.Prepare(std::string("SELECT COUNT(*) FROM ") + table));
      BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
      stats.tables.push_back({table, row ? st->ColumnInt(0) : 0});
    }
    return stats;
  }

  Status Ping() override {
    auto lease = AcquireReader();
    BULWARK_ASSIGN_OR_RETURN(Statement * st, lease.conn->Prepare("SELECT 1"));
    return st->Step().status();
  }

  // ItemStore
  Result<UpsertSummary> UpsertItems(std::span<const Item> items, UnixMillis now) override {
    std::lock_guard lock(write_mu_);
    ScopedTimer timer(Timer("upsert_items"));
    UpsertSummary summary;
    // Accounts and groups this batch wrote; remembered only once the batch has committed.
    Touched touched;
    Status s = InTransaction(
        *writer_, [&]() -> Status { return UpsertItemsLocked(items, now, &summary, &touched); });
    if (!s.ok()) return s;
    for (auto& [id, flag] : touched.accounts) recent_accounts_.Remember(std::move(id), flag, now);
    for (auto& [id, flag] : touched.groups) recent_groups_.Remember(std::move(id), flag, now);
    return summary;
  }

  struct Touched {
    std::vector<std::pair<std::string, int>> accounts, groups;
  };

  // UpsertItems' work inside the writer's open transaction (write_mu_ held).
  Status UpsertItemsLocked(std::span<const Item> items, UnixMillis now, UpsertSummary* out,
                           Touched* touched) {
    UpsertSummary& summary = *out;
    std::vector<std::pair<std::string, int>>& touched_accounts = touched->accounts;
    std::vector<std::pair<std::string, int>>& touched_groups = touched->groups;
    std::unordered_set<std::string_view> batch_ids;
    std::unordered_set<std::string_view> seen_authors, seen_groups;
    batch_ids.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      const Item& item = items[i];
      if (!batch_ids.insert(item.id).second) {
        return InvalidArgument("duplicate item id '" + item.id + "' in batch", Indexed(i, "id"));
      }
      if (seen_authors.insert(item.author_id).second &&
          !recent_accounts_.Fresh(item.author_id, item.author_is_public_figure, now)) {
        BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(kUpsertAccount));
        st->BindText(1, item.author_id);
        st->BindInt(2, item.author_is_public_figure ? 1 : 0);
        st->BindInt(3, now);
        BULWARK_RETURN_IF_ERROR(st->Run());
        touched_accounts.emplace_back(item.author_id, item.author_is_public_figure);
      }
      const int visibility = static_cast<int>(item.group_visibility);
      if (!item.group_id.empty() && seen_groups.insert(item.group_id).second &&
          !recent_groups_.Fresh(item.group_id, visibility, now)) {
        BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(kUpsertGroup));
        st->BindText(1, item.group_id);
        st->BindText(2, VisibilityName(item.group_visibility));
        st->BindInt(3, now);
        BULWARK_RETURN_IF_ERROR(st->Run());
        touched_groups.emplace_back(item.group_id, visibility);
      }
      if (!item.parent_id.empty() && !batch_ids.contains(item.parent_id)) {
        BULWARK_ASSIGN_OR_RETURN(bool exists, ItemExists(*writer_, item.parent_id));
        if (!exists) {
          return FailedPrecondition("parent item '" + item.parent_id + "' is not known",
                                    Indexed(i, "parent_id"));
        }
      }
      BULWARK_ASSIGN_OR_RETURN(Statement * ins, writer_->Prepare(kInsertItem));
      BindItemColumns(ins, item);
      ins->BindInt(8, now);
      BULWARK_RETURN_IF_ERROR(ins->Run());
      if (writer_->changes() == 1) {
        BULWARK_RETURN_IF_ERROR(InsertRevision(item, 1, now));
        ++summary.created;
        continue;
      }
      BULWARK_ASSIGN_OR_RETURN(Statement * cur, writer_->Prepare(kCurrentRevision));
      cur->BindText(1, item.id);
      BULWARK_ASSIGN_OR_RETURN(bool found, cur->Step());
      if (!found) return Internal("item '" + item.id + "' has no current revision");
      int revision = static_cast<int>(cur->ColumnInt(0));
      bool changed = cur->ColumnText(1) != item.text;
      cur->Reset();
      if (changed) ++revision;
      BULWARK_ASSIGN_OR_RETURN(Statement * upd, writer_->Prepare(kUpdateItem));
      BindItemColumns(upd, item);
      upd->BindInt(8, revision);
      upd->BindInt(9, now);
      BULWARK_RETURN_IF_ERROR(upd->Run());
      if (changed) {
        BULWARK_RETURN_IF_ERROR(InsertRevision(item, revision, now));
        ++summary.revised;
      } else {
        ++summary.unchanged;
      }
    }
    return Status::Ok();
  }

  Result<StoredItem> GetItem(std::string_view id) override {
    ScopedTimer timer(Timer("get_item"));
    auto lease = AcquireReader();
    Connection& c = *lease.conn;
    // Both reads in one read transaction so metadata and revisions are a consistent snapshot.
    BULWARK_RETURN_IF_ERROR(c.Exec("BEGIN"));
    Result<StoredItem> r = ReadItem(c, id);
    c.Rollback();
    return r;
  }

  Result<AuthorHistory> GetAuthorHistory(std::string_view author_id,
                                         std::string_view blind_item_id) override {
    auto lease = AcquireReader();
    Connection& c = *lease.conn;
    AuthorHistory h;
    h.author_id = std::string(author_id);
    BULWARK_RETURN_IF_ERROR(c.Exec("BEGIN"));
    Status s = [&]() -> Status {
      BULWARK_ASSIGN_OR_RETURN(
          Statement * st, c.Prepare("SELECT COUNT(*), COALESCE(MIN(first_seen_at), 0) FROM items "
                                    "WHERE author_id = ?1"));
      st->BindText(1, author_id);
      BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
      if (row) {
        h.items = st->ColumnInt(0);
        h.first_seen_at = st->ColumnInt(1);
      }
      st->Reset();
      BULWARK_ASSIGN_OR_RETURN(st,
                               c.Prepare("SELECT COUNT(*), COALESCE(SUM(d.action = 'remove'), 0) "
                                         "FROM decisions d JOIN items i ON i.id = d.item_id "
                                         "WHERE i.author_id = ?1 AND d.target_kind = 'item' "
                                         "AND d.action IN ('remove', 'reduce', 'label') "
                                         "AND NOT (d.item_id = ?2 AND d.actor <> 'system')"));
      st->BindText(1, author_id);
      st->BindText(2, blind_item_id);
      BULWARK_ASSIGN_OR_RETURN(row, st->Step());
      if (row) {
        h.enforced = st->ColumnInt(0);
        h.removed = st->ColumnInt(1);
      }
      st->Reset();
      return Status::Ok();
    }();
    c.Rollback();
    if (!s.ok()) return s;
    return h;
  }

  // EventStore
  Result<AppendSummary> AppendViews(std::span<const ViewEvent> views,
                                    std::span<const ViewSample> samples, UnixMillis now) override {
    std::lock_guard lock(write_mu_);
    ScopedTimer timer(Timer("append_views"));
    AppendSummary summary;
    std::unordered_set<std::string_view> requeued;
    Status s = InTransaction(*writer_, [&]() -> Status {
      std::unordered_set<std::string_view> known;
      for (size_t i = 0; i < views.size(); ++i) {
        const ViewEvent& v = views[i];
        BULWARK_RETURN_IF_ERROR(CheckItem(known, v.item_id, Indexed(i, "item_id")));
        BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(kUpsertViewCount));
        st->BindText(1, v.item_id);
        st->BindInt(2, v.count);
        st->BindInt(3, v.viewed_at);
        BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
        const std::int64_t total = row ? st->ColumnInt(0) : 0;
        st->Reset();
        if (ReachStep(total) != ReachStep(total - v.count) && requeued.insert(v.item_id).second) {
          BULWARK_RETURN_IF_ERROR(BumpSignal(v.item_id));
        }
        ++summary.accepted;
      }
      for (size_t i = 0; i < samples.size(); ++i) {
        const ViewSample& v = samples[i];
        BULWARK_RETURN_IF_ERROR(CheckItem(known, v.item_id, "samples" + Indexed(i, "item_id")));
        BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(kInsertViewSample));
        st->BindText(1, v.item_id);
        st->BindInt(2, v.viewed_at);
        st->BindText(3, v.surface);
        st->BindDouble(4, v.sample_rate);
        st->BindInt(5, now);
        BULWARK_RETURN_IF_ERROR(st->Run());
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    summary.requeued = static_cast<int>(requeued.size());
    return summary;
  }

  Result<AppendSummary> AppendReports(std::span<const Report> reports, UnixMillis now) override {
    std::lock_guard lock(write_mu_);
    ScopedTimer timer(Timer("append_reports"));
    AppendSummary summary;
    std::unordered_set<std::string_view> requeued;
    Status s = InTransaction(*writer_, [&]() -> Status {
      std::unordered_set<std::string_view> known;
      for (size_t i = 0; i < reports.size(); ++i) {
        const Report& r = reports[i];
        BULWARK_RETURN_IF_ERROR(CheckItem(known, r.item_id, Indexed(i, "item_id")));
        BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(kInsertReport));
        st->BindText(1, r.id);
        st->BindText(2, r.item_id);
        st->BindText(3, r.reporter_id);
        st->BindText(4, ReportReasonName(r.reason));
        st->BindText(5, r.comment);
        st->BindInt(6, r.created_at);
        st->BindInt(7, now);
        st->BindInt(8, r.reporter_created_at);
        BULWARK_RETURN_IF_ERROR(st->Run());
        if (writer_->changes() == 0) {
          ++summary.duplicates;
          continue;
        }
        ++summary.accepted;
        if (requeued.insert(r.item_id).second) BULWARK_RETURN_IF_ERROR(BumpSignal(r.item_id));
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    summary.requeued = static_cast<int>(requeued.size());
    return summary;
  }

  Result<StoredReport> GetReport(std::string_view id) override {
    auto lease = AcquireReader();
    BULWARK_ASSIGN_OR_RETURN(Statement * st, lease.conn->Prepare(kSelectReport));
    st->BindText(1, id);
    BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) {
      st->Reset();
      return NotFound("report '" + std::string(id) + "' not found");
    }
    StoredReport out;
    out.report.id = st->ColumnText(0);
    out.report.item_id = st->ColumnText(1);
    out.report.reporter_id = st->ColumnText(2);
    out.report.reason = ParseReportReason(st->ColumnText(3)).value_or(ReportReason::kOther);
    out.report.comment = st->ColumnText(4);
    out.report.created_at = st->ColumnInt(5);
    out.received_at = st->ColumnInt(6);
    out.report.reporter_created_at = st->ColumnInt(7);
    out.outcome = st->ColumnText(8);
    st->Reset();
    return out;
  }

  Result<AppendSummary> AppendAdImpressions(std::span<const AdImpression> impressions,
                                            UnixMillis now) override {
    std::lock_guard lock(write_mu_);
    ScopedTimer timer(Timer("append_ad_impressions"));
    AppendSummary summary;
    Status s = InTransaction(*writer_, [&]() -> Status {
      std::unordered_set<std::string_view> known;
      for (size_t i = 0; i < impressions.size(); ++i) {
        const AdImpression& imp = impressions[i];
        for (size_t j = 0; j < imp.adjacent.size(); ++j) {
          BULWARK_RETURN_IF_ERROR(CheckItem(known, imp.adjacent[j].item_id,
                                            Indexed(i, "adjacent") + Indexed(j, "item_id")));
        }
        BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(kInsertImpression));
        st->BindText(1, imp.id);
        st->BindText(2, imp.ad_id);
        st->BindText(3, imp.advertiser_id);
        st->BindInt(4, imp.price_micros);
        st->BindText(5, imp.currency);
        st->BindInt(6, imp.shown_at);
        st->BindInt(7, now);
        BULWARK_RETURN_IF_ERROR(st->Run());
        if (writer_->changes() == 0) {
          ++summary.duplicates;
          continue;
        }
        for (const AdjacentItem& adj : imp.adjacent) {
          BULWARK_ASSIGN_OR_RETURN(Statement * a, writer_->Prepare(kInsertAdjacency));
          a->BindText(1, imp.id);
          a->BindText(2, adj.item_id);
          a->BindInt(3, adj.position);
          BULWARK_RETURN_IF_ERROR(a->Run());
        }
        ++summary.accepted;
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return summary;
  }

  // KeyStore
  Status CreateKey(const ApiKeyRecord& key) override {
    std::lock_guard lock(write_mu_);
    ScopedTimer timer(Timer("keys"));
    return InTransaction(*writer_, [&]() -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * probe, writer_->Prepare(kSelectKey));
      probe->BindText(1, key.id);
      BULWARK_ASSIGN_OR_RETURN(bool exists, probe->Step());
      probe->Reset();
      if (exists) return AlreadyExists("api key id '" + key.id + "' already exists");
      BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(kInsertKey));
      st->BindText(1, key.id);
      st->BindText(2, key.name);
      st->BindText(3, RoleName(key.role));
      st->BindText(4, key.secret_hash);
      st->BindInt(5, key.created_at);
      return st->Run();
    });
  }

  Result<ApiKeyRecord> FindKey(std::string_view id) override {
    ScopedTimer timer(Timer("keys"));
    auto lease = AcquireReader();
    BULWARK_ASSIGN_OR_RETURN(Statement * st, lease.conn->Prepare(kSelectKey));
    st->BindText(1, id);
    BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return NotFound("api key '" + std::string(id) + "' not found");
    ApiKeyRecord k = ReadKey(*st);
    st->Reset();
    return k;
  }

  Result<std::vector<ApiKeyRecord>> ListKeys() override {
    auto lease = AcquireReader();
    BULWARK_ASSIGN_OR_RETURN(Statement * st, lease.conn->Prepare(kSelectKeys));
    std::vector<ApiKeyRecord> out;
    for (;;) {
      BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      out.push_back(ReadKey(*st));
    }
    st->Reset();
    return out;
  }

  Status RevokeKey(std::string_view id, UnixMillis now) override {
    std::lock_guard lock(write_mu_);
    ScopedTimer timer(Timer("keys"));
    return InTransaction(*writer_, [&]() -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * probe, writer_->Prepare(kSelectKey));
      probe->BindText(1, id);
      BULWARK_ASSIGN_OR_RETURN(bool exists, probe->Step());
      probe->Reset();
      if (!exists) return NotFound("api key '" + std::string(id) + "' not found");
      BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(kRevokeKey));
      st->BindText(1, id);
      st->BindInt(2, now);
      return st->Run();
    });
  }

  // DecisionStore
  Result<std::vector<Decision>> AppendDecisions(std::vector<Decision> decisions) override {
    std::lock_guard lock(write_mu_);
    ScopedTimer timer(Timer("append_decisions"));
    Status s = InTransaction(*writer_, [&]() { return AppendInTransaction(decisions); });
    if (!s.ok()) return s;
    return decisions;
  }

  // EnforcementStore
  Result<std::vector<EnforcementItem>> PendingEnforcement(int limit) override {
    auto lease = AcquireReader();
    BULWARK_ASSIGN_OR_RETURN(
        Statement * st,
        lease.conn->Prepare(std::string(kEnforcementItemColumns) + "WHERE " +
                            std::string(kPendingCondition) + " ORDER BY i.first_seen_at LIMIT ?1"));
    st->BindInt(1, limit);
    return ReadEnforcementItems(*lease.conn, st);
  }

  Result<std::vector<EnforcementItem>> ItemsAfter(std::string_view after_id, int limit) override {
    auto lease = AcquireReader();
    BULWARK_ASSIGN_OR_RETURN(Statement * st,
                             lease.conn->Prepare(std::string(kEnforcementItemColumns) +
                                                 "WHERE i.id > ?1 ORDER BY i.id LIMIT ?2"));
    st->BindText(1, after_id);
    st->BindInt(2, limit);
    return ReadEnforcementItems(*lease.conn, st);
  }

  using EnforcementStore::RecordEnforcement;
  Result<std::vector<Decision>> RecordEnforcement(std::vector<Decision> decisions,
                                                  std::span<const ReviewRequest> reviews,
                                                  std::span<const EnforcedMark> enforced,
                                                  std::span<const ShadowOutcome> shadow) override {
    std::lock_guard lock(write_mu_);
    ScopedTimer timer(Timer("append_decisions"));
    std::vector<Decision> logged;
    Status s = InTransaction(*writer_, [&]() -> Status {
      logged.clear();
      // Which decisions are new outcomes; where each one lands in `logged`.
      std::vector<std::ptrdiff_t> slot(decisions.size(), -1);
      for (size_t i = 0; i < decisions.size(); ++i) {
        const Decision& d = decisions[i];
        if (IsItemlessAction(d.action) || d.target_kind != TargetKind::kItem) {
          return InvalidArgument("an enforcement decision names its item", Indexed(i, "item_id"));
        }
        if (d.rule_id.empty()) {  // no rule to be idempotent by (the enforcer always names one)
          slot[i] = static_cast<std::ptrdiff_t>(logged.size());
          logged.push_back(decisions[i]);
          continue;
        }
        BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(kClaimOutcome));
        st->BindText(1, d.item_id);
        st->BindInt(2, d.item_revision);
        st->BindText(3, d.rule_id);
        st->BindText(4, d.category);
        st->BindText(5, ActionName(d.action));
        BULWARK_RETURN_IF_ERROR(st->Run());
        if (writer_->changes() == 0) continue;  // logged before: a repeat
        slot[i] = static_cast<std::ptrdiff_t>(logged.size());
        logged.push_back(decisions[i]);
      }
      BULWARK_RETURN_IF_ERROR(AppendInTransaction(logged));
      std::vector<ReviewRequest> open;
      for (const ReviewRequest& r : reviews) {
        if (r.index >= decisions.size()) return InvalidArgument("review request out of range");
        if (slot[r.index] >= 0) {
          open.push_back(r);
          open.back().index = static_cast<size_t>(slot[r.index]);
          continue;
        }
        BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(kRaiseWaitingCase));
        st->BindText(1, decisions[r.index].item_id);
        st->BindText(2, r.queue);
        st->BindInt(3, r.priority);
        BULWARK_RETURN_IF_ERROR(st->Run());
      }
      BULWARK_RETURN_IF_ERROR(sqlite::OpenReviewCases(*writer_, logged, open));
      for (const EnforcedMark& m : enforced) {
        BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(kMarkEnforced));
        st->BindText(1, m.item_id);
        st->BindInt(2, m.revision);
        st->BindInt(3, m.signal);
        st->BindInt(4, m.at);
        BULWARK_RETURN_IF_ERROR(st->Run());
      }
      for (const ShadowOutcome& o : shadow) {
        BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(kUpsertShadowOutcome));
        st->BindInt(1, o.run_id);
        st->BindText(2, o.item_id);
        st->BindInt(3, o.revision);
        st->BindText(4, o.category);
        st->BindText(5, o.targets);
        st->BindText(6, o.visibility);
        st->BindText(7, o.active_action);
        st->BindText(8, o.active_rule);
        st->BindText(9, o.shadow_action);
        st->BindText(10, o.shadow_rule);
        st->BindInt(11, o.at);
        BULWARK_RETURN_IF_ERROR(st->Run());
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return logged;
  }

  Result<ScanCoverage> PrivateGroupScanCoverage(UnixMillis since, UnixMillis until,
                                                std::int64_t within_ms) override {
    auto lease = AcquireReader();
    BULWARK_ASSIGN_OR_RETURN(Statement * st, lease.conn->Prepare(kPrivateScanCoverage));
    st->BindInt(1, since);
    st->BindInt(2, until);
    st->BindInt(3, within_ms);
    BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
    ScanCoverage out;
    if (row) {
      out.items = st->ColumnInt(0);
      out.within = st->ColumnInt(1);
      out.later = st->ColumnInt(2);
      out.pending = st->ColumnInt(3);
      out.unknown = st->ColumnInt(4);
    }
    st->Reset();
    return out;
  }

  Result<std::vector<PrivateGroupCase>> PrivateGroupCases(UnixMillis since,
                                                          UnixMillis until) override {
    auto lease = AcquireReader();
    BULWARK_ASSIGN_OR_RETURN(Statement * st, lease.conn->Prepare(kPrivateGroupCases));
    st->BindInt(1, since);
    st->BindInt(2, until);
    std::vector<PrivateGroupCase> out;
    for (;;) {
      BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      out.push_back({st->ColumnText(0), st->ColumnInt(1), st->ColumnInt(2)});
    }
    st->Reset();
    return out;
  }

  Result<std::int64_t> PendingCount() override {
    auto lease = AcquireReader();
    BULWARK_ASSIGN_OR_RETURN(Statement * st,
                             lease.conn->Prepare("SELECT COUNT(*) FROM items i WHERE " +
                                                 std::string(kPendingCondition)));
    BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
    std::int64_t n = row ? st->ColumnInt(0) : 0;
    st->Reset();
    return n;
  }

 private:
  // Reads the items `st` selects (kEnforcementItemColumns), then the reports of those reported.
  static Result<std::vector<EnforcementItem>> ReadEnforcementItems(Connection& conn,
                                                                   Statement* st) {
    std::vector<EnforcementItem> out;
    for (;;) {
      BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      EnforcementItem e;
      e.item.id = st->ColumnText(0);
      e.item.kind = ParseItemKind(st->ColumnText(1)).value_or(ItemKind::kPost);
      e.item.author_id = st->ColumnText(2);
      e.item.author_is_public_figure = st->ColumnInt(3) != 0;
      e.item.group_id = st->ColumnText(4);
      e.item.group_visibility = ParseVisibility(st->ColumnText(5)).value_or(Visibility::kPublic);
      e.item.parent_id = st->ColumnText(6);
      e.item.lang = st->ColumnText(7);
      e.item.created_at = st->ColumnInt(8);
      e.revision = static_cast<int>(st->ColumnInt(9));
      e.item.text = st->ColumnText(10);
      e.views = st->ColumnInt(11);
      e.reports = st->ColumnInt(12);
      e.signal = st->ColumnInt(13);
      e.received_at = st->ColumnInt(14);
      e.enforced_revision = static_cast<int>(st->ColumnInt(15));
      out.push_back(std::move(e));
    }
    st->Reset();
    for (EnforcementItem& e : out) {
      if (e.reports == 0) continue;
      BULWARK_ASSIGN_OR_RETURN(Statement * rs, conn.Prepare(kSelectReportSignals));
      rs->BindText(1, e.item.id);
      for (;;) {
        BULWARK_ASSIGN_OR_RETURN(bool row, rs->Step());
        if (!row) break;
        ReportSignal r;
        r.reporter_id = rs->ColumnText(0);
        r.reporter_created_at = rs->ColumnInt(1);
        r.reported_at = rs->ColumnInt(2);
        r.upheld = rs->ColumnInt(3);
        r.rejected = rs->ColumnInt(4);
        e.report_signals.push_back(std::move(r));
      }
      rs->Reset();
    }
    return out;
  }

  Status BumpSignal(std::string_view item_id) {
    BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(kBumpSignal));
    st->BindText(1, item_id);
    return st->Run();
  }

  // A person's decision about an item resolves the reports on it received until then.
  Status ResolveReports(const Decision& d) {
    const char* outcome = nullptr;
    switch (d.action) {
      case ActionType::kRemove:
      case ActionType::kReduce:
      case ActionType::kLabel:
        outcome = "upheld";
        break;
      case ActionType::kNone:
      case ActionType::kRestore:
        outcome = "rejected";
        break;
      default:
        return Status::Ok();  // review, escalate: not an outcome yet
    }
    BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(kResolveReports));
    st->BindText(1, d.item_id);
    st->BindText(2, outcome);
    st->BindInt(3, d.seq);
    st->BindInt(4, d.created_at);
    BULWARK_RETURN_IF_ERROR(st->Run());
    if (writer_->changes() == 0) return Status::Ok();
    BULWARK_ASSIGN_OR_RETURN(Statement * count, writer_->Prepare(kCountResolved));
    count->BindInt(1, d.seq);
    return count->Run();
  }

  // Appends `decisions` inside the writer's open transaction, filling seq and hashes.
  Status AppendInTransaction(std::vector<Decision>& decisions) {
    {
      BULWARK_ASSIGN_OR_RETURN(LogHead head, ReadHead(*writer_));
      std::unordered_set<std::string_view> known;
      for (size_t i = 0; i < decisions.size(); ++i) {
        Decision& d = decisions[i];
        if (IsItemlessAction(d.action)) {
          // A policy activation or an account change is about no item (docs/decision-log.md).
          if (!d.item_id.empty() || d.target_kind != TargetKind::kItem) {
            return InvalidArgument(std::string(ActionName(d.action)) + " names no item",
                                   Indexed(i, "item_id"));
          }
        } else if (d.target_kind == TargetKind::kGroup) {
          BULWARK_RETURN_IF_ERROR(
              CheckTarget(kGroupExists, "group", d.item_id, Indexed(i, "item_id")));
        } else if (d.target_kind == TargetKind::kAccount) {
          BULWARK_RETURN_IF_ERROR(
              CheckTarget(kAccountExists, "account", d.item_id, Indexed(i, "item_id")));
        } else {
          BULWARK_RETURN_IF_ERROR(CheckItem(known, d.item_id, Indexed(i, "item_id")));
        }
        d.seq = head.seq + 1;
        d.prev_hash = head.hash;
        d.hash = ChainHash(d.prev_hash, d);
        BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(kInsertDecision));
        st->BindInt(1, d.seq);
        st->BindText(2, d.item_id);
        st->BindInt(3, d.item_revision);
        st->BindText(4, ActionName(d.action));
        st->BindText(5, d.category);
        st->BindText(6, d.rule_id);
        st->BindText(7, d.policy_version);
        st->BindText(8, d.model_version);
        st->BindText(9, d.actor);
        st->BindText(10, d.reason);
        st->BindText(11, d.evidence);
        st->BindInt(12, d.created_at);
        st->BindText(13, d.prev_hash);
        st->BindText(14, d.hash);
        st->BindText(15, TargetKindName(d.target_kind));
        BULWARK_RETURN_IF_ERROR(st->Run());
        head = {d.seq, d.hash};
        if (d.target_kind == TargetKind::kGroup && d.actor != kSystemActor) {
          BULWARK_RETURN_IF_ERROR(ApplyGroupDecision(d));
        }
        if (d.target_kind == TargetKind::kAccount) {
          BULWARK_RETURN_IF_ERROR(ApplyAccountDecision(d));
        }
        if (d.target_kind == TargetKind::kItem && d.actor != kSystemActor && !d.item_id.empty()) {
          BULWARK_RETURN_IF_ERROR(ResolveReports(d));
        }
      }
      return Status::Ok();
    }
  }

 public:
  Result<LogHead> Head() override {
    auto lease = AcquireReader();
    return ReadHead(*lease.conn);
  }

  Result<std::vector<Decision>> ListDecisions(std::int64_t after_seq, int limit) override {
    ScopedTimer timer(Timer("read_decisions"));
    auto lease = AcquireReader();
    BULWARK_ASSIGN_OR_RETURN(
        Statement * st,
        lease.conn->Prepare("SELECT " + std::string(kDecisionColumns) +
                            " FROM decisions WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
    st->BindInt(1, after_seq);
    st->BindInt(2, limit);
    return ReadDecisions(st);
  }

  Result<std::vector<Decision>> DecisionsForItem(std::string_view item_id) override {
    ScopedTimer timer(Timer("read_decisions"));
    auto lease = AcquireReader();
    BULWARK_ASSIGN_OR_RETURN(Statement * st,
                             lease.conn->Prepare("SELECT " + std::string(kDecisionColumns) +
                                                 " FROM decisions WHERE item_id = ?1 "
                                                 "AND target_kind = 'item' ORDER BY seq"));
    st->BindText(1, item_id);
    return ReadDecisions(st);
  }

  Result<LogVerification> VerifyLog() override {
    auto lease = AcquireReader();
    Connection& c = *lease.conn;
    // One read transaction: a consistent snapshot even while decisions are being appended.
    BULWARK_RETURN_IF_ERROR(c.Exec("BEGIN"));
    Result<LogVerification> r = VerifyWith(c);
    c.Rollback();
    return r;
  }

 private:
  static Result<LogHead> ReadHead(Connection& c) {
    BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kSelectHead));
    BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
    LogHead head{0, GenesisHash()};
    if (row) head = {st->ColumnInt(0), st->ColumnText(1)};
    st->Reset();
    return head;
  }

  static Result<LogVerification> VerifyWith(Connection& c) {
    BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare("SELECT " + std::string(kDecisionColumns) +
                                                       ", action FROM decisions ORDER BY seq"));
    LogVerification v;
    v.head = {0, GenesisHash()};
    auto fail = [&](std::int64_t seq, std::string problem) {
      v.ok = false;
      v.first_broken_seq = seq;
      v.problem = std::move(problem);
    };
    for (;;) {
      BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
      if (!row) break;
      Decision d = ReadDecision(*st);
      ++v.entries_checked;
      const std::int64_t expected_seq = v.head.seq + 1;
      if (d.seq != expected_seq) {
        fail(d.seq, "expected entry " + std::to_string(expected_seq) + " here, found " +
                        std::to_string(d.seq) + " (entries deleted or reordered)");
      } else if (!ParseAction(st->ColumnText(15))) {
        fail(d.seq, "unknown action '" + st->ColumnText(15) + "' (entry edited)");
      } else if (!ParseTargetKind(st->ColumnText(14))) {
        fail(d.seq, "unknown target kind '" + st->ColumnText(14) + "' (entry edited)");
      } else if (d.prev_hash != v.head.hash) {
        fail(d.seq, "prev_hash does not match the hash of entry " + std::to_string(v.head.seq) +
                        " (entries deleted, reordered or rewritten)");
      } else if (ChainHash(d.prev_hash, d) != d.hash) {
        fail(d.seq, "hash does not match the entry's contents (entry edited)");
      }
      if (!v.ok) break;
      v.head = {d.seq, d.hash};
    }
    st->Reset();
    return v;
  }

  struct ReaderLease {
    SqliteDatabase* db;
    std::unique_ptr<Connection> conn;
    ReaderLease(SqliteDatabase* d, std::unique_ptr<Connection> c) : db(d), conn(std::move(c)) {}
    ReaderLease(ReaderLease&&) = default;
    ~ReaderLease() {
      if (conn) db->ReleaseReader(std::move(conn));
    }
  };

  ReaderLease AcquireReader() {
    std::unique_lock lock(read_mu_);
    read_cv_.wait(lock, [&] { return !readers_.empty(); });
    auto conn = std::move(readers_.back());
    readers_.pop_back();
    return ReaderLease(this, std::move(conn));
  }

  void ReleaseReader(std::unique_ptr<Connection> conn) {
    // A statement left mid-result (a single-row read such as Stats' counts) would keep its read
    // transaction open, pinning the connection to an old snapshot: the next user would not see
    // later commits. Reset them all before the connection goes back to the pool.
    for (sqlite3_stmt* st = sqlite3_next_stmt(conn->raw(), nullptr); st != nullptr;
         st = sqlite3_next_stmt(conn->raw(), st)) {
      sqlite3_reset(st);
    }
    {
      std::lock_guard lock(read_mu_);
      readers_.push_back(std::move(conn));
    }
    read_cv_.notify_one();
  }

  Histogram* Timer(std::string_view op) {
    for (auto& [name, h] : timers_) {
      if (name == op) return h;
    }
    return nullptr;
  }

  Status ReadSchemaVersion() {
    BULWARK_ASSIGN_OR_RETURN(
        Statement * st,
        writer_->Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
    schema_version_ = row ? static_cast<int>(st->ColumnInt(0)) : 0;
    st->Reset();
    if (schema_version_ > LatestSchemaVersion()) {
      return FailedPrecondition("database schema version " + std::to_string(schema_version_) +
                                " is newer than this binary supports (" +
                                std::to_string(LatestSchemaVersion()) + ")");
    }
    return Status::Ok();
  }

  static Result<bool> ItemExists(Connection& c, std::string_view id) {
    BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kItemExists));
    st->BindText(1, id);
    BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
    st->Reset();
    return row;
  }

  // FailedPrecondition unless `exists_sql` finds `id`.
  Status CheckTarget(std::string_view exists_sql, std::string_view what, std::string_view id,
                     std::string field) {
    BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(exists_sql));
    st->BindText(1, id);
    BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
    st->Reset();
    if (!row) {
      return FailedPrecondition(std::string(what) + " '" + std::string(id) + "' is not known",
                                std::move(field));
    }
    return Status::Ok();
  }

  // A person's decision about a group sets its state: remove -> removed, restrict ->
  // restricted, none or restore -> active (and no label), label -> the label (state kept). The
  // change and the decision that made it go to the group's history.
  Status ApplyGroupDecision(const Decision& d) {
    BULWARK_ASSIGN_OR_RETURN(Statement * cur, writer_->Prepare(kCurrentGroupState));
    cur->BindText(1, d.item_id);
    BULWARK_ASSIGN_OR_RETURN(bool row, cur->Step());
    if (!row) return FailedPrecondition("group '" + d.item_id + "' is not known", "item_id");
    std::string state = cur->ColumnText(0);
    std::string label = cur->ColumnText(1);
    cur->Reset();
    switch (d.action) {
      case ActionType::kRemove:
        state = "removed";
        break;
      case ActionType::kRestrict:
        state = "restricted";
        break;
      case ActionType::kLabel:
        label = d.reason.substr(0, 200);
        break;
      case ActionType::kNone:
      case ActionType::kRestore:
        state = "active";
        label.clear();
        break;
      default:
        return Status::Ok();  // review, escalate: no change of state
    }
    BULWARK_ASSIGN_OR_RETURN(Statement * set, writer_->Prepare(kSetGroupState));
    set->BindText(1, d.item_id);
    set->BindText(2, state);
    set->BindText(3, label);
    set->BindInt(4, d.seq);
    set->BindInt(5, d.created_at);
    BULWARK_RETURN_IF_ERROR(set->Run());
    BULWARK_ASSIGN_OR_RETURN(Statement * hist, writer_->Prepare(kInsertGroupState));
    hist->BindText(1, d.item_id);
    hist->BindInt(2, d.seq);
    hist->BindText(3, d.actor);
    hist->BindInt(4, d.created_at);
    return hist->Run();
  }

  Status ApplyAccountDecision(const Decision& d) {
    const AccountTerm term = AccountDecisionTerm(d);
    if (!term.sets_state) return Status::Ok();
    std::string_view state = AccountStateName(AccountState::kActive);
    if (d.action == ActionType::kRestrict) state = AccountStateName(AccountState::kRestricted);
    if (d.action == ActionType::kSuspend) state = AccountStateName(AccountState::kSuspended);
    BULWARK_ASSIGN_OR_RETURN(Statement * set, writer_->Prepare(kSetAccountState));
    set->BindText(1, d.item_id);
    set->BindText(2, state);
    if (term.until) {
      set->BindInt(3, *term.until);
    } else {
      set->BindNull(3);
    }
    set->BindInt(4, d.seq);
    set->BindInt(5, d.created_at);
    return set->Run();
  }

  Status CheckItem(std::unordered_set<std::string_view>& known, std::string_view item_id,
                   std::string field) {
    if (known.contains(item_id)) return Status::Ok();
    BULWARK_ASSIGN_OR_RETURN(bool exists, ItemExists(*writer_, item_id));
    if (!exists) {
      return FailedPrecondition("item '" + std::string(item_id) + "' is not known",
                                std::move(field));
    }
    known.insert(item_id);
    return Status::Ok();
  }

  static void BindItemColumns(Statement* st, const Item& item) {
    st->BindText(1, item.id);
    st->BindText(2, ItemKindName(item.kind));
    st->BindText(3, item.author_id);
    st->BindOptionalText(4, item.group_id);
    st->BindOptionalText(5, item.parent_id);
    st->BindText(6, item.lang);
    st->BindInt(7, item.created_at);
  }

  Status InsertRevision(const Item& item, int revision, UnixMillis now) {
    BULWARK_ASSIGN_OR_RETURN(Statement * st, writer_->Prepare(kInsertRevision));
    st->BindText(1, item.id);
    st->BindInt(2, revision);
    st->BindText(3, item.text);
    st->BindInt(4, now);
    return st->Run();
  }

  static Result<StoredItem> ReadItem(Connection& c, std::string_view id) {
    BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kSelectItem));
    st->BindText(1, id);
    BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) return NotFound("item '" + std::string(id) + "' not found");
    StoredItem out;
    out.item.id = std::string(id);
    out.item.kind = ParseItemKind(st->ColumnText(0)).value_or(ItemKind::kPost);
    out.item.author_id = st->ColumnText(1);
    out.item.author_is_public_figure = st->ColumnInt(2) != 0;
    out.item.group_id = st->ColumnText(3);
    out.item.group_visibility = ParseVisibility(st->ColumnText(4)).value_or(Visibility::kPublic);
    out.item.parent_id = st->ColumnText(5);
    out.item.lang = st->ColumnText(6);
    out.item.created_at = st->ColumnInt(7);
    out.revision = static_cast<int>(st->ColumnInt(8));
    out.first_seen_at = st->ColumnInt(9);
    out.updated_at = st->ColumnInt(10);
    out.views = st->ColumnInt(11);
    out.reports = st->ColumnInt(12);
    st->Reset();
    BULWARK_ASSIGN_OR_RETURN(Statement * rev, c.Prepare(kSelectRevisions));
    rev->BindText(1, id);
    for (;;) {
      BULWARK_ASSIGN_OR_RETURN(bool r, rev->Step());
      if (!r) break;
      out.revisions.push_back(
          {static_cast<int>(rev->ColumnInt(0)), rev->ColumnText(1), rev->ColumnInt(2)});
    }
    rev->Reset();
    if (!out.revisions.empty()) out.item.text = out.revisions.back().text;
    return out;
  }

  static ApiKeyRecord ReadKey(const Statement& st) {
    ApiKeyRecord k;
    k.id = st.ColumnText(0);
    k.name = st.ColumnText(1);
    k.role = ParseRole(st.ColumnText(2)).value_or(Role::kPlatform);
    k.secret_hash = st.ColumnText(3);
    k.created_at = st.ColumnInt(4);
    if (!st.ColumnIsNull(5)) k.revoked_at = st.ColumnInt(5);
    return k;
  }

  // Accounts (flag: public figure) or groups (flag: visibility) the writer has stored recently,
  // so that repeated authors and groups skip their upsert (about 7% less writer CPU time in an
  // A/B of bench/store). Holds only committed state; bounded (cleared when full). Guarded by
  // write_mu_.
  class RecentUpserts {
   public:
    bool Fresh(const std::string& id, int flag, UnixMillis now) const {
      auto it = seen_.find(id);
      return it != seen_.end() && it->second.flag == flag && now - it->second.at < kRefreshMs;
    }
    void Forget(const std::string& id) { seen_.erase(id); }
    void Remember(std::string id, int flag, UnixMillis now) {
      if (seen_.size() >= kMaxEntries) seen_.clear();
      seen_[std::move(id)] = {flag, now};
    }

   private:
    // last_seen_at is kept to the hour (see kUpsertAccount): refresh after an hour.
    static constexpr UnixMillis kRefreshMs = 3600 * 1000;
    static constexpr size_t kMaxEntries = 200000;
    struct Entry {
      int flag;
      UnixMillis at;
    };
    std::unordered_map<std::string, Entry> seen_;
  };

  const std::string path_;
  const OpenOptions options_;
  std::vector<std::pair<std::string_view, Histogram*>> timers_;

  std::unique_ptr<PolicyStore> policies_;

  mutable std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;
  int schema_version_ = 0;
  RecentUpserts recent_accounts_, recent_groups_;

  std::mutex read_mu_;
  std::condition_variable read_cv_;
  std::vector<std::unique_ptr<Connection>> readers_;

  std::unique_ptr<UserStore> users_;
  std::unique_ptr<ReviewStore> review_;
  std::unique_ptr<GroupStore> groups_;      // sqlite_groups.cc
  std::unique_ptr<AccountStore> accounts_;  // sqlite_accounts.cc
  std::unique_ptr<ShadowStore> shadow_;     // sqlite_shadow.cc
  std::unique_ptr<AdStore> ads_;            // sqlite_ads.cc
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqliteDatabase(const std::string& path,
                                                     const OpenOptions& options) {
  auto db = std::make_unique<SqliteDatabase>(path, options);
  BULWARK_RETURN_IF_ERROR(db->Init());
  return std::unique_ptr<Database>(std::move(db));
}

}  // namespace bulwark::store

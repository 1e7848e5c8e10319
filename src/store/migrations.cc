#include "store/migrations.h"

#include <string_view>

namespace bulwark::store {
namespace {

constexpr Migration kMigrations[] = {
    {1, "events: accounts, groups, items, views, reports, ad impressions, api keys", R"sql(
CREATE TABLE accounts (
  id              TEXT PRIMARY KEY,
  is_public_figure INTEGER NOT NULL DEFAULT 0,
  first_seen_at   BIGINT NOT NULL,
  last_seen_at    BIGINT NOT NULL
){{WITHOUT_ROWID}};
CREATE TABLE platform_groups (
  id              TEXT PRIMARY KEY,
  visibility      TEXT NOT NULL CHECK (visibility IN ('public', 'private')),
  first_seen_at   BIGINT NOT NULL,
  last_seen_at    BIGINT NOT NULL
){{WITHOUT_ROWID}};
CREATE TABLE items (
  id              TEXT PRIMARY KEY,
  kind            TEXT NOT NULL,
  author_id       TEXT NOT NULL,
  group_id        TEXT,
  parent_id       TEXT,
  lang            TEXT NOT NULL DEFAULT '',
  created_at      BIGINT NOT NULL,
  revision        INTEGER NOT NULL,
  first_seen_at   BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
){{WITHOUT_ROWID}};
CREATE INDEX items_author ON items (author_id);
CREATE INDEX items_group ON items (group_id) WHERE group_id IS NOT NULL;
CREATE INDEX items_parent ON items (parent_id) WHERE parent_id IS NOT NULL;
CREATE TABLE item_revisions (
  item_id         TEXT NOT NULL,
  revision        INTEGER NOT NULL,
  text            TEXT NOT NULL,
  received_at     BIGINT NOT NULL,
  PRIMARY KEY (item_id, revision)
);
CREATE TABLE view_counts (
  item_id         TEXT PRIMARY KEY,
  views           BIGINT NOT NULL,
  first_view_at   BIGINT NOT NULL,
  last_view_at    BIGINT NOT NULL
){{WITHOUT_ROWID}};
CREATE TABLE view_samples (
  id              {{AUTO_ID}},
  item_id         TEXT NOT NULL,
  viewed_at       BIGINT NOT NULL,
  surface         TEXT NOT NULL,
  sample_rate     {{REAL}} NOT NULL,
  received_at     BIGINT NOT NULL
);
CREATE INDEX view_samples_item ON view_samples (item_id);
CREATE INDEX view_samples_time ON view_samples (viewed_at);
CREATE TABLE reports (
  id              TEXT PRIMARY KEY,
  item_id         TEXT NOT NULL,
  reporter_id     TEXT NOT NULL,
  reason          TEXT NOT NULL,
  comment         TEXT NOT NULL DEFAULT '',
  created_at      BIGINT NOT NULL,
  received_at     BIGINT NOT NULL
);
CREATE INDEX reports_item ON reports (item_id);
CREATE TABLE ad_impressions (
  id              TEXT PRIMARY KEY,
  ad_id           TEXT NOT NULL,
  advertiser_id   TEXT NOT NULL,
  price_micros    BIGINT NOT NULL CHECK (price_micros >= 0),
  currency        TEXT NOT NULL,
  shown_at        BIGINT NOT NULL,
  received_at     BIGINT NOT NULL
);
CREATE INDEX ad_impressions_advertiser ON ad_impressions (advertiser_id, shown_at);
CREATE TABLE ad_adjacency (
  impression_id   TEXT NOT NULL,
  item_id         TEXT NOT NULL,
  position        INTEGER NOT NULL,
  PRIMARY KEY (impression_id, item_id)
){{WITHOUT_ROWID}};
CREATE INDEX ad_adjacency_item ON ad_adjacency (item_id);
CREATE TABLE api_keys (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  role            TEXT NOT NULL,
  secret_hash     TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  revoked_at      BIGINT
)
)sql"},
    {2, "decision log: append-only, hash-chained", R"sql(
CREATE TABLE decisions (
  seq             {{INT64_KEY}},
  item_id         TEXT NOT NULL,
  item_revision   INTEGER NOT NULL,
  action          TEXT NOT NULL,
  category        TEXT NOT NULL,
  rule_id         TEXT NOT NULL,
  policy_version  TEXT NOT NULL,
  model_version   TEXT NOT NULL,
  actor           TEXT NOT NULL,
  reason          TEXT NOT NULL,
  evidence        TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  prev_hash       TEXT NOT NULL,
  hash            TEXT NOT NULL
);
CREATE INDEX decisions_item ON decisions (item_id, seq)
)sql",
     R"sql(
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END
)sql"},
    {3, "enforcement progress: the revision of each item last run through the pipeline", R"sql(
ALTER TABLE items ADD COLUMN enforced_revision INTEGER NOT NULL DEFAULT 0;
CREATE INDEX items_pending ON items (first_seen_at) WHERE enforced_revision < revision
)sql"},
    {4, "review cases: expert queues with leases", R"sql(
CREATE TABLE review_cases (
  id              {{INT64_KEY}},
  item_id         TEXT NOT NULL,
  item_revision   INTEGER NOT NULL,
  queue           TEXT NOT NULL,
  priority        INTEGER NOT NULL,
  category        TEXT NOT NULL,
  opened_by_seq   BIGINT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'decided')),
  claimed_by      TEXT,
  lease_expires_at BIGINT,
  created_at      BIGINT NOT NULL,
  first_claimed_at BIGINT,
  decided_at      BIGINT,
  decided_by      TEXT,
  outcome         TEXT,
  decision_seq    BIGINT
);
CREATE UNIQUE INDEX review_cases_active ON review_cases (item_id, queue) WHERE status <> 'decided';
CREATE INDEX review_cases_queue ON review_cases (queue, status, priority, created_at)
)sql"},
    {5, "appeals: review cases that re-examine a decision, by a different reviewer", R"sql(
ALTER TABLE review_cases ADD COLUMN appeal_of_seq BIGINT;
ALTER TABLE review_cases ADD COLUMN exclude_reviewer TEXT;
ALTER TABLE review_cases ADD COLUMN statement TEXT
)sql"},
    {6, "staff accounts, sessions (keyed by token hash) and failed-login counts", R"sql(
CREATE TABLE staff_users (
  id              TEXT PRIMARY KEY,
  username        TEXT NOT NULL,
  display_name    TEXT NOT NULL,
  role            TEXT NOT NULL,
  expertise       TEXT NOT NULL DEFAULT '',
  password_hash   TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  disabled_at     BIGINT,
  password_changed_at BIGINT NOT NULL
){{WITHOUT_ROWID}};
CREATE UNIQUE INDEX staff_users_username ON staff_users (lower(username));
CREATE TABLE staff_sessions (
  token_hash      TEXT PRIMARY KEY,
  user_id         TEXT NOT NULL,
  csrf_token      TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  expires_at      BIGINT NOT NULL,
  last_seen_at    BIGINT NOT NULL,
  revoked_at      BIGINT
){{WITHOUT_ROWID}};
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);
CREATE INDEX staff_sessions_expiry ON staff_sessions (expires_at);
CREATE TABLE staff_login_failures (
  username_key    TEXT PRIMARY KEY,
  failures        INTEGER NOT NULL,
  first_failure_at BIGINT NOT NULL,
  last_failure_at BIGINT NOT NULL
){{WITHOUT_ROWID}};
CREATE INDEX staff_login_failures_last ON staff_login_failures (last_failure_at)
)sql"},
    {7, "review rounds: second reviews, tie-breaks, reason codes, severity", R"sql(
ALTER TABLE review_cases ADD COLUMN severity INTEGER;
ALTER TABLE review_cases ADD COLUMN review_round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE review_cases ADD COLUMN checks_case BIGINT;
ALTER TABLE review_cases ADD COLUMN reason_code TEXT;
DROP INDEX review_cases_active;
CREATE UNIQUE INDEX review_cases_active ON review_cases (item_id, queue, review_round)
  WHERE status <> 'decided';
CREATE INDEX review_cases_decided ON review_cases (decided_at) WHERE status = 'decided';
CREATE INDEX review_cases_checks ON review_cases (checks_case) WHERE checks_case IS NOT NULL
)sql"},
    {8, "policy versions: draft, in review, approved, active; append-only transition history",
     R"sql(
CREATE TABLE policy_versions (
  id              {{INT64_KEY}},
  name            TEXT NOT NULL,
  version         TEXT NOT NULL,
  sha256          TEXT NOT NULL,
  text            TEXT NOT NULL,
  state           TEXT NOT NULL CHECK (state IN
                    ('draft', 'in_review', 'approved', 'active', 'retired', 'rejected')),
  author          TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  submitted_by    TEXT,
  submitted_at    BIGINT,
  backtest        TEXT,
  backtest_against BIGINT,
  approved_by     TEXT,
  approved_at     BIGINT,
  approval_comment TEXT,
  activated_by    TEXT,
  activated_at    BIGINT
);
CREATE UNIQUE INDEX policy_versions_one_active ON policy_versions (state) WHERE state = 'active';
CREATE UNIQUE INDEX policy_versions_name_version ON policy_versions (name, version)
  WHERE state <> 'rejected';
CREATE TABLE policy_transitions (
  seq             {{AUTO_ID}},
  policy_id       BIGINT NOT NULL,
  from_state      TEXT NOT NULL,
  to_state        TEXT NOT NULL,
  actor           TEXT NOT NULL,
  role            TEXT NOT NULL,
  comment         TEXT NOT NULL,
  at              BIGINT NOT NULL
);
CREATE INDEX policy_transitions_policy ON policy_transitions (policy_id, seq)
)sql",
     R"sql(
CREATE TRIGGER policy_transitions_no_update BEFORE UPDATE ON policy_transitions
BEGIN SELECT RAISE(ABORT, 'the policy history is append-only'); END;
CREATE TRIGGER policy_transitions_no_delete BEFORE DELETE ON policy_transitions
BEGIN SELECT RAISE(ABORT, 'the policy history is append-only'); END;
CREATE TRIGGER policy_versions_no_delete BEFORE DELETE ON policy_versions
BEGIN SELECT RAISE(ABORT, 'policy versions are never deleted'); END;
CREATE TRIGGER policy_versions_text_fixed BEFORE UPDATE OF name, version, sha256, text, author,
  created_at ON policy_versions
BEGIN SELECT RAISE(ABORT, 'a policy version''s text and authorship never change'); END
)sql"},
    {9, "staff accounts: who last set each password (a sign-off needs one its owner set)",
     R"sql(
ALTER TABLE staff_users ADD COLUMN password_set_by TEXT NOT NULL DEFAULT ''
)sql"},
    {10, "re-enforcement on signals, idempotent enforcement, reporter track records", R"sql(
ALTER TABLE items ADD COLUMN signal_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN enforced_signal BIGINT NOT NULL DEFAULT 0;
DROP INDEX items_pending;
CREATE INDEX items_pending ON items (first_seen_at)
  WHERE enforced_revision < revision OR enforced_signal < signal_seq;
CREATE TABLE enforcement_outcomes (
  item_id         TEXT NOT NULL,
  item_revision   INTEGER NOT NULL,
  rule_id         TEXT NOT NULL,
  category        TEXT NOT NULL,
  action          TEXT NOT NULL,
  PRIMARY KEY (item_id, item_revision, rule_id, category, action)
){{WITHOUT_ROWID}};
INSERT INTO enforcement_outcomes (item_id, item_revision, rule_id, category, action)
  SELECT DISTINCT item_id, item_revision, rule_id, category, action FROM decisions
  WHERE actor = 'system' AND rule_id <> '' AND item_id <> '';
ALTER TABLE reports ADD COLUMN reporter_created_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN outcome TEXT;
ALTER TABLE reports ADD COLUMN resolved_seq BIGINT;
CREATE INDEX reports_unresolved ON reports (item_id) WHERE outcome IS NULL;
CREATE TABLE reporter_stats (
  reporter_id     TEXT PRIMARY KEY,
  upheld          BIGINT NOT NULL DEFAULT 0,
  rejected        BIGINT NOT NULL DEFAULT 0
){{WITHOUT_ROWID}}
)sql"},
    {11, "enforcement times: when each item's current revision was first enforced", R"sql(
ALTER TABLE items ADD COLUMN enforced_at BIGINT NOT NULL DEFAULT 0
)sql"},
    {12, "groups: profiles, admins, memberships and states; decisions and cases name a target kind",
     R"sql(
CREATE TABLE platform_groups_v12 (
  id              TEXT PRIMARY KEY,
  visibility      TEXT NOT NULL CHECK (visibility IN ('public', 'private', 'secret')),
  first_seen_at   BIGINT NOT NULL,
  last_seen_at    BIGINT NOT NULL,
  described       INTEGER NOT NULL DEFAULT 0,
  name            TEXT NOT NULL DEFAULT '',
  description     TEXT NOT NULL DEFAULT '',
  created_at      BIGINT NOT NULL DEFAULT 0,
  owner_id        TEXT NOT NULL DEFAULT '',
  state           TEXT NOT NULL DEFAULT 'active'
                  CHECK (state IN ('active', 'restricted', 'removed')),
  label           TEXT NOT NULL DEFAULT '',
  state_seq       BIGINT NOT NULL DEFAULT 0,
  state_at        BIGINT NOT NULL DEFAULT 0,
  updated_at      BIGINT NOT NULL DEFAULT 0
){{WITHOUT_ROWID}};
INSERT INTO platform_groups_v12 (id, visibility, first_seen_at, last_seen_at, updated_at)
  SELECT id, visibility, first_seen_at, last_seen_at, last_seen_at FROM platform_groups;
DROP TABLE platform_groups;
ALTER TABLE platform_groups_v12 RENAME TO platform_groups;
CREATE TABLE group_admins (
  group_id        TEXT NOT NULL,
  account_id      TEXT NOT NULL,
  PRIMARY KEY (group_id, account_id)
){{WITHOUT_ROWID}};
CREATE INDEX group_admins_account ON group_admins (account_id);
CREATE TABLE group_memberships (
  id              TEXT PRIMARY KEY,
  group_id        TEXT NOT NULL,
  account_id      TEXT NOT NULL,
  action          TEXT NOT NULL CHECK (action IN ('join', 'leave')),
  at              BIGINT NOT NULL,
  received_at     BIGINT NOT NULL
){{WITHOUT_ROWID}};
CREATE INDEX group_memberships_group ON group_memberships (group_id, account_id, at);
CREATE INDEX group_memberships_at ON group_memberships (at);
CREATE TABLE group_states (
  seq             {{AUTO_ID}},
  group_id        TEXT NOT NULL,
  state           TEXT NOT NULL,
  label           TEXT NOT NULL,
  decision_seq    BIGINT NOT NULL,
  actor           TEXT NOT NULL,
  at              BIGINT NOT NULL
);
CREATE INDEX group_states_group ON group_states (group_id, seq);
CREATE TABLE group_rule_outcomes (
  group_id        TEXT NOT NULL,
  rule_id         TEXT NOT NULL,
  period          BIGINT NOT NULL,
  decision_seq    BIGINT NOT NULL,
  PRIMARY KEY (group_id, rule_id, period)
){{WITHOUT_ROWID}};
CREATE INDEX items_created ON items (created_at);
ALTER TABLE decisions ADD COLUMN target_kind TEXT NOT NULL DEFAULT 'item';
ALTER TABLE review_cases ADD COLUMN target_kind TEXT NOT NULL DEFAULT 'item';
DROP INDEX review_cases_active;
CREATE UNIQUE INDEX review_cases_active ON review_cases (target_kind, item_id, queue, review_round)
  WHERE status <> 'decided'
)sql"},
    {13, "accounts: strikes, consequences (restricted, suspended) and their strike-rule outcomes",
     R"sql(
ALTER TABLE accounts ADD COLUMN state TEXT NOT NULL DEFAULT 'active'
  CHECK (state IN ('active', 'restricted', 'suspended'));
ALTER TABLE accounts ADD COLUMN state_until BIGINT;
ALTER TABLE accounts ADD COLUMN state_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN state_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX accounts_constrained ON accounts (state) WHERE state <> 'active';
CREATE TABLE account_rule_outcomes (
  account_id      TEXT NOT NULL,
  rule_id         TEXT NOT NULL,
  strike_seq      BIGINT NOT NULL,
  decision_seq    BIGINT NOT NULL,
  PRIMARY KEY (account_id, rule_id, strike_seq)
){{WITHOUT_ROWID}};
CREATE INDEX platform_groups_owner ON platform_groups (owner_id);
CREATE INDEX decisions_removals ON decisions (created_at) WHERE action = 'remove'
)sql"},
    {14,
     "shadow policies: runs of a policy version beside the active one, and what it would have done",
     R"sql(
CREATE TABLE shadow_runs (
  id              {{AUTO_ID}},
  policy_id       BIGINT NOT NULL,
  started_by      TEXT NOT NULL,
  started_at      BIGINT NOT NULL,
  stopped_by      TEXT,
  stopped_at      BIGINT
);
CREATE UNIQUE INDEX shadow_runs_one_running ON shadow_runs ((stopped_at IS NULL))
  WHERE stopped_at IS NULL;
CREATE INDEX shadow_runs_policy ON shadow_runs (policy_id, id);
CREATE TABLE shadow_outcomes (
  run_id          BIGINT NOT NULL,
  item_id         TEXT NOT NULL,
  item_revision   INTEGER NOT NULL,
  category        TEXT NOT NULL,
  targets         TEXT NOT NULL,
  visibility      TEXT NOT NULL,
  active_action   TEXT NOT NULL,
  active_rule     TEXT NOT NULL,
  shadow_action   TEXT NOT NULL,
  shadow_rule     TEXT NOT NULL,
  at              BIGINT NOT NULL,
  PRIMARY KEY (run_id, item_id, item_revision, category)
){{WITHOUT_ROWID}};
CREATE INDEX shadow_outcomes_time ON shadow_outcomes (run_id, at)
)sql"},
    {15, "advertiser refunds: append-only refund lines tied to decisions, and the accrual cursor",
     R"sql(
CREATE TABLE refund_lines (
  seq             {{AUTO_ID}},
  impression_id   TEXT NOT NULL,
  advertiser_id   TEXT NOT NULL,
  item_id         TEXT NOT NULL,
  decision_seq    BIGINT NOT NULL,
  rule_id         TEXT NOT NULL,
  category        TEXT NOT NULL,
  currency        TEXT NOT NULL,
  distance        INTEGER NOT NULL,
  weight_ppm      BIGINT NOT NULL,
  amount_micros   BIGINT NOT NULL,
  at              BIGINT NOT NULL,
  UNIQUE (impression_id, item_id, decision_seq)
);
CREATE INDEX refund_lines_impression ON refund_lines (impression_id, item_id);
CREATE INDEX refund_lines_advertiser ON refund_lines (advertiser_id, at);
CREATE TRIGGER refund_lines_no_update BEFORE UPDATE ON refund_lines
BEGIN SELECT RAISE(ABORT, 'refund lines are append-only'); END;
CREATE TRIGGER refund_lines_no_delete BEFORE DELETE ON refund_lines
BEGIN SELECT RAISE(ABORT, 'refund lines are append-only'); END;
CREATE TABLE refund_cursor (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  seq             BIGINT NOT NULL
)
)sql"},
    {16, "issued refund statements: frozen once issued, corrections on a later one",
     R"sql(
CREATE TABLE issued_statements (
  advertiser_id   TEXT NOT NULL,
  month           TEXT NOT NULL,
  issued_at       BIGINT NOT NULL,
  issued_by       TEXT NOT NULL,
  through_seq     BIGINT NOT NULL,
  sha256          TEXT NOT NULL,
  body            TEXT NOT NULL,
  PRIMARY KEY (advertiser_id, month)
)
)sql",
     R"sql(
CREATE TRIGGER issued_statements_no_update BEFORE UPDATE ON issued_statements
BEGIN SELECT RAISE(ABORT, 'issued statements are immutable'); END;
CREATE TRIGGER issued_statements_no_delete BEFORE DELETE ON issued_statements
BEGIN SELECT RAISE(ABORT, 'issued statements are immutable'); END
)sql"},
};

}  // namespace

std::span<const Migration> AllMigrations() { return kMigrations; }

int LatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

std::string ExpandSql(const char* sql, Dialect dialect) {
  struct Sub {
    std::string_view from, sqlite, postgres;
  };
  static constexpr Sub kSubs[] = {
      {"{{AUTO_ID}}", "INTEGER PRIMARY KEY", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"},
      {"{{REAL}}", "REAL", "DOUBLE PRECISION"},
      {"{{INT64_KEY}}", "INTEGER PRIMARY KEY", "BIGINT PRIMARY KEY"},
      // SQLite stores a table with a text primary key twice (rowid b-tree + key index) unless
      // told otherwise; PostgreSQL heap tables have no such option or need.
      {"{{WITHOUT_ROWID}}", " WITHOUT ROWID", ""},
  };
  std::string out(sql);
  for (const Sub& sub : kSubs) {
    std::string_view to = dialect == Dialect::kSqlite ? sub.sqlite : sub.postgres;
    for (size_t pos = out.find(sub.from); pos != std::string::npos;
         pos = out.find(sub.from, pos + to.size())) {
      out.replace(pos, sub.from.size(), to);
    }
  }
  return out;
}

}  // namespace bulwark::store

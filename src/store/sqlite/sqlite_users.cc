// UserStore on SQLite: staff accounts, sessions and failed-login counts (migration 6).

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/decision.h"
#include "store/sqlite/connection_pool.h"

namespace bulwark::store::sqlite {
namespace {

constexpr std::string_view kUserColumns =
    "SELECT id, username, display_name, role, expertise, password_hash, created_at, disabled_at, "
    "password_changed_at, password_set_by FROM staff_users ";
constexpr std::string_view kSelectUserById =
    "SELECT id, username, display_name, role, expertise, password_hash, created_at, disabled_at, "
    "password_changed_at, password_set_by FROM staff_users WHERE id = ?1";
// lower(username) is the expression of the unique index, so this is an index lookup.
constexpr std::string_view kSelectUserByName =
    "SELECT id, username, display_name, role, expertise, password_hash, created_at, disabled_at, "
    "password_changed_at, password_set_by FROM staff_users WHERE lower(username) = lower(?1)";
constexpr std::string_view kProbeUser =
    "SELECT 1 FROM staff_users WHERE id = ?1 OR lower(username) = lower(?2)";
constexpr std::string_view kInsertUser =
    "INSERT INTO staff_users (id, username, display_name, role, expertise, password_hash, "
    "created_at, password_changed_at, password_set_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)";
constexpr std::string_view kDisableUser =
    "UPDATE staff_users SET disabled_at = COALESCE(disabled_at, ?2) WHERE id = ?1";
constexpr std::string_view kSetPassword =
    "UPDATE staff_users SET password_hash = ?2, password_changed_at = ?3, password_set_by = ?4 "
    "WHERE id = ?1";
constexpr std::string_view kSelectRole = "SELECT role, expertise FROM staff_users WHERE id = ?1";
constexpr std::string_view kRehashPassword =
    "UPDATE staff_users SET password_hash = ?3 WHERE id = ?1 AND password_hash = ?2";
constexpr std::string_view kRevokeUserSessions =
    "UPDATE staff_sessions SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL";

constexpr std::string_view kInsertSession =
    "INSERT INTO staff_sessions (token_hash, user_id, csrf_token, created_at, expires_at, "
    "last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr std::string_view kPruneSessions = "DELETE FROM staff_sessions WHERE expires_at < ?1";
constexpr std::string_view kSelectSession =
    "SELECT token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at, revoked_at "
    "FROM staff_sessions WHERE token_hash = ?1";
constexpr std::string_view kTouchSession =
    "UPDATE staff_sessions SET last_seen_at = ?2 WHERE token_hash = ?1 AND last_seen_at < ?2";
constexpr std::string_view kRevokeSession =
    "UPDATE staff_sessions SET revoked_at = COALESCE(revoked_at, ?2) WHERE token_hash = ?1";

constexpr std::string_view kSelectFailures =
    "SELECT failures, first_failure_at, last_failure_at FROM staff_login_failures "
    "WHERE username_key = ?1";
constexpr std::string_view kRecordFailure =
    "INSERT INTO staff_login_failures (username_key, failures, first_failure_at, last_failure_at) "
    "VALUES (?1, 1, ?2, ?2) ON CONFLICT (username_key) DO UPDATE SET "
    "failures = CASE WHEN staff_login_failures.last_failure_at < ?3 THEN 1 "
    "ELSE staff_login_failures.failures + 1 END, "
    "first_failure_at = CASE WHEN staff_login_failures.last_failure_at < ?3 THEN ?2 "
    "ELSE staff_login_failures.first_failure_at END, "
    "last_failure_at = ?2";
constexpr std::string_view kPruneFailures =
    "DELETE FROM staff_login_failures WHERE last_failure_at < ?1";
constexpr std::string_view kClearFailures =
    "DELETE FROM staff_login_failures WHERE username_key = ?1";

// Expired sessions are kept this long (for investigations), then deleted.
constexpr std::int64_t kSessionRetentionMs = 30LL * 24 * 3600 * 1000;

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) out += (out.empty() ? "" : ",") + t;
  return out;
}

std::vector<std::string> SplitTags(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t comma = s.find(',');
    if (comma != 0) out.emplace_back(s.substr(0, comma));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

Result<StaffUser> ReadUser(const Statement& st) {
  StaffUser u;
  u.id = st.ColumnText(0);
  u.username = st.ColumnText(1);
  u.display_name = st.ColumnText(2);
  auto role = ParseRole(st.ColumnText(3));
  // Fail closed: a row with a role this binary does not know grants nothing.
  if (!role)
    return Internal("staff user '" + u.id + "' has unknown role '" + st.ColumnText(3) + "'");
  u.role = *role;
  u.expertise = SplitTags(st.ColumnText(4));
  u.password_hash = st.ColumnText(5);
  u.created_at = st.ColumnInt(6);
  if (!st.ColumnIsNull(7)) u.disabled_at = st.ColumnInt(7);
  u.password_changed_at = st.ColumnInt(8);
  u.password_set_by = st.ColumnText(9);
  return u;
}

// The decision-log entry of an account change (action "account", no item). The evidence names
// the user by id only: the log is public, staff usernames are not.
Decision AccountEntry(std::string_view user_id, std::string_view change, std::string_view role,
                      std::string_view expertise, std::string_view actor, UnixMillis now,
                      std::string reason) {
  auto quoted = [](std::string_view v) {
    std::string out = "\"";
    for (char ch : v) {
      if (ch == '"' || ch == '\\') out.push_back('\\');
      if (static_cast<unsigned char>(ch) >= 0x20) {
        out.push_back(ch);
      } else {
        char esc[8];
        std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned char>(ch));
        out += esc;
      }
    }
    return out + "\"";
  };
  Decision d;
  d.action = ActionType::kAccount;
  d.actor = std::string(actor.empty() ? kOperatorActor : actor);
  d.reason = std::move(reason);
  d.evidence = "{\"user_id\":" + quoted(user_id) + ",\"change\":" + quoted(change) +
               ",\"role\":" + quoted(role) + ",\"expertise\":" + quoted(expertise) + "}";
  d.created_at = now;
  return d;
}

Result<StaffUser> ReadOneUser(Statement* st, std::string_view what) {
  BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return NotFound("staff user " + std::string(what) + " not found");
  Result<StaffUser> u = ReadUser(*st);
  st->Reset();
  return u;
}

class SqliteUserStore final : public UserStore {
 public:
  explicit SqliteUserStore(ConnectionPool& pool) : pool_(pool) {}

  Status CreateUser(const StaffUser& user) override {
    const std::string tags = JoinTags(user.expertise);
    return pool_.Write([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * probe, c.Prepare(kProbeUser));
      probe->BindText(1, user.id);
      probe->BindText(2, user.username);
      BULWARK_ASSIGN_OR_RETURN(bool exists, probe->Step());
      probe->Reset();
      if (exists) return AlreadyExists("username '" + user.username + "' is already taken");
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kInsertUser));
      st->BindText(1, user.id);
      st->BindText(2, user.username);
      st->BindText(3, user.display_name);
      st->BindText(4, RoleName(user.role));
      st->BindText(5, tags);
      st->BindText(6, user.password_hash);
      st->BindInt(7, user.created_at);
      st->BindText(8, user.password_set_by);
      BULWARK_RETURN_IF_ERROR(st->Run());
      std::vector<Decision> log = {AccountEntry(user.id, "created", RoleName(user.role), tags,
                                                user.password_set_by, user.created_at,
                                                "staff account created")};
      return pool_.AppendDecisionsInTransaction(log);
    });
  }

  Result<StaffUser> FindUserById(std::string_view id) override {
    Result<StaffUser> out = Internal("unset");
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kSelectUserById));
      st->BindText(1, id);
      out = ReadOneUser(st, "'" + std::string(id) + "'");
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<StaffUser> FindUserByUsername(std::string_view username) override {
    Result<StaffUser> out = Internal("unset");
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kSelectUserByName));
      st->BindText(1, username);
      out = ReadOneUser(st, "'" + std::string(username) + "'");
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<StaffUser>> ListUsers() override {
    std::vector<StaffUser> out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st,
                               c.Prepare(std::string(kUserColumns) + "ORDER BY lower(username)"));
      for (;;) {
        BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) break;
        Result<StaffUser> u = ReadUser(*st);
        if (!u.ok()) {
          st->Reset();
          return u.status();
        }
        out.push_back(std::move(u).value());
      }
      st->Reset();
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Status DisableUser(std::string_view id, UnixMillis now, std::string_view actor) override {
    return pool_.Write([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kDisableUser));
      st->BindText(1, id);
      st->BindInt(2, now);
      BULWARK_RETURN_IF_ERROR(st->Run());
      if (c.changes() == 0) return NotFound("staff user '" + std::string(id) + "' not found");
      BULWARK_RETURN_IF_ERROR(RevokeUserSessions(c, id, now));
      return LogChange(c, id, "disabled", actor, now, "staff account disabled");
    });
  }

  Status SetPassword(std::string_view id, std::string_view password_hash, UnixMillis now,
                     std::string_view set_by) override {
    return pool_.Write([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kSetPassword));
      st->BindText(1, id);
      st->BindText(2, password_hash);
      st->BindInt(3, now);
      st->BindText(4, set_by);
      BULWARK_RETURN_IF_ERROR(st->Run());
      if (c.changes() == 0) return NotFound("staff user '" + std::string(id) + "' not found");
      BULWARK_RETURN_IF_ERROR(RevokeUserSessions(c, id, now));
      const bool own = set_by == StaffActor(id);
      return LogChange(
          c, id, own ? "password_changed_by_owner" : "password_set", set_by, now,
          own ? "password changed by its owner" : "password set for the user by someone else");
    });
  }

  Status RehashPassword(std::string_view id, std::string_view old_hash,
                        std::string_view new_hash) override {
    return pool_.Write([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kRehashPassword));
      st->BindText(1, id);
      st->BindText(2, old_hash);
      st->BindText(3, new_hash);
      return st->Run();
    });
  }

  Status CreateSession(const StaffSession& session) override {
    return pool_.Write([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * prune, c.Prepare(kPruneSessions));
      prune->BindInt(1, session.created_at - kSessionRetentionMs);
      BULWARK_RETURN_IF_ERROR(prune->Run());
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kInsertSession));
      st->BindText(1, session.token_hash);
      st->BindText(2, session.user_id);
      st->BindText(3, session.csrf_token);
      st->BindInt(4, session.created_at);
      st->BindInt(5, session.expires_at);
      st->BindInt(6, session.last_seen_at);
      return st->Run();
    });
  }

  Result<StaffSession> FindSession(std::string_view token_hash) override {
    StaffSession out;
    bool found = false;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kSelectSession));
      st->BindText(1, token_hash);
      BULWARK_ASSIGN_OR_RETURN(found, st->Step());
      if (found) {
        out.token_hash = st->ColumnText(0);
        out.user_id = st->ColumnText(1);
        out.csrf_token = st->ColumnText(2);
        out.created_at = st->ColumnInt(3);
        out.expires_at = st->ColumnInt(4);
        out.last_seen_at = st->ColumnInt(5);
        if (!st->ColumnIsNull(6)) out.revoked_at = st->ColumnInt(6);
      }
      st->Reset();
      return Status::Ok();
    });
    if (!s.ok()) return s;
    if (!found) return NotFound("session not found");
    return out;
  }

  Status TouchSession(std::string_view token_hash, UnixMillis now) override {
    return pool_.Write([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kTouchSession));
      st->BindText(1, token_hash);
      st->BindInt(2, now);
      return st->Run();
    });
  }

  Status RevokeSession(std::string_view token_hash, UnixMillis now) override {
    return pool_.Write([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kRevokeSession));
      st->BindText(1, token_hash);
      st->BindInt(2, now);
      BULWARK_RETURN_IF_ERROR(st->Run());
      if (c.changes() == 0) return NotFound("session not found");
      return Status::Ok();
    });
  }

  Result<LoginFailures> GetLoginFailures(std::string_view username_key) override {
    LoginFailures out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kSelectFailures));
      st->BindText(1, username_key);
      return ReadFailures(st, &out);
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<LoginFailures> ReserveLoginAttempt(std::string_view username_key, UnixMillis now,
                                            std::int64_t window_ms,
                                            const std::function<bool(const LoginFailures&)>& locked,
                                            bool* reserved) override {
    LoginFailures before;
    *reserved = false;
    Status s = pool_.Write([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * prune, c.Prepare(kPruneFailures));
      prune->BindInt(1, now - window_ms);
      BULWARK_RETURN_IF_ERROR(prune->Run());
      BULWARK_ASSIGN_OR_RETURN(Statement * read, c.Prepare(kSelectFailures));
      read->BindText(1, username_key);
      BULWARK_RETURN_IF_ERROR(ReadFailures(read, &before));
      if (before.last_failure_at < now - window_ms) before = {};
      if (locked(before)) return Status::Ok();
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kRecordFailure));
      st->BindText(1, username_key);
      st->BindInt(2, now);
      st->BindInt(3, now - window_ms);
      BULWARK_RETURN_IF_ERROR(st->Run());
      *reserved = true;
      return Status::Ok();
    });
    if (!s.ok()) {
      *reserved = false;
      return s;
    }
    return before;
  }

  Status ClearLoginFailures(std::string_view username_key) override {
    return pool_.Write([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kClearFailures));
      st->BindText(1, username_key);
      return st->Run();
    });
  }

 private:
  // Appends the account change to the decision log, inside the open write transaction.
  Status LogChange(Connection& c, std::string_view id, std::string_view change,
                   std::string_view actor, UnixMillis now, std::string reason) {
    BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kSelectRole));
    st->BindText(1, id);
    BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
    std::string role = row ? st->ColumnText(0) : "", tags = row ? st->ColumnText(1) : "";
    st->Reset();
    std::vector<Decision> log = {
        AccountEntry(id, change, role, tags, actor, now, std::move(reason))};
    return pool_.AppendDecisionsInTransaction(log);
  }

  static Status RevokeUserSessions(Connection& c, std::string_view user_id, UnixMillis now) {
    BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kRevokeUserSessions));
    st->BindText(1, user_id);
    st->BindInt(2, now);
    return st->Run();
  }

  static Status ReadFailures(Statement* st, LoginFailures* out) {
    BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
    if (row) {
      out->failures = static_cast<int>(st->ColumnInt(0));
      out->first_failure_at = st->ColumnInt(1);
      out->last_failure_at = st->ColumnInt(2);
    }
    st->Reset();
    return Status::Ok();
  }

  ConnectionPool& pool_;
};

}  // namespace

std::unique_ptr<UserStore> NewSqliteUserStore(ConnectionPool& pool) {
  return std::make_unique<SqliteUserStore>(pool);
}

}  // namespace bulwark::store::sqlite

#include "store/sqlite/sqlite_policies.h"

#include <string>
#include <string_view>

namespace bulwark::store::sqlite {
namespace {

constexpr std::string_view kVersionColumns =
    "SELECT id, name, version, sha256, text, state, author, created_at, "
    "COALESCE(submitted_by, ''), COALESCE(submitted_at, 0), COALESCE(backtest, ''), "
    "COALESCE(backtest_against, 0), COALESCE(approved_by, ''), COALESCE(approved_at, 0), "
    "COALESCE(approval_comment, ''), COALESCE(activated_by, ''), COALESCE(activated_at, 0) "
    "FROM policy_versions ";
// The listing leaves the text and the backtest out (the text can be 1 MiB per version).
constexpr std::string_view kListColumns =
    "SELECT id, name, version, sha256, '', state, author, created_at, "
    "COALESCE(submitted_by, ''), COALESCE(submitted_at, 0), '', "
    "COALESCE(backtest_against, 0), COALESCE(approved_by, ''), COALESCE(approved_at, 0), "
    "COALESCE(approval_comment, ''), COALESCE(activated_by, ''), COALESCE(activated_at, 0) "
    "FROM policy_versions ORDER BY id DESC";
constexpr std::string_view kInsertVersion =
    "INSERT INTO policy_versions (id, name, version, sha256, text, state, author, created_at, "
    "activated_by, activated_at) "
    "VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM policy_versions), ?1, ?2, ?3, ?4, ?5, ?6, ?7, "
    "?8, ?9)";
constexpr std::string_view kLastVersionId = "SELECT MAX(id) FROM policy_versions";
constexpr std::string_view kSameNameVersion =
    "SELECT id, state FROM policy_versions WHERE name = ?1 AND version = ?2 "
    "AND state <> 'rejected'";
constexpr std::string_view kActiveId = "SELECT id FROM policy_versions WHERE state = 'active'";
constexpr std::string_view kUpdateLifecycle =
    "UPDATE policy_versions SET state = ?2, submitted_by = ?3, submitted_at = ?4, backtest = ?5, "
    "backtest_against = ?6, approved_by = ?7, approved_at = ?8, approval_comment = ?9 "
    "WHERE id = ?1 AND state = ?10";
constexpr std::string_view kUpdateBacktest =
    "UPDATE policy_versions SET backtest = ?3 "
    "WHERE id = ?1 AND state = 'in_review' AND submitted_at = ?2";
constexpr std::string_view kRetire =
    "UPDATE policy_versions SET state = 'retired' WHERE id = ?1 AND state = 'active'";
constexpr std::string_view kMakeActive =
    "UPDATE policy_versions SET state = 'active', activated_by = ?2, activated_at = ?3 "
    "WHERE id = ?1";
constexpr std::string_view kInsertTransition =
    "INSERT INTO policy_transitions (policy_id, from_state, to_state, actor, role, comment, at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr std::string_view kSelectHistory =
    "SELECT seq, policy_id, from_state, to_state, actor, role, comment, at "
    "FROM policy_transitions WHERE policy_id = ?1 ORDER BY seq";

// An optional timestamp column: NULL for 0.
void BindOptionalTime(Statement* st, int i, UnixMillis t) {
  if (t == 0) {
    st->BindNull(i);
  } else {
    st->BindInt(i, t);
  }
}

PolicyVersion ReadVersion(const Statement& st) {
  PolicyVersion v;
  v.id = st.ColumnInt(0);
  v.name = st.ColumnText(1);
  v.version = st.ColumnText(2);
  v.sha256 = st.ColumnText(3);
  v.text = st.ColumnText(4);
  // The CHECK constraint admits only known names.
  v.state = ParsePolicyState(st.ColumnText(5)).value_or(PolicyState::kDraft);
  v.author = st.ColumnText(6);
  v.created_at = st.ColumnInt(7);
  v.submitted_by = st.ColumnText(8);
  v.submitted_at = st.ColumnInt(9);
  v.backtest = st.ColumnText(10);
  v.backtest_against = st.ColumnInt(11);
  v.approved_by = st.ColumnText(12);
  v.approved_at = st.ColumnInt(13);
  v.approval_comment = st.ColumnText(14);
  v.activated_by = st.ColumnText(15);
  v.activated_at = st.ColumnInt(16);
  return v;
}

Result<PolicyVersion> ReadVersionById(Connection& c, std::int64_t id) {
  BULWARK_ASSIGN_OR_RETURN(Statement * st,
                           c.Prepare(std::string(kVersionColumns) + "WHERE id = ?1"));
  st->BindInt(1, id);
  BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return NotFound("policy version " + std::to_string(id) + " not found");
  PolicyVersion v = ReadVersion(*st);
  st->Reset();
  return v;
}

Result<std::int64_t> ReadActiveId(Connection& c) {
  BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kActiveId));
  BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
  std::int64_t id = row ? st->ColumnInt(0) : 0;
  st->Reset();
  return id;
}

Status InsertTransition(Connection& c, std::int64_t policy_id, std::string_view from,
                        std::string_view to, const PolicyTransition& t) {
  BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kInsertTransition));
  st->BindInt(1, policy_id);
  st->BindText(2, from);
  st->BindText(3, to);
  st->BindText(4, t.actor);
  st->BindText(5, t.role);
  st->BindText(6, t.comment);
  st->BindInt(7, t.at);
  return st->Run();
}

// AlreadyExists if a version that is not rejected has the same name and version string.
Status CheckNameVersionFree(Connection& c, const PolicyVersion& v) {
  BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kSameNameVersion));
  st->BindText(1, v.name);
  st->BindText(2, v.version);
  BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return Status::Ok();
  const std::int64_t other = st->ColumnInt(0);
  const std::string state = st->ColumnText(1);
  st->Reset();
  return AlreadyExists("policy " + v.name + " version " + v.version + " is already stored as " +
                       "version id " + std::to_string(other) + " (" + state +
                       "): every change needs a new version string");
}

// Inserts `v` in `state` and returns its id.
Result<std::int64_t> InsertVersion(Connection& c, const PolicyVersion& v, PolicyState state,
                                   const PolicyTransition& t) {
  BULWARK_RETURN_IF_ERROR(CheckNameVersionFree(c, v));
  BULWARK_ASSIGN_OR_RETURN(Statement * ins, c.Prepare(kInsertVersion));
  ins->BindText(1, v.name);
  ins->BindText(2, v.version);
  ins->BindText(3, v.sha256);
  ins->BindText(4, v.text);
  ins->BindText(5, PolicyStateName(state));
  ins->BindText(6, v.author);
  ins->BindInt(7, v.created_at);
  if (state == PolicyState::kActive) {
    ins->BindText(8, t.actor);
    ins->BindInt(9, t.at);
  } else {
    ins->BindNull(8);
    ins->BindNull(9);
  }
  BULWARK_RETURN_IF_ERROR(ins->Run());
  BULWARK_ASSIGN_OR_RETURN(Statement * last, c.Prepare(kLastVersionId));
  BULWARK_ASSIGN_OR_RETURN(bool row, last->Step());
  std::int64_t id = row ? last->ColumnInt(0) : 0;
  last->Reset();
  if (id == 0) return Internal("policy version insert left no row");
  BULWARK_RETURN_IF_ERROR(InsertTransition(c, id, "", PolicyStateName(state), t));
  return id;
}

class SqlitePolicyStore final : public PolicyStore {
 public:
  explicit SqlitePolicyStore(PolicyStoreHost& host) : host_(host) {}

  Result<PolicyVersion> CreateVersion(const PolicyVersion& v, const PolicyTransition& t) override {
    std::int64_t id = 0;
    PolicyVersion out;
    Status s = host_.WriteTransaction([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(id, InsertVersion(c, v, PolicyState::kDraft, t));
      BULWARK_ASSIGN_OR_RETURN(out, ReadVersionById(c, id));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<PolicyVersion> GetVersion(std::int64_t id) override {
    PolicyVersion out;
    Status s = host_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(out, ReadVersionById(c, id));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<PolicyVersion>> ListVersions() override {
    std::vector<PolicyVersion> out;
    Status s = host_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kListColumns));
      for (;;) {
        BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) break;
        out.push_back(ReadVersion(*st));
      }
      st->Reset();
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<PolicyVersion> ActiveVersion() override {
    PolicyVersion out;
    Status s = host_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(std::int64_t id, ReadActiveId(c));
      if (id == 0) return NotFound("no policy version is active");
      BULWARK_ASSIGN_OR_RETURN(out, ReadVersionById(c, id));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::int64_t> ActiveVersionId() override {
    std::int64_t id = 0;
    Status s = host_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(id, ReadActiveId(c));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return id;
  }

  Result<std::vector<PolicyTransition>> History(std::int64_t id) override {
    std::vector<PolicyTransition> out;
    Status s = host_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kSelectHistory));
      st->BindInt(1, id);
      for (;;) {
        BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) break;
        out.push_back({st->ColumnInt(0), st->ColumnInt(1), st->ColumnText(2), st->ColumnText(3),
                       st->ColumnText(4), st->ColumnText(5), st->ColumnText(6), st->ColumnInt(7)});
      }
      st->Reset();
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<PolicyVersion> Transition(const PolicyVersion& updated, PolicyState from,
                                   const PolicyTransition& t) override {
    if (updated.state == PolicyState::kActive) {
      return Internal("Transition cannot activate a version: use Activate");
    }
    PolicyVersion out;
    Status s = host_.WriteTransaction([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kUpdateLifecycle));
      st->BindInt(1, updated.id);
      st->BindText(2, PolicyStateName(updated.state));
      st->BindOptionalText(3, updated.submitted_by);
      BindOptionalTime(st, 4, updated.submitted_at);
      st->BindOptionalText(5, updated.backtest);
      BindOptionalTime(st, 6, updated.backtest_against);
      st->BindOptionalText(7, updated.approved_by);
      BindOptionalTime(st, 8, updated.approved_at);
      st->BindOptionalText(9, updated.approval_comment);
      st->BindText(10, PolicyStateName(from));
      BULWARK_RETURN_IF_ERROR(st->Run());
      if (c.changes() != 1) {
        BULWARK_ASSIGN_OR_RETURN(PolicyVersion now, ReadVersionById(c, updated.id));
        return FailedPrecondition("policy version " + std::to_string(updated.id) + " is " +
                                      std::string(PolicyStateName(now.state)) + ", no longer " +
                                      std::string(PolicyStateName(from)),
                                  "state");
      }
      BULWARK_RETURN_IF_ERROR(InsertTransition(c, updated.id, PolicyStateName(from),
                                               PolicyStateName(updated.state), t));
      BULWARK_ASSIGN_OR_RETURN(out, ReadVersionById(c, updated.id));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<bool> UpdateBacktest(std::int64_t id, UnixMillis submitted_at,
                              const std::string& backtest) override {
    bool written = false;
    Status s = host_.WriteTransaction([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kUpdateBacktest));
      st->BindInt(1, id);
      st->BindInt(2, submitted_at);
      st->BindText(3, backtest);
      BULWARK_RETURN_IF_ERROR(st->Run());
      written = c.changes() == 1;
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return written;
  }

  Result<PolicyActivation> Activate(std::int64_t id, const PolicyTransition& t,
                                    const ActivationEntryFn& make_entry) override {
    PolicyActivation out;
    Status s = host_.WriteTransaction([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(PolicyVersion activating, ReadVersionById(c, id));
      BULWARK_ASSIGN_OR_RETURN(std::int64_t active_id, ReadActiveId(c));
      std::optional<PolicyVersion> retiring;
      if (active_id != 0) {
        BULWARK_ASSIGN_OR_RETURN(retiring, ReadVersionById(c, active_id));
      }
      BULWARK_ASSIGN_OR_RETURN(Decision entry,
                               make_entry(activating, retiring ? &*retiring : nullptr));
      if (retiring) {
        if (retiring->id == id) return FailedPrecondition("version is already active", "state");
        BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kRetire));
        st->BindInt(1, retiring->id);
        BULWARK_RETURN_IF_ERROR(st->Run());
        PolicyTransition retire = t;
        retire.comment = "retired: version " + std::to_string(id) + " activated" +
                         (t.comment.empty() ? "" : " (" + t.comment + ")");
        BULWARK_RETURN_IF_ERROR(InsertTransition(c, retiring->id, "active", "retired", retire));
      }
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kMakeActive));
      st->BindInt(1, id);
      st->BindText(2, t.actor);
      st->BindInt(3, t.at);
      BULWARK_RETURN_IF_ERROR(st->Run());
      BULWARK_RETURN_IF_ERROR(
          InsertTransition(c, id, PolicyStateName(activating.state), "active", t));
      std::vector<Decision> log{std::move(entry)};
      BULWARK_RETURN_IF_ERROR(host_.AppendDecisionsInTransaction(log));
      out.log_entry = std::move(log[0]);
      BULWARK_ASSIGN_OR_RETURN(out.activated, ReadVersionById(c, id));
      if (retiring) {
        BULWARK_ASSIGN_OR_RETURN(out.retired, ReadVersionById(c, retiring->id));
      }
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<PolicyActivation> ImportActive(const PolicyVersion& v, const PolicyTransition& t,
                                        const ActivationEntryFn& make_entry) override {
    PolicyActivation out;
    Status s = host_.WriteTransaction([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(std::int64_t active_id, ReadActiveId(c));
      if (active_id != 0) {
        return FailedPrecondition(
            "policy version " + std::to_string(active_id) + " is already active", "state");
      }
      BULWARK_ASSIGN_OR_RETURN(std::int64_t id, InsertVersion(c, v, PolicyState::kActive, t));
      BULWARK_ASSIGN_OR_RETURN(out.activated, ReadVersionById(c, id));
      BULWARK_ASSIGN_OR_RETURN(Decision entry, make_entry(out.activated, nullptr));
      std::vector<Decision> log{std::move(entry)};
      BULWARK_RETURN_IF_ERROR(host_.AppendDecisionsInTransaction(log));
      out.log_entry = std::move(log[0]);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

 private:
  PolicyStoreHost& host_;
};

}  // namespace

std::unique_ptr<PolicyStore> MakeSqlitePolicyStore(PolicyStoreHost& host) {
  return std::make_unique<SqlitePolicyStore>(host);
}

}  // namespace bulwark::store::sqlite

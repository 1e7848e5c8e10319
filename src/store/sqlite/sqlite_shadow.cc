// The SQLite ShadowStore: shadow runs of policy versions and what they would have done. The
// outcomes are written with the active policy's decisions (RecordEnforcement, in
// sqlite_database.cc), so a run's record and the log it is compared with commit together.

#include <string>
#include <string_view>
#include <utility>

#include "store/sqlite/connection_pool.h"

namespace bulwark::store::sqlite {
namespace {

constexpr std::string_view kRunColumns =
    "SELECT id, policy_id, started_by, started_at, COALESCE(stopped_by, ''), stopped_at "
    "FROM shadow_runs ";
constexpr std::string_view kStopRunning =
    "UPDATE shadow_runs SET stopped_by = ?1, stopped_at = ?2 WHERE stopped_at IS NULL";
constexpr std::string_view kInsertRun =
    "INSERT INTO shadow_runs (policy_id, started_by, started_at) VALUES (?1, ?2, ?3)";
constexpr std::string_view kVersionState = "SELECT state FROM policy_versions WHERE id = ?1";
constexpr std::string_view kOutcomes =
    "SELECT o.run_id, o.item_id, o.item_revision, o.category, o.targets, o.visibility, "
    "o.active_action, o.active_rule, o.shadow_action, o.shadow_rule, o.at "
    "FROM shadow_outcomes o JOIN shadow_runs r ON r.id = o.run_id "
    "WHERE r.policy_id = ?1 AND o.at >= ?2 AND o.at < ?3 ORDER BY o.at, o.item_id, o.category";

ShadowRun ReadRun(const Statement& st) {
  ShadowRun r;
  r.id = st.ColumnInt(0);
  r.policy_id = st.ColumnInt(1);
  r.started_by = st.ColumnText(2);
  r.started_at = st.ColumnInt(3);
  r.stopped_by = st.ColumnText(4);
  if (!st.ColumnIsNull(5)) r.stopped_at = st.ColumnInt(5);
  return r;
}

Result<std::vector<ShadowRun>> ReadRuns(Statement* st) {
  std::vector<ShadowRun> out;
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(ReadRun(*st));
  }
  st->Reset();
  return out;
}

class SqliteShadowStore final : public ShadowStore {
 public:
  explicit SqliteShadowStore(ConnectionPool& pool) : pool_(pool) {}

  Result<ShadowRun> StartRun(std::int64_t policy_id, std::string_view actor,
                             UnixMillis now) override {
    ShadowRun out;
    Status s = pool_.Write([&](Connection& w) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * state, w.Prepare(kVersionState));
      state->BindInt(1, policy_id);
      BULWARK_ASSIGN_OR_RETURN(bool row, state->Step());
      const std::string name = row ? state->ColumnText(0) : "";
      state->Reset();
      if (!row) return NotFound("policy version " + std::to_string(policy_id) + " not found");
      if (name != "draft" && name != "in_review" && name != "approved") {
        return FailedPrecondition("a " + name +
                                      " version does not run in shadow: only a draft, one in "
                                      "review or an approved one (beside the active version)",
                                  "id");
      }
      BULWARK_ASSIGN_OR_RETURN(Statement * stop, w.Prepare(kStopRunning));
      stop->BindText(1, actor);
      stop->BindInt(2, now);
      BULWARK_RETURN_IF_ERROR(stop->Run());
      BULWARK_ASSIGN_OR_RETURN(Statement * ins, w.Prepare(kInsertRun));
      ins->BindInt(1, policy_id);
      ins->BindText(2, actor);
      ins->BindInt(3, now);
      BULWARK_RETURN_IF_ERROR(ins->Run());
      out.id = sqlite3_last_insert_rowid(w.raw());
      out.policy_id = policy_id;
      out.started_by = std::string(actor);
      out.started_at = now;
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::optional<ShadowRun>> StopRun(std::string_view actor, UnixMillis now) override {
    std::optional<ShadowRun> out;
    Status s = pool_.Write([&](Connection& w) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * find,
                               w.Prepare(std::string(kRunColumns) + "WHERE stopped_at IS NULL"));
      BULWARK_ASSIGN_OR_RETURN(std::vector<ShadowRun> running, ReadRuns(find));
      if (running.empty()) return Status::Ok();
      BULWARK_ASSIGN_OR_RETURN(Statement * stop, w.Prepare(kStopRunning));
      stop->BindText(1, actor);
      stop->BindInt(2, now);
      BULWARK_RETURN_IF_ERROR(stop->Run());
      out = std::move(running.front());
      out->stopped_by = std::string(actor);
      out->stopped_at = now;
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::optional<ShadowRun>> RunningRun() override {
    std::optional<ShadowRun> out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st,
                               c.Prepare(std::string(kRunColumns) + "WHERE stopped_at IS NULL"));
      BULWARK_ASSIGN_OR_RETURN(std::vector<ShadowRun> runs, ReadRuns(st));
      if (!runs.empty()) out = std::move(runs.front());
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<ShadowRun>> Runs(std::int64_t policy_id) override {
    std::vector<ShadowRun> out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(
          Statement * st, c.Prepare(std::string(kRunColumns) + "WHERE policy_id = ?1 ORDER BY id"));
      st->BindInt(1, policy_id);
      BULWARK_ASSIGN_OR_RETURN(out, ReadRuns(st));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  Result<std::vector<ShadowOutcome>> Outcomes(std::int64_t policy_id, UnixMillis since,
                                              UnixMillis until) override {
    std::vector<ShadowOutcome> out;
    Status s = pool_.Read([&](Connection& c) -> Status {
      BULWARK_ASSIGN_OR_RETURN(Statement * st, c.Prepare(kOutcomes));
      st->BindInt(1, policy_id);
      st->BindInt(2, since);
      st->BindInt(3, until);
      for (;;) {
        BULWARK_ASSIGN_OR_RETURN(bool row, st->Step());
        if (!row) break;
        ShadowOutcome o;
        o.run_id = st->ColumnInt(0);
        o.item_id = st->ColumnText(1);
        o.revision = static_cast<int>(st->ColumnInt(2));
        o.category = st->ColumnText(3);
        o.targets = st->ColumnText(4);
        o.visibility = st->ColumnText(5);
        o.active_action = st->ColumnText(6);
        o.active_rule = st->ColumnText(7);
        o.shadow_action = st->ColumnText(8);
        o.shadow_rule = st->ColumnText(9);
        o.at = st->ColumnInt(10);
        out.push_back(std::move(o));
      }
      st->Reset();
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

 private:
  ConnectionPool& pool_;
};

}  // namespace

std::unique_ptr<ShadowStore> NewSqliteShadowStore(ConnectionPool& pool) {
  return std::make_unique<SqliteShadowStore>(pool);
}

}  // namespace bulwark::store::sqlite

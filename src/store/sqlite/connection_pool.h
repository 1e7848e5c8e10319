#pragma once

// What a store implemented in its own file (sqlite_users.cc, ...) needs from the open SQLite
// database: the single writer connection under the write lock, and a pooled reader. Keeps
// sqlite_database.cc from growing with every domain area.

#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/decision.h"
#include "core/status.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace bulwark::store::sqlite {

class ConnectionPool {
 public:
  virtual ~ConnectionPool() = default;
  // Runs `body` on the writer connection inside one IMMEDIATE transaction, holding the write
  // lock: commits when it returns OK, rolls back otherwise. `body` must not call Write or Read.
  virtual Status Write(const std::function<Status(Connection&)>& body) = 0;
  // Runs `body` on a reader connection leased from the pool (autocommit; reads only).
  virtual Status Read(const std::function<Status(Connection&)>& body) = 0;
  // Appends to the decision log inside the open write transaction (from `body` of Write).
  virtual Status AppendDecisionsInTransaction(std::vector<Decision>& decisions) = 0;
  // Upserts items inside the open write transaction (from `body` of Write), as
  // ItemStore::UpsertItems does in its own.
  virtual Result<UpsertSummary> UpsertItemsInTransaction(std::span<const Item> items,
                                                         UnixMillis now) = 0;
};

// The decision log's columns in the order ReadDecision reads them ("SELECT " + kDecisionColumns
// + " FROM decisions ...").
inline constexpr std::string_view kDecisionColumns =
    "seq, item_id, item_revision, action, category, rule_id, policy_version, model_version, "
    "actor, reason, evidence, created_at, prev_hash, hash, target_kind";
// The decision in the current row of a statement that selected kDecisionColumns.
Decision ReadDecision(const Statement& st);
// Every row of the bound statement `st` (kDecisionColumns), which is reset after.
Result<std::vector<Decision>> ReadDecisions(Statement* st);

// The UserStore over `pool`, which must outlive it.
std::unique_ptr<UserStore> NewSqliteUserStore(ConnectionPool& pool);
// The GroupStore over `pool` (sqlite_groups.cc), which must outlive it.
std::unique_ptr<GroupStore> NewSqliteGroupStore(ConnectionPool& pool);
// The AccountStore over `pool` (sqlite_accounts.cc), which must outlive it.
std::unique_ptr<AccountStore> NewSqliteAccountStore(ConnectionPool& pool);
// The ShadowStore over `pool` (sqlite_shadow.cc), which must outlive it.
std::unique_ptr<ShadowStore> NewSqliteShadowStore(ConnectionPool& pool);
// The AdStore over `pool` (sqlite_ads.cc), which must outlive it.
std::unique_ptr<AdStore> NewSqliteAdStore(ConnectionPool& pool);

}  // namespace bulwark::store::sqlite

#pragma once

// The SQLite PolicyStore (policy versions and their history). It lives beside the database
// object rather than inside it and reaches the database only through PolicyStoreHost: the
// writer transaction, a pooled reader and the decision log's append.

#include <functional>
#include <memory>
#include <vector>

#include "core/decision.h"
#include "core/status.h"
#include "store/sqlite/connection.h"
#include "store/store.h"

namespace bulwark::store::sqlite {

// What the policy store needs from the database that owns it. Implemented by the SQLite
// database; every method is thread-safe.
class PolicyStoreHost {
 public:
  virtual ~PolicyStoreHost() = default;
  // Runs `body` in one IMMEDIATE transaction on the single writer connection (writes are
  // serialised): committed if it returns OK, rolled back otherwise.
  virtual Status WriteTransaction(const std::function<Status(Connection&)>& body) = 0;
  // Runs `body` on a pooled reader connection.
  virtual Status Read(const std::function<Status(Connection&)>& body) = 0;
  // Appends to the decision log inside the open write transaction (assigns seq and hashes).
  virtual Status AppendDecisionsInTransaction(std::vector<Decision>& decisions) = 0;
};

// `host` must outlive the store.
std::unique_ptr<PolicyStore> MakeSqlitePolicyStore(PolicyStoreHost& host);

}  // namespace bulwark::store::sqlite

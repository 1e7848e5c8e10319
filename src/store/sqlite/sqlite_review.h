#pragma once

// The SQLite implementation of ReviewStore (expert review cases, leases, appeals, second
// reviews and tie-breaks). Internal to the SQLite backend: SqliteDatabase owns one and hands it
// out as Database::review().

#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/store.h"

namespace bulwark::store::sqlite {

// What the review store borrows from the database that owns it (the same shape as the
// ConnectionPool seam of the other per-area stores, plus the decision log). Every function must
// outlive the review store.
struct ReviewStoreDeps {
  // Runs `body` on the writer connection inside one IMMEDIATE transaction under the write lock:
  // commits when it returns OK, rolls back otherwise.
  std::function<Status(const std::function<Status(Connection&)>& body)> write;
  // Runs `body` on a pooled reader connection.
  std::function<Status(const std::function<Status(Connection&)>& body)> read;
  // Appends decisions to the hash-chained log on the writer inside the open transaction of
  // `write`, filling seq, prev_hash and hash (DecisionStore::AppendDecisions without its own
  // transaction).
  std::function<Status(std::vector<Decision>&)> append_in_transaction;
};

std::unique_ptr<ReviewStore> NewSqliteReviewStore(ReviewStoreDeps deps);

// Opens (or raises the priority of) the first-review cases `reviews` asks for, inside the
// writer's open transaction; `decisions` are the entries just appended (seq assigned).
Status OpenReviewCases(Connection& writer, const std::vector<Decision>& decisions,
                       std::span<const ReviewRequest> reviews);

}  // namespace bulwark::store::sqlite

#pragma once

// The SQLite implementation of ReviewStore (expert review cases, leases, appeals, second
// reviews and tie-breaks). Internal to the SQLite backend: SqliteDatabase owns one and hands it
// out as Database::review().

#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/store.h"

namespace bulwark::store::sqlite {

// What the review store borrows from the database that owns it. Every member must outlive the
// review store.
struct ReviewStoreDeps {
  std::mutex* write_mu = nullptr;  // serialises every write on `writer`
  Connection* writer = nullptr;
  // Runs `fn` on a pooled reader connection and returns its Status.
  std::function<Status(const std::function<Status(Connection&)>& fn)> with_reader;
  // Appends decisions to the hash-chained log inside the writer's open transaction, filling
  // seq, prev_hash and hash (DecisionStore::AppendDecisions without its own transaction).
  std::function<Status(std::vector<Decision>&)> append_in_transaction;
};

std::unique_ptr<ReviewStore> NewSqliteReviewStore(ReviewStoreDeps deps);

// Opens (or raises the priority of) the first-review cases `reviews` asks for, inside the
// writer's open transaction; `decisions` are the entries just appended (seq assigned).
Status OpenReviewCases(Connection& writer, const std::vector<Decision>& decisions,
                       std::span<const ReviewRequest> reviews);

}  // namespace bulwark::store::sqlite

#pragma once

// A thin RAII adapter over the SQLite C API that reports errors as Status.
// A Connection is not thread-safe: callers own one per thread or guard it with a mutex.

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/status.h"

namespace bulwark::store::sqlite {

class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& o) noexcept : stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Bind by 1-based index. Text is not copied: the caller keeps the bytes alive until the
  // statement is reset. Binding a temporary std::string (a use after free the moment the
  // statement steps) does not compile; name the string first.
  void BindText(int i, std::string_view s);
  void BindText(int i, const char* s) { BindText(i, std::string_view(s)); }
  void BindText(int i, std::string&& s) = delete;
  void BindInt(int i, std::int64_t v);
  void BindDouble(int i, double v);
  void BindNull(int i);
  void BindOptionalText(int i, std::string_view s);  // NULL when empty
  void BindOptionalText(int i, const char* s) { BindOptionalText(i, std::string_view(s)); }
  void BindOptionalText(int i, std::string&& s) = delete;

  // Returns true if a row is available, false when done; errors as Status.
  Result<bool> Step();
  // Runs to completion (for statements without result rows).
  Status Run();
  void Reset();

  std::int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  double ColumnDouble(int i) const { return sqlite3_column_double(stmt_, i); }
  bool ColumnIsNull(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  std::string ColumnText(int i) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
 public:
  // Opens (creating if allowed) and applies the pragmas Bulwark relies on: WAL, foreign keys
  // off (references are checked explicitly, identically on every backend), busy timeout.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool create,
                                                  bool synchronous_full, bool read_only);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Status Exec(std::string_view sql);
  // Returns a cached prepared statement for `sql`, reset and with bindings cleared. The
  // reference is valid until the connection is destroyed; do not use it re-entrantly.
  Result<Statement*> Prepare(std::string_view sql);
  Status Begin() { return Exec("BEGIN IMMEDIATE"); }
  Status Commit() { return Exec("COMMIT"); }
  void Rollback();

  sqlite3* raw() { return db_; }
  std::int64_t changes() const { return sqlite3_changes64(db_); }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  Status Error(std::string_view what) const;

  sqlite3* db_;
  // Transparent hashing: Prepare(string_view) looks up without building a std::string.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>> cache_;
};

// Maps an SQLite result code to a Status: BUSY/LOCKED -> Unavailable; FULL, READONLY and IOERR
// -> Unavailable with a generic message (the SQLite detail is written to stderr, the operator's
// log, never to a client); CANTOPEN/NOTADB -> FailedPrecondition; anything else Internal.
Status SqliteStatus(int rc, std::string_view context, sqlite3* db);
// The same, with the detail already written ("exec: ...").
Status SqliteStatusFromMessage(int rc, std::string msg);

}  // namespace bulwark::store::sqlite

#include "store/sqlite/connection.h"

#include <cstdio>

namespace bulwark::store::sqlite {

Status SqliteStatus(int rc, std::string_view context, sqlite3* db) {
  std::string msg(context);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return SqliteStatusFromMessage(rc, std::move(msg));
}

Status SqliteStatusFromMessage(int rc, std::string msg) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(std::move(msg));
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_IOERR: {
      // The server's storage, not the request, is at fault: Unavailable (503, retry later), with
      // a message that says nothing of paths or SQLite; the detail goes to the operator's log.
      std::fprintf(stderr, "bulwark: storage: %s\n", msg.c_str());
      const int primary = rc & 0xff;
      return Unavailable(primary == SQLITE_FULL       ? "storage is full; nothing was stored"
                         : primary == SQLITE_READONLY ? "storage is read-only; nothing was stored"
                                                      : "storage I/O error; nothing was stored");
    }
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
      return FailedPrecondition(std::move(msg));
    default:
      return Internal(std::move(msg));
  }
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    if (stmt_) sqlite3_finalize(stmt_);
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

void Statement::BindText(int i, std::string_view s) {
  sqlite3_bind_text64(stmt_, i, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
}
void Statement::BindInt(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
void Statement::BindDouble(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
void Statement::BindNull(int i) { sqlite3_bind_null(stmt_, i); }
void Statement::BindOptionalText(int i, std::string_view s) {
  if (s.empty()) {
    BindNull(i);
  } else {
    BindText(i, s);
  }
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(rc, "step", sqlite3_db_handle(stmt_));
}

Status Statement::Run() {
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::ColumnText(int i) const {
  const unsigned char* p = sqlite3_column_text(stmt_, i);
  int n = sqlite3_column_bytes(stmt_, i);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool create,
                                                     bool synchronous_full, bool read_only) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |= read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (create && !read_only) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteStatus(rc, "open " + path, db);
    sqlite3_close(db);
    return s;
  }
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_busy_timeout(db, 10000);
  sqlite3_extended_result_codes(db, 1);
  if (!read_only) {
    BULWARK_RETURN_IF_ERROR(conn->Exec("PRAGMA journal_mode=WAL"));
  }
  BULWARK_RETURN_IF_ERROR(
      conn->Exec(synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  BULWARK_RETURN_IF_ERROR(conn->Exec("PRAGMA foreign_keys=OFF"));
  BULWARK_RETURN_IF_ERROR(conn->Exec("PRAGMA temp_store=MEMORY"));
  BULWARK_RETURN_IF_ERROR(conn->Exec("PRAGMA cache_size=-65536"));  // 64 MiB page cache
  // Checkpoint the WAL every ~40 MB instead of every ~4 MB: fewer, larger checkpoints.
  BULWARK_RETURN_IF_ERROR(conn->Exec("PRAGMA wal_autocheckpoint=10000"));
  return conn;
}

Connection::~Connection() {
  cache_.clear();  // finalize statements before closing
  sqlite3_close(db_);
}

Status Connection::Error(std::string_view what) const {
  return SqliteStatus(sqlite3_errcode(db_), what, db_);
}

Status Connection::Exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    // Storage faults get the generic message (the detail goes to the log), like every path.
    return SqliteStatusFromMessage(rc, "exec: " + msg);
  }
  return Status::Ok();
}

Result<Statement*> Connection::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(rc, "prepare", db_);
  auto owned = std::make_unique<Statement>(stmt);
  Statement* raw = owned.get();
  cache_.emplace(std::string(sql), std::move(owned));
  return raw;
}

void Connection::Rollback() { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

}  // namespace bulwark::store::sqlite

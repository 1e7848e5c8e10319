#pragma once

// Versioned schema migrations, shared by every backend. Each migration is written once in
// portable SQL; the few dialect differences are placeholders expanded per backend:
//   {{AUTO_ID}}  an auto-assigned 64-bit integer primary key
//   {{REAL}}     a double-precision float
//   {{INT64_KEY}}  a 64-bit integer primary key assigned by Bulwark (not auto-incremented)
//   {{WITHOUT_ROWID}}  after a table with a small row and a text key (SQLite: WITHOUT ROWID)
// Migrations are append-only: never edit one that has shipped, add the next version instead.
//
// Every large table is keyed by a platform-supplied text id (or by the id of the item it
// belongs to) so that a distributed PostgreSQL (Citus) can hash-distribute it; see
// docs/operations.md.

#include <span>
#include <string>

namespace bulwark::store {

enum class Dialect { kSqlite, kPostgres };

struct Migration {
  int version;
  const char* name;
  const char* sql;               // portable; may contain several statements separated by ';'
  const char* sqlite_only = "";  // then, on SQLite only (triggers: the dialects differ)
};

std::span<const Migration> AllMigrations();
int LatestSchemaVersion();
std::string ExpandSql(const char* sql, Dialect dialect);

}  // namespace bulwark::store

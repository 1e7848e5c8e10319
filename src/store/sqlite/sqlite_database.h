#pragma once

// The embedded SQLite backend: one database file in WAL mode, one writer connection
// (writes are serialised by a mutex, each batch is one IMMEDIATE transaction) and a small pool
// of reader connections that run concurrently with the writer.

#include <memory>
#include <string>

#include "store/store.h"

namespace bulwark::store {

// Opens the database at `path` (created if allowed and missing) and, if options.migrate,
// applies pending migrations.
Result<std::unique_ptr<Database>> OpenSqliteDatabase(const std::string& path,
                                                     const OpenOptions& options);

}  // namespace bulwark::store

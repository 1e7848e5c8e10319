#include "store/migrations.h"

#include <gtest/gtest.h>

namespace bulwark::store {
namespace {

TEST(Migrations, VersionsAreConsecutiveFromOne) {
  int expected = 1;
  for (const Migration& m : AllMigrations()) {
    EXPECT_EQ(m.version, expected++) << m.name;
  }
  EXPECT_EQ(LatestSchemaVersion(), expected - 1);
}

TEST(Migrations, ExpandsDialectPlaceholders) {
  EXPECT_EQ(ExpandSql("id {{AUTO_ID}}, r {{REAL}}", Dialect::kSqlite),
            "id INTEGER PRIMARY KEY, r REAL");
  EXPECT_EQ(ExpandSql("id {{AUTO_ID}}, r {{REAL}}", Dialect::kPostgres),
            "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, r DOUBLE PRECISION");
  for (const Migration& m : AllMigrations()) {
    EXPECT_EQ(ExpandSql(m.sql, Dialect::kSqlite).find("{{"), std::string::npos);
    EXPECT_EQ(ExpandSql(m.sql, Dialect::kPostgres).find("{{"), std::string::npos);
  }
}

}  // namespace
}  // namespace bulwark::store

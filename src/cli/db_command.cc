#include <cstdio>

#include "cli/commands.h"
#include "store/store.h"

namespace bulwark::cli {

void AddDbCommand(CLI::App& app) {
  auto* dbcmd = app.add_subcommand("db", "Database administration.");
  dbcmd->require_subcommand(1);
  auto url = std::make_shared<std::string>(kDefaultDb);
  dbcmd->add_option("--db", *url, "Database URL (default sqlite:bulwark.db)");

  auto* migrate =
      dbcmd->add_subcommand("migrate",
                            "Apply pending schema migrations (serve also does this at start-up).\n"
                            "Example: bulwark db migrate --db sqlite:/var/lib/bulwark/bulwark.db");
  migrate->fallthrough();
  migrate->callback([url] {
    store::OpenOptions o;
    o.migrate = false;
    auto db = store::OpenDatabase(*url, o);
    if (!db.ok()) Fail(db.status());
    int before = (*db)->schema_version();
    auto applied = (*db)->Migrate();
    if (!applied.ok()) Fail(applied.status());
    std::printf("schema version %d -> %d (%d migration%s applied)\n", before,
                (*db)->schema_version(), *applied, *applied == 1 ? "" : "s");
  });

  auto* stats = dbcmd->add_subcommand("stats",
                                      "Row counts per table and size on disk.\n"
                                      "Example: bulwark db stats");
  stats->fallthrough();
  stats->callback([url] {
    store::OpenOptions o;
    o.migrate = false;
    o.create_if_missing = false;
    auto db = store::OpenDatabase(*url, o);
    if (!db.ok()) Fail(db.status());
    auto s = (*db)->Stats();
    if (!s.ok()) Fail(s.status());
    std::printf(
        "backend         %s\nlocation        %s\nschema version  %d (latest %d)\n"
        "size            %.1f MiB\n",
        s->backend.c_str(), s->location.c_str(), s->schema_version, (*db)->latest_schema_version(),
        s->size_bytes / 1048576.0);
    for (const auto& t : s->tables) {
      std::printf("%-16s%lld\n", t.table.c_str(), static_cast<long long>(t.rows));
    }
  });
}

}  // namespace bulwark::cli

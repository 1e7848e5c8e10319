#include <cstdio>

#include "cli/commands.h"
#include "detect/detector.h"
#include "enforce/enforcer.h"
#include "store/store.h"

namespace bulwark::cli {

void AddEnforceCommand(CLI::App& app) {
  struct Options {
    std::string db = kDefaultDb;
    std::string data_dir = "data";
    std::string cache_dir = ".bulwark-cache";
    std::string policy = "data/policy/default.policy";
    bool all = false;
    int batch = 500;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "enforce",
      "Run stored items through detect -> policy -> decision log, without a server.\n"
      "By default only items not yet enforced (new or edited); --all re-scans every item with\n"
      "the current model and the active policy version, appending new decisions (old ones are\n"
      "never edited).\n"
      "Example: bulwark enforce --all");
  cmd->add_option("--db", o->db, "Database URL (default sqlite:bulwark.db)");
  cmd->add_option("--data-dir", o->data_dir, "Directory with lexicon/, claims/, models/");
  cmd->add_option("--cache-dir", o->cache_dir, "Compiled lexicon cache directory");
  cmd->add_option("--policy", o->policy,
                  "Policy file imported and activated if the database has no active version\n"
                  "(default data/policy/default.policy); otherwise the active version is used");
  cmd->add_flag("--all", o->all, "Re-scan every stored item");
  cmd->add_option("--batch", o->batch, "Items per transaction (default 500)")
      ->check(CLI::Range(1, 100000));
  cmd->callback([o] {
    auto db = store::OpenDatabase(o->db, store::OpenOptions{});
    if (!db.ok()) Fail(db.status());
    detect::DetectorConfig dc;
    dc.data_dir = o->data_dir;
    dc.lexicon_cache_dir = o->cache_dir;
    detect::DetectorHandle detectors(dc);
    if (Status s = detectors.Reload(); !s.ok()) Fail(s);
    SystemClock clock;
    auto policy = OpenActivePolicy(**db, o->policy, clock);
    enforce::Enforcer enforcer(**db, detectors, *policy, clock, nullptr);
    enforce::EnforceSummary total;
    if (o->all) {
      auto r = enforcer.RescanAll(o->batch);
      if (!r.ok()) Fail(r.status());
      total = *r;
    } else {
      for (;;) {
        auto r = enforcer.RunPending(o->batch);
        if (!r.ok()) Fail(r.status());
        if (r->items == 0) break;
        total.items += r->items;
        total.decisions += r->decisions;
        for (int a = 0; a < 7; ++a) total.by_action[a] += r->by_action[a];
      }
    }
    std::printf("enforced %d items: %d decisions", total.items, total.decisions);
    for (int a = 0; a < 7; ++a) {
      if (total.by_action[a]) {
        std::printf(", %d %s", total.by_action[a],
                    std::string(ActionName(static_cast<ActionType>(a))).c_str());
      }
    }
    std::printf("\n");
  });
}

}  // namespace bulwark::cli

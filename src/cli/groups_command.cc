// `bulwark groups stats`: recommendation 7's coverage figures for private groups (docs/groups.md).

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "enforce/enforcer.h"
#include "review/queues.h"
#include "review/service.h"
#include "store/store.h"

namespace bulwark::cli {
namespace {

double Share(std::int64_t part, std::int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

}  // namespace

void AddGroupsCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("groups", "Groups: coverage of private groups.");
  cmd->require_subcommand(1);
  struct Options {
    std::string db = kDefaultDb;
    std::string queues = "data/review/queues.json";
    int days = 30;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* stats = cmd->add_subcommand(
      "stats",
      "Coverage of private groups over the last --days days (recommendation 7): the share of\n"
      "their items scanned within 60 s of receipt, and the share of their flagged items first\n"
      "reviewed within the queue's SLA (cases still inside the SLA are not yet due). Read-only.\n"
      "Example: bulwark groups stats --db sqlite:bulwark.db --days 7");
  stats->add_option("--db", o->db, "Database URL (default sqlite:bulwark.db)");
  stats->add_option("--queues", o->queues, "Queue configuration (default data/review/queues.json)");
  stats->add_option("--days", o->days, "Window: the last N days (default 30)")
      ->check(CLI::Range(1, 3650));
  stats->add_flag("--json", o->json, "Print JSON instead of text");
  stats->callback([o] {
    auto queues = review::LoadQueueConfig(o->queues);
    if (!queues.ok()) Fail(queues.status());
    store::OpenOptions open;
    open.migrate = false;
    open.create_if_missing = false;
    auto db = store::OpenDatabase(o->db, open);
    if (!db.ok()) Fail(db.status());
    if ((*db)->schema_version() < (*db)->latest_schema_version()) {
      Fail(FailedPrecondition(
          "the database schema is older than this binary: run bulwark db migrate first"));
    }
    SystemClock clock;
    const UnixMillis until = clock.NowMillis() + 1;
    const UnixMillis since = until - std::int64_t{o->days} * 24 * 3600 * 1000;
    review::ReviewService service(**db, *queues, nullptr, clock, {});
    auto r = service.PrivateGroupStats(since, until, enforce::kScanTargetMs);
    if (!r.ok()) Fail(r.status());
    const store::ScanCoverage& sc = r->scans;
    const std::int64_t scanned = sc.within + sc.later;
    const std::int64_t due = r->within_sla + r->breached;
    if (o->json) {
      nlohmann::json j = {{"days", o->days},
                          {"since", FormatRfc3339(since)},
                          {"until", FormatRfc3339(until)},
                          {"items",
                           {{"received", sc.items},
                            {"scanned_within_60s", sc.within},
                            {"scanned_later", sc.later},
                            {"pending", sc.pending},
                            {"unknown", sc.unknown},
                            {"share_within_60s", Share(sc.within, scanned)}}},
                          {"flagged_cases",
                           {{"opened", r->cases},
                            {"reviewed_within_sla", r->within_sla},
                            {"breached", r->breached},
                            {"not_yet_due", r->not_yet_due},
                            {"share_within_sla", Share(r->within_sla, due)}}}};
      std::printf("%s\n", j.dump(2).c_str());
      return;
    }
    std::printf("private groups, last %d days (%s .. %s)\n", o->days, FormatRfc3339(since).c_str(),
                FormatRfc3339(until).c_str());
    std::printf(
        "  items scanned within 60 s of receipt: %lld of %lld scanned (%.1f%%); later %lld, "
        "pending %lld, unknown %lld\n",
        static_cast<long long>(sc.within), static_cast<long long>(scanned),
        100 * Share(sc.within, scanned), static_cast<long long>(sc.later),
        static_cast<long long>(sc.pending), static_cast<long long>(sc.unknown));
    std::printf(
        "  flagged items first reviewed within the queue's SLA: %lld of %lld due (%.1f%%); "
        "breached %lld, not yet due %lld\n",
        static_cast<long long>(r->within_sla), static_cast<long long>(due),
        100 * Share(r->within_sla, due), static_cast<long long>(r->breached),
        static_cast<long long>(r->not_yet_due));
  });
}

}  // namespace bulwark::cli

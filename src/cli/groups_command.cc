// `bulwark groups stats`: recommendation 7's coverage figures for private groups; `bulwark groups
// scan`: the policy's group rules over every active group, or one (docs/groups.md).

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/commands.h"
#include "enforce/enforcer.h"
#include "groups/scanner.h"
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
  auto* cmd = app.add_subcommand(
      "groups", "Groups: coverage of private groups; the group rules over the active groups.");
  cmd->require_subcommand(1);
  struct Options {
    std::string db = kDefaultDb;
    std::string queues = "data/review/queues.json";
    int days = 30;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  struct ScanOptions {
    std::string db = kDefaultDb;
    std::string policy = "data/policy/default.policy";
    std::string group;
    bool dry_run = false;
    bool json = false;
  };
  auto so = std::make_shared<ScanOptions>();
  auto* scan = cmd->add_subcommand(
      "scan",
      "Applies the active policy's group rules to every group with activity in the rules'\n"
      "longest window (or to --group), as serve does every --group-scan-seconds: prints each\n"
      "group's risk and the rules it matches, and (unless --dry-run) logs each new match with\n"
      "its group review case (once per rule, group and window-long period).\n"
      "Example: bulwark groups scan --db sqlite:bulwark.db --dry-run");
  scan->add_option("--db", so->db, "Database URL (default sqlite:bulwark.db)");
  scan->add_option("--policy", so->policy,
                   "Policy file imported and activated if the database has no active version\n"
                   "(default data/policy/default.policy); otherwise the active version is used");
  scan->add_option("--group", so->group, "Scan only this group (any state)");
  scan->add_flag("--dry-run", so->dry_run, "Log nothing: only print what the rules say");
  scan->add_flag("--json", so->json, "Print JSON (one object per group) instead of text");
  scan->callback([so] {
    auto db = store::OpenDatabase(so->db, store::OpenOptions{});
    if (!db.ok()) Fail(db.status());
    SystemClock clock;
    auto policy = OpenActivePolicy(**db, so->policy, clock);
    groups::GroupScanner scanner(
        **db, [&policy] { return policy->Get(); }, clock, nullptr);
    std::vector<std::string> ids;
    if (!so->group.empty()) {
      ids.push_back(so->group);
    } else {
      const std::vector<int> windows = policy::GroupRuleWindows(*policy->Get());
      const int days = windows.empty() ? 30 : windows.back();
      std::string after;
      for (;;) {
        auto page = (*db)->groups().ActiveGroups(
            clock.NowMillis() - std::int64_t{days} * 24 * 3600 * 1000, after, 1000);
        if (!page.ok()) Fail(page.status());
        ids.insert(ids.end(), page->begin(), page->end());
        if (page->size() < 1000) break;
        after = page->back();
      }
    }
    int matched = 0, logged = 0;
    for (const std::string& id : ids) {
      auto r = scanner.ScanGroup(id, !so->dry_run);
      if (!r.ok()) Fail(r.status());
      matched += !r->matched.empty();
      logged += static_cast<int>(r->logged.size());
      nlohmann::json rules = nlohmann::json::array();
      for (const policy::Action& a : r->matched) {
        rules.push_back(
            {{"rule_id", a.rule_id}, {"category", CategoryName(a.category)}, {"queue", a.queue}});
      }
      if (so->json) {
        nlohmann::json j = {{"group_id", id},
                            {"removed", r->removed},
                            {"matched", rules},
                            {"logged", r->logged.size()},
                            {"risk", nlohmann::json::array()}};
        for (const groups::GroupRisk& risk : r->risks) {
          j["risk"].push_back(nlohmann::json::parse(groups::RiskJson(risk)));
        }
        std::printf("%s\n", j.dump().c_str());
        continue;
      }
      const groups::GroupRisk* risk = r->risks.empty() ? nullptr : &r->risks.front();
      std::string top = "nothing flagged";
      if (risk != nullptr && !risk->shares.empty()) {
        const groups::CategoryShare& sh = risk->shares.front();
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s %lld of %lld, lower bound %.3f",
                      std::string(CategoryName(sh.category)).c_str(),
                      static_cast<long long>(sh.flagged), static_cast<long long>(sh.items),
                      sh.lower_bound);
        top = buf;
      }
      std::string rule_list;
      for (const policy::Action& a : r->matched) {
        rule_list += (rule_list.empty() ? "" : ", ") + std::string(a.rule_id) + " -> " +
                     std::string(a.queue);
      }
      std::printf("%-32s %s%s%s\n", id.c_str(), top.c_str(),
                  rule_list.empty() ? "" : "; review: ", rule_list.c_str());
    }
    if (!so->json) {
      std::printf("%zu groups scanned, %d matched a group rule, %d new group review decisions%s\n",
                  ids.size(), matched, logged, so->dry_run ? " (dry run: none logged)" : "");
    }
  });

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

// `bulwark accounts scan`: the policy's strike rules over every account with a recent strike, or
// one (docs/accounts.md).

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "accounts/scanner.h"
#include "cli/commands.h"
#include "enforce/enforcer.h"
#include "store/store.h"

namespace bulwark::cli {
namespace {

std::string Until(const std::optional<UnixMillis>& until) {
  return until ? FormatRfc3339(*until) : std::string("no end");
}

}  // namespace

void AddAccountsCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "accounts", "Accounts: strikes, and the restrictions and suspensions strike rules give.");
  cmd->require_subcommand(1);
  struct Options {
    std::string db = kDefaultDb;
    std::string policy = "data/policy/default.policy";
    std::string account;
    bool dry_run = false;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* scan = cmd->add_subcommand(
      "scan",
      "Applies the active policy's strike rules to every account with a removal in the rules'\n"
      "longest window, or a restriction or suspension in force (or to --account), as serve\n"
      "does every --account-scan-seconds: prints each account's strikes and the rule that\n"
      "applies, and (unless --dry-run) logs each new consequence, and lifts those whose strikes\n"
      "were overturned.\n"
      "Example: bulwark accounts scan --db sqlite:bulwark.db --dry-run");
  scan->add_option("--db", o->db, "Database URL (default sqlite:bulwark.db)");
  scan->add_option("--policy", o->policy,
                   "Policy file imported and activated if the database has no active version\n"
                   "(default data/policy/default.policy); otherwise the active version is used");
  scan->add_option("--account", o->account, "Scan only this account");
  scan->add_flag("--dry-run", o->dry_run, "Log nothing: only print what the rules say");
  scan->add_flag("--json", o->json, "Print JSON (one object per account) instead of text");
  scan->callback([o] {
    auto db = store::OpenDatabase(o->db, store::OpenOptions{});
    if (!db.ok()) Fail(db.status());
    SystemClock clock;
    auto policy = OpenActivePolicy(**db, o->policy, clock);
    accounts::AccountScanner scanner(
        **db, [&policy] { return policy->Get(); }, clock, nullptr);
    std::vector<std::string> ids;
    if (!o->account.empty()) {
      ids.push_back(o->account);
    } else {
      auto all = scanner.WorkList();
      if (!all.ok()) Fail(all.status());
      ids = std::move(all).value();
    }
    int matched = 0, logged = 0, lifted = 0;
    for (const std::string& id : ids) {
      auto r = scanner.ScanAccount(id, !o->dry_run);
      if (!r.ok()) Fail(r.status());
      matched += !r->matched_rule.empty();
      logged += r->logged.has_value();
      lifted += r->lifted.has_value();
      if (o->json) {
        nlohmann::json j = {{"account_id", id},
                            {"public_figure", r->account.is_public_figure},
                            {"strikes", r->strikes.size()},
                            {"rule", r->matched_rule.empty() ? nlohmann::json(nullptr)
                                                             : nlohmann::json(r->matched_rule)},
                            {"counted", r->counted},
                            {"logged", r->logged ? nlohmann::json(ActionName(r->logged->action))
                                                 : nlohmann::json(nullptr)},
                            {"lifted", r->lifted.has_value()}};
        std::printf("%s\n", j.dump().c_str());
        continue;
      }
      std::string what;
      if (r->lifted) what += "; lifted (a strike was overturned)";
      if (r->logged) {
        what += std::string("; ") + std::string(ActionName(r->logged->action)) + " until " +
                Until(AccountDecisionTerm(*r->logged).until);
      }
      std::printf("%-24s %zu strikes%s%s%s%s\n", id.c_str(), r->strikes.size(),
                  r->account.is_public_figure ? " (public figure)" : "",
                  r->matched_rule.empty() ? "" : "; rule ", r->matched_rule.c_str(), what.c_str());
    }
    if (!o->json) {
      std::printf(
          "%zu accounts scanned, %d matched a strike rule, %d new consequences, %d lifted%s\n",
          ids.size(), matched, logged, lifted, o->dry_run ? " (dry run: none logged)" : "");
    }
  });
}

}  // namespace bulwark::cli

// `bulwark policy check FILE`: parse, validate and lint a policy file (docs/policy.md);
// `bulwark policy backtest OLD NEW`. The lifecycle subcommands are in policy_lifecycle_command.cc.

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "detect/detector.h"
#include "enforce/backtest.h"
#include "policy/golden.h"
#include "policy/lint.h"
#include "policy/policy.h"
#include "store/store.h"

namespace bulwark::cli {

void AddPolicyCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "policy",
      "Policy files and versions: validate, lint and backtest files; draft, submit, approve,\n"
      "reject, activate, list and show the versions stored in the database.");
  cmd->require_subcommand(1);
  AddPolicyLifecycleCommands(*cmd);

  struct Options {
    std::string file;
    std::string golden;
    bool strict = false;
    bool quiet = false;
  };
  auto o = std::make_shared<Options>();
  auto* check = cmd->add_subcommand(
      "check",
      "Parse and lint a policy file. Prints every finding as FILE:LINE: severity: message and\n"
      "exits non-zero on a syntax error or a lint error (e.g. a rule that exempts politicians).\n"
      "With --golden, also evaluates the golden cases (input -> expected actions) and fails on\n"
      "any difference.\n"
      "Example: bulwark policy check data/policy/default.policy --golden "
      "tests/policy/golden_cases");
  check->add_option("file", o->file, "Policy file")->required();
  check->add_option("--golden", o->golden, "Golden case file to run against the policy");
  check->add_flag("--strict", o->strict, "Fail on warnings too");
  check->add_flag("--quiet", o->quiet, "Print findings only, no summary");
  check->callback([o] {
    auto policy = policy::LoadPolicyFile(o->file);
    if (!policy.ok()) Fail(policy.status());
    const policy::Policy& p = **policy;
    std::vector<policy::LintFinding> findings = policy::Lint(p);
    int errors = 0, warnings = 0;
    for (const policy::LintFinding& f : findings) {
      (f.severity == policy::LintSeverity::kError ? errors : warnings)++;
      std::printf("%s\n", policy::FormatFinding(p, f).c_str());
    }
    if (!o->quiet) {
      std::printf("%s: policy %s version %s, %zu rules: %d error%s, %d warning%s\n",
                  o->file.c_str(), p.id.c_str(), p.version.c_str(), p.rules.size(), errors,
                  errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    }
    size_t golden_failures = 0;
    if (!o->golden.empty()) {
      auto cases = policy::LoadGoldenCases(o->golden);
      if (!cases.ok()) Fail(cases.status());
      auto failures = policy::RunGoldenCases(p, *cases);
      golden_failures = failures.size();
      for (const policy::GoldenFailure& f : failures) {
        std::printf("%s:%d: error: case %s: expected \"%s\", policy gives \"%s\" [golden]\n",
                    o->golden.c_str(), f.line, f.name.c_str(), f.expected.c_str(),
                    f.actual.c_str());
      }
      if (!o->quiet) {
        std::printf("%s: %zu of %zu golden cases pass\n", o->golden.c_str(),
                    cases->size() - failures.size(), cases->size());
      }
    }
    std::fflush(stdout);
    if (errors > 0 || golden_failures > 0 || (o->strict && warnings > 0)) {
      throw CLI::RuntimeError(1);
    }
  });

  struct BacktestOptions {
    std::string before, after;
    std::string db = kDefaultDb;
    std::string data_dir = "data";
    std::string cache_dir = ".bulwark-cache";
  };
  auto b = std::make_shared<BacktestOptions>();
  auto* backtest = cmd->add_subcommand(
      "backtest",
      "Replay every stored item through the current detectors and two policy versions and show\n"
      "how the outcome would change, by category and target group (read-only). Run it before a\n"
      "new version is signed off.\n"
      "Example: bulwark policy backtest data/policy/default.policy draft.policy");
  backtest->add_option("old", b->before, "The policy in force")->required();
  backtest->add_option("new", b->after, "The proposed policy")->required();
  backtest->add_option("--db", b->db, "Database URL (default sqlite:bulwark.db)");
  backtest->add_option("--data-dir", b->data_dir, "Directory with lexicon/, claims/, models/");
  backtest->add_option("--cache-dir", b->cache_dir, "Compiled lexicon cache directory");
  backtest->callback([b] {
    auto before = policy::LoadPolicyFile(b->before);
    if (!before.ok()) Fail(before.status());
    auto after = policy::LoadPolicyFile(b->after);
    if (!after.ok()) Fail(after.status());
    store::OpenOptions open;
    open.migrate = false;
    open.create_if_missing = false;
    auto db = store::OpenDatabase(b->db, open);
    if (!db.ok()) Fail(db.status());
    detect::DetectorConfig dc;
    dc.data_dir = b->data_dir;
    dc.lexicon_cache_dir = b->cache_dir;
    auto detector = detect::Detector::Load(dc);
    if (!detector.ok()) Fail(detector.status());
    auto report = enforce::Backtest(**db, **detector, **before, **after);
    if (!report.ok()) Fail(report.status());
    std::printf(
        "backtest %s@%s -> %s@%s over %lld items: %lld change (%lld stricter, %lld looser)\n",
        (*before)->id.c_str(), (*before)->version.c_str(), (*after)->id.c_str(),
        (*after)->version.c_str(), static_cast<long long>(report->items),
        static_cast<long long>(report->changed), static_cast<long long>(report->stricter),
        static_cast<long long>(report->looser));
    if (!report->changes.empty()) {
      std::printf("%-34s %-20s %-36s %-36s %s\n", "CATEGORY", "TARGET GROUP", "OLD", "NEW",
                  "ITEMS");
    }
    for (const auto& [key, n] : report->changes) {
      const auto& [category, group, from, to] = key;
      std::printf("%-34s %-20s %-36s %-36s %lld\n", category.c_str(), group.c_str(), from.c_str(),
                  to.c_str(), static_cast<long long>(n));
    }
  });
}

}  // namespace bulwark::cli

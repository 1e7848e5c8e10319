// `bulwark policy check FILE`: parse, validate and lint a policy file (docs/policy.md).

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "policy/golden.h"
#include "policy/lint.h"
#include "policy/policy.h"

namespace bulwark::cli {

void AddPolicyCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("policy", "Policy files: validate and lint.");
  cmd->require_subcommand(1);

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
}

}  // namespace bulwark::cli

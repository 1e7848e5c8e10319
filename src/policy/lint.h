#pragma once

// Policy lint: checks that a parsed (hence syntactically valid) policy keeps Bulwark's
// enforcement commitments. docs/policy.md lists every check with examples.
//
// Errors (a policy with any error must not go live; `bulwark policy check` exits non-zero):
//   public-figure-exemption  a rule conditioned on author_is_public_figure that does anything
//                            but raise priority, review or escalate; or any input for which a
//                            public figure's post gets a weaker outcome than anyone else's
//                            (recommendation 8: no exemption); or a strike rule conditioned on
//                            it at all (consequences are the same for every account).
//   reach-lowers-action      more views give a weaker outcome (reach may raise priority only).
//   unconditional-removal    a remove/reduce rule with no score threshold.
// Warnings:
//   private-weaker           private-group content gets a weaker outcome than the same public
//                            content (recommendation 7), or a rule says none for private content.
//   score-gap                a higher score gives a weaker outcome than a lower one.
//   coverage                 a category no rule acts on.
//   no-op                    a public-figure rule that changes nothing (= false with none).
//   lint-incomplete          the policy is too large for the exhaustive checks.
//
// The differential checks evaluate the policy on probe inputs built from every threshold the
// policy mentions (each side of each bound), so they see the combined effect of all rules,
// whatever the phrasing. Pure function of the policy; safe to call from any thread.

#include <string>
#include <vector>

#include "policy/policy.h"

namespace bulwark::policy {

enum class LintSeverity { kError, kWarning };

struct LintFinding {
  LintSeverity severity = LintSeverity::kError;
  std::string check;    // e.g. "public-figure-exemption"
  std::string rule_id;  // empty when about the policy as a whole
  int line = 0;         // the line the finding is about (1 for the whole policy)
  std::string message;
};

struct LintOptions {
  // Work limit of the differential checks, in rule tests (probe evaluations times rules);
  // the default is about a second. Past it they stop with a lint-incomplete warning.
  long long max_rule_tests = 400'000'000;
};

// Findings in line order, errors and warnings mixed; at most one per (check, rule).
std::vector<LintFinding> Lint(const Policy& policy, const LintOptions& options);
inline std::vector<LintFinding> Lint(const Policy& policy) { return Lint(policy, LintOptions()); }

bool HasLintErrors(const std::vector<LintFinding>& findings);

// "FILE:LINE: error: MESSAGE [CHECK]"
std::string FormatFinding(const Policy& policy, const LintFinding& finding);

}  // namespace bulwark::policy

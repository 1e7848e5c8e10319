// Fuzzes the policy parser (policy::ParsePolicy): no crash, no sanitizer report; a parsed policy
// satisfies the documented invariants, evaluates to well-formed decisions, and small ones lint
// without crashing. The same bytes also go through the golden-case parser.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fuzz_check.h"
#include "policy/golden.h"
#include "policy/lint.h"
#include "policy/policy.h"

namespace {

using bulwark::policy::ActionKind;

void CheckDecision(const bulwark::policy::Decision& d) {
  for (size_t i = 0; i < d.actions.size(); ++i) {
    const auto& a = d.actions[i];
    FUZZ_CHECK(!a.rule_id.empty() && !a.reason_code.empty() && !a.reason.empty());
    FUZZ_CHECK(a.kind != ActionKind::kRaisePriority);
    if (bulwark::policy::IsEnforcement(a.kind)) {
      FUZZ_CHECK(i == 0);
    } else {
      FUZZ_CHECK(!a.queue.empty());
      FUZZ_CHECK(a.priority >= bulwark::policy::kMinPriority &&
                 a.priority <= bulwark::policy::kMaxPriority);
    }
    if (a.kind == ActionKind::kLabel) FUZZ_CHECK(!a.label.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cases = bulwark::policy::ParseGoldenCases(text, "fuzz.cases");
  if (cases.ok()) {
    for (const auto& c : *cases) FUZZ_CHECK(!c.name.empty() && c.line >= 1);
  } else {
    FUZZ_CHECK(cases.status().field().rfind("fuzz.cases:", 0) == 0);
  }
  auto parsed = bulwark::policy::ParsePolicy(text, "fuzz.policy");
  if (!parsed.ok()) {
    // Every error names the file and a line that exists.
    const std::string& field = parsed.status().field();
    FUZZ_CHECK(field.rfind("fuzz.policy:", 0) == 0);
    FUZZ_CHECK(!parsed.status().message().empty());
    return 0;
  }
  const bulwark::policy::Policy& p = **parsed;
  FUZZ_CHECK(!p.id.empty() && !p.version.empty() && !p.title.empty() && !p.rules.empty());
  for (const auto& r : p.rules) {
    FUZZ_CHECK(!r.id.empty() && r.categories != 0 && !r.reason.empty() && r.line >= 1);
    if (r.action == ActionKind::kReview || r.action == ActionKind::kEscalate) {
      FUZZ_CHECK(!r.queue.empty());
    }
  }
  // Evaluate on inputs spread over the score range, with every context flag flipped.
  for (int k = 0; k <= 10; ++k) {
    bulwark::policy::PolicyInput in;
    for (int c = 0; c < bulwark::kNumCategories; ++c) {
      in.scores[c] = std::fmod((k + c * 0.37) / 10.0, 1.0);
    }
    in.visibility = (k & 1) ? bulwark::Visibility::kPrivate : bulwark::Visibility::kPublic;
    in.author_is_public_figure = (k & 2) != 0;
    in.kind = bulwark::kAllItemKinds[k % 6];
    in.reports = k * 3;
    in.views = static_cast<std::int64_t>(k) * k * 100000;
    if (k & 4) in.target_groups.Add(bulwark::kAllTargetGroups[k % bulwark::kNumTargetGroups]);
    CheckDecision(bulwark::policy::Evaluate(p, in));
  }
  if (size <= 1024) {
    for (const auto& f : bulwark::policy::Lint(p)) {
      FUZZ_CHECK(!f.check.empty() && !f.message.empty() && f.line >= 1);
    }
  }
  return 0;
}

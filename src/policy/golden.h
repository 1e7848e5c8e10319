#pragma once

// Golden cases: items with the exact actions a policy must give them. A policy version carries
// its golden cases (tests/policy/golden_cases for the default policy) and must pass them before
// it can be approved; `bulwark policy check FILE --golden CASES` runs them.
//
// File format (docs/policy.md), one case a line, '#' comment lines:
//   NAME | INPUT | EXPECTED
//   INPUT     space-separated key=value: CATEGORY=score, targets=a,b, visibility=public|private,
//             kind=post|..., reports=N, views=N, public_figure=true|false
//   EXPECTED  one enforcement word (remove, reduce, label, none) and every review/escalate
//             action as review:QUEUE@PRIORITY or escalate:QUEUE@PRIORITY, in any order.

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "policy/policy.h"

namespace bulwark::policy {

struct GoldenCase {
  int line = 0;
  std::string name;
  PolicyInput input;
  std::string expected;  // canonical form (see FormatOutcome)
};

// Parses a golden-case file. Errors are InvalidArgument with field "FILE:LINE".
Result<std::vector<GoldenCase>> ParseGoldenCases(std::string_view text, std::string_view filename);
// Reads and parses `path`; NotFound if it cannot be read.
Result<std::vector<GoldenCase>> LoadGoldenCases(const std::string& path);

// A decision in the golden notation, canonical: the enforcement word first ("none" if there is
// no enforcement action), then the review/escalate actions sorted, space-separated.
std::string FormatOutcome(const Decision& decision);

struct GoldenFailure {
  int line = 0;
  std::string name;
  std::string expected;
  std::string actual;
};

// Evaluates every case; returns the cases whose outcome differs from the expected one.
std::vector<GoldenFailure> RunGoldenCases(const Policy& policy,
                                          const std::vector<GoldenCase>& cases);

}  // namespace bulwark::policy

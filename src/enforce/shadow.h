#pragma once

// Shadow policies (issue 10, item 8): a policy version evaluated beside the active one on live
// traffic. It takes no action and writes nothing to the decision log: for each item the pipeline
// enforces, its outcome is compared with the active policy's, category by category, and the
// comparison is kept in a log of its own (store::ShadowStore). The report compares the two by
// category and by target group over a period, so that a civil-rights sign-off can rest on live
// evidence as well as on the backtest (docs/policy.md, "Shadow runs").
//
// Pure functions: no I/O, safe from any thread.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/taxonomy.h"
#include "policy/policy.h"
#include "store/store.h"

namespace bulwark::enforce {

// The strength of an outcome in one category: none 0 < review 1 < escalate 2 < label 3 <
// reduce 4 < remove 5 (raise_priority, restrict and suspend are not item outcomes: 0).
int OutcomeRank(policy::ActionKind k);
// "none", "review", "escalate", "label", "reduce", "remove" by rank.
std::string_view OutcomeName(int rank);
// The rank of an outcome name (0 for an unknown one).
int OutcomeRankOf(std::string_view name);

// One category in which either policy acted on an item.
struct CategoryComparison {
  Category category = Category::kHate;
  int active = 0, shadow = 0;  // OutcomeRank of each policy's strongest action in the category
  std::string_view active_rule, shadow_rule;  // point into the policies
};
// Every category in which the active or the shadow decision has an action, in category order.
std::vector<CategoryComparison> CompareByCategory(const policy::Decision& active,
                                                  const policy::Decision& shadow);

// Counts over a set of shadow outcomes (item revisions in one category).
struct ShadowTally {
  std::int64_t outcomes = 0;      // item revisions where either policy acted
  std::int64_t active_acted = 0;  // ... where the active policy took an action
  std::int64_t shadow_acted = 0;  // ... where the shadow policy would have
  std::int64_t same = 0;          // the same outcome
  std::int64_t shadow_stronger = 0;
  std::int64_t shadow_weaker = 0;
  std::int64_t active_removed = 0,
               shadow_removed = 0;  // remove or reduce (off the platform's reach)
};

struct ShadowReport {
  std::int64_t policy_id = 0;
  UnixMillis since = 0, until = 0;
  std::vector<store::ShadowRun> runs;
  ShadowTally total;
  std::map<std::string, ShadowTally> by_category;
  std::map<std::string, ShadowTally> by_target;  // each named target group; "none" without one
  std::map<std::string, ShadowTally> by_visibility;
  // Up to 20 item revisions where the shadow policy is weaker, and 20 where it is stronger.
  std::vector<store::ShadowOutcome> weaker_examples, stronger_examples;
};

ShadowReport BuildShadowReport(std::int64_t policy_id, UnixMillis since, UnixMillis until,
                               std::vector<store::ShadowRun> runs,
                               std::span<const store::ShadowOutcome> outcomes);

// The report as JSON and as text (`bulwark policy shadow-report`).
std::string ShadowReportJson(const ShadowReport& r);
std::string ShadowReportText(const ShadowReport& r);

}  // namespace bulwark::enforce

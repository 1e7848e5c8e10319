#pragma once

// Group risk (recommendation 4): how much of a group's recent content is hate, harassment,
// threats, extremism or misinformation, measured so that a 3-post group does not outrank a
// 30,000-post one, with every number traceable to the items and decisions behind it.
//
// ComputeRisk is pure: it reads a store::GroupActivity (one read transaction's view of a group
// over a window) and returns figures; it keeps no state and is safe to call from any thread.
//
// What counts as a flagged item (docs/groups.md has the worked example): an item's standing
// verdict for a category is the latest of its decisions in that category, where an automated
// label, reduce, remove, review or escalate and a reviewer's label, reduce or remove flag it, and
// a reviewer's or an appeal's "no violation" or restore clears every category.

#include <cstdint>
#include <string>
#include <vector>

#include "core/taxonomy.h"
#include "policy/policy.h"
#include "store/store.h"

namespace bulwark::groups {

// Wilson score interval's lower bound for `k` successes in `n` trials at `z` standard
// deviations (1.96: 95%); 0 when n is 0. Small samples get a low bound: 3 of 3 is 0.44,
// 3,000 of 30,000 is 0.097.
double WilsonLowerBound(std::int64_t k, std::int64_t n, double z = 1.96);

// One flagged item behind a share: what flagged it.
struct FlaggedItem {
  std::string item_id;
  std::string author_id;
  UnixMillis created_at = 0;
  std::int64_t decision_seq = 0;  // the decision that flags it (the latest one)
  std::string action;             // that decision's action
  std::string rule_id;            // "" for a reviewer's decision
  bool by_reviewer = false;
};

// A week of the window: items created and flagged per category (the risk-over-time chart).
struct RiskBucket {
  UnixMillis start = 0;
  std::int64_t items = 0;
  std::array<std::int64_t, kNumCategories> flagged{};
};

struct CategoryShare {
  Category category = Category::kHate;
  std::int64_t flagged = 0;
  std::int64_t items = 0;
  double share = 0;              // flagged / items
  double lower_bound = 0;        // WilsonLowerBound(flagged, items)
  std::vector<FlaggedItem> top;  // up to RiskOptions::top_items, most recent first
};

struct GroupRisk {
  std::string group_id;
  Visibility visibility = Visibility::kPublic;
  int window_days = 30;
  UnixMillis since = 0, until = 0;
  std::int64_t items = 0;             // items created in the window (the share's denominator)
  bool items_truncated = false;       // the window held more than RiskOptions::max_items
  std::vector<CategoryShare> shares;  // categories with a flagged item, highest lower bound first
  // The group's profile (name and description) as scanned: the categories its standing verdict
  // names, and the decisions that say so. Empty when clean or not yet scanned.
  bool profile_scanned = false;
  std::vector<std::pair<Category, FlaggedItem>> profile_flags;
  // The owner and admins with their standing removals in the window.
  std::vector<store::AccountRemovals> admins;
  std::int64_t admin_removals = 0;  // their sum
  std::int64_t members_at_start = 0, members_now = 0, joins = 0, leaves = 0;
  double growth = 0;  // members_now / max(1, members_at_start) - 1; 0 without members
  std::int64_t members_with_removals = 0;
  double member_removal_share = 0;   // members_with_removals / members_now (0 if none)
  std::vector<RiskBucket> timeline;  // one per 7 days from `since`, oldest first

  // The input the policy's group rules see.
  policy::GroupPolicyInput PolicyInput() const;
  const CategoryShare* Share(Category c) const;
};

struct RiskOptions {
  int top_items = 5;
  int max_items = 20000;
  double z = 1.96;
};

// The risk of the group in `activity` over [since, until).
GroupRisk ComputeRisk(const store::GroupActivity& activity, int window_days, UnixMillis since,
                      UnixMillis until, const RiskOptions& options = {});

// The figures as JSON (every number with what it is made of), for the API, the console and the
// evidence of a group review case.
std::string RiskJson(const GroupRisk& risk);

}  // namespace bulwark::groups

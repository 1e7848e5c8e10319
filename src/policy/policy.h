#pragma once

// Policy files: parse, validate and evaluate (recommendation 5). The file format, the rule
// semantics and the lint are documented in docs/policy.md.
//
// A Policy is an immutable snapshot: ParsePolicy returns it as std::shared_ptr<const Policy>,
// and any number of threads may call Evaluate on one policy at the same time. Reloading a policy
// means parsing a new one and swapping the pointer; the old one lives on while decisions that
// refer to it (their string_views point into it) are still in use.
//
// Combination semantics (all matching rules fire):
//   * enforcement: remove > reduce > label > none. The strongest enforcement action of all
//     matching rules is the decision's one enforcement action; ties go to the earliest rule in
//     the file.
//   * review:<queue> and escalate:<queue> are additive: every matching rule adds its queue; a
//     queue named by several matching rules appears once, with the highest priority among them.
//   * raise_priority:<n> adds n (the largest n of the matching raise rules of a category) to
//     the priority of every review/escalate action of that category, capped at kMaxPriority.
//     It never lowers a priority and never changes an enforcement action.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/events.h"
#include "core/status.h"
#include "core/taxonomy.h"
#include "core/time.h"

namespace bulwark::policy {

// The format tag every policy file starts with (`format = bulwark-policy/1`).
inline constexpr std::string_view kFormatTag = "bulwark-policy/1";

// Priorities run from kMinPriority (routine) to kMaxPriority (most urgent).
inline constexpr int kMinPriority = 1;
inline constexpr int kMaxPriority = 10;
// The priority of an escalate action that does not name one.
inline constexpr int kDefaultEscalatePriority = 8;

// Limits on untrusted policy text: exceeding one is a ResourceExhausted error.
inline constexpr std::size_t kMaxPolicyBytes = 1 << 20;
inline constexpr std::size_t kMaxLineBytes = 4096;
inline constexpr std::size_t kMaxRules = 4096;

enum class ActionKind : std::uint8_t {
  kNone,           // explicitly no action
  kLabel,          // show a label (text in Action::label)
  kReduce,         // reduce distribution
  kRemove,         // remove the item
  kReview,         // send to a human review queue (additive)
  kEscalate,       // send to an escalation queue (additive)
  kRaisePriority,  // raise the priority of the other review/escalate actions (additive)
  // Strike rules only (an account's consequence): may not post, and is not recommended, until
  // the duration ends; suspend: the account is suspended (for the duration, or until lifted).
  kRestrict,
  kSuspend,
};
// "none", "label", "reduce", "remove", "review", "escalate", "raise_priority", "restrict",
// "suspend".
std::string_view ActionKindName(ActionKind k);
// True for remove, reduce, label and none: the kinds ordered by EnforcementRank.
bool IsEnforcement(ActionKind k);
// none 0 < label 1 < reduce 2 < remove 3; -1 for the additive kinds.
int EnforcementRank(ActionKind k);

// A small set of target groups (a bit per TargetGroup).
class TargetGroupSet {
 public:
  constexpr TargetGroupSet() = default;
  void Add(TargetGroup g) { bits_ |= Bit(g); }
  bool Has(TargetGroup g) const { return (bits_ & Bit(g)) != 0; }
  bool Intersects(TargetGroupSet o) const { return (bits_ & o.bits_) != 0; }
  bool empty() const { return bits_ == 0; }
  std::uint32_t bits() const { return bits_; }
  friend bool operator==(TargetGroupSet, TargetGroupSet) = default;

 private:
  static constexpr std::uint32_t Bit(TargetGroup g) { return 1u << static_cast<unsigned>(g); }
  std::uint32_t bits_ = 0;
};
static_assert(kNumTargetGroups <= 32);

// A numeric range: `>=` / `>` set the lower bound, `<` / `<=` the upper one; a missing bound is
// unbounded. NaN is in no bounded range.
struct Range {
  std::optional<double> lo;
  bool lo_inclusive = true;
  std::optional<double> hi;
  bool hi_inclusive = false;
  bool Contains(double v) const {
    if (lo && (lo_inclusive ? !(v >= *lo) : !(v > *lo))) return false;
    if (hi && (hi_inclusive ? !(v <= *hi) : !(v < *hi))) return false;
    return true;
  }
  bool unbounded() const { return !lo && !hi; }
};

// One rule, as parsed. Conditions left unset match everything.
struct Rule {
  std::string id;                // stable identifier, e.g. "threat.remove"
  int line = 0;                  // line of the `[rule ID]` header
  std::uint32_t categories = 0;  // bit per Category; all bits for "*"
  bool any_category = false;     // written as "*"
  int single_category = -1;      // the Category when the rule names exactly one, else -1
  // Target-group filter: unset = any; `targets = none` = the item names no target group.
  std::optional<TargetGroupSet> targets;
  bool targets_none = false;
  Range score;                               // calibrated probability of the rule's category
  Range reports;                             // user reports so far
  Range views;                               // views so far (reach)
  std::optional<std::uint8_t> visibilities;  // bit per Visibility
  std::optional<std::uint8_t> kinds;         // bit per ItemKind
  std::optional<bool> author_is_public_figure;
  std::optional<bool> coverage_full;  // `coverage = full|none`
  int public_figure_line = 0;         // line of the author_is_public_figure condition, if any
  int visibility_line = 0;            // line of the visibility condition, if any
  int views_line = 0;                 // line of the first views condition, if any

  ActionKind action = ActionKind::kNone;
  int action_line = 0;
  std::string queue;  // review / escalate
  std::string label;  // label text
  int priority = 0;   // review / escalate priority; raise_priority amount
  std::string reason_code;
  std::string reason;  // shown to users and reviewers

  // Group rules ([group_rule ID] sections): conditions on a group's risk over a rolling window
  // (groups/risk.h), for the rule's category. Their action is review or escalate only: removing,
  // restricting or labelling a group is a reviewer's decision.
  bool group_rule = false;
  int window_days = 30;                 // `window = 30d`
  Range share_lower_bound;              // lower bound of the category's share of the group's items
  Range items;                          // the group's items in the window
  Range admin_removals;                 // standing removals of the owner's and admins' items
  Range member_removal_share;           // share of current members with a standing removal
  Range growth;                         // members now / members at the window's start - 1
  std::optional<bool> profile_flagged;  // `profile = flagged|clean`: the profile's own verdict

  // Strike rules ([strike_rule ID] sections): an account's standing strikes of the rule's
  // categories over a rolling window (`window`, as group rules) lead to a consequence for the
  // account, restrict or suspend, for `duration_days` (0: until lifted). They name no other
  // condition: a strike rule applies to every account alike (the lint's no-exemption check).
  bool strike_rule = false;
  Range strikes;          // `strikes >= 3`
  int duration_days = 0;  // `action = restrict:7d`; 0 for an indefinite suspension

  bool HasCategory(Category c) const {
    return (categories & (1u << static_cast<unsigned>(c))) != 0;
  }
};

struct Policy {
  std::string filename;  // as given to ParsePolicy: used in every error and finding
  std::string id;        // `policy = ...`
  std::string version;   // `version = ...`: an integer or MAJOR.MINOR.PATCH
  std::string title;
  std::string effective;           // optional free text, e.g. "2026-12-01"
  std::vector<std::string> notes;  // one per `notes = ...` line
  std::vector<Rule> rules;         // in file order
  std::vector<Rule> group_rules;   // [group_rule ID] sections, in file order
  std::vector<Rule> strike_rules;  // [strike_rule ID] sections, in file order
};

// Parses and validates a policy. On error the Status is InvalidArgument (ResourceExhausted
// for an exceeded limit) with field "FILE:LINE" and a message saying what is wrong.
Result<std::shared_ptr<const Policy>> ParsePolicy(std::string_view text, std::string_view filename);

// Reads `path` and parses it (errors name `path`). NotFound if it cannot be read.
Result<std::shared_ptr<const Policy>> LoadPolicyFile(const std::string& path);
// Reads the text of a policy file without parsing it: NotFound if it cannot be read,
// ResourceExhausted over kMaxPolicyBytes.
Result<std::string> ReadPolicyFile(const std::string& path);

// What the policy sees of an item: the detector ensemble's calibrated per-category
// probabilities and target groups, plus the item's context. Scores must lie in [0, 1]
// (a NaN matches no score condition: callers must not pass one).
struct PolicyInput {
  std::array<double, kNumCategories> scores{};  // indexed by static_cast<int>(Category)
  TargetGroupSet target_groups;
  Visibility visibility = Visibility::kPublic;
  ItemKind kind = ItemKind::kPost;
  std::int64_t reports = 0;
  std::int64_t views = 0;
  bool author_is_public_figure = false;
  bool coverage_full = true;  // the detectors cover the item's language (Verdict::coverage)

  double score(Category c) const { return scores[static_cast<int>(c)]; }
  void set_score(Category c, double p) { scores[static_cast<int>(c)] = p; }
};

// One action of a decision, with everything needed to explain it. The string_views point into
// the Policy and are valid as long as it is.
struct Action {
  ActionKind kind = ActionKind::kNone;
  Category category = Category::kHate;  // the category whose score matched the rule
  std::string_view rule_id;
  std::string_view reason_code;
  std::string_view reason;
  std::string_view queue;  // review / escalate
  std::string_view label;  // label
  int priority = 0;        // review / escalate, after raise_priority
  int line = 0;            // the rule's line in the policy file
};

struct Decision {
  std::string_view policy_id;
  std::string_view policy_version;
  // At most one enforcement action (remove, reduce, label, or an explicit none when only
  // none-rules matched) first, then review/escalate actions by descending priority, ties in
  // rule order. Empty when no rule matched. raise_priority rules are folded into priorities.
  std::vector<Action> actions;

  // The enforcement action's kind, kNone if there is none.
  ActionKind enforcement() const;
  // The review/escalate action for `queue`, or nullptr.
  const Action* FindQueue(std::string_view queue) const;
};

// True when every condition of `rule` holds for `input` (for some category of the rule).
bool RuleMatches(const Rule& rule, const PolicyInput& input);

// What the group rules see of a group over one window (groups/risk.h computes it).
struct GroupPolicyInput {
  int window_days = 30;
  Visibility visibility = Visibility::kPublic;
  std::array<double, kNumCategories> share_lower_bound{};  // by Category
  std::array<bool, kNumCategories> profile_flagged{};      // the profile names the category
  std::int64_t items = 0;
  std::int64_t admin_removals = 0;
  double member_removal_share = 0;
  double growth = 0;
};

// Applies the group rules whose window is input.window_days. The result holds review/escalate
// actions only (one per queue, the highest priority), each naming the category that matched.
Decision EvaluateGroup(const Policy& policy, const GroupPolicyInput& input);
// The distinct windows of the policy's group rules, ascending.
std::vector<int> GroupRuleWindows(const Policy& policy);

// One strike against an account (accounts/strikes.h): a standing removal of one of its items,
// or of a group it administers, in `category`, made at `at`.
struct StrikeFact {
  Category category = Category::kHate;
  UnixMillis at = 0;
};

// The strike rule that applies to an account with `strikes` at `now`: of the rules whose count
// (strikes of the rule's categories made in the rule's window before `now`) is in range, the
// strongest (suspend over restrict, then the longer duration, an indefinite one longest; ties to
// the earliest rule). `counted` is that rule's count. nullopt when no rule matches.
struct StrikeOutcome {
  const Rule* rule = nullptr;
  std::int64_t counted = 0;
};
std::optional<StrikeOutcome> EvaluateStrikes(const Policy& policy,
                                             std::span<const StrikeFact> strikes, UnixMillis now);
// The longest window of the policy's strike rules in days (0 without strike rules).
int LongestStrikeWindow(const Policy& policy);
// True when strike rule `rule` counts `s` at `now`.
bool StrikeCounts(const Rule& rule, const StrikeFact& s, UnixMillis now);

// Applies every rule of `policy` to `input` (see the combination semantics above). Pure:
// no I/O, no shared state; allocates only the result.
Decision Evaluate(const Policy& policy, const PolicyInput& input);

}  // namespace bulwark::policy

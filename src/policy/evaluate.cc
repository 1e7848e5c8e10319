// Rule evaluation: one pass over the rules, no allocation beyond the Decision's action list.

#include <algorithm>

#include "policy/policy.h"

namespace bulwark::policy {

std::string_view ActionKindName(ActionKind k) {
  switch (k) {
    case ActionKind::kNone:
      return "none";
    case ActionKind::kLabel:
      return "label";
    case ActionKind::kReduce:
      return "reduce";
    case ActionKind::kRemove:
      return "remove";
    case ActionKind::kReview:
      return "review";
    case ActionKind::kEscalate:
      return "escalate";
    case ActionKind::kRaisePriority:
      return "raise_priority";
    case ActionKind::kRestrict:
      return "restrict";
    case ActionKind::kSuspend:
      return "suspend";
  }
  return "none";
}

bool IsEnforcement(ActionKind k) { return EnforcementRank(k) >= 0; }

int EnforcementRank(ActionKind k) {
  switch (k) {
    case ActionKind::kNone:
      return 0;
    case ActionKind::kLabel:
      return 1;
    case ActionKind::kReduce:
      return 2;
    case ActionKind::kRemove:
      return 3;
    default:
      return -1;
  }
}

ActionKind Decision::enforcement() const {
  if (!actions.empty() && IsEnforcement(actions.front().kind)) return actions.front().kind;
  return ActionKind::kNone;
}

const Action* Decision::FindQueue(std::string_view queue) const {
  for (const Action& a : actions) {
    if ((a.kind == ActionKind::kReview || a.kind == ActionKind::kEscalate) && a.queue == queue) {
      return &a;
    }
  }
  return nullptr;
}

namespace {

// The context conditions: everything except category, targets and score.
bool ContextMatches(const Rule& r, const PolicyInput& in) {
  if (r.visibilities && (*r.visibilities & (1u << static_cast<unsigned>(in.visibility))) == 0) {
    return false;
  }
  if (r.kinds && (*r.kinds & (1u << static_cast<unsigned>(in.kind))) == 0) return false;
  if (r.author_is_public_figure && *r.author_is_public_figure != in.author_is_public_figure) {
    return false;
  }
  if (r.coverage_full && *r.coverage_full != in.coverage_full) return false;
  if (r.targets_none && !in.target_groups.empty()) return false;
  if (r.targets && !r.targets->Intersects(in.target_groups)) return false;
  if (!r.reports.unbounded() && !r.reports.Contains(static_cast<double>(in.reports))) return false;
  if (!r.views.unbounded() && !r.views.Contains(static_cast<double>(in.views))) return false;
  return true;
}

// The rule's category whose score satisfies the score condition, highest score first; false if
// none does.
bool MatchCategory(const Rule& r, const PolicyInput& in, Category* out) {
  if (r.single_category >= 0) {
    *out = static_cast<Category>(r.single_category);
    return r.score.Contains(in.scores[r.single_category]);
  }
  bool found = false;
  double best = -1;
  for (int i = 0; i < kNumCategories; ++i) {
    if ((r.categories & (1u << i)) == 0) continue;
    double s = in.scores[i];
    if (!r.score.Contains(s)) continue;
    if (!found || s > best) {
      found = true;
      best = s;
      *out = static_cast<Category>(i);
    }
  }
  return found;
}

Action MakeAction(const Rule& r, Category c) {
  Action a;
  a.kind = r.action;
  a.category = c;
  a.rule_id = r.id;
  a.reason_code = r.reason_code;
  a.reason = r.reason;
  a.queue = r.queue;
  a.label = r.label;
  a.priority = r.priority;
  a.line = r.line;
  return a;
}

}  // namespace

bool RuleMatches(const Rule& rule, const PolicyInput& input) {
  Category c;
  return MatchCategory(rule, input, &c) && ContextMatches(rule, input);
}

Decision Evaluate(const Policy& policy, const PolicyInput& input) {
  Decision d;
  d.policy_id = policy.id;
  d.policy_version = policy.version;
  const Rule* enforce = nullptr;
  Category enforce_category = Category::kHate;
  std::array<int, kNumCategories> raise{};
  for (const Rule& r : policy.rules) {
    // The score test first: it rejects most rules for most items.
    Category c = Category::kHate;  // set by MatchCategory when it matches
    if (!MatchCategory(r, input, &c) || !ContextMatches(r, input)) continue;
    switch (r.action) {
      case ActionKind::kNone:
      case ActionKind::kLabel:
      case ActionKind::kReduce:
      case ActionKind::kRemove:
        if (enforce == nullptr || EnforcementRank(r.action) > EnforcementRank(enforce->action)) {
          enforce = &r;
          enforce_category = c;
        }
        break;
      case ActionKind::kReview:
      case ActionKind::kEscalate: {
        if (d.actions.empty()) d.actions.reserve(4);
        auto it = std::find_if(d.actions.begin(), d.actions.end(), [&](const Action& a) {
          return a.kind == r.action && a.queue == r.queue;
        });
        if (it == d.actions.end()) {
          d.actions.push_back(MakeAction(r, c));
        } else if (r.priority > it->priority) {
          *it = MakeAction(r, c);
        }
        break;
      }
      case ActionKind::kRaisePriority:
        // Every category of the rule whose score satisfies the condition gets the raise.
        for (int i = 0; i < kNumCategories; ++i) {
          if ((r.categories & (1u << i)) && r.score.Contains(input.scores[i])) {
            raise[i] = std::max(raise[i], r.priority);
          }
        }
        break;
      case ActionKind::kRestrict:
      case ActionKind::kSuspend:
        break;  // strike rule actions: never in policy.rules (the parser refuses them there)
    }
  }
  for (Action& a : d.actions) {
    a.priority = std::min(kMaxPriority, a.priority + raise[static_cast<int>(a.category)]);
  }
  std::stable_sort(d.actions.begin(), d.actions.end(),
                   [](const Action& a, const Action& b) { return a.priority > b.priority; });
  if (enforce != nullptr)
    d.actions.insert(d.actions.begin(), MakeAction(*enforce, enforce_category));
  return d;
}

namespace {

// The group conditions for category `c` (everything but visibility and window).
bool GroupCategoryMatches(const Rule& r, const GroupPolicyInput& in, int c) {
  if (!r.share_lower_bound.Contains(in.share_lower_bound[c])) return false;
  if (r.profile_flagged && *r.profile_flagged != in.profile_flagged[c]) return false;
  return true;
}

bool GroupContextMatches(const Rule& r, const GroupPolicyInput& in) {
  if (r.window_days != in.window_days) return false;
  if (r.visibilities && (*r.visibilities & (1u << static_cast<unsigned>(in.visibility))) == 0) {
    return false;
  }
  if (!r.items.unbounded() && !r.items.Contains(static_cast<double>(in.items))) return false;
  if (!r.admin_removals.unbounded() &&
      !r.admin_removals.Contains(static_cast<double>(in.admin_removals))) {
    return false;
  }
  if (!r.member_removal_share.unbounded() &&
      !r.member_removal_share.Contains(in.member_removal_share)) {
    return false;
  }
  if (!r.growth.unbounded() && !r.growth.Contains(in.growth)) return false;
  return true;
}

}  // namespace

Decision EvaluateGroup(const Policy& policy, const GroupPolicyInput& input) {
  Decision d;
  d.policy_id = policy.id;
  d.policy_version = policy.version;
  for (const Rule& r : policy.group_rules) {
    if (!GroupContextMatches(r, input)) continue;
    // The category with the highest share lower bound among those that match.
    int best = -1;
    for (int i = 0; i < kNumCategories; ++i) {
      if ((r.categories & (1u << i)) == 0 || !GroupCategoryMatches(r, input, i)) continue;
      if (best < 0 || input.share_lower_bound[i] > input.share_lower_bound[best]) best = i;
    }
    if (best < 0) continue;
    const Category c = static_cast<Category>(best);
    auto it = std::find_if(d.actions.begin(), d.actions.end(), [&](const Action& a) {
      return a.kind == r.action && a.queue == r.queue;
    });
    if (it == d.actions.end()) {
      d.actions.push_back(MakeAction(r, c));
    } else if (r.priority > it->priority) {
      *it = MakeAction(r, c);
    }
  }
  std::stable_sort(d.actions.begin(), d.actions.end(),
                   [](const Action& a, const Action& b) { return a.priority > b.priority; });
  return d;
}

std::vector<int> GroupRuleWindows(const Policy& policy) {
  std::vector<int> out;
  for (const Rule& r : policy.group_rules) {
    if (std::find(out.begin(), out.end(), r.window_days) == out.end()) out.push_back(r.window_days);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool StrikeCounts(const Rule& rule, const StrikeFact& s, UnixMillis now) {
  constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
  return rule.HasCategory(s.category) && s.at <= now &&
         s.at > now - static_cast<std::int64_t>(rule.window_days) * kDayMs;
}

std::optional<StrikeOutcome> EvaluateStrikes(const Policy& policy,
                                             std::span<const StrikeFact> strikes, UnixMillis now) {
  // Stronger: suspend over restrict, then the longer duration (0, indefinite, is the longest).
  auto strength = [](const Rule& r) {
    const int days = r.duration_days == 0 ? 1000 : r.duration_days;
    return (r.action == ActionKind::kSuspend ? 10000 : 0) + days;
  };
  std::optional<StrikeOutcome> best;
  for (const Rule& r : policy.strike_rules) {
    std::int64_t n = 0;
    for (const StrikeFact& s : strikes) n += StrikeCounts(r, s, now) ? 1 : 0;
    if (!r.strikes.Contains(static_cast<double>(n))) continue;
    if (!best || strength(r) > strength(*best->rule)) best = StrikeOutcome{&r, n};
  }
  return best;
}

int LongestStrikeWindow(const Policy& policy) {
  int days = 0;
  for (const Rule& r : policy.strike_rules) days = std::max(days, r.window_days);
  return days;
}

}  // namespace bulwark::policy

#include "groups/scanner.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <utility>

namespace bulwark::groups {
namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

ActionType ToActionType(policy::ActionKind k) {
  return k == policy::ActionKind::kEscalate ? ActionType::kEscalate : ActionType::kReview;
}

}  // namespace

GroupScanner::GroupScanner(store::Database& db, PolicySource policy, const Clock& clock,
                           MetricsRegistry* metrics, ScanOptions options)
    : db_(db), policy_(std::move(policy)), clock_(clock), metrics_(metrics), options_(options) {}

GroupScanner::~GroupScanner() { Stop(); }

Result<GroupScan> GroupScanner::ScanGroup(std::string_view group_id, bool record) {
  std::shared_ptr<const policy::Policy> p = policy_ ? policy_() : nullptr;
  GroupScan out;
  out.group_id = std::string(group_id);
  const UnixMillis now = clock_.NowMillis();
  std::vector<int> windows = p ? policy::GroupRuleWindows(*p) : std::vector<int>{};
  if (windows.empty()) windows.push_back(30);  // the figures still mean something without rules
  for (int days : windows) {
    const UnixMillis since = now - days * kDayMs;
    BULWARK_ASSIGN_OR_RETURN(store::GroupActivity activity,
                             db_.groups().Activity(group_id, since, now, options_.risk.max_items));
    GroupRisk risk = ComputeRisk(activity, days, since, now, options_.risk);
    out.removed = activity.group.state == store::GroupState::kRemoved;
    if (p && activity.group.state != store::GroupState::kRemoved) {
      policy::Decision d = policy::EvaluateGroup(*p, risk.PolicyInput());
      const std::string evidence = RiskJson(risk);
      for (const policy::Action& a : d.actions) {
        out.matched.push_back(a);
        if (!record) continue;
        Decision log;
        log.target_kind = TargetKind::kGroup;
        log.item_id = out.group_id;
        log.action = ToActionType(a.kind);
        log.category = std::string(CategoryName(a.category));
        log.rule_id = std::string(a.rule_id);
        log.policy_version = std::string(p->id) + "@" + p->version;
        log.model_version = "group-risk/1";
        log.actor = std::string(kSystemActor);
        log.reason = std::string(a.reason_code) + ": " + std::string(a.reason);
        log.evidence = evidence;
        log.created_at = now;
        const std::int64_t period = now / (days * kDayMs);
        BULWARK_ASSIGN_OR_RETURN(
            std::optional<Decision> logged,
            db_.groups().RecordGroupRuleMatch(log, a.queue, a.priority, a.priority, period));
        if (logged) out.logged.push_back(std::move(*logged));
      }
    }
    out.risks.push_back(std::move(risk));
  }
  return out;
}

Result<ScanSummary> GroupScanner::Scan() {
  std::shared_ptr<const policy::Policy> p = policy_ ? policy_() : nullptr;
  ScanSummary sum;
  if (!p || p->group_rules.empty()) return sum;
  const std::vector<int> windows = policy::GroupRuleWindows(*p);
  const UnixMillis since = clock_.NowMillis() - windows.back() * kDayMs;
  std::string after;
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                             db_.groups().ActiveGroups(since, after, options_.page));
    for (const std::string& id : ids) {
      BULWARK_ASSIGN_OR_RETURN(GroupScan g, ScanGroup(id, true));
      ++sum.groups;
      if (!g.matched.empty()) ++sum.matched;
      sum.logged += static_cast<std::int64_t>(g.logged.size());
      if (g.removed) ++sum.skipped_removed;
    }
    if (static_cast<int>(ids.size()) < options_.page) break;
    after = ids.back();
  }
  if (metrics_) {
    metrics_->GetCounter("bulwark_group_scans_total", "Group scans run (every active group each).")
        .Inc();
    metrics_
        ->GetCounter("bulwark_group_reviews_opened_total",
                     "Groups sent to expert review by a group rule (logged decisions).")
        .Inc(static_cast<std::uint64_t>(sum.logged));
  }
  return sum;
}

void GroupScanner::Start(std::chrono::milliseconds interval) {
  task_.Start(interval, [this] {
    auto r = Scan();
    if (!r.ok()) std::fprintf(stderr, "bulwark: group scan: %s\n", r.status().ToString().c_str());
  });
}

}  // namespace bulwark::groups

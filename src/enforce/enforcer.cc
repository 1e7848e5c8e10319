#include "enforce/enforcer.h"

#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "enforce/shadow.h"
#include "policy/lifecycle.h"
#include "review/priority.h"
#include "review/reports.h"

namespace bulwark::enforce {
namespace {

using nlohmann::json;

ActionType ToActionType(policy::ActionKind k) {
  switch (k) {
    case policy::ActionKind::kRemove:
      return ActionType::kRemove;
    case policy::ActionKind::kReduce:
      return ActionType::kReduce;
    case policy::ActionKind::kLabel:
      return ActionType::kLabel;
    case policy::ActionKind::kReview:
      return ActionType::kReview;
    case policy::ActionKind::kEscalate:
      return ActionType::kEscalate;
    default:
      return ActionType::kNone;
  }
}

std::string ModelVersion(const detect::Verdict& v) {
  return v.detector_version + ";lexicon=" + v.lexicon_version + ";model=" + v.model_version +
         ";claims=" + v.claims_version;
}

// The claim order of the case a review/escalate action opens (review/priority.h).
int ReviewPriority(const policy::Action& a, const store::EnforcementItem& item,
                   const review::ReportWeighting& reports) {
  review::PriorityInput in;
  in.severity = a.priority;
  in.views = item.views;
  in.private_group = !item.item.group_id.empty() && IsMembersOnly(item.item.group_visibility);
  in.reports = reports.policy_count();
  return review::CasePriority(in);
}

// The reports as enforcement weighs them (review/reports.h). Items seen without their report
// rows (tests that set only the count) weigh each report as one reporter's.
review::ReportWeighting WeighedReports(const store::EnforcementItem& item) {
  if (item.report_signals.empty()) {
    review::ReportWeighting w;
    w.raw = item.reports;
    w.reporters = static_cast<int>(item.reports);
    w.weighted = static_cast<double>(item.reports);
    return w;
  }
  return review::WeighReports(item.report_signals);
}

json EvidenceFor(const detect::Verdict& v, const policy::Action& a,
                 const store::EnforcementItem& item, const review::ReportWeighting& reports) {
  const auto& score = v.score(a.category);
  json spans = json::array();
  const std::string_view category = CategoryName(a.category);
  for (const auto& e : v.evidence) {
    if (e.category != category) continue;
    json ev = {{"detector", e.detector}, {"score", e.score}};
    if (e.orig_end > e.orig_begin) {
      ev["span"] = {e.orig_begin, e.orig_end};
      ev["text"] = e.matched;
    }
    if (!e.entry_id.empty()) ev["entry"] = e.entry_id;
    if (e.context) ev["context"] = detect::ContextFlagNames(e.context);
    spans.push_back(std::move(ev));
  }
  json targets = json::array();
  for (TargetGroup g : v.targets) targets.push_back(TargetGroupName(g));
  json out = {{"probability", score.probability},
              {"threshold", score.threshold},
              {"evidence", spans},
              {"targets", targets},
              {"rule_line", a.line},
              {"views", item.views},
              {"reports", item.reports},
              {"visibility", VisibilityName(item.item.group_visibility)}};
  if (reports.raw > 0) {
    json r = {{"raw", reports.raw},
              {"reporters", reports.reporters},
              {"weighted", std::round(reports.weighted * 100) / 100}};
    if (reports.largest_cluster > 0) {
      r["accounts_created_together"] = reports.largest_cluster;
      r["clustered_reporters"] = reports.clustered_reporters;
    }
    if (reports.largest_burst >= review::kBurstMinReporters) {
      r["burst_reporters"] = reports.largest_burst;
    }
    if (reports.coordinated()) r["coordination"] = true;
    out["report_weighting"] = std::move(r);
  }
  if (!a.queue.empty()) {
    out["queue"] = a.queue;
    out["priority"] = a.priority;
    out["review_priority"] = ReviewPriority(a, item, reports);
  }
  if (!a.label.empty()) out["label"] = a.label;
  if (v.needs_review) out["needs_review"] = true;
  return out;
}

}  // namespace

Status PolicyHandle::Reload() {
  if (store_) return Refresh();
  BULWARK_ASSIGN_OR_RETURN(auto p, policy::LoadPolicyFile(path_));
  Set(std::move(p));
  return Status::Ok();
}

Status PolicyHandle::Refresh() const {
  if (!store_) return Status::Ok();
  BULWARK_ASSIGN_OR_RETURN(std::int64_t id, store_->ActiveVersionId());
  if (id == 0) return NotFound("no policy version is active");
  {
    std::lock_guard lock(mu_);
    if (id == version_id_ && current_) return Status::Ok();
  }
  BULWARK_ASSIGN_OR_RETURN(store::PolicyVersion v, store_->GetVersion(id));
  BULWARK_ASSIGN_OR_RETURN(auto p, policy::ParseVersion(v));
  std::lock_guard lock(mu_);
  current_ = std::move(p);
  version_id_ = id;
  return Status::Ok();
}

std::shared_ptr<const policy::Policy> PolicyHandle::Get() const {
  std::lock_guard lock(mu_);
  return current_;
}

void PolicyHandle::Set(std::shared_ptr<const policy::Policy> p) {
  std::lock_guard lock(mu_);
  current_ = std::move(p);
  version_id_ = 0;
}

std::int64_t PolicyHandle::version_id() const {
  std::lock_guard lock(mu_);
  return version_id_;
}

Enforcer::Enforcer(store::Database& db, const detect::DetectorHandle& detectors,
                   const PolicyHandle& policy, const Clock& clock, MetricsRegistry* metrics)
    : db_(db), detectors_(detectors), policy_(policy), clock_(clock), metrics_(metrics) {}

policy::PolicyInput PolicyInputFor(const store::EnforcementItem& item, const detect::Verdict& v) {
  return PolicyInputFor(item, v, WeighedReports(item));
}

policy::PolicyInput PolicyInputFor(const store::EnforcementItem& item, const detect::Verdict& v,
                                   const review::ReportWeighting& reports) {
  policy::PolicyInput in;
  for (Category c : kAllCategories) in.set_score(c, v.score(c).probability);
  for (TargetGroup g : v.targets) in.target_groups.Add(g);
  in.visibility = item.item.group_id.empty() ? Visibility::kPublic : item.item.group_visibility;
  in.kind = item.item.kind;
  in.reports = reports.policy_count();
  in.views = item.views;
  in.author_is_public_figure = item.item.author_is_public_figure;
  in.coverage_full = v.coverage == "full";
  return in;
}

Enforcer::Outcome Enforcer::Decide(const store::EnforcementItem& item,
                                   const detect::Verdict& verdict, const policy::Policy& policy,
                                   UnixMillis now) {
  const review::ReportWeighting reports = WeighedReports(item);
  Outcome out;
  out.input = PolicyInputFor(item, verdict, reports);
  out.evaluated = policy::Evaluate(policy, out.input);
  const policy::Decision& pd = out.evaluated;
  const std::string policy_version =
      std::string(pd.policy_id) + "@" + std::string(pd.policy_version);
  const std::string model_version = ModelVersion(verdict);
  for (const policy::Action& a : pd.actions) {
    ActionType type = ToActionType(a.kind);
    if (type == ActionType::kNone) continue;  // "no action" is not recorded as an action
    Decision d;
    d.item_id = item.item.id;
    d.item_revision = item.revision;
    d.action = type;
    d.category = std::string(CategoryName(a.category));
    d.rule_id = std::string(a.rule_id);
    d.policy_version = policy_version;
    d.model_version = model_version;
    d.actor = "system";
    d.reason = std::string(a.reason_code) + ": " + std::string(a.reason);
    d.evidence =
        EvidenceFor(verdict, a, item, reports).dump(-1, ' ', false, json::error_handler_t::replace);
    d.created_at = now;
    if (!a.queue.empty()) {
      out.reviews.push_back({out.decisions.size(), std::string(a.queue),
                             ReviewPriority(a, item, reports), a.priority});
    }
    out.decisions.push_back(std::move(d));
  }
  return out;
}

Result<EnforceSummary> Enforcer::Process(const std::vector<store::EnforcementItem>& items) {
  auto detector = detectors_.Get();
  // A version activated since the last batch governs this one. If the active version cannot
  // be loaded the items stay pending (retried): enforcing a replaced policy is not an option.
  BULWARK_RETURN_IF_ERROR(policy_.Refresh());
  auto policy = policy_.Get();
  if (!detector) return Unavailable("no detectors loaded");
  if (!policy) return Unavailable("no policy loaded");
  // A shadow run, if one is running, is evaluated beside the active policy on the same verdicts.
  BULWARK_ASSIGN_OR_RETURN(ShadowPolicy shadow, RunningShadow());
  EnforceSummary sum;
  std::vector<Decision> decisions;
  std::vector<store::ReviewRequest> reviews;
  std::vector<store::EnforcedMark> enforced;
  std::vector<store::ShadowOutcome> shadow_outcomes;
  std::unique_ptr<detect::DetectorScratch> scratch = scratches_.Acquire();
  detect::Verdict verdict;
  const UnixMillis now = clock_.NowMillis();
  std::map<std::pair<std::string, std::string>, int> by_language;
  std::uint64_t first_scans[2][2] = {{0, 0}, {0, 0}};  // [private][within kScanTargetMs]
  for (const auto& item : items) {
    detector->Classify(item.item.text, scratch.get(), &verdict);
    ++by_language[{verdict.language, verdict.coverage}];
    Outcome o = Decide(item, verdict, *policy, now);
    for (store::ReviewRequest& r : o.reviews) {
      r.index += decisions.size();
      reviews.push_back(std::move(r));
    }
    for (Decision& d : o.decisions) decisions.push_back(std::move(d));
    if (shadow.policy) AddShadowOutcomes(item, verdict, o, shadow, now, &shadow_outcomes);
    enforced.push_back({item.item.id, item.revision, item.signal, now});
    if (item.revision > item.enforced_revision) {
      // The revision's first scan: how soon after its receipt (recommendation 7's coverage).
      const bool is_private =
          !item.item.group_id.empty() && IsMembersOnly(item.item.group_visibility);
      ++first_scans[is_private][now - item.received_at <= kScanTargetMs];
    }
    ++sum.items;
  }
  scratches_.Release(std::move(scratch));
  auto r =
      db_.enforcement().RecordEnforcement(std::move(decisions), reviews, enforced, shadow_outcomes);
  if (!r.ok()) return r.status();
  // Only new outcomes were logged: a repeat of an earlier one is not a decision.
  sum.decisions = static_cast<int>(r->size());
  for (const Decision& d : *r) ++sum.by_action[static_cast<int>(d.action)];
  if (metrics_) {
    metrics_->GetCounter("bulwark_enforced_items_total", "Items run through detect + policy.")
        .Inc(sum.items);
    for (const auto& [lc, n] : by_language) {
      metrics_
          ->GetCounter("bulwark_detected_items_total",
                       "Items run through the detectors, by language (CLD2) and coverage.",
                       {{"language", lc.first}, {"coverage", lc.second}})
          .Inc(static_cast<std::uint64_t>(n));
    }
    for (int p = 0; p < 2; ++p) {
      for (int w = 0; w < 2; ++w) {
        if (first_scans[p][w] == 0) continue;
        metrics_
            ->GetCounter(
                "bulwark_items_first_scanned_total",
                "Item revisions run through the pipeline for the first time, by group "
                "visibility and whether within 60 s of their receipt.",
                {{"visibility", p ? "private" : "public"}, {"within_60s", w ? "true" : "false"}})
            .Inc(first_scans[p][w]);
      }
    }
    for (int a = 0; a < 7; ++a) {
      if (sum.by_action[a] == 0) continue;
      metrics_
          ->GetCounter("bulwark_decisions_total", "Decisions appended to the log, by action.",
                       {{"action", std::string(ActionName(static_cast<ActionType>(a)))}})
          .Inc(sum.by_action[a]);
    }
  }
  return sum;
}

Result<Enforcer::ShadowPolicy> Enforcer::RunningShadow() {
  BULWARK_ASSIGN_OR_RETURN(std::optional<store::ShadowRun> run, db_.shadow().RunningRun());
  std::lock_guard lock(shadow_mu_);
  if (!run) {
    shadow_ = ShadowPolicy{};
    return shadow_;
  }
  if (shadow_.run_id != run->id || !shadow_.policy) {
    BULWARK_ASSIGN_OR_RETURN(store::PolicyVersion v, db_.policies().GetVersion(run->policy_id));
    BULWARK_ASSIGN_OR_RETURN(auto p, policy::ParseVersion(v));
    shadow_ = ShadowPolicy{run->id, std::move(p)};
  }
  return shadow_;
}

void Enforcer::AddShadowOutcomes(const store::EnforcementItem& item, const detect::Verdict& verdict,
                                 const Outcome& active, const ShadowPolicy& shadow, UnixMillis now,
                                 std::vector<store::ShadowOutcome>* out) {
  const std::vector<CategoryComparison> cmp =
      CompareByCategory(active.evaluated, policy::Evaluate(*shadow.policy, active.input));
  if (cmp.empty()) return;
  std::string targets;
  for (TargetGroup g : verdict.targets) {
    targets += (targets.empty() ? "" : ",") + std::string(TargetGroupName(g));
  }
  for (const CategoryComparison& c : cmp) {
    store::ShadowOutcome o;
    o.run_id = shadow.run_id;
    o.item_id = item.item.id;
    o.revision = item.revision;
    o.category = std::string(CategoryName(c.category));
    o.targets = targets;
    o.visibility = std::string(VisibilityName(
        item.item.group_id.empty() ? Visibility::kPublic : item.item.group_visibility));
    o.active_action = std::string(OutcomeName(c.active));
    o.active_rule = std::string(c.active_rule);
    o.shadow_action = std::string(OutcomeName(c.shadow));
    o.shadow_rule = std::string(c.shadow_rule);
    o.at = now;
    out->push_back(std::move(o));
  }
}

Result<EnforceSummary> Enforcer::RunPending(int limit) {
  BULWARK_ASSIGN_OR_RETURN(auto items, db_.enforcement().PendingEnforcement(limit));
  if (items.empty()) return EnforceSummary{};
  return Process(items);
}

Result<EnforceSummary> Enforcer::RescanAll(int batch) {
  EnforceSummary total;
  std::string after;
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(auto items, db_.enforcement().ItemsAfter(after, batch));
    if (items.empty()) break;
    after = items.back().item.id;
    BULWARK_ASSIGN_OR_RETURN(EnforceSummary s, Process(items));
    total.items += s.items;
    total.decisions += s.decisions;
    for (int a = 0; a < 7; ++a) total.by_action[a] += s.by_action[a];
  }
  return total;
}

}  // namespace bulwark::enforce

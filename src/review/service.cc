#include "review/service.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/taxonomy.h"

namespace bulwark::review {
namespace {

using nlohmann::json;

bool IsReasonCode(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string RoundName(int round) {
  switch (round) {
    case store::kSecondReview:
      return "second";
    case store::kTieBreak:
      return "tie_break";
    default:
      return "first";
  }
}

}  // namespace

ReviewService::ReviewService(store::Database& db, std::shared_ptr<const QueueConfig> queues,
                             PolicySource policy, const Clock& clock, ReviewOptions options,
                             MetricsRegistry* metrics)
    : db_(db),
      policy_(std::move(policy)),
      clock_(clock),
      options_(std::move(options)),
      sampler_(options_.sampling_key),
      metrics_(metrics),
      queues_(std::move(queues)) {
  BULWARK_CHECK(queues_ != nullptr);
  if (metrics_) collector_id_ = metrics_->AddCollector([this] { return Collect(); });
}

ReviewService::~ReviewService() {
  if (metrics_) metrics_->RemoveCollector(collector_id_);
}

std::shared_ptr<const QueueConfig> ReviewService::queues() const {
  std::lock_guard lock(mu_);
  return queues_;
}

void ReviewService::SetQueues(std::shared_ptr<const QueueConfig> queues) {
  BULWARK_CHECK(queues != nullptr);
  std::lock_guard lock(mu_);
  queues_ = std::move(queues);
}

Result<std::vector<QueueView>> ReviewService::Views(const QueueConfig& config,
                                                    const Reviewer* reviewer, UnixMillis since,
                                                    UnixMillis until, UnixMillis now) {
  BULWARK_ASSIGN_OR_RETURN(auto counts, db_.review().Queues(now));
  BULWARK_ASSIGN_OR_RETURN(auto waits, db_.review().FirstReviewWaits(since, until));
  std::map<std::string, store::QueueStats> by_queue;
  for (auto& q : counts) by_queue[q.queue] = std::move(q);
  std::map<std::string, std::vector<std::int64_t>> waits_by_queue;
  for (const auto& w : waits) waits_by_queue[w.queue].push_back(w.wait_ms);

  const bool all = reviewer == nullptr || reviewer->oversight;
  std::vector<QueueView> out;
  auto add = [&](const std::string& id, const QueueSpec* spec) -> Status {
    QueueView v;
    v.id = id;
    v.spec = spec;
    if (auto it = by_queue.find(id); it != by_queue.end()) v.counts = it->second;
    v.counts.queue = id;
    v.sla.target_ms = spec ? spec->sla_first_review_ms : 0;
    v.sla.first_review = SummarizeWaits(waits_by_queue[id], v.sla.target_ms);
    if (v.counts.oldest_waiting_since) {
      v.sla.oldest_waiting_ms = std::max<std::int64_t>(0, now - v.counts.oldest_waiting_since);
    }
    if (spec) {
      BULWARK_ASSIGN_OR_RETURN(v.sla.open_past_sla,
                               db_.review().UnclaimedBefore(id, now - spec->sla_first_review_ms));
    }
    out.push_back(std::move(v));
    return Status::Ok();
  };
  for (const QueueSpec& q : config.queues) {
    if (!all && !HasExpertise(q, reviewer->expertise)) continue;
    BULWARK_RETURN_IF_ERROR(add(q.id, &q));
  }
  if (all) {
    std::vector<std::string> unconfigured;
    for (const auto& [id, stats] : by_queue) {
      if (!config.Find(id)) unconfigured.push_back(id);
    }
    for (const auto& [id, w] : waits_by_queue) {
      if (!config.Find(id) && !by_queue.contains(id)) unconfigured.push_back(id);
    }
    std::sort(unconfigured.begin(), unconfigured.end());
    for (const std::string& id : unconfigured) BULWARK_RETURN_IF_ERROR(add(id, nullptr));
  }
  return out;
}

Result<QueueListing> ReviewService::Queues(const Reviewer& reviewer) {
  QueueListing listing;
  listing.config = queues();
  const UnixMillis now = clock_.NowMillis();
  listing.since = now - options_.sla_window_ms;
  listing.until = now + 1;
  BULWARK_ASSIGN_OR_RETURN(listing.queues,
                           Views(*listing.config, &reviewer, listing.since, listing.until, now));
  return listing;
}

Result<store::ReviewCase> ReviewService::Claim(const Reviewer& reviewer, std::string_view queue) {
  if (reviewer.id.empty() || reviewer.id.find('\n') != std::string::npos) {
    return InvalidArgument("a reviewer needs an id without newlines", "reviewer");
  }
  auto config = queues();
  const QueueSpec* spec = config->Find(queue);
  if (!spec) {
    return Status(Code::kNotFound, "no review queue '" + std::string(queue).substr(0, 64) + "'",
                  "queue");
  }
  if (!HasExpertise(*spec, reviewer.expertise)) {
    return Status(Code::kPermissionDenied,
                  "queue '" + spec->id + "' needs expertise: " + Join(spec->expertise), "queue");
  }
  const UnixMillis now = clock_.NowMillis();
  auto c = db_.review().ClaimNext(spec->id, reviewer.id, now, options_.lease_ms,
                                  options_.max_claims_per_reviewer);
  if (!c.ok() && c.status().code() == Code::kNotFound) {
    return Status(Code::kNotFound, "queue '" + spec->id + "' has no case waiting for you", "queue");
  }
  if (c.ok() && metrics_) CountPrivateGroupClaim(*c, *spec, now);
  return c;
}

// Recommendation 7's coverage figure: flagged private-group items reviewed within the queue's
// SLA. Counted at a first review's first claim (the SLA clock stops there, as in Queues()).
void ReviewService::CountPrivateGroupClaim(const store::ReviewCase& c, const QueueSpec& spec,
                                           UnixMillis now) {
  if (c.round != store::kFirstReview || c.appeal_of_seq != 0 || c.first_claimed_at != now) return;
  auto item = db_.items().GetItem(c.item_id);
  if (!item.ok() || item->item.group_id.empty() || !IsMembersOnly(item->item.group_visibility)) {
    return;
  }
  const bool within =
      spec.sla_first_review_ms <= 0 || now - c.created_at <= spec.sla_first_review_ms;
  metrics_
      ->GetCounter("bulwark_private_group_cases_claimed_total",
                   "First reviews of private-group items at their first claim, by whether the "
                   "queue's SLA was met.",
                   {{"within_sla", within ? "true" : "false"}})
      .Inc();
}

std::vector<ReasonCodeOption> ReviewService::ReasonCodes(std::string_view category,
                                                         TargetKind target) const {
  std::vector<ReasonCodeOption> out;
  auto seen = [&](const std::string& code) {
    return std::any_of(out.begin(), out.end(),
                       [&](const ReasonCodeOption& o) { return o.code == code; });
  };
  if (auto policy = policy_()) {
    const auto wanted = ParseCategory(category);
    const std::vector<policy::Rule>& rules = target == TargetKind::kGroup     ? policy->group_rules
                                             : target == TargetKind::kAccount ? policy->strike_rules
                                                                              : policy->rules;
    for (const policy::Rule& rule : rules) {
      if (rule.reason_code.empty() || rule.action == policy::ActionKind::kNone ||
          rule.action == policy::ActionKind::kRaisePriority || seen(rule.reason_code)) {
        continue;
      }
      const bool matches =
          rule.any_category || (wanted && (rule.categories >> static_cast<int>(*wanted)) & 1u);
      if (!matches) continue;
      out.push_back({rule.reason_code, rule.reason, {}});
    }
  }
  for (const ReviewerReasonCode& rc : queues()->reason_codes) {
    if (!seen(rc.code)) out.push_back({rc.code, rc.description, rc.outcomes});
  }
  return out;
}

Status ReviewService::CheckReasonCode(const ReviewerDecision& d, std::string_view outcome,
                                      const policy::Policy* policy) const {
  if (!IsReasonCode(d.reason_code)) {
    return InvalidArgument("must be a reason code: 1-64 of a-z 0-9 _ . -", "reason_code");
  }
  auto config = queues();
  if (const ReviewerReasonCode* rc = config->FindReasonCode(d.reason_code)) {
    if (std::find(rc->outcomes.begin(), rc->outcomes.end(), outcome) != rc->outcomes.end()) {
      return Status::Ok();
    }
    return InvalidArgument("reviewer reason code '" + rc->code + "' goes with " +
                               Join(rc->outcomes) + ", not " + std::string(outcome),
                           "reason_code");
  }
  if (policy) {
    for (const auto* rules : {&policy->rules, &policy->group_rules, &policy->strike_rules}) {
      for (const policy::Rule& rule : *rules) {
        if (rule.reason_code != d.reason_code || rule.action == policy::ActionKind::kNone ||
            rule.action == policy::ActionKind::kRaisePriority) {
          continue;
        }
        if (outcome == "label" || outcome == "reduce" || outcome == "remove" ||
            outcome == "restrict" || outcome == "escalate" || outcome == "uphold") {
          return Status::Ok();
        }
        return InvalidArgument("policy reason code '" + d.reason_code +
                                   "' explains an enforcement; for " + std::string(outcome) +
                                   " give a reviewer reason code (e.g. no_violation)",
                               "reason_code");
      }
    }
  }
  return InvalidArgument("'" + d.reason_code + "' is neither a reason code of the active policy" +
                             (policy ? " (" + policy->id + "@" + policy->version + ")"
                                     : std::string(" (none loaded)")) +
                             " nor a reviewer reason code in " + config->filename,
                         "reason_code");
}

Result<store::CaseDecisionResult> ReviewService::Decide(const Reviewer& reviewer,
                                                        std::int64_t case_id,
                                                        const ReviewerDecision& d) {
  if (reviewer.id.empty() || reviewer.id.find('\n') != std::string::npos) {
    return InvalidArgument("a reviewer needs an id without newlines", "reviewer");
  }
  auto found = db_.review().GetCase(case_id);
  if (!found.ok()) {
    if (found.status().code() == Code::kNotFound) {
      return Status(Code::kNotFound, found.status().message(), "id");
    }
    return found.status();
  }
  const store::ReviewCase& c = *found;
  std::optional<ActionType> action;
  if (c.appeal_of_seq != 0) {
    // An appeal either restores the item or upholds the appealed decision (logged again, so the
    // log shows that a second person confirmed it).
    if (d.outcome == "restore") {
      action = ActionType::kRestore;
    } else if (d.outcome == "uphold") {
      BULWARK_ASSIGN_OR_RETURN(auto appealed,
                               db_.decisions().ListDecisions(c.appeal_of_seq - 1, 1));
      if (appealed.empty()) return Internal("appealed decision not found");
      action = appealed.front().action;
    } else {
      return InvalidArgument("an appeal is decided with restore or uphold", "action");
    }
  } else {
    action = ParseAction(d.outcome);
    const bool tie_break = c.round == store::kTieBreak;
    // A group is restricted (no new members, no recommendation), never "reduced"; an item the
    // other way round.
    const bool group = c.target_kind == TargetKind::kGroup;
    if (!action || *action == ActionType::kReview || IsItemlessAction(*action) ||
        *action == ActionType::kSuspend || (*action == ActionType::kRestore && !tie_break) ||
        *action == (group ? ActionType::kReduce : ActionType::kRestrict)) {
      return InvalidArgument(std::string(group ? "must be one of none, label, restrict, remove, "
                                                 "escalate"
                                               : "must be one of none, label, reduce, remove, "
                                                 "escalate") +
                                 (tie_break ? ", restore" : ""),
                             "action");
    }
  }
  if (d.reason.size() > kMaxReasonBytes) {
    return InvalidArgument("must be at most " + std::to_string(kMaxReasonBytes) + " bytes",
                           "reason");
  }
  auto policy = policy_ ? policy_() : nullptr;
  BULWARK_RETURN_IF_ERROR(CheckReasonCode(d, d.outcome, policy.get()));

  auto config = queues();
  const QueueSpec* spec = config->Find(c.queue);
  const UnixMillis now = clock_.NowMillis();
  store::CaseDecision cd;
  cd.case_id = c.id;
  cd.reviewer = reviewer.id;
  cd.reason_code = d.reason_code;
  Decision& dec = cd.decision;
  dec.action = *action;
  dec.category = c.category;
  dec.rule_id = c.appeal_of_seq               ? "appeal"
                : c.round == store::kTieBreak ? "review.tie_break"
                                              : "human_review";
  if (policy) dec.policy_version = policy->id + "@" + policy->version;
  dec.actor = "reviewer:" + reviewer.id;
  dec.reason = d.reason_code + (d.reason.empty() ? "" : ": " + d.reason);
  json ev = {{"case", c.id}, {"queue", c.queue}, {"round", RoundName(c.round)}};
  if (c.appeal_of_seq) ev["appeal_of_seq"] = c.appeal_of_seq;
  if (c.checks_case) ev["checks_case"] = c.checks_case;
  dec.evidence = ev.dump(-1, ' ', false, json::error_handler_t::replace);
  dec.created_at = now;
  cd.open_second_review = c.round == store::kFirstReview && c.appeal_of_seq == 0 && spec &&
                          SampledForSecondReview(c.id, *spec);

  auto result = db_.review().RecordReview(cd, now);
  if (!result.ok()) return result.status();
  if (metrics_) {
    // Labels only for configured queues: a bounded set.
    const std::string queue = spec ? spec->id : "other";
    metrics_
        ->GetCounter("bulwark_review_decisions_total", "Review decisions, by queue and round.",
                     {{"queue", queue}, {"round", RoundName(c.round)}})
        .Inc();
    if (result->second_review) {
      metrics_
          ->GetCounter("bulwark_review_second_reviews_opened_total",
                       "First reviews sampled for a blind second review, by queue.",
                       {{"queue", queue}})
          .Inc();
    }
    if (result->agreed.has_value() && !*result->agreed) {
      metrics_
          ->GetCounter("bulwark_review_disagreements_total",
                       "Second reviews that disagreed with the first (a tie-break follows), by "
                       "queue.",
                       {{"queue", queue}})
          .Inc();
    }
  }
  return result;
}

Result<ReviewService::PrivateGroupCoverage> ReviewService::PrivateGroupStats(
    UnixMillis since, UnixMillis until, std::int64_t scan_within_ms) {
  PrivateGroupCoverage out;
  BULWARK_ASSIGN_OR_RETURN(
      out.scans, db_.enforcement().PrivateGroupScanCoverage(since, until, scan_within_ms));
  BULWARK_ASSIGN_OR_RETURN(auto cases, db_.enforcement().PrivateGroupCases(since, until));
  const UnixMillis now = clock_.NowMillis();
  auto config = queues();
  for (const store::PrivateGroupCase& c : cases) {
    const QueueSpec* spec = config->Find(c.queue);
    const std::int64_t sla = spec ? spec->sla_first_review_ms : 0;
    ++out.cases;
    if (c.first_claimed_at > 0) {
      (sla <= 0 || c.first_claimed_at - c.created_at <= sla ? out.within_sla : out.breached) += 1;
    } else if (sla > 0 && now - c.created_at > sla) {
      ++out.breached;
    } else {
      ++out.not_yet_due;
    }
  }
  return out;
}

Result<StatsReport> ReviewService::Stats(UnixMillis since, UnixMillis until) {
  if (since >= until) return InvalidArgument("must be before until", "since");
  StatsReport report;
  report.config = queues();
  report.since = since;
  report.until = until;
  const UnixMillis now = clock_.NowMillis();
  BULWARK_ASSIGN_OR_RETURN(auto pairs, db_.review().ReviewPairs(since, until));
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> outcomes;
  std::map<std::string, std::int64_t> same_code;
  std::vector<std::pair<std::string, std::string>> all;
  for (const store::ReviewPair& p : pairs) {
    outcomes[p.queue].emplace_back(p.first_outcome, p.second_outcome);
    all.emplace_back(p.first_outcome, p.second_outcome);
    if (p.first_reason_code == p.second_reason_code) ++same_code[p.queue];
  }
  report.overall = ComputeAgreement(all);
  BULWARK_ASSIGN_OR_RETURN(auto views, Views(*report.config, nullptr, since, until, now));
  for (const auto& [queue, list] : outcomes) {
    auto has = [&](const QueueView& v) { return v.id == queue; };
    if (std::none_of(views.begin(), views.end(), has)) {
      QueueView v;
      v.id = queue;
      v.counts.queue = queue;
      views.push_back(std::move(v));
    }
  }
  for (QueueView& v : views) {
    QueueReport r;
    r.queue = v.id;
    r.spec = v.spec;
    r.sla = v.sla;
    if (auto it = outcomes.find(v.id); it != outcomes.end()) {
      r.agreement = ComputeAgreement(it->second);
      r.reason_code_percent =
          100.0 * static_cast<double>(same_code[v.id]) / static_cast<double>(it->second.size());
    }
    report.queues.push_back(std::move(r));
  }
  return report;
}

std::vector<GaugeSample> ReviewService::Collect() {
  const UnixMillis now = clock_.NowMillis();
  std::lock_guard lock(collect_mu_);  // one computation at a time; scrapes in between share it
  if (collected_at_ && now >= *collected_at_ &&
      now - *collected_at_ < options_.metrics_refresh_ms) {
    return collected_;
  }
  collected_ = Compute(now);
  collected_at_ = now;
  return collected_;
}

std::vector<GaugeSample> ReviewService::Compute(UnixMillis now) {
  std::vector<GaugeSample> out;
  auto config = queues();
  auto views = Views(*config, nullptr, now - options_.sla_window_ms, now + 1, now);
  if (!views.ok()) return out;  // the scrape goes on without these figures
  for (const QueueView& v : *views) {
    const MetricLabels q = {{"queue", v.id}};
    auto add = [&](const char* name, const char* help, double value, const MetricLabels& labels) {
      out.push_back({name, help, labels, value});
    };
    add("bulwark_review_waiting_cases", "Cases waiting to be claimed (expired leases included).",
        static_cast<double>(v.counts.open), q);
    add("bulwark_review_claimed_cases", "Cases under a live claim.",
        static_cast<double>(v.counts.claimed), q);
    add("bulwark_review_oldest_waiting_seconds", "Age of the oldest waiting case.",
        static_cast<double>(v.sla.oldest_waiting_ms) / 1000, q);
    if (v.spec) {
      add("bulwark_review_sla_target_seconds", "The queue's target time to first review.",
          static_cast<double>(v.sla.target_ms) / 1000, q);
      add("bulwark_review_open_past_sla_cases",
          "Cases never claimed that have waited longer than the queue's SLA.",
          static_cast<double>(v.sla.open_past_sla), q);
    }
    add("bulwark_review_first_reviews_decided",
        "First reviews decided in the SLA window (bulwark serve --review-sla-window-hours).",
        static_cast<double>(v.sla.first_review.count), q);
    const char* ttfr = "bulwark_review_time_to_first_review_seconds";
    const char* ttfr_help =
        "Time from a case's opening to its first claim, over first reviews decided in the SLA "
        "window (nearest-rank quantiles; 1 is the maximum).";
    if (v.sla.first_review.count > 0) {
      add(ttfr, ttfr_help, static_cast<double>(v.sla.first_review.p50_ms) / 1000,
          {{"queue", v.id}, {"quantile", "0.5"}});
      add(ttfr, ttfr_help, static_cast<double>(v.sla.first_review.p90_ms) / 1000,
          {{"queue", v.id}, {"quantile", "0.9"}});
      add(ttfr, ttfr_help, static_cast<double>(v.sla.first_review.max_ms) / 1000,
          {{"queue", v.id}, {"quantile", "1"}});
    }
  }
  return out;
}

}  // namespace bulwark::review

#pragma once

// The expert review service: who may see and claim which queue, what a reviewer's decision must
// carry, second reviews, agreement statistics and SLA timers (recommendation 9). The HTTP API
// and the CLI are thin shells over it; the rules below hold whichever front end is used.
//
//  - Expertise: a reviewer sees and claims a queue only when they hold every expertise tag the
//    queue configuration lists for it. Oversight (admins) sees every queue's figures, read-only:
//    oversight alone claims nothing.
//  - Claims are leases (store::ReviewStore): no case is reviewed by two people at once, and a
//    case whose reviewer walks away returns to its queue when the lease expires.
//  - Decisions carry a reason code: a reason code of the active policy (for label, reduce,
//    remove, escalate, uphold) or a reviewer reason code from the queue configuration for an
//    outcome it lists (e.g. no_violation for none).
//  - Second review: the queue's second_review_share of first-review decisions, chosen by a
//    keyed hash of the case id (review/sampling.h), open a blind case in the same queue for a
//    different reviewer. It does not change enforcement; a disagreement logs an escalation and
//    opens a tie-break case for a third reviewer, whose decision is logged and applied.
//
// Thread-safe: every method may be called from any thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.h"
#include "core/status.h"
#include "core/time.h"
#include "policy/policy.h"
#include "review/agreement.h"
#include "review/queues.h"
#include "review/sampling.h"
#include "store/store.h"

namespace bulwark::review {

struct Reviewer {
  // Stable id, unique across kinds: "key:<api key id>" or "user:<staff user id>". Logged as
  // actor "reviewer:<id>"; must not contain a newline.
  std::string id;
  std::vector<std::string> expertise;  // tags held
  bool oversight = false;              // sees every queue (read-only figures)
};

struct ReviewOptions {
  std::int64_t lease_ms = 15 * 60 * 1000;  // how long a claim is held
  // Live claims one reviewer may hold at once (0: no cap). A reviewer works one case at a time;
  // the cap stops one account from draining a queue into leases nobody works.
  int max_claims_per_reviewer = 5;
  // The review figures on /metrics are computed at most this often (a scrape in between gets
  // the previous figures): each computation scans the open cases and the SLA window, and
  // /metrics is public.
  std::int64_t metrics_refresh_ms = 5000;
  // The window of the time-to-first-review figures in Queues() and on /metrics.
  std::int64_t sla_window_ms = std::int64_t{7} * 24 * 3600 * 1000;
  std::string sampling_key;  // secret key of the second-review sampler
};

// Returns the active policy snapshot (nullptr if none: only reviewer reason codes are valid).
using PolicySource = std::function<std::shared_ptr<const policy::Policy>()>;

struct QueueSla {
  std::int64_t target_ms = 0;      // 0 for a queue missing from the configuration
  WaitSummary first_review;        // decided first reviews in the window
  std::int64_t open_past_sla = 0;  // waiting for a first claim longer than the target
  std::int64_t oldest_waiting_ms = 0;
};

struct QueueView {
  std::string id;
  // Null for a queue that has cases but no configuration (an old policy's queue): only
  // oversight sees it.
  const QueueSpec* spec = nullptr;
  store::QueueStats counts;
  QueueSla sla;
};

struct QueueListing {
  std::shared_ptr<const QueueConfig> config;  // keeps every QueueView::spec alive
  UnixMillis since = 0, until = 0;            // the SLA window
  std::vector<QueueView> queues;
};

struct ReviewerDecision {
  // none, label, reduce, remove, escalate; an appeal: restore or uphold; a tie-break: also
  // restore.
  std::string outcome;
  std::string reason_code;
  std::string reason;  // optional free text (at most 2000 bytes)
};

struct QueueReport {
  std::string queue;
  const QueueSpec* spec = nullptr;
  Agreement agreement;             // outcomes of first vs second review
  double reason_code_percent = 0;  // pairs that also gave the same reason code
  QueueSla sla;
};

struct StatsReport {
  std::shared_ptr<const QueueConfig> config;
  UnixMillis since = 0, until = 0;
  Agreement overall;  // every pair, pooled
  std::vector<QueueReport> queues;
};

// A reason code a reviewer may pick, for the console's decision form.
struct ReasonCodeOption {
  std::string code;
  std::string description;
  // The outcomes it goes with: empty for a policy code (any enforcement outcome, or uphold).
  std::vector<std::string> outcomes;
};

// Limits on what a reviewer sends.
inline constexpr std::size_t kMaxReasonBytes = 2000;

class ReviewService {
 public:
  // `db`, `clock` and `metrics` must outlive the service; `metrics` may be null. With metrics,
  // the service registers a collector that publishes its SLA figures on every scrape.
  ReviewService(store::Database& db, std::shared_ptr<const QueueConfig> queues, PolicySource policy,
                const Clock& clock, ReviewOptions options, MetricsRegistry* metrics = nullptr);
  ~ReviewService();
  ReviewService(const ReviewService&) = delete;
  ReviewService& operator=(const ReviewService&) = delete;

  std::shared_ptr<const QueueConfig> queues() const;
  void SetQueues(std::shared_ptr<const QueueConfig> queues);  // a reload
  const ReviewOptions& options() const { return options_; }

  // The queues `reviewer` may work (or every queue, with oversight), each with its counts and
  // SLA figures over the last sla_window_ms. Configured queues come first, in file order.
  Result<QueueListing> Queues(const Reviewer& reviewer);

  // Claims the next waiting case in `queue` for reviewer. NotFound (field "queue") for a queue
  // that is not configured or has nothing waiting for this reviewer; PermissionDenied (field
  // "queue") without the queue's expertise.
  Result<store::ReviewCase> Claim(const Reviewer& reviewer, std::string_view queue);

  // Records the reviewer's decision on a case they hold. InvalidArgument naming "action",
  // "reason_code" or "reason" for a bad outcome or code; NotFound for an unknown case;
  // FailedPrecondition when the reviewer holds no live lease on it.
  Result<store::CaseDecisionResult> Decide(const Reviewer& reviewer, std::int64_t case_id,
                                           const ReviewerDecision& decision);

  // The reason codes a reviewer may give on a case of `category` (a Category name): the active
  // policy's codes of rules for that category (or for any category), each once, in file order,
  // then the configuration's reviewer reason codes. Every one passes Decide's check for the
  // outcomes it lists.
  // For a case about `target` (an item by default): the reason codes of the policy's item rules,
  // group rules or strike rules respectively.
  std::vector<ReasonCodeOption> ReasonCodes(std::string_view category,
                                            TargetKind target = TargetKind::kItem) const;

  // Agreement per queue over second reviews decided in [since, until), and SLA figures over
  // first reviews decided in that window (open cases and ages as of now).
  Result<StatsReport> Stats(UnixMillis since, UnixMillis until);

  // Recommendation 7's coverage figures for private groups over [since, until): the share of
  // their items scanned within 60 s of receipt (enforce::kScanTargetMs; store) and the share of
  // their first-review cases first claimed within the queue's SLA. A case still waiting inside
  // its SLA is not yet due and counts in neither share.
  struct PrivateGroupCoverage {
    store::ScanCoverage scans;
    std::int64_t cases = 0;
    std::int64_t within_sla = 0;
    std::int64_t breached = 0;     // claimed late, or still waiting past the SLA
    std::int64_t not_yet_due = 0;  // waiting, inside the SLA
  };
  Result<PrivateGroupCoverage> PrivateGroupStats(UnixMillis since, UnixMillis until,
                                                 std::int64_t scan_within_ms);

  // Whether a first-review decision on `case_id` in `queue` opens a second review.
  bool SampledForSecondReview(std::int64_t case_id, const QueueSpec& queue) const {
    return sampler_.Sampled(case_id, queue.second_review_share);
  }

 private:
  Result<std::vector<QueueView>> Views(const QueueConfig& config, const Reviewer* reviewer,
                                       UnixMillis since, UnixMillis until, UnixMillis now);
  Status CheckReasonCode(const ReviewerDecision& d, std::string_view outcome,
                         const policy::Policy* policy) const;
  std::vector<GaugeSample> Collect();  // cached: see ReviewOptions::metrics_refresh_ms
  std::vector<GaugeSample> Compute(UnixMillis now);
  void CountPrivateGroupClaim(const store::ReviewCase& c, const QueueSpec& spec, UnixMillis now);

  store::Database& db_;
  PolicySource policy_;
  const Clock& clock_;
  const ReviewOptions options_;
  const SecondReviewSampler sampler_;
  MetricsRegistry* metrics_;
  int collector_id_ = 0;

  mutable std::mutex mu_;
  // The last figures Collect() computed, and when (clock_ time).
  std::mutex collect_mu_;
  std::vector<GaugeSample> collected_;
  std::optional<UnixMillis> collected_at_;
  std::shared_ptr<const QueueConfig> queues_;
};

}  // namespace bulwark::review

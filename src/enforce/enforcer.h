#pragma once

// The enforcement pipeline: item -> detect -> evaluate policy -> decisions -> decision log.
// A shadow run's policy, if one is running, is evaluated beside the active one on the same
// verdicts and its comparison recorded apart from the log (enforce/shadow.h).
//
// Enforcer::Decide is pure (one item, one detector snapshot, one policy -> decisions); the
// Run* methods read items from the store, decide, and record the decisions together with the
// items' enforcement progress in one transaction, so a crash never loses or doubles a decision.
// A re-scan with a new model or policy appends new decisions; it never edits old ones, and it
// never logs an outcome (item, revision, rule, category, action) logged before.
//
// Thread safety: an Enforcer may be used from several threads; each call takes the current
// detector and policy snapshots once and uses them throughout.

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/decision.h"
#include "core/metrics.h"
#include "core/status.h"
#include "core/time.h"
#include "detect/detector.h"
#include "policy/policy.h"
#include "review/reports.h"
#include "store/store.h"

namespace bulwark::enforce {

// Holds the policy snapshot the pipeline enforces. Two sources:
//  * a file (tests, benchmarks): Reload() re-reads it and swaps it in atomically;
//  * the database (serve, enforce): the active policy version. Refresh() asks the store which
//    version is active (one indexed read) and, when that changed, loads and swaps in the new
//    one; the Enforcer calls it before every batch, so a version activated by anyone (HTTP API,
//    CLI, another process) governs the next items enforced.
// Thread-safe.
class PolicyHandle {
 public:
  explicit PolicyHandle(std::string path) : path_(std::move(path)) {}
  // `store` must outlive the handle. Call Reload() (or Refresh()) before the first Get().
  explicit PolicyHandle(store::PolicyStore& store) : store_(&store) {}
  // File: re-reads it. Database: Refresh(). On failure the current policy stays active.
  Status Reload();
  // Database: loads the active version if it is not the one held (NotFound when no version
  // is active; an error leaves the current snapshot in place). File: no-op.
  Status Refresh() const;
  std::shared_ptr<const policy::Policy> Get() const;
  void Set(std::shared_ptr<const policy::Policy> p);
  const std::string& path() const { return path_; }
  // The id of the policy version held (database source), 0 otherwise.
  std::int64_t version_id() const;

 private:
  const std::string path_;
  store::PolicyStore* const store_ = nullptr;
  mutable std::mutex mu_;
  mutable std::shared_ptr<const policy::Policy> current_;
  mutable std::int64_t version_id_ = 0;
};

// The coverage target for private groups (issue 10, item 4): an item scanned within 60 s of its
// receipt. Counted on /metrics (bulwark_items_first_scanned_total) and by `bulwark groups stats`.
inline constexpr std::int64_t kScanTargetMs = 60 * 1000;

struct EnforceSummary {
  int items = 0;
  int decisions = 0;
  std::array<int, 7> by_action{};  // indexed by ActionType
};

// What the policy sees of one item and its verdict: scores, targets, visibility, kind, reports,
// views, the author's public-figure flag (only to escalate) and whether the detectors cover the
// item's language. Shared by enforcement and backtests so both decide alike.
// `reports` is the policy's count of weighted reports (review/reports.h); the two-argument form
// weighs the item's reports itself.
policy::PolicyInput PolicyInputFor(const store::EnforcementItem& item, const detect::Verdict& v);
policy::PolicyInput PolicyInputFor(const store::EnforcementItem& item, const detect::Verdict& v,
                                   const review::ReportWeighting& reports);

class Enforcer {
 public:
  // All references must outlive the Enforcer; `metrics` may be null.
  Enforcer(store::Database& db, const detect::DetectorHandle& detectors, const PolicyHandle& policy,
           const Clock& clock, MetricsRegistry* metrics);

  struct Outcome {
    std::vector<Decision> decisions;
    std::vector<store::ReviewRequest> reviews;  // indexes into `decisions`
    policy::PolicyInput input;                  // what the policy saw
    policy::Decision evaluated;  // the policy's own decision (points into the policy)
  };
  // The decisions the policy takes on `item` given `verdict` (empty if no rule fired). Each
  // carries the rule, reason, policy and model versions, and evidence (scores, threshold,
  // matched spans, target groups, context flags, queue and priority); review and escalate
  // decisions also open a case in their expert queue, ordered by review::CasePriority of the
  // policy's priority, the item's views and reports and whether its group is private.
  static Outcome Decide(const store::EnforcementItem& item, const detect::Verdict& verdict,
                        const policy::Policy& policy, UnixMillis now);

  // Enforces up to `limit` pending items (new or revised since their last enforcement).
  Result<EnforceSummary> RunPending(int limit);
  // Re-scans every stored item with the current snapshots, `batch` items per transaction.
  Result<EnforceSummary> RescanAll(int batch);

 private:
  // The running shadow run's policy (enforce/shadow.h), loaded when the run changes.
  struct ShadowPolicy {
    std::int64_t run_id = 0;
    std::shared_ptr<const policy::Policy> policy;  // null: no run
  };
  Result<ShadowPolicy> RunningShadow();
  // Compares `active` (the active policy's Decide of the item) with the shadow policy on the same
  // input, appending a row per category where either acted.
  static void AddShadowOutcomes(const store::EnforcementItem& item, const detect::Verdict& verdict,
                                const Outcome& active, const ShadowPolicy& shadow, UnixMillis now,
                                std::vector<store::ShadowOutcome>* out);
  Result<EnforceSummary> Process(const std::vector<store::EnforcementItem>& items);

  store::Database& db_;
  const detect::DetectorHandle& detectors_;
  const PolicyHandle& policy_;
  const Clock& clock_;
  MetricsRegistry* metrics_;
  // Detector scratch (Hyperscan scratch for a 9-13 MB database, buffers) reused across batches
  // and threads; it works with any detector snapshot, so it survives reloads.
  detect::DetectorScratchPool scratches_{4};
  std::mutex shadow_mu_;
  ShadowPolicy shadow_;  // guarded by shadow_mu_
};

}  // namespace bulwark::enforce

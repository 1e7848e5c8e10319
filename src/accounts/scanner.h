#pragma once

// AccountScanner: consequences for repeat offenders (issue 10, item 3). A strike is a standing
// removal of an account's item, or of a group the account owns or administers (store::Strike);
// the policy's strike rules ([strike_rule ID], docs/policy.md) say how many strikes of which
// categories over which window lead to a posting restriction or a suspension.
//
// A scan reads the accounts with a removal in the longest strike window (and those restricted or
// suspended now), and for each:
//   * applies the strike rules (policy::EvaluateStrikes) and, when one matches, logs its
//     consequence as a decision of target kind account (action restrict or suspend, actor
//     "system", evidence: every strike counted, the rule's threshold and window, and "until"),
//     once per rule and strike count (AccountStore::RecordStrikeOutcome): re-scans log nothing
//     new, a further strike logs again. A consequence never replaces a stronger one in force (a
//     suspension is not turned into a restriction).
//   * lifts a consequence in force whose strikes no longer add up: when a strike it counted has
//     been overturned (its removal restored on appeal), the rule is re-counted on the strikes that
//     stand, as of the consequence's own time; below the threshold, a restore decision ends it.
//     Strikes that merely expire later do not lift it (the consequence runs its term).
// Public figures are counted exactly as everyone else; the evidence says whether the account is
// one, so that an auditor can check.
//
// Thread safety: Scan and ScanAccount may run concurrently with everything else; Start runs Scan
// on a background thread every `interval` until Stop (or destruction).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decision.h"
#include "core/metrics.h"
#include "core/periodic.h"
#include "core/status.h"
#include "core/time.h"
#include "policy/policy.h"
#include "store/store.h"

namespace bulwark::accounts {

using PolicySource = std::function<std::shared_ptr<const policy::Policy>()>;

// One account's result.
struct AccountScan {
  store::StoredAccount account;        // as read before the scan's decisions
  std::vector<store::Strike> strikes;  // standing, in the longest strike window, oldest first
  std::string matched_rule;            // the strike rule that applies now ("" if none)
  std::int64_t counted = 0;            // its count of strikes
  std::optional<Decision> logged;      // a consequence logged now (a dry run: would be)
  std::optional<Decision> lifted;      // a consequence lifted now (a dry run: would be)
};

struct ScanSummary {
  std::int64_t accounts = 0;  // accounts scanned
  std::int64_t matched = 0;   // accounts a strike rule applies to
  std::int64_t logged = 0;    // consequences logged now
  std::int64_t lifted = 0;    // consequences lifted now
};

// The evidence of a consequence: the rule, the strikes it counted and "until" (null: no end).
std::string ConsequenceEvidence(const policy::Rule& rule, const store::StoredAccount& account,
                                const std::vector<store::Strike>& counted,
                                std::optional<UnixMillis> until);

class AccountScanner {
 public:
  // `db` and `clock` (and `metrics`, optional) must outlive the scanner.
  AccountScanner(store::Database& db, PolicySource policy, const Clock& clock,
                 MetricsRegistry* metrics, int page = 500);
  ~AccountScanner() { Stop(); }
  AccountScanner(const AccountScanner&) = delete;
  AccountScanner& operator=(const AccountScanner&) = delete;

  // Scans every account of WorkList.
  Result<ScanSummary> Scan();
  // Every account with a strike in the policy's longest strike window, or a consequence in
  // force, in id order (empty without strike rules).
  Result<std::vector<std::string>> WorkList();
  // One account (NotFound if unknown). With record = false nothing is logged (a dry run).
  Result<AccountScan> ScanAccount(std::string_view account_id, bool record);

  void Start(std::chrono::milliseconds interval);
  void Stop() { task_.Stop(); }  // idempotent

 private:
  // Whether the consequence in force (decision `in_force`) still stands on the strikes that
  // stand now; Lift logs the restore when it does not.
  Result<std::optional<Decision>> MaybeLift(const policy::Policy& p,
                                            const store::StoredAccount& account,
                                            const Decision& in_force, UnixMillis now, bool record);

  store::Database& db_;
  PolicySource policy_;
  const Clock& clock_;
  MetricsRegistry* metrics_;
  const int page_;
  PeriodicTask task_;  // last: stopped before the members its runs use
};

}  // namespace bulwark::accounts

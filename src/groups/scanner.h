#pragma once

// GroupScanner: finds groups built around hate, violent extremism or misinformation
// (recommendation 4) by applying the policy's group rules to each active group's risk
// (groups/risk.h), and sends the groups they match to expert review with their evidence.
//
// A scan reads the groups with an item or membership event in the longest rule window, computes
// their risk once per rule window, evaluates the group rules, and records each match as a logged
// decision (target kind group, action review or escalate, actor "system", evidence: the risk
// JSON) with a review case, at most once per rule and group per window-long period
// (GroupStore::RecordGroupRuleMatch). Groups already removed are skipped.
//
// Thread safety: Scan and ScanGroup may run concurrently with everything else; Start runs them
// on a background thread every `interval` until Stop (or destruction).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/periodic.h"
#include "core/status.h"
#include "core/time.h"
#include "groups/risk.h"
#include "policy/policy.h"
#include "store/store.h"

namespace bulwark::groups {

using PolicySource = std::function<std::shared_ptr<const policy::Policy>()>;

struct ScanOptions {
  RiskOptions risk;
  int page = 500;  // active groups read per page
};

// One group's result: its risk per rule window and the rule matches it produced.
struct GroupScan {
  std::string group_id;
  std::vector<GroupRisk> risks;         // one per window of the policy's group rules
  std::vector<policy::Action> matched;  // the group rules' actions (review / escalate)
  std::vector<Decision> logged;         // matches logged now (repeats within a period are not)
  bool removed = false;                 // removed groups are not evaluated
};

struct ScanSummary {
  std::int64_t groups = 0;   // groups scanned
  std::int64_t matched = 0;  // groups some group rule matched
  std::int64_t logged = 0;   // new group review decisions (and cases)
  std::int64_t skipped_removed = 0;
};

class GroupScanner {
 public:
  // `db` and `clock` (and `metrics`, optional) must outlive the scanner.
  GroupScanner(store::Database& db, PolicySource policy, const Clock& clock,
               MetricsRegistry* metrics, ScanOptions options = {});
  ~GroupScanner();
  GroupScanner(const GroupScanner&) = delete;
  GroupScanner& operator=(const GroupScanner&) = delete;

  // Scans every group active within the longest window of the policy's group rules.
  Result<ScanSummary> Scan();
  // One group (NotFound if unknown). With record = false nothing is logged (a dry run).
  Result<GroupScan> ScanGroup(std::string_view group_id, bool record);

  void Start(std::chrono::milliseconds interval);
  void Stop() { task_.Stop(); }  // idempotent

 private:
  store::Database& db_;
  PolicySource policy_;
  const Clock& clock_;
  MetricsRegistry* metrics_;
  const ScanOptions options_;
  PeriodicTask task_;  // last: stopped before the members its runs use
};

}  // namespace bulwark::groups

#include "accounts/scanner.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>

#include "core/taxonomy.h"

namespace bulwark::accounts {
namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

std::vector<policy::StrikeFact> Facts(const std::vector<store::Strike>& strikes) {
  std::vector<policy::StrikeFact> out;
  out.reserve(strikes.size());
  for (const store::Strike& s : strikes) {
    // A removal without a known category (an older reviewer decision) counts for no rule.
    if (auto c = ParseCategory(s.category)) out.push_back({*c, s.at});
  }
  return out;
}

// The strikes `rule` counts at `now`, oldest first.
std::vector<store::Strike> Counted(const policy::Rule& rule,
                                   const std::vector<store::Strike>& strikes, UnixMillis now) {
  std::vector<store::Strike> out;
  for (const store::Strike& s : strikes) {
    auto c = ParseCategory(s.category);
    if (c && policy::StrikeCounts(rule, {*c, s.at}, now)) out.push_back(s);
  }
  return out;
}

const policy::Rule* FindStrikeRule(const policy::Policy& p, std::string_view id) {
  for (const policy::Rule& r : p.strike_rules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

// Suspension outranks restriction, which outranks nothing.
int Strength(store::AccountState state) {
  return state == store::AccountState::kSuspended    ? 2
         : state == store::AccountState::kRestricted ? 1
                                                     : 0;
}

}  // namespace

std::string ConsequenceEvidence(const policy::Rule& rule, const store::StoredAccount& account,
                                const std::vector<store::Strike>& counted,
                                std::optional<UnixMillis> until) {
  using nlohmann::json;
  json strikes = json::array();
  for (const store::Strike& s : counted) {
    strikes.push_back({{"source", TargetKindName(s.source)},
                       {"id", s.target_id},
                       {"decision_seq", s.decision_seq},
                       {"category", s.category},
                       {"rule_id", s.rule_id},
                       {"actor", s.actor},
                       {"at", s.at}});
  }
  json ev = {{"strike_rule", rule.id},
             {"window_days", rule.window_days},
             {"threshold", rule.strikes.lo ? *rule.strikes.lo : 0.0},
             {"counted", counted.size()},
             {"duration_days", rule.duration_days},
             {"public_figure", account.is_public_figure},
             {"strikes", std::move(strikes)}};
  ev["until"] = until ? json(*until) : json(nullptr);
  return ev.dump(-1, ' ', false, json::error_handler_t::replace);
}

AccountScanner::AccountScanner(store::Database& db, PolicySource policy, const Clock& clock,
                               MetricsRegistry* metrics, int page)
    : db_(db), policy_(std::move(policy)), clock_(clock), metrics_(metrics), page_(page) {}

Result<std::optional<Decision>> AccountScanner::MaybeLift(const policy::Policy& p,
                                                          const store::StoredAccount& account,
                                                          const Decision& in_force, UnixMillis now,
                                                          bool record) {
  // Only the pipeline's own consequences are re-counted: a person's decision stands until a
  // person changes it, and a rule no longer in the policy is not re-interpreted.
  if (in_force.actor != kSystemActor) return std::optional<Decision>();
  const policy::Rule* rule = FindStrikeRule(p, in_force.rule_id);
  if (rule == nullptr) return std::optional<Decision>();
  const UnixMillis at = in_force.created_at;
  BULWARK_ASSIGN_OR_RETURN(
      std::vector<store::Strike> then,
      db_.accounts().Strikes(account.id, at - rule->window_days * kDayMs, at + 1));
  const std::vector<store::Strike> counted = Counted(*rule, then, at);
  if (rule->strikes.Contains(static_cast<double>(counted.size()))) {
    return std::optional<Decision>();
  }
  Decision d;
  d.target_kind = TargetKind::kAccount;
  d.item_id = account.id;
  d.action = ActionType::kRestore;
  d.category = in_force.category;
  d.rule_id = rule->id;
  d.policy_version = std::string(p.id) + "@" + p.version;
  d.model_version = "strikes/1";
  d.actor = std::string(kSystemActor);
  d.reason = "strikes.overturned: a strike counted by decision " + std::to_string(in_force.seq) +
             " was overturned; " + std::to_string(counted.size()) + " of the " +
             std::to_string(static_cast<long long>(rule->strikes.lo.value_or(0))) +
             " strikes it needs still stand";
  d.evidence = nlohmann::json({{"lifts_seq", in_force.seq},
                               {"strike_rule", rule->id},
                               {"counted", counted.size()},
                               {"standing",
                                [&] {
                                  nlohmann::json a = nlohmann::json::array();
                                  for (const store::Strike& s : counted)
                                    a.push_back(s.decision_seq);
                                  return a;
                                }()}})
                   .dump();
  d.created_at = now;
  if (!record) return std::optional<Decision>(std::move(d));
  BULWARK_ASSIGN_OR_RETURN(std::vector<Decision> logged,
                           db_.decisions().AppendDecisions({std::move(d)}));
  return std::optional<Decision>(std::move(logged.front()));
}

Result<AccountScan> AccountScanner::ScanAccount(std::string_view account_id, bool record) {
  std::shared_ptr<const policy::Policy> p = policy_ ? policy_() : nullptr;
  AccountScan out;
  BULWARK_ASSIGN_OR_RETURN(out.account, db_.accounts().GetAccount(account_id));
  const UnixMillis now = clock_.NowMillis();
  const int window = p && !p->strike_rules.empty() ? policy::LongestStrikeWindow(*p) : 90;
  BULWARK_ASSIGN_OR_RETURN(out.strikes,
                           db_.accounts().Strikes(account_id, now - window * kDayMs, now + 1));
  if (!p || p->strike_rules.empty()) return out;

  // The consequence in force, if any: lifted first when its strikes were overturned.
  store::AccountState in_force = out.account.StateAt(now);
  if (in_force != store::AccountState::kActive && out.account.state_seq > 0) {
    BULWARK_ASSIGN_OR_RETURN(std::vector<Decision> setting,
                             db_.decisions().ListDecisions(out.account.state_seq - 1, 1));
    if (!setting.empty()) {
      BULWARK_ASSIGN_OR_RETURN(out.lifted,
                               MaybeLift(*p, out.account, setting.front(), now, record));
      if (out.lifted) in_force = store::AccountState::kActive;
    }
  }

  const std::vector<policy::StrikeFact> facts = Facts(out.strikes);
  std::optional<policy::StrikeOutcome> outcome = policy::EvaluateStrikes(*p, facts, now);
  if (!outcome) return out;
  const policy::Rule& rule = *outcome->rule;
  out.matched_rule = rule.id;
  out.counted = outcome->counted;
  const bool suspend = rule.action == policy::ActionKind::kSuspend;
  const ActionType action = suspend ? ActionType::kSuspend : ActionType::kRestrict;
  // Never weaken a consequence in force.
  if (Strength(in_force) >
      Strength(suspend ? store::AccountState::kSuspended : store::AccountState::kRestricted)) {
    return out;
  }

  const std::vector<store::Strike> counted = Counted(rule, out.strikes, now);
  std::int64_t strike_seq = 0;
  std::map<std::string, int> by_category;
  for (const store::Strike& s : counted) {
    strike_seq = std::max(strike_seq, s.decision_seq);
    ++by_category[s.category];
  }
  std::optional<UnixMillis> until;
  if (rule.duration_days > 0) until = now + rule.duration_days * kDayMs;
  Decision d;
  d.target_kind = TargetKind::kAccount;
  d.item_id = out.account.id;
  d.action = action;
  d.category =
      rule.single_category >= 0
          ? std::string(CategoryName(static_cast<Category>(rule.single_category)))
          : std::max_element(by_category.begin(), by_category.end(),
                             [](const auto& a, const auto& b) { return a.second < b.second; })
                ->first;
  d.rule_id = rule.id;
  d.policy_version = std::string(p->id) + "@" + p->version;
  d.model_version = "strikes/1";
  d.actor = std::string(kSystemActor);
  d.reason = rule.reason_code + ": " + rule.reason;
  d.evidence = ConsequenceEvidence(rule, out.account, counted, until);
  d.created_at = now;
  if (!record) {
    // A dry run says what a scan would log now: nothing for strikes already answered.
    BULWARK_ASSIGN_OR_RETURN(bool done,
                             db_.accounts().HasStrikeOutcome(out.account.id, rule.id, strike_seq));
    if (!done) out.logged = std::move(d);
    return out;
  }
  BULWARK_ASSIGN_OR_RETURN(out.logged,
                           db_.accounts().RecordStrikeOutcome(std::move(d), strike_seq));
  return out;
}

Result<std::vector<std::string>> AccountScanner::WorkList() {
  std::shared_ptr<const policy::Policy> p = policy_ ? policy_() : nullptr;
  std::vector<std::string> ids;
  if (!p || p->strike_rules.empty()) return ids;
  const UnixMillis since = clock_.NowMillis() - policy::LongestStrikeWindow(*p) * kDayMs;
  std::string after;
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> page,
                             db_.accounts().AccountsToScan(since, after, page_));
    ids.insert(ids.end(), page.begin(), page.end());
    if (static_cast<int>(page.size()) < page_) break;
    after = ids.back();
  }
  return ids;
}

Result<ScanSummary> AccountScanner::Scan() {
  ScanSummary sum;
  BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> ids, WorkList());
  for (const std::string& id : ids) {
    BULWARK_ASSIGN_OR_RETURN(AccountScan a, ScanAccount(id, true));
    ++sum.accounts;
    if (!a.matched_rule.empty()) ++sum.matched;
    if (a.logged) ++sum.logged;
    if (a.lifted) ++sum.lifted;
  }
  if (metrics_) {
    metrics_
        ->GetCounter("bulwark_account_scans_total",
                     "Account scans run (every account with a recent strike each).")
        .Inc();
    metrics_
        ->GetCounter("bulwark_account_consequences_total",
                     "Restrictions and suspensions logged by strike rules.")
        .Inc(static_cast<std::uint64_t>(sum.logged));
    metrics_
        ->GetCounter("bulwark_account_consequences_lifted_total",
                     "Consequences lifted because a strike they counted was overturned.")
        .Inc(static_cast<std::uint64_t>(sum.lifted));
  }
  return sum;
}

void AccountScanner::Start(std::chrono::milliseconds interval) {
  task_.Start(interval, [this] {
    auto r = Scan();
    if (!r.ok()) {
      std::fprintf(stderr, "bulwark: account scan: %s\n", r.status().ToString().c_str());
    }
  });
}

}  // namespace bulwark::accounts

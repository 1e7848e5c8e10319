// GET /v1/accounts/{id}: an account's standing (issue 10, item 3): the consequence in force with
// its end, the strikes that stand in the window, and every account decision (the consequences,
// their lifting, appeals), so that the platform can apply them and the account's owner can be
// told why.

#include <nlohmann/json.hpp>

#include <string>

#include "core/decision.h"
#include "core/time.h"
#include "server/api.h"
#include "server/api_json.h"

namespace bulwark::server {
namespace {

using nlohmann::json;

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

}  // namespace

json AccountJson(const store::StoredAccount& a, UnixMillis now) {
  const store::AccountState state = a.StateAt(now);
  return {{"id", a.id},
          {"public_figure", a.is_public_figure},
          {"state", store::AccountStateName(state)},
          {"until", state != store::AccountState::kActive && a.until ? json(FormatRfc3339(*a.until))
                                                                     : json(nullptr)},
          {"state_decision_seq", a.state_seq ? json(a.state_seq) : json(nullptr)}};
}

HttpResponse Api::GetAccount(const std::string& id, const HttpRequest& req) {
  auto account = ctx_.db->accounts().GetAccount(id);
  if (!account.ok()) return ErrorResponse(account.status());
  int days = 90;
  if (auto v = QueryParam(req.query, "window_days")) {
    auto n = ParseCount(*v, "window_days", 1, 365);
    if (!n.ok()) return ErrorResponse(n.status());
    days = static_cast<int>(*n);
  }
  const UnixMillis now = ctx_.clock->NowMillis();
  auto strikes = ctx_.db->accounts().Strikes(id, now - days * kDayMs, now + 1);
  if (!strikes.ok()) return ErrorResponse(strikes.status());
  auto decisions = ctx_.db->accounts().AccountDecisions(id);
  if (!decisions.ok()) return ErrorResponse(decisions.status());
  json j = AccountJson(*account, now);
  json list = json::array();
  for (const store::Strike& s : *strikes) {
    list.push_back({{"source", TargetKindName(s.source)},
                    {"id", s.target_id},
                    {"decision_seq", s.decision_seq},
                    {"category", s.category},
                    {"rule_id", s.rule_id.empty() ? json(nullptr) : json(s.rule_id)},
                    {"decided_by", s.actor == kSystemActor ? "automated" : "reviewer"},
                    {"at", FormatRfc3339(s.at)}});
  }
  j["window_days"] = days;
  j["strikes"] = list;
  json dec = json::array();
  for (const Decision& d : *decisions) dec.push_back(DecisionJson(d));
  j["decisions"] = dec;
  return JsonResponse(200, j);
}

}  // namespace bulwark::server

// GET /v1/groups and GET /v1/groups/{id}: a group as the platform described it, Bulwark's state
// for it with the decisions that set it, and its risk over the rolling window (groups/risk.h),
// computed now from the log, with every number's items and rules.

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

#include "core/time.h"
#include "groups/risk.h"
#include "server/api.h"
#include "server/api_json.h"

namespace bulwark::server {
namespace {

using nlohmann::json;

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

json GroupJson(const store::StoredGroup& g) {
  return {
      {"id", g.group.id},
      {"described", g.described},
      {"name", g.group.name},
      {"description", g.group.description},
      {"visibility", VisibilityName(g.group.visibility)},
      {"created_at", g.group.created_at ? json(FormatRfc3339(g.group.created_at)) : json(nullptr)},
      {"owner_id", g.group.owner_id.empty() ? json(nullptr) : json(g.group.owner_id)},
      {"admin_ids", g.group.admin_ids},
      {"members", g.members},
      {"state", store::GroupStateName(g.state)},
      {"label", g.label.empty() ? json(nullptr) : json(g.label)},
      {"state_decision_seq", g.state_seq ? json(g.state_seq) : json(nullptr)}};
}

}  // namespace

HttpResponse Api::GetGroup(const std::string& id, const HttpRequest& req) {
  auto g = ctx_.db->groups().GetGroup(id);
  if (!g.ok()) return ErrorResponse(g.status());
  int days = 30;
  if (auto v = QueryParam(req.query, "window_days")) {
    auto n = ParseCount(*v, "window_days", 1, 365);
    if (!n.ok()) return ErrorResponse(n.status());
    days = static_cast<int>(*n);
  }
  const UnixMillis now = ctx_.clock->NowMillis();
  auto activity = ctx_.db->groups().Activity(id, now - days * kDayMs, now, 20000);
  if (!activity.ok()) return ErrorResponse(activity.status());
  auto history = ctx_.db->groups().GroupHistory(id);
  if (!history.ok()) return ErrorResponse(history.status());
  json j = GroupJson(*g);
  json hist = json::array();
  for (const store::GroupStateChange& c : *history) {
    hist.push_back({{"decision_seq", c.decision_seq},
                    {"state", store::GroupStateName(c.state)},
                    {"label", c.label},
                    {"decided_by", c.actor == kSystemActor ? "automated" : "reviewer"},
                    {"at", FormatRfc3339(c.at)}});
  }
  j["history"] = hist;
  groups::GroupRisk risk = groups::ComputeRisk(*activity, days, now - days * kDayMs, now);
  j["risk"] = json::parse(groups::RiskJson(risk));
  return JsonResponse(200, j);
}

HttpResponse Api::ListGroups(const HttpRequest& req) {
  int limit = 100;
  if (auto v = QueryParam(req.query, "limit")) {
    auto n = ParseCount(*v, "limit", 1, 1000);
    if (!n.ok()) return ErrorResponse(n.status());
    limit = static_cast<int>(*n);
  }
  const std::string after(QueryParam(req.query, "after").value_or(""));
  auto list = ctx_.db->groups().ListGroups(after, limit);
  if (!list.ok()) return ErrorResponse(list.status());
  json groups = json::array();
  for (const store::StoredGroup& g : *list) groups.push_back(GroupJson(g));
  json j = {{"groups", groups}};
  if (static_cast<int>(list->size()) == limit) j["next_after"] = list->back().group.id;
  return JsonResponse(200, j);
}

}  // namespace bulwark::server

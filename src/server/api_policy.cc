// The policy lifecycle over HTTP: drafts, submission (with the backtest), civil-rights sign-off
// and activation. The rules live in policy/lifecycle.h; this file maps requests onto them.

#include <nlohmann/json.hpp>

#include "detect/detector.h"
#include "enforce/backtest.h"
#include "enforce/backtest_jobs.h"
#include "policy/lifecycle.h"
#include "server/api.h"
#include "server/api_json.h"

namespace bulwark::server {
namespace {

using nlohmann::json;
using store::PolicyVersion;

HttpResponse JsonOut(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  r.body += '\n';
  return r;
}

json TimeOrNull(UnixMillis t) { return t ? json(FormatRfc3339(t)) : json(nullptr); }
json TextOrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

// The summary fields of a version (no text, no backtest details).
json VersionJson(const PolicyVersion& v) {
  return {{"id", v.id},
          {"policy", v.name},
          {"version", v.version},
          {"policy_version", policy::PolicyLabel(v.name, v.version)},
          {"state", store::PolicyStateName(v.state)},
          {"sha256", v.sha256},
          {"author", v.author},
          {"created_at", FormatRfc3339(v.created_at)},
          {"submitted_by", TextOrNull(v.submitted_by)},
          {"submitted_at", TimeOrNull(v.submitted_at)},
          {"backtest_against", v.backtest_against ? json(v.backtest_against) : json(nullptr)},
          {"approved_by", TextOrNull(v.approved_by)},
          {"approved_at", TimeOrNull(v.approved_at)},
          {"approval_comment", TextOrNull(v.approval_comment)},
          {"activated_by", TextOrNull(v.activated_by)},
          {"activated_at", TimeOrNull(v.activated_at)}};
}

// Everything: the text, the backtest summary and the history.
json FullVersionJson(const PolicyVersion& v, const std::vector<store::PolicyTransition>& history) {
  json j = VersionJson(v);
  j["text"] = v.text;
  json bt = v.backtest.empty() ? json(nullptr) : json::parse(v.backtest, nullptr, false);
  j["backtest"] = bt.is_discarded() ? json(v.backtest) : bt;
  json h = json::array();
  for (const store::PolicyTransition& t : history) {
    h.push_back({{"seq", t.seq},
                 {"from", TextOrNull(t.from)},
                 {"to", t.to},
                 {"actor", t.actor},
                 {"role", TextOrNull(t.role)},
                 {"comment", t.comment},
                 {"at", FormatRfc3339(t.at)}});
  }
  j["history"] = h;
  return j;
}

json LintJson(const std::vector<policy::LintFinding>& findings) {
  json out = json::array();
  for (const policy::LintFinding& f : findings) {
    out.push_back({{"severity", f.severity == policy::LintSeverity::kError ? "error" : "warning"},
                   {"check", f.check},
                   {"rule_id", TextOrNull(f.rule_id)},
                   {"line", f.line},
                   {"field", "text:" + std::to_string(f.line)},
                   {"message", f.message}});
  }
  return out;
}

}  // namespace

HttpResponse Api::ListPolicies() {
  auto list = ctx_.db->policies().ListVersions();
  if (!list.ok()) return ErrorResponse(list.status());
  json out = json::array();
  for (const PolicyVersion& v : *list) out.push_back(VersionJson(v));
  return JsonOut(200, {{"policies", out}});
}

HttpResponse Api::GetPolicy(const std::string& id_text) {
  auto id = ParsePolicyId(id_text);
  if (!id.ok()) return ErrorResponse(id.status());
  auto v = ctx_.db->policies().GetVersion(*id);
  if (!v.ok()) return ErrorResponse(v.status());
  auto history = ctx_.db->policies().History(*id);
  if (!history.ok()) return ErrorResponse(history.status());
  return JsonOut(200, {{"policy", FullVersionJson(*v, *history)}});
}

HttpResponse Api::CreatePolicy(const HttpRequest& req, const Caller& caller) {
  auto body = ParseStringFieldsBody(req.body, {"text", "comment"});
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->contains("text")) {
    return ErrorResponse(InvalidArgument("is required: the policy file's text", "text"));
  }
  policy::Lifecycle lifecycle(ctx_.db->policies(), *ctx_.clock);
  // Parse errors name "text:LINE": the field and the line in it.
  auto drafted = lifecycle.Draft((*body)["text"].get<std::string>(), "text",
                                 {caller.actor, caller.role}, body->value("comment", ""));
  if (!drafted.ok()) return ErrorResponse(drafted.status());
  json out = {{"policy", VersionJson(drafted->version)}, {"lint", LintJson(drafted->lint)}};
  return JsonOut(201, out);
}

HttpResponse Api::MovePolicy(const std::string& id_text, std::string_view step,
                             const HttpRequest& req, const Caller& caller) {
  auto id = ParsePolicyId(id_text);
  if (!id.ok()) return ErrorResponse(id.status());
  auto body = ParseStringFieldsBody(req.body, {"comment"});
  if (!body.ok()) return ErrorResponse(body.status());
  const std::string comment = body->value("comment", "");
  policy::Actor actor{caller.actor, caller.role, std::nullopt};
  if (caller.via_session) {
    auto me = ctx_.db->users().FindUserById(caller.user_id);
    if (!me.ok()) return ErrorResponse(me.status());
    actor.password_set_by = me->password_set_by;
  }
  policy::BacktestFn backtest;
  if (ctx_.detector) backtest = enforce::StoredItemsBacktest(*ctx_.db, *ctx_.detector);
  policy::Lifecycle lifecycle(ctx_.db->policies(), *ctx_.clock, std::move(backtest));
  if (step == "activate") {
    auto a = lifecycle.Activate(*id, actor, comment);
    if (!a.ok()) return ErrorResponse(a.status());
    const Decision& d = a->log_entry;
    return JsonOut(200, {{"policy", VersionJson(a->activated)},
                         {"retired", a->retired ? VersionJson(*a->retired) : json(nullptr)},
                         {"decision",
                          {{"seq", d.seq},
                           {"action", ActionName(d.action)},
                           {"policy_version", d.policy_version},
                           {"actor", d.actor},
                           {"reason", d.reason},
                           {"created_at", FormatRfc3339(d.created_at)},
                           {"hash", d.hash}}}});
  }
  Result<PolicyVersion> v = InvalidArgument("unknown step", "path");
  if (step == "submit" && ctx_.backtest_jobs) {
    // The backtest runs in the background; GET /v1/policies/{id} shows its progress.
    v = lifecycle.SubmitWithPendingBacktest(*id, actor, comment);
    if (!v.ok()) return ErrorResponse(v.status());
    ctx_.backtest_jobs->Enqueue(v->id);
    json bt = json::parse(v->backtest, nullptr, false);
    return JsonOut(
        202, {{"policy", VersionJson(*v)}, {"backtest", bt.is_discarded() ? json(nullptr) : bt}});
  }
  if (step == "submit") {
    v = lifecycle.Submit(*id, actor, comment);
  } else if (step == "approve") {
    v = lifecycle.Approve(*id, actor, comment);
  } else if (step == "reject") {
    v = lifecycle.Reject(*id, actor, comment);
  }
  if (!v.ok()) return ErrorResponse(v.status());
  json out = {{"policy", VersionJson(*v)}};
  if (step == "submit") {
    json bt = json::parse(v->backtest, nullptr, false);
    out["backtest"] = bt.is_discarded() ? json(nullptr) : bt;
  }
  return JsonOut(200, out);
}

}  // namespace bulwark::server

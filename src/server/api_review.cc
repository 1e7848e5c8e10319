// Expert review over HTTP: queues, claims, decisions, appeals and statistics. The rules
// (expertise, reason codes, second reviews) live in review/service.h; this file maps callers to
// reviewers and the results to JSON.

#include <cctype>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "review/service.h"
#include "server/api.h"
#include "server/api_json.h"

namespace bulwark::server {
namespace {

using nlohmann::json;

// The default window of GET /v1/review/stats.
constexpr std::int64_t kDefaultStatsWindowMs = std::int64_t{30} * 24 * 3600 * 1000;

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

// What a reviewer sees of a case. A second review or tie-break is blind: it does not show the
// earlier outcomes or which case it checks.
json CaseJson(const store::ReviewCase& c) {
  json j = {{"id", c.id},
            {"target_kind", TargetKindName(c.target_kind)},
            {"item_id", c.item_id},
            {"item_revision", c.item_revision},
            {"queue", c.queue},
            {"priority", c.priority},
            {"severity", c.severity},
            {"round", RoundName(c.round)},
            {"category", c.category},
            {"opened_by_seq", c.opened_by_seq},
            {"status", c.status},
            {"created_at", FormatRfc3339(c.created_at)}};
  if (!c.claimed_by.empty()) {
    j["claimed_by"] = c.claimed_by;
    j["lease_expires_at"] = FormatRfc3339(c.lease_expires_at);
  }
  if (c.appeal_of_seq) {
    j["appeal_of_seq"] = c.appeal_of_seq;
    j["statement"] = c.statement;
  }
  if (c.decided_at) {
    j["decided_at"] = FormatRfc3339(c.decided_at);
    j["outcome"] = c.outcome;
    j["reason_code"] = c.reason_code;
    if (c.decision_seq) j["decision_seq"] = c.decision_seq;
  }
  return j;
}

double Seconds(std::int64_t ms) { return static_cast<double>(ms) / 1000; }

json SlaJson(const review::QueueSla& s) {
  const auto& w = s.first_review;
  json ttfr = {{"count", w.count}};
  if (w.count > 0) {
    ttfr["p50_seconds"] = Seconds(w.p50_ms);
    ttfr["p90_seconds"] = Seconds(w.p90_ms);
    ttfr["max_seconds"] = Seconds(w.max_ms);
    if (s.target_ms > 0) {
      ttfr["within_target_percent"] =
          100.0 * static_cast<double>(w.within_target) / static_cast<double>(w.count);
    }
  }
  json j = {{"time_to_first_review", ttfr},
            {"open_past_sla", s.open_past_sla},
            {"oldest_waiting_seconds", Seconds(s.oldest_waiting_ms)}};
  j["target_seconds"] = s.target_ms > 0 ? json(Seconds(s.target_ms)) : json(nullptr);
  return j;
}

json AgreementJson(const review::Agreement& a) {
  return {{"pairs", a.pairs},
          {"agreed", a.agreed},
          {"percent_agreement", a.pairs ? json(a.percent) : json(nullptr)},
          {"kappa", a.kappa ? json(*a.kappa) : json(nullptr)}};
}

// The queue's configuration as reviewers see it (null for an unconfigured queue).
void AddSpec(json& j, const review::QueueSpec* spec) {
  j["configured"] = spec != nullptr;
  if (!spec) return;
  j["title"] = spec->title;
  j["description"] = spec->description;
  j["expertise"] = spec->expertise;
  j["wellbeing"] = spec->wellbeing;
  j["second_review_share"] = spec->second_review_share;
}

// Decodes %XX in a query value ("2026-01-01T00%3A00%3A00Z"); nullopt if malformed.
std::optional<std::string> DecodeQueryValue(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '%') {
      out += v[i] == '+' ? ' ' : v[i];
      continue;
    }
    if (i + 2 >= v.size() || !std::isxdigit(static_cast<unsigned char>(v[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(v[i + 2]))) {
      return std::nullopt;
    }
    out += static_cast<char>(std::stoi(std::string(v.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

Result<std::optional<UnixMillis>> TimeParam(std::string_view query, std::string_view key) {
  auto raw = QueryParam(query, key);
  if (!raw) return std::optional<UnixMillis>();
  auto decoded = DecodeQueryValue(*raw);
  auto t = decoded ? ParseRfc3339(*decoded) : std::nullopt;
  if (!t) {
    return InvalidArgument("must be an RFC 3339 time, e.g. 2026-01-31T00:00:00Z", std::string(key));
  }
  return std::optional<UnixMillis>(*t);
}

}  // namespace

review::Reviewer Api::ReviewerOf(const Caller& caller) {
  // API keys are "key:<id>", staff users "user:<id>". Admins oversee every queue (read-only
  // figures); claims need the queue's expertise whatever the role.
  review::Reviewer r;
  r.id = caller.key_id.empty() ? "user:" + caller.actor : "key:" + caller.key_id;
  r.expertise = caller.expertise;
  r.oversight = caller.role == Role::kAdmin;
  return r;
}

HttpResponse Api::ReviewQueues(const Caller& caller) {
  if (!ctx_.review) return ErrorResponse(Unavailable("review is not configured on this server"));
  auto listing = ctx_.review->Queues(ReviewerOf(caller));
  if (!listing.ok()) return ErrorResponse(listing.status());
  json out = json::array();
  for (const review::QueueView& q : listing->queues) {
    json j = {{"queue", q.id},
              {"waiting", q.counts.open},
              {"claimed", q.counts.claimed},
              {"oldest_waiting_seconds", q.sla.oldest_waiting_ms / 1000},
              {"sla", SlaJson(q.sla)}};
    // How many waiting cases are second reviews is oversight's figure: a first reviewer who saw
    // it rise after a decision would know that decision was sampled.
    if (caller.role == Role::kAdmin) j["checks_waiting"] = q.counts.checks_waiting;
    AddSpec(j, q.spec);
    out.push_back(std::move(j));
  }
  return JsonResponse(
      200,
      {{"queues", out},
       {"sla_window",
        {{"since", FormatRfc3339(listing->since)}, {"until", FormatRfc3339(listing->until)}}}});
}

HttpResponse Api::ClaimCase(const std::string& queue, const Caller& caller) {
  if (!ctx_.review) return ErrorResponse(Unavailable("review is not configured on this server"));
  auto c = ctx_.review->Claim(ReviewerOf(caller), queue);
  if (!c.ok()) return ErrorResponse(c.status());
  json out = {{"case", CaseJson(*c)}};
  auto config = ctx_.review->queues();
  if (const review::QueueSpec* spec = config->Find(c->queue)) {
    // The console blurs severe content in wellbeing queues until the reviewer reveals it.
    out["blur"] = spec->wellbeing;
  }
  if (c->target_kind == TargetKind::kGroup) {
    // A group case: the group, its admins and state; its risk figures are the evidence of the
    // decision that opened the case (below).
    auto g = ctx_.db->groups().GetGroup(c->item_id);
    if (g.ok()) {
      out["group"] = {{"id", g->group.id},
                      {"name", g->group.name},
                      {"description", g->group.description},
                      {"visibility", VisibilityName(g->group.visibility)},
                      {"owner_id", g->group.owner_id},
                      {"admin_ids", g->group.admin_ids},
                      {"members", g->members},
                      {"state", store::GroupStateName(g->state)}};
    }
  }
  if (c->target_kind == TargetKind::kAccount) {
    // An account case (an appeal of a restriction or suspension): the account's standing; the
    // strikes counted are the evidence of the appealed decision (below).
    auto a = ctx_.db->accounts().GetAccount(c->item_id);
    if (a.ok()) out["account"] = AccountJson(*a, ctx_.clock->NowMillis());
  }
  // What the reviewer needs: the text under review and why it was sent here.
  auto item = c->target_kind == TargetKind::kItem ? ctx_.db->items().GetItem(c->item_id)
                                                  : Result<store::StoredItem>(NotFound("target"));
  if (item.ok()) {
    for (const auto& rev : item->revisions) {
      if (rev.revision == c->item_revision) out["text"] = rev.text;
    }
    out["item"] = {{"id", item->item.id},
                   {"author_id", item->item.author_id},
                   {"group_id", item->item.group_id},
                   {"group_visibility", VisibilityName(item->item.group_visibility)},
                   {"views", item->views},
                   {"reports", item->reports}};
  }
  // The system decision that sent the item to review, never an earlier reviewer's.
  auto opening = ctx_.db->decisions().ListDecisions(c->opened_by_seq - 1, 1);
  if (opening.ok() && !opening->empty()) out["opened_by"] = DecisionJson(opening->front());
  return JsonResponse(200, out);
}

HttpResponse Api::DecideCase(const std::string& id_text, const HttpRequest& req,
                             const Caller& caller) {
  if (!ctx_.review) return ErrorResponse(Unavailable("review is not configured on this server"));
  auto id = ParseCount(id_text, "id", 1, std::numeric_limits<std::int64_t>::max() / 10);
  if (!id.ok()) return ErrorResponse(id.status());
  auto parsed = ParseJsonBody(req.body);
  if (!parsed.ok()) return ErrorResponse(parsed.status());
  json body = std::move(*parsed);
  if (!body.is_object())
    return ErrorResponse(InvalidArgument("body must be a JSON object", "body"));
  for (const auto& [k, v] : body.items()) {
    if (k != "action" && k != "reason_code" && k != "reason") {
      return ErrorResponse(InvalidArgument("unknown field", k));
    }
    if (!v.is_string()) return ErrorResponse(InvalidArgument("must be a string", k));
  }
  if (!body.contains("action")) return ErrorResponse(InvalidArgument("is required", "action"));
  if (!body.contains("reason_code")) {
    return ErrorResponse(InvalidArgument("is required", "reason_code"));
  }
  review::ReviewerDecision d;
  d.outcome = body["action"].get<std::string>();
  d.reason_code = body["reason_code"].get<std::string>();
  d.reason = body.value("reason", "");
  auto r = ctx_.review->Decide(ReviewerOf(caller), *id, d);
  if (!r.ok()) return ErrorResponse(r.status());
  // Whether this decision was sampled for a second review is not shown: the reviewer learns
  // nothing that would tell them which decisions are checked.
  json out = {{"case", CaseJson(r->decided)}};
  if (r->logged) out["decision"] = DecisionJson(*r->logged);
  return JsonResponse(200, out);
}

HttpResponse Api::OpenAppeal(const HttpRequest& req) {
  auto parsed = ParseJsonBody(req.body);
  if (!parsed.ok()) return ErrorResponse(parsed.status());
  json body = std::move(*parsed);
  if (!body.is_object())
    return ErrorResponse(InvalidArgument("body must be a JSON object", "body"));
  for (const auto& [k, v] : body.items()) {
    if (k != "decision_seq" && k != "statement") {
      return ErrorResponse(InvalidArgument("unknown field", k));
    }
  }
  if (!body.contains("decision_seq") || !body["decision_seq"].is_number_integer() ||
      body["decision_seq"].get<std::int64_t>() < 1) {
    return ErrorResponse(
        InvalidArgument("must be the seq of a decision (an integer >= 1)", "decision_seq"));
  }
  std::string statement;
  if (body.contains("statement")) {
    if (!body["statement"].is_string() || body["statement"].get<std::string>().size() > 5000) {
      return ErrorResponse(InvalidArgument("must be a string of at most 5000 bytes", "statement"));
    }
    statement = body["statement"].get<std::string>();
  }
  auto c = ctx_.db->review().OpenAppeal(body["decision_seq"].get<std::int64_t>(), statement,
                                        ctx_.clock->NowMillis());
  if (!c.ok()) return ErrorResponse(c.status());
  return JsonResponse(201, {{"case", CaseJson(*c)}});
}

HttpResponse Api::ReviewStats(const HttpRequest& req) {
  if (!ctx_.review) return ErrorResponse(Unavailable("review is not configured on this server"));
  auto since = TimeParam(req.query, "since");
  if (!since.ok()) return ErrorResponse(since.status());
  auto until = TimeParam(req.query, "until");
  if (!until.ok()) return ErrorResponse(until.status());
  const UnixMillis end = until->value_or(ctx_.clock->NowMillis() + 1);
  const UnixMillis start = since->value_or(end - kDefaultStatsWindowMs);
  auto report = ctx_.review->Stats(start, end);
  if (!report.ok()) return ErrorResponse(report.status());
  json queues = json::array();
  for (const review::QueueReport& q : report->queues) {
    json a = AgreementJson(q.agreement);
    a["reason_code_agreement_percent"] =
        q.agreement.pairs ? json(q.reason_code_percent) : json(nullptr);
    json j = {{"queue", q.queue}, {"agreement", a}, {"sla", SlaJson(q.sla)}};
    AddSpec(j, q.spec);
    queues.push_back(std::move(j));
  }
  return JsonResponse(200, {{"since", FormatRfc3339(report->since)},
                            {"until", FormatRfc3339(report->until)},
                            {"overall", AgreementJson(report->overall)},
                            {"queues", queues}});
}

}  // namespace bulwark::server

// The reviewer console: server-rendered HTML pages under /console/ (templates in web/templates,
// rendered by server/pages.h). Pages authenticate by the staff session cookie only; every form
// carries the session's CSRF token (checked by the router, see Api::DispatchPage), and sign-in
// itself is protected by a pre-session token in a short-lived cookie. Works without JavaScript;
// web/static/console.js only adds keyboard shortcuts.

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "auth/csrf.h"
#include "core/time.h"
#include "review/service.h"
#include "server/api.h"
#include "server/api_json.h"
#include "server/console_views.h"
#include "server/web_assets.h"
#include "server/web_auth.h"

namespace bulwark::server {
namespace {

using nlohmann::json;

HttpResponse Redirect(std::string location) {
  HttpResponse r;
  r.status = 303;
  r.content_type = "text/html; charset=utf-8";
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

std::optional<std::int64_t> ParsePositive(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v > 0 ? std::optional<std::int64_t>(v) : std::nullopt;
}

// "hate_speech" -> "Hate speech"
std::string Title(std::string_view id) {
  std::string t(id);
  for (char& c : t) {
    if (c == '_' || c == '-') c = ' ';
  }
  if (!t.empty() && t[0] >= 'a' && t[0] <= 'z') t[0] = static_cast<char>(t[0] - 'a' + 'A');
  return t;
}

// The reason code of a logged reason ("violence.threat: text" -> "violence.threat").
std::string ReasonCode(std::string_view reason) {
  return std::string(reason.substr(0, std::min(reason.find(':'), reason.size())));
}

std::string Fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// Categories whose content is blurred on the review page until the reviewer chooses to see it.
bool SevereCategory(std::string_view category) {
  return category == "threat" || category == "hate" || category == "extremism" ||
         category == "harassment";
}

}  // namespace

HttpResponse Api::Page(int status, std::string_view page, json view, const Caller* caller) {
  view["version"] = ctx_.version;
  if (caller != nullptr && caller->via_session) {
    std::string tags;
    for (const auto& t : caller->expertise) tags += (tags.empty() ? "" : ", ") + t;
    view["user"] = true;
    view["display_name"] = caller->display_name.empty() ? caller->username : caller->display_name;
    view["role"] = RoleName(caller->role);
    view["expertise_text"] = tags;
    view["csrf_token"] = caller->csrf_token;
    // Links only to pages the caller may open (see ConsoleAppeals and the decisions route).
    view["show_appeals"] = MaySeeAppeals(*caller);
    view["show_decisions"] = caller->role == Role::kAdmin;
    view["show_groups"] = MaySeeGroups(*caller);
  }
  auto html = pages_.Render(page, view);
  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  if (!html.ok()) {
    r.status = 500;
    r.body = "<!doctype html><title>Error</title><p>The page could not be rendered.</p>";
    return r;
  }
  r.status = status;
  r.body = std::move(*html);
  // Pages are never framed or cached; scripts and styles come only from this server.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                         "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "same-origin");
  return r;
}

HttpResponse Api::PageError(const Status& status, const Caller* caller) {
  int code = HttpStatusFor(status.code());
  std::string heading = code == 403   ? "Not allowed"
                        : code == 404 ? "Not found"
                        : code == 409 ? "Already taken"
                        : code < 500  ? "That did not work"
                                      : "Something went wrong";
  std::string message = status.message();
  if (!status.field().empty()) message += " (" + status.field() + ")";
  return Page(code, "error", {{"title", heading}, {"heading", heading}, {"message", message}},
              caller);
}

HttpResponse Api::ConsoleStatic(const std::string& file) {
  auto bytes = FindWebAsset("static/" + file);
  if (!bytes) return PageError(NotFound("no such file: " + file.substr(0, 100)), nullptr);
  HttpResponse r;
  r.content_type = std::string(WebContentType(file));
  r.body = std::string(*bytes);
  return r;
}

HttpResponse Api::ConsoleLoginPage(const HttpRequest& req, std::string error, int status,
                                   std::string username) {
  // Login CSRF: a pre-session token, in a cookie and in the form. The cookie's token is reused
  // only if this server issued it (auth::IsIssuedLoginCsrfToken).
  std::string token;
  if (auto existing = CookieValue(req, CookieName(kLoginCsrfCookie, ctx_.secure_cookies));
      existing && auth::IsIssuedLoginCsrfToken(*existing, login_csrf_key_)) {
    token = *existing;
  } else {
    auto fresh = auth::NewLoginCsrfToken(login_csrf_key_);
    if (!fresh.ok()) return PageError(fresh.status(), nullptr);
    token = std::move(*fresh);
  }
  HttpResponse r =
      Page(status, "login",
           {{"title", "Sign in"}, {"login_csrf", token}, {"error", error}, {"username", username}},
           nullptr);
  r.headers.emplace_back("Set-Cookie", LoginCsrfCookieHeader(token, 3600, ctx_.secure_cookies));
  return r;
}

HttpResponse Api::ConsoleLogin(const HttpRequest& req) {
  auto form = ParseFormFields(req.body);
  if (!form.ok()) return ConsoleLoginPage(req, form.status().message(), 400, "");
  std::string username(FormValue(*form, "username").value_or(""));
  auto presented = FormValue(*form, "csrf_token");
  auto expected = CookieValue(req, CookieName(kLoginCsrfCookie, ctx_.secure_cookies));
  if (!presented || !expected || !auth::IsIssuedLoginCsrfToken(*expected, login_csrf_key_) ||
      !auth::VerifyCsrfToken(*presented, *expected).ok()) {
    // The form was not loaded from this server (or too long ago): 400, and a fresh form.
    return ConsoleLoginPage(req, "Your sign-in form expired. Please sign in again.", 400, username);
  }
  const UnixMillis now = ctx_.clock->NowMillis();
  std::int64_t retry_after_ms = 0;
  if (LoginAddressLimited(req, &retry_after_ms)) {
    HttpResponse r =
        ConsoleLoginPage(req,
                         "Too many sign-in attempts from your network. Try again in " +
                             HumanDuration(std::max<std::int64_t>(1000, retry_after_ms)) + ".",
                         429, username);
    r.headers.emplace_back("Retry-After", RetryAfterSeconds(retry_after_ms));
    return r;
  }
  auto login =
      accounts_->Login(username, FormValue(*form, "password").value_or(""), now, &retry_after_ms);
  if (!login.ok()) {
    const Code code = login.status().code();
    const bool locked = code == Code::kResourceExhausted, busy = code == Code::kUnavailable;
    HttpResponse r = ConsoleLoginPage(
        req,
        locked ? "Too many failed sign-ins. Try again in " + HumanDuration(retry_after_ms) + "."
        : busy ? "Sign-in is busy. Please try again in a moment."
               : "Invalid username or password.",
        locked ? 429
        : busy ? 503
               : 401,
        username);
    if (locked) {
      r.headers.emplace_back("Retry-After", RetryAfterSeconds(retry_after_ms));
    } else if (busy) {
      r.headers.emplace_back("Retry-After", "1");
    }
    return r;
  }
  HttpResponse r = Redirect("/console/queues");
  r.headers.emplace_back("Set-Cookie",
                         SessionCookieHeader(login->session_token, (login->expires_at - now) / 1000,
                                             ctx_.secure_cookies));
  r.headers.emplace_back("Set-Cookie", LoginCsrfCookieHeader("", 0, ctx_.secure_cookies));
  return r;
}

HttpResponse Api::ConsoleLogout(const HttpRequest& req) {
  if (auto token = CookieValue(req, CookieName(kSessionCookie, ctx_.secure_cookies))) {
    (void)accounts_->Logout(*token, ctx_.clock->NowMillis());  // idempotent; ends the session
  }
  HttpResponse r = Redirect("/console/login");
  r.headers.emplace_back("Set-Cookie", ClearSessionCookieHeader(ctx_.secure_cookies));
  return r;
}

HttpResponse Api::ConsoleQueues(const HttpRequest& req, const Caller& caller) {
  if (!ctx_.review)
    return PageError(Unavailable("review is not configured on this server"), &caller);
  auto listing = ctx_.review->Queues(ReviewerOf(caller));
  if (!listing.ok()) return PageError(listing.status(), &caller);
  const bool oversight = caller.role == Role::kAdmin;
  json list = json::array();
  for (const auto& q : listing->queues) {
    if (q.id == store::kAppealsQueue) continue;  // the appeals tab
    const auto& sla = q.sla;
    list.push_back(
        {{"id", q.id},
         {"title", q.spec ? q.spec->title : Title(q.id) + " (not configured)"},
         {"open", q.counts.open},
         {"claimed", q.counts.claimed},
         {"oldest_age", sla.oldest_waiting_ms > 0 ? HumanDuration(sla.oldest_waiting_ms) : "–"},
         {"ttfr_p50", sla.first_review.count > 0 ? HumanDuration(sla.first_review.p50_ms) : "–"},
         {"sla", sla.target_ms > 0 ? HumanDuration(sla.target_ms) : "–"},
         {"past_sla", sla.open_past_sla},
         {"breaching", sla.open_past_sla > 0},
         {"can_claim", !oversight && q.counts.open > 0}});
  }
  json view = {{"title", "Queues"},
               {"nav_queues", true},
               {"queues", list},
               {"has_queues", !list.empty()},
               {"oversight", oversight}};
  if (auto done = QueryParam(req.query, "done")) {
    if (auto seq = ParsePositive(*done)) {
      view["flash"] = "Decision #" + std::to_string(*seq) + " recorded in the log.";
      view["flash_kind"] = "ok";
    }
  }
  if (auto checked = QueryParam(req.query, "checked")) {
    if (auto id = ParsePositive(*checked)) {
      view["flash"] = "Second review of case #" + std::to_string(*id) +
                      " recorded (it measures agreement; it does not change enforcement).";
      view["flash_kind"] = "ok";
    }
  }
  if (auto empty = QueryParam(req.query, "empty")) {
    view["flash"] = "Nothing is waiting for you in " + Title(*empty) + ".";
    view["flash_kind"] = "info";
  }
  return Page(200, "queues", std::move(view), &caller);
}

HttpResponse Api::ConsoleClaim(const std::string& queue, const Caller& caller) {
  if (!ctx_.review)
    return PageError(Unavailable("review is not configured on this server"), &caller);
  auto c = ctx_.review->Claim(ReviewerOf(caller), queue);
  if (!c.ok()) {
    if (c.status().code() == Code::kNotFound) {
      return Redirect(queue == store::kAppealsQueue ? "/console/appeals"
                                                    : "/console/queues?empty=" + queue);
    }
    return PageError(c.status(), &caller);
  }
  return Redirect("/console/cases/" + std::to_string(c->id));
}

Result<store::ReviewCase> Api::ClaimedCase(const std::string& id_text, const Caller& caller) {
  auto id = ParsePositive(id_text);
  if (!id) return InvalidArgument("must be a case number", "id");
  BULWARK_ASSIGN_OR_RETURN(store::ReviewCase c, ctx_.db->review().GetCase(*id));
  const UnixMillis now = ctx_.clock->NowMillis();
  if (c.status != "claimed" || c.claimed_by != ReviewerOf(caller).id || c.lease_expires_at <= now) {
    return Status(Code::kPermissionDenied,
                  "case #" + std::to_string(*id) +
                      " is not claimed by you (claims expire; claim the next case from a queue)",
                  "id");
  }
  return c;
}

HttpResponse Api::ConsoleCase(const std::string& id_text, const Caller& caller) {
  auto c = ClaimedCase(id_text, caller);
  if (!c.ok()) return PageError(c.status(), &caller);
  if (c->target_kind == TargetKind::kGroup) return ConsoleGroupCase(*c, caller);
  if (c->target_kind == TargetKind::kAccount) {
    // The console has no account case page yet (docs/accounts.md): an appeal of an account's
    // restriction or suspension is decided through POST /v1/review/cases/{id}/decision.
    return PageError(FailedPrecondition("case #" + std::to_string(c->id) +
                                        " is about an account; the console does not show "
                                        "account cases yet: decide it through the review API"),
                     &caller);
  }
  auto item = ctx_.db->items().GetItem(c->item_id);
  if (!item.ok()) return PageError(item.status(), &caller);
  std::string text = item->item.text;
  for (const auto& rev : item->revisions) {
    if (rev.revision == c->item_revision) text = rev.text;
  }

  // Why it is here: every automated decision on this revision, with its evidence.
  json rules = json::array(), scores = json::array(), evidence_list = json::array();
  std::vector<json> spans;
  std::string model_version;
  double max_score = 0;
  auto decisions = ctx_.db->decisions().DecisionsForItem(c->item_id);
  if (!decisions.ok()) return PageError(decisions.status(), &caller);
  std::vector<std::string> seen_categories;
  for (const Decision& d : *decisions) {
    if (d.item_revision != c->item_revision || d.actor != "system") continue;
    rules.push_back({{"rule_id", d.rule_id},
                     {"action", ActionName(d.action)},
                     {"reason_code", ReasonCode(d.reason)},
                     {"policy_version", d.policy_version}});
    if (model_version.empty()) model_version = d.model_version;
    json ev = json::parse(d.evidence, nullptr, false);
    if (!ev.is_object()) continue;
    if (std::find(seen_categories.begin(), seen_categories.end(), d.category) ==
        seen_categories.end()) {
      seen_categories.push_back(d.category);
      double p = ev.value("probability", 0.0);
      max_score = std::max(max_score, p);
      std::string targets;
      if (ev.contains("targets") && ev["targets"].is_array()) {
        for (const auto& t : ev["targets"]) {
          if (t.is_string()) targets += (targets.empty() ? "" : ", ") + t.get<std::string>();
        }
      }
      scores.push_back({{"category", d.category},
                        {"score", Fixed2(p)},
                        {"threshold", Fixed2(ev.value("threshold", 0.0))},
                        {"targets", targets}});
      if (ev.contains("evidence") && ev["evidence"].is_array()) {
        for (const auto& e : ev["evidence"]) {
          spans.push_back(e);
          if (e.contains("text") && e["text"].is_string()) {
            std::string detail = e.value("entry", std::string());
            if (e.contains("score") && e["score"].is_number()) {
              detail += (detail.empty() ? "score " : ", score ") + Fixed2(e["score"].get<double>());
            }
            evidence_list.push_back({{"detector", e.value("detector", std::string())},
                                     {"text", e["text"]},
                                     {"detail", detail}});
          }
        }
      }
    }
  }

  auto history = ctx_.db->items().GetAuthorHistory(item->item.author_id, c->item_id);
  if (!history.ok()) return PageError(history.status(), &caller);

  if (!ctx_.review)
    return PageError(Unavailable("review is not configured on this server"), &caller);
  const bool appeal = c->appeal_of_seq != 0;
  const bool tie_break = c->round == store::kTieBreak;
  json outcomes = json::array();
  if (appeal) {
    outcomes = {{{"value", "restore"}, {"key", "s"}, {"label", "Restore (overturn)"}},
                {{"value", "uphold"}, {"key", "u"}, {"label", "Uphold the decision"}}};
  } else {
    outcomes = {{{"value", "remove"}, {"key", "r"}, {"label", "Remove"}},
                {{"value", "reduce"}, {"key", "d"}, {"label", "Reduce distribution"}},
                {{"value", "label"}, {"key", "l"}, {"label", "Label"}},
                {{"value", "none"}, {"key", "n"}, {"label", "No violation"}},
                {{"value", "escalate"}, {"key", "e"}, {"label", "Escalate"}}};
    if (tie_break) {
      outcomes.push_back({{"value", "restore"}, {"key", "s"}, {"label", "Restore"}});
    }
  }
  const json reason_codes = ReasonCodesView(c->category, TargetKind::kItem);
  auto config = ctx_.review->queues();
  const review::QueueSpec* spec = config->Find(c->queue);

  const UnixMillis now = ctx_.clock->NowMillis();
  json view = {
      {"title", "Case #" + std::to_string(c->id)},
      {"id", c->id},
      {"queue_title", spec ? spec->title : Title(c->queue)},
      {"second_review", c->round == store::kSecondReview},
      {"tie_break", tie_break},
      {"priority", c->priority},
      {"category", c->category},
      {"lease_expires",
       HumanTime(c->lease_expires_at) + " (in " + HumanDuration(c->lease_expires_at - now) + ")"},
      {"item_id", c->item_id},
      {"item_kind", ItemKindName(item->item.kind)},
      {"item_revision", c->item_revision},
      {"segments", EvidenceSegments(text, spans)},
      {"severe", (spec && spec->wellbeing) || SevereCategory(c->category) || max_score >= 0.9},
      {"rules", rules},
      {"scores", scores},
      {"evidence", evidence_list},
      {"model_version", model_version.empty() ? "–" : model_version},
      {"author_id", item->item.author_id},
      {"public_figure", item->item.author_is_public_figure},
      {"author_items", history->items},
      {"author_enforced", history->enforced},
      {"group_id", item->item.group_id.empty() ? json(nullptr) : json(item->item.group_id)},
      {"group_visibility", VisibilityName(item->item.group_visibility)},
      {"views", item->views},
      {"reports", item->reports},
      {"outcomes", outcomes},
      {"reason_codes", reason_codes}};
  if (appeal) {
    auto appealed = ctx_.db->decisions().ListDecisions(c->appeal_of_seq - 1, 1);
    if (appealed.ok() && !appealed->empty()) {
      const Decision& d = appealed->front();
      view["appeal"] = {{"appeal_of_seq", c->appeal_of_seq},
                        {"appealed_action", ActionName(d.action)},
                        {"appealed_reason_code", ReasonCode(d.reason)},
                        {"appealed_actor", d.actor},
                        {"statement", c->statement}};
    }
  }
  return Page(200, "case", std::move(view), &caller);
}

HttpResponse Api::ConsoleDecide(const std::string& id_text, const HttpRequest& req,
                                const Caller& caller) {
  if (!ctx_.review)
    return PageError(Unavailable("review is not configured on this server"), &caller);
  auto id = ParsePositive(id_text);
  if (!id) return PageError(InvalidArgument("must be a case number", "id"), &caller);
  auto form = ParseFormFields(req.body);
  if (!form.ok()) return PageError(form.status(), &caller);
  review::ReviewerDecision d;
  d.outcome = std::string(FormValue(*form, "action").value_or(""));
  d.reason_code = std::string(FormValue(*form, "reason_code").value_or(""));
  d.reason = std::string(FormValue(*form, "note").value_or(""));
  auto decided = ctx_.review->Decide(ReviewerOf(caller), *id, d);
  if (!decided.ok()) return PageError(decided.status(), &caller);
  if (decided->logged)
    return Redirect("/console/queues?done=" + std::to_string(decided->logged->seq));
  return Redirect("/console/queues?checked=" + std::to_string(decided->decided.checks_case));
}

json Api::ReasonCodesView(std::string_view category, TargetKind target) const {
  json out = json::array();
  int key = 1;
  for (const review::ReasonCodeOption& code : ctx_.review->ReasonCodes(category, target)) {
    std::string goes_with;
    for (const auto& o : code.outcomes) goes_with += (goes_with.empty() ? "" : ", ") + o;
    out.push_back({{"code", code.code},
                   {"description", code.description},
                   {"goes_with", goes_with},
                   {"key", key <= 9 ? std::to_string(key) : ""}});
    ++key;
  }
  return out;
}

bool Api::MaySeeAppeals(const Caller& caller) {
  if (caller.role == Role::kAdmin) return true;
  return std::find(caller.expertise.begin(), caller.expertise.end(), store::kAppealsQueue) !=
         caller.expertise.end();
}

HttpResponse Api::ConsoleAppeals(const Caller& caller) {
  if (!ctx_.review)
    return PageError(Unavailable("review is not configured on this server"), &caller);
  // Appellants' statements are for the appeals experts (and oversight), not every reviewer.
  if (!MaySeeAppeals(caller)) {
    std::string tags;
    for (const auto& t : caller.expertise) tags += (tags.empty() ? "" : ", ") + t;
    return PageError(PermissionDenied("appeals are reviewed by reviewers with the 'appeals' "
                                      "expertise; yours: " +
                                      (tags.empty() ? std::string("none") : tags)),
                     &caller);
  }
  const UnixMillis now = ctx_.clock->NowMillis();
  bool may_claim = false;
  if (auto mine = ctx_.review->Queues(ReviewerOf(caller));
      mine.ok() && caller.role != Role::kAdmin) {
    for (const auto& q : mine->queues) may_claim = may_claim || q.id == store::kAppealsQueue;
  }
  auto cases = ctx_.db->review().WaitingCases(store::kAppealsQueue, now, 100);
  if (!cases.ok()) return PageError(cases.status(), &caller);
  json list = json::array();
  for (const auto& c : *cases) {
    list.push_back({{"id", c.id},
                    {"item_id", c.item_id},
                    {"appeal_of_seq", c.appeal_of_seq},
                    {"statement", c.statement},
                    {"age", HumanDuration(now - c.created_at)}});
  }
  return Page(200, "appeals",
              {{"title", "Appeals"},
               {"nav_appeals", true},
               {"appeals", list},
               {"has_appeals", !list.empty()},
               {"can_claim", may_claim}},
              &caller);
}

HttpResponse Api::ConsoleDecisions(const HttpRequest& req, const Caller& caller) {
  auto head = ctx_.db->decisions().Head();
  if (!head.ok()) return PageError(head.status(), &caller);
  constexpr int kPage = 100;
  // Newest page by default; ?after=N pages forward from N.
  std::int64_t after = std::max<std::int64_t>(0, head->seq - kPage);
  if (auto v = QueryParam(req.query, "after")) {
    if (auto n = ParsePositive(*v)) after = *n;
  }
  auto list = ctx_.db->decisions().ListDecisions(after, kPage);
  if (!list.ok()) return PageError(list.status(), &caller);
  json rows = json::array();
  for (const Decision& d : *list) {
    rows.push_back({{"seq", d.seq},
                    {"time", HumanTime(d.created_at)},
                    {"item_id", d.item_id},
                    {"action", ActionName(d.action)},
                    {"category", d.category},
                    {"rule_id", d.rule_id},
                    {"reason_code", ReasonCode(d.reason)},
                    {"policy_version", d.policy_version},
                    {"actor", d.actor}});
  }
  json view = {{"title", "Decisions"},
               {"nav_decisions", true},
               {"decisions", rows},
               {"head", std::to_string(head->seq) + " " + head->hash}};
  if (ctx_.log_signer) {
    // The same signed head as GET /v1/log/head, so that what oversight reads here can be
    // checked against the operator's published key (docs/decision-log.md).
    SignedHead signed_head = ctx_.log_signer->Sign(head->seq, head->hash, ctx_.clock->NowMillis());
    view["head_signed_at"] = signed_head.signed_at;
    view["head_signature"] = signed_head.signature;
    view["head_public_key"] = signed_head.public_key;
  }
  if (!list->empty() && list->back().seq < head->seq) view["more_after"] = list->back().seq;
  return Page(200, "decisions", std::move(view), &caller);
}

}  // namespace bulwark::server

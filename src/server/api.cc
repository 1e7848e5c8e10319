#include "server/api.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "auth/api_keys.h"
#include "auth/random.h"
#include "detect/detector.h"
#include "ingest/codec.h"
#include "review/reports.h"
#include "server/api_json.h"
#include "server/web_auth.h"

namespace bulwark::server {
namespace {

using nlohmann::json;

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool IsJsonContentType(std::string_view ct) {
  auto semi = ct.find(';');
  std::string_view media = ct.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return IEquals(media, "application/json");
}

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

json UpsertJson(const store::UpsertSummary& s) {
  return {{"accepted", s.created + s.revised + s.unchanged},
          {"created", s.created},
          {"revised", s.revised},
          {"unchanged", s.unchanged}};
}

json AppendJson(const store::AppendSummary& s) {
  return {{"accepted", s.accepted}, {"duplicates", s.duplicates}};
}

}  // namespace

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kNotFound:
      return 404;
    case Code::kAlreadyExists:
      return 409;
    case Code::kFailedPrecondition:
      return 422;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kResourceExhausted:
      return 413;
    case Code::kUnavailable:
      return 503;
    case Code::kInternal:
      return 500;
  }
  return 500;
}

HttpResponse ErrorResponse(const Status& status) {
  json err = {{"code", CodeName(status.code())}};
  // Internal details stay in the server log; clients get a generic message.
  err["message"] = status.code() == Code::kInternal ? "internal error" : status.message();
  if (!status.field().empty()) {
    err["field"] = status.field();
    if (long long idx = FirstIndex(status.field()); idx >= 0) err["index"] = idx;
  }
  HttpResponse r = JsonResponse(HttpStatusFor(status.code()), {{"error", err}});
  if (status.code() == Code::kUnauthenticated) {
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"bulwark\"");
  }
  if (status.code() == Code::kUnavailable) r.headers.emplace_back("Retry-After", "1");
  return r;
}

std::string RetryAfterSeconds(std::int64_t retry_after_ms) {
  return std::to_string(std::max<std::int64_t>(1, (retry_after_ms + 999) / 1000));
}

HttpResponse TooManyRequests(const Status& status, std::int64_t retry_after_ms) {
  HttpResponse r = ErrorResponse(status);
  r.status = 429;
  r.headers.emplace_back("Retry-After", RetryAfterSeconds(retry_after_ms));
  return r;
}

Api::~Api() = default;

Api::Api(ApiContext ctx) : ctx_(std::move(ctx)) {
  login_csrf_key_ = ctx_.login_csrf_key;
  if (login_csrf_key_.empty()) {
    // On failure the key stays empty and the sign-in page answers 500 (NewLoginCsrfToken).
    if (auto key = auth::RandomHex(32); key.ok()) login_csrf_key_ = std::move(*key);
  }
  accounts_ = std::make_unique<auth::StaffAccounts>(ctx_.db->users(), ctx_.auth);
  scratch_pool_ = std::make_unique<detect::DetectorScratchPool>();
  classify_limiter_ = std::make_unique<RateLimiter>(ctx_.classify_limit);
  ingest_limiter_ = std::make_unique<RateLimiter>(ctx_.ingest_limit);
  login_limiter_ = std::make_unique<RateLimiter>(ctx_.login_limit);
  perspective_limiter_ = std::make_unique<RateLimiter>(ctx_.perspective_limit);
  const std::vector<Role> writers = {Role::kPlatform, Role::kAdmin};
  // Who uses the reviewer console: reviewers in their expertise queues; admins see every queue.
  const std::vector<Role> console_roles = {Role::kReviewer, Role::kAdmin};
  auto ingest_route = [this](auto method) -> Fn {
    return [this, method](const HttpRequest& req, const Params&, const Caller& caller) {
      if (auto limited = RateLimited(*ingest_limiter_, caller, 1, "requests")) return *limited;
      auto r = (ctx_.ingest->*method)(req.body);
      if (!r.ok()) return ErrorResponse(r.status());
      if constexpr (std::is_same_v<std::decay_t<decltype(*r)>, store::UpsertSummary>) {
        return JsonResponse(200, UpsertJson(*r));
      } else {
        return JsonResponse(200, AppendJson(*r));
      }
    };
  };
  const std::vector<Role> policy_readers = {Role::kAdmin, Role::kPolicyAuthor, Role::kCivilRights,
                                            Role::kAuditor};
  auto policy_step = [this](std::string_view step) -> Fn {
    return [this, step](const HttpRequest& req, const Params& p, const Caller& c) {
      return MovePolicy(p[0], step, req, c);
    };
  };
  routes_ = {
      {"GET",
       "/healthz",
       false,
       {},
       [this](const HttpRequest&, const Params&, const Caller&) { return Healthz(); }},
      {"GET",
       "/metrics",
       false,
       {},
       [this](const HttpRequest&, const Params&, const Caller&) {
         HttpResponse r;
         r.content_type = "text/plain; version=0.0.4";
         r.body = ctx_.metrics ? ctx_.metrics->RenderPrometheus() : "";
         return r;
       }},
      {"GET",
       "/v1/openapi.json",
       false,
       {},
       [](const HttpRequest&, const Params&, const Caller&) {
         HttpResponse r;
         r.body = std::string(OpenApiJson());
         return r;
       }},
      {"POST", "/v1/items", true, writers, ingest_route(&ingest::IngestService::IngestItemsJson)},
      // Text, author, revisions, private-group content: not for every role (issue 9, item 2).
      {"GET",
       "/v1/items/{id}",
       true,
       {Role::kPlatform, Role::kAdmin, Role::kAuditor},
       [this](const HttpRequest&, const Params& p, const Caller&) { return GetItem(p[0]); }},
      {"POST", "/v1/views", true, writers, ingest_route(&ingest::IngestService::IngestViewsJson)},
      {"POST", "/v1/reports", true, writers,
       ingest_route(&ingest::IngestService::IngestReportsJson)},
      // What a recommender may amplify: allow, demote or block per candidate.
      {"POST", "/v1/recommendations/check", true, writers,
       [this](const HttpRequest& req, const Params&, const Caller&) {
         return RecommendationsCheck(req);
       }},
      // What became of a report, for the platform to tell the reporter (never who decided).
      {"GET", "/v1/reports/{id}", true, writers,
       [this](const HttpRequest&, const Params& p, const Caller&) { return GetReport(p[0]); }},
      {"POST", "/v1/ad-impressions", true, writers,
       ingest_route(&ingest::IngestService::IngestAdImpressionsJson)},
      {"POST", "/v1/groups", true, writers, ingest_route(&ingest::IngestService::IngestGroupsJson)},
      {"POST", "/v1/memberships", true, writers,
       ingest_route(&ingest::IngestService::IngestMembershipsJson)},
      // A group, its state and history, and its risk with the items behind it (api_groups.cc).
      {"GET",
       "/v1/groups",
       true,
       {Role::kPlatform, Role::kAdmin, Role::kAuditor},
       [this](const HttpRequest& req, const Params&, const Caller&) { return ListGroups(req); }},
      {"GET",
       "/v1/groups/{id}",
       true,
       {Role::kPlatform, Role::kAdmin, Role::kAuditor},
       [this](const HttpRequest& req, const Params& p, const Caller&) {
         return GetGroup(p[0], req);
       }},
      // An advertiser's refund statement for a month (api_advertisers.cc). Not for the
      // advertiser role yet: staff advertiser accounts are not tied to advertiser ids.
      {"GET",
       "/v1/advertisers/{id}/statements/{month}",
       true,
       {Role::kPlatform, Role::kAdmin, Role::kAuditor},
       [this](const HttpRequest& req, const Params& p, const Caller&) {
         return GetRefundStatement(p[0], p[1], req);
       }},
      // Freezes a month's statement (api_advertisers.cc): later changes go on a later one.
      {"POST",
       "/v1/advertisers/{id}/statements/{month}/issue",
       true,
       {Role::kPlatform, Role::kAdmin},
       [this](const HttpRequest&, const Params& p, const Caller& caller) {
         return IssueRefundStatement(p[0], p[1], caller);
       }},
      // An account's consequence in force, strikes and decisions (api_accounts.cc).
      {"GET",
       "/v1/accounts/{id}",
       true,
       {Role::kPlatform, Role::kAdmin, Role::kAuditor},
       [this](const HttpRequest& req, const Params& p, const Caller&) {
         return GetAccount(p[0], req);
       }},
      {"POST",
       "/v1/classify",
       true,
       {},
       [this](const HttpRequest& req, const Params&, const Caller& caller) {
         return Classify(req, caller);
       }},
      // Perspective's comments:analyze (api_perspective.cc). Not marked authenticated: the handler
      // takes the key from the `key` query parameter or the Bearer header and answers in
      // Google's error shape.
      {"POST",
       "/v1alpha1/comments:analyze",
       false,
       {},
       [this](const HttpRequest& req, const Params&, const Caller&) {
         return PerspectiveAnalyze(req);
       }},
      {"POST",
       "/v1alpha1/comments:suggestscore",
       false,
       {},
       [this](const HttpRequest& req, const Params&, const Caller&) {
         return PerspectiveSuggestScore(req);
       }},
      {"GET",
       "/v1/version",
       false,
       {},
       [this](const HttpRequest&, const Params&, const Caller&) { return Version(); }},
      {"POST",
       "/v1/admin/reload-detectors",
       true,
       {Role::kAdmin},
       [this](const HttpRequest&, const Params&, const Caller&) { return ReloadDetectors(); }},
      {"POST",
       "/v1/auth/login",
       false,
       {},
       [this](const HttpRequest& req, const Params&, const Caller&) { return Login(req); }},
      {"POST",
       "/v1/auth/logout",
       true,
       {},
       [this](const HttpRequest& req, const Params&, const Caller& c) { return Logout(req, c); }},
      {"POST",
       "/v1/auth/password",
       true,
       {},
       [this](const HttpRequest& req, const Params&, const Caller& c) {
         return ChangeOwnPassword(req, c);
       }},
      {"GET",
       "/v1/auth/me",
       true,
       {},
       [this](const HttpRequest&, const Params&, const Caller& c) { return Me(c); }},
      {"GET",
       "/v1/admin/users",
       true,
       {Role::kAdmin},
       [this](const HttpRequest&, const Params&, const Caller&) { return ListUsers(); }},
      {"POST",
       "/v1/admin/users",
       true,
       {Role::kAdmin},
       [this](const HttpRequest& req, const Params&, const Caller& c) {
         return CreateUser(req, c);
       }},
      {"POST",
       "/v1/admin/users/{id}/disable",
       true,
       {Role::kAdmin},
       [this](const HttpRequest&, const Params& p, const Caller& c) {
         return DisableUser(p[0], c);
       }},
      {"POST",
       "/v1/admin/users/{id}/password",
       true,
       {Role::kAdmin},
       [this](const HttpRequest& req, const Params& p, const Caller& c) {
         return ResetPassword(p[0], req, c);
       }},
      {"GET",
       "/v1/review/queues",
       true,
       {Role::kReviewer, Role::kAdmin},
       [this](const HttpRequest&, const Params&, const Caller& c) { return ReviewQueues(c); }},
      {"GET",
       "/v1/review/stats",
       true,
       {Role::kAdmin, Role::kAuditor, Role::kCivilRights},
       [this](const HttpRequest& req, const Params&, const Caller&) { return ReviewStats(req); }},
      {"POST",
       "/v1/review/queues/{queue}/claim",
       true,
       {Role::kReviewer},
       [this](const HttpRequest&, const Params& p, const Caller& c) { return ClaimCase(p[0], c); }},
      {"POST",
       "/v1/review/cases/{id}/decision",
       true,
       {Role::kReviewer},
       [this](const HttpRequest& req, const Params& p, const Caller& c) {
         return DecideCase(p[0], req, c);
       }},
      {"POST",
       "/v1/appeals",
       true,
       {Role::kPlatform, Role::kAdmin},
       [this](const HttpRequest& req, const Params&, const Caller&) { return OpenAppeal(req); }},
      {"GET",
       "/v1/log/head",
       false,
       {},
       [this](const HttpRequest&, const Params&, const Caller&) { return LogHead(); }},
      {"GET",
       "/v1/decisions",
       true,
       {Role::kPlatform, Role::kAdmin, Role::kAuditor},
       [this](const HttpRequest& req, const Params&, const Caller&) { return Decisions(req); }},
      {"GET", "/v1/policies", true, policy_readers,
       [this](const HttpRequest&, const Params&, const Caller&) { return ListPolicies(); }},
      {"GET", "/v1/policies/{id}", true, policy_readers,
       [this](const HttpRequest&, const Params& p, const Caller&) { return GetPolicy(p[0]); }},
      {"POST",
       "/v1/policies",
       true,
       {Role::kPolicyAuthor, Role::kAdmin},
       [this](const HttpRequest& req, const Params&, const Caller& c) {
         return CreatePolicy(req, c);
       }},
      {"POST",
       "/v1/policies/{id}/submit",
       true,
       {Role::kPolicyAuthor, Role::kAdmin},
       policy_step("submit")},
      {"POST", "/v1/policies/{id}/approve", true, {Role::kCivilRights}, policy_step("approve")},
      {"POST", "/v1/policies/{id}/reject", true, {Role::kCivilRights}, policy_step("reject")},
      {"POST",
       "/v1/policies/{id}/activate",
       true,
       {Role::kAdmin, Role::kCivilRights},
       policy_step("activate")},
      // The reviewer console (HTML pages, api_console.cc).
      {"GET",
       "/console/static/{file}",
       false,
       {},
       [this](const HttpRequest&, const Params& p, const Caller&) { return ConsoleStatic(p[0]); },
       true},
      {"GET",
       "/console/login",
       false,
       {},
       [this](const HttpRequest& req, const Params&, const Caller&) {
         return ConsoleLoginPage(req, "", 200, "");
       },
       true},
      {"POST",
       "/console/login",
       false,
       {},
       [this](const HttpRequest& req, const Params&, const Caller&) { return ConsoleLogin(req); },
       true},
      {"POST",
       "/console/logout",
       true,
       {},
       [this](const HttpRequest& req, const Params&, const Caller&) { return ConsoleLogout(req); },
       true},
      {"GET", "/console", true, console_roles,
       [](const HttpRequest&, const Params&, const Caller&) {
         HttpResponse r;
         r.status = 303;
         r.headers.emplace_back("Location", "/console/queues");
         return r;
       },
       true},
      {"GET", "/console/queues", true, console_roles,
       [this](const HttpRequest& req, const Params&, const Caller& c) {
         return ConsoleQueues(req, c);
       },
       true},
      {"POST",
       "/console/queues/{queue}/claim",
       true,
       {Role::kReviewer},
       [this](const HttpRequest&, const Params& p, const Caller& c) {
         return ConsoleClaim(p[0], c);
       },
       true},
      {"GET",
       "/console/cases/{id}",
       true,
       {Role::kReviewer},
       [this](const HttpRequest&, const Params& p, const Caller& c) {
         return ConsoleCase(p[0], c);
       },
       true},
      {"POST",
       "/console/cases/{id}/decision",
       true,
       {Role::kReviewer},
       [this](const HttpRequest& req, const Params& p, const Caller& c) {
         return ConsoleDecide(p[0], req, c);
       },
       true},
      {"GET", "/console/appeals", true, console_roles,
       [this](const HttpRequest&, const Params&, const Caller& c) { return ConsoleAppeals(c); },
       true},
      // Groups (console_groups.cc): the handlers also require a group queue's expertise.
      {"GET", "/console/groups", true, console_roles,
       [this](const HttpRequest& req, const Params&, const Caller& c) {
         return ConsoleGroups(req, c);
       },
       true},
      {"GET", "/console/groups/{id}", true, console_roles,
       [this](const HttpRequest&, const Params& p, const Caller& c) {
         return ConsoleGroup(p[0], c);
       },
       true},
      // The whole log with actors and reasons: oversight only, or the second review is not blind.
      {"GET",
       "/console/decisions",
       true,
       {Role::kAdmin},
       [this](const HttpRequest& req, const Params&, const Caller& c) {
         return ConsoleDecisions(req, c);
       },
       true},
  };
  // Body limits: small by default (nlohmann spends ~80 bytes per value, so a body's size is what
  // bounds the memory a request can cost); larger only where the content needs it.
  const std::size_t ingest_limit =
      ctx_.ingest ? ctx_.ingest->options().limits.max_body_bytes : kMaxBodyJson;
  for (Route& r : routes_) {
    if (r.method != "POST") {
      r.max_body = kMaxBodyNone;
    } else if (r.pattern == "/v1/auth/login" || r.pattern == "/console/login" ||
               r.pattern == "/v1/auth/password") {
      r.max_body = kMaxBodyLogin;
    } else if (r.html) {
      r.max_body = kMaxBodyForm;
    } else if (r.pattern == "/v1/items" || r.pattern == "/v1/views" || r.pattern == "/v1/reports" ||
               r.pattern == "/v1/ad-impressions" || r.pattern == "/v1/groups" ||
               r.pattern == "/v1/memberships") {
      r.max_body = ingest_limit;
    } else if (r.pattern == "/v1/recommendations/check") {
      r.max_body = kMaxBodyRecommendations;
    } else if (r.pattern == "/v1/classify") {
      r.max_body = kMaxBodyClassify;
    } else if (r.pattern == "/v1alpha1/comments:analyze") {
      r.max_body = kMaxBodyPerspective;
    } else if (r.pattern == "/v1/policies") {
      r.max_body = kMaxBodyPolicy;
    } else {
      r.max_body = kMaxBodyJson;
    }
  }
}

std::size_t Api::BodyLimit(std::string_view method, std::string_view target) const {
  auto parts = Split(target.substr(0, target.find('?')));
  for (const Route& route : routes_) {
    if (route.method != method) continue;
    auto pattern = Split(route.pattern);
    if (pattern.size() != parts.size()) continue;
    bool match = true;
    for (size_t i = 0; i < parts.size() && match; ++i) {
      match = pattern[i].starts_with('{') || pattern[i] == parts[i];
    }
    if (match) return route.max_body;
  }
  return kMaxBodyNone;
}

std::vector<std::pair<std::string, std::string>> Api::Routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Route& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

HttpResponse Api::Handle(const HttpRequest& req) {
  auto start = std::chrono::steady_clock::now();
  std::string route_label = "unmatched";
  HttpResponse res = Dispatch(req, &route_label);
  res.headers.emplace_back("Cache-Control", "no-store");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (ctx_.metrics) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ctx_.metrics
        ->GetHistogram("bulwark_http_request_seconds", "HTTP request latency, by route.",
                       {{"route", route_label}})
        .Observe(secs);
    ctx_.metrics
        ->GetCounter("bulwark_http_requests_total", "HTTP requests, by route, method and status.",
                     {{"route", route_label},
                      {"method", std::string(MethodLabel(req.method))},
                      {"status", std::to_string(res.status)}})
        .Inc();
  }
  return res;
}

HttpResponse Api::Dispatch(const HttpRequest& req, std::string* route_label) {
  auto parts = Split(req.path);
  std::vector<std::string> allowed;
  for (const Route& route : routes_) {
    auto pattern = Split(route.pattern);
    if (pattern.size() != parts.size()) continue;
    Params params;
    bool match = true;
    for (size_t i = 0; i < parts.size() && match; ++i) {
      if (pattern[i].starts_with('{')) {
        auto decoded = PercentDecode(parts[i]);
        if (!decoded) {
          return ErrorResponse(
              InvalidArgument("malformed percent-encoding or a control character in path", "path"));
        }
        params.push_back(std::move(*decoded));
      } else {
        match = pattern[i] == parts[i];
      }
    }
    if (!match) continue;
    if (route.method != req.method) {
      allowed.push_back(route.method);
      continue;
    }
    *route_label = route.pattern;
    if (route.html) return DispatchPage(route, req, params);
    Caller caller;
    if (route.authenticated) {
      auto c = Authenticate(req);
      if (!c.ok()) return ErrorResponse(c.status());
      caller = *c;
      // A cookie is an ambient credential: a state change made with it must prove it comes
      // from our own page. (Bearer credentials cannot be attached by a cross-site page.)
      if (caller.via_session && IsStateChanging(req.method)) {
        Status csrf = CheckCsrf(req, caller.csrf_token);
        if (!csrf.ok()) return ErrorResponse(csrf);
      }
      if (!route.roles.empty() &&
          std::find(route.roles.begin(), route.roles.end(), caller.role) == route.roles.end()) {
        return ErrorResponse(PermissionDenied("role '" + std::string(RoleName(caller.role)) +
                                              "' may not call " + route.method + " " +
                                              route.pattern));
      }
    }
    if (req.method == "POST" && !IsJsonContentType(req.content_type)) {
      HttpResponse r =
          ErrorResponse(InvalidArgument("Content-Type must be application/json", "Content-Type"));
      r.status = 415;
      return r;
    }
    return route.fn(req, params, caller);
  }
  if (!allowed.empty()) {
    HttpResponse r = ErrorResponse(
        Status(Code::kInvalidArgument, "method " + req.method + " is not allowed here"));
    r.status = 405;
    std::string allow;
    for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  return ErrorResponse(NotFound("no such endpoint: " + req.path.substr(0, 200)));
}

HttpResponse Api::DispatchPage(const Route& route, const HttpRequest& req, const Params& params) {
  Caller caller;
  if (route.authenticated) {
    // Pages take the session cookie only: a browser never sends an API key by itself.
    auto token = CookieValue(req, CookieName(kSessionCookie, ctx_.secure_cookies));
    auto c = token ? AuthenticateSession(*token)
                   : Result<Caller>(Unauthenticated("sign in to use the console"));
    if (!c.ok()) {
      if (req.method == "GET") {
        HttpResponse r;
        r.status = 303;
        r.headers.emplace_back("Location", "/console/login");
        return r;
      }
      return PageError(c.status(), nullptr);
    }
    caller = *c;
    if (IsStateChanging(req.method)) {
      Status csrf = CheckCsrf(req, caller.csrf_token);
      if (!csrf.ok()) return PageError(csrf, &caller);
    }
    if (!route.roles.empty() &&
        std::find(route.roles.begin(), route.roles.end(), caller.role) == route.roles.end()) {
      return PageError(PermissionDenied("the console is for reviewers and admins; your role is '" +
                                        std::string(RoleName(caller.role)) + "'"),
                       &caller);
    }
  }
  if (req.method == "POST" && !IsFormContentType(req.content_type)) {
    HttpResponse r = PageError(
        InvalidArgument("Content-Type must be application/x-www-form-urlencoded", "Content-Type"),
        route.authenticated ? &caller : nullptr);
    r.status = 415;
    return r;
  }
  return route.fn(req, params, caller);
}

Result<Api::Caller> Api::Authenticate(const HttpRequest& req) {
  std::string_view h = req.authorization;
  if (h.empty()) {
    if (auto token = CookieValue(req, CookieName(kSessionCookie, ctx_.secure_cookies)))
      return AuthenticateSession(*token);
    return Unauthenticated(
        "missing credentials: send 'Authorization: Bearer <key>', or log in (POST "
        "/v1/auth/login) and send the session cookie it sets");
  }
  if (h.size() < 7 || !IEquals(h.substr(0, 7), "Bearer ")) {
    return Unauthenticated("Authorization must use the Bearer scheme");
  }
  auto rec = auth::VerifyApiKey(ctx_.db->keys(), h.substr(7));
  if (!rec.ok()) return rec.status();
  Caller caller;
  caller.role = rec->role;
  caller.key_id = rec->id;
  caller.actor = rec->id;
  return caller;
}

HttpResponse Api::Healthz() {
  Status s = ctx_.db->Ping();
  if (!s.ok()) {
    return JsonResponse(503, {{"status", "unavailable"}, {"error", s.message()}});
  }
  return JsonResponse(
      200,
      {{"status", "ok"}, {"version", ctx_.version}, {"schema_version", ctx_.db->schema_version()}});
}

std::optional<HttpResponse> Api::RateLimited(RateLimiter& limiter, const Caller& caller,
                                             double cost, std::string_view unit) {
  const std::string bucket = caller.via_session ? "user:" + caller.user_id : "key:" + caller.key_id;
  std::int64_t retry_after_ms = 0;
  if (limiter.Take(bucket, cost, ctx_.clock->NowMillis(), &retry_after_ms)) return std::nullopt;
  char rate[32];
  std::snprintf(rate, sizeof rate, "%g", limiter.limit().rate_per_second);
  CountRateLimited();
  return TooManyRequests(ResourceExhausted("rate limit: each caller may send " + std::string(rate) +
                                           " " + std::string(unit) +
                                           " per second here; retry after the Retry-After "
                                           "header's seconds"),
                         retry_after_ms);
}

void Api::CountRateLimited() {
  if (ctx_.metrics) {
    ctx_.metrics
        ->GetCounter("bulwark_rate_limited_requests_total",
                     "Requests refused with 429 by a per-caller rate limit.")
        .Inc();
  }
}

std::string Api::ClientAddress(const HttpRequest& req) const {
  if (ctx_.trust_forwarded_for) {
    std::string_view xff = HeaderValue(req, "X-Forwarded-For");
    if (!xff.empty()) {
      const size_t comma = xff.rfind(',');
      std::string_view last = comma == std::string_view::npos ? xff : xff.substr(comma + 1);
      while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
      while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
      if (!last.empty() && last.size() <= 64) return std::string(last);
    }
  }
  return req.remote_address;
}

bool Api::LoginAddressLimited(const HttpRequest& req, std::int64_t* retry_after_ms) {
  if (login_limiter_->Take("addr:" + ClientAddress(req), 1, ctx_.clock->NowMillis(),
                           retry_after_ms)) {
    return false;
  }
  CountRateLimited();
  return true;
}

HttpResponse Api::Classify(const HttpRequest& req, const Caller& caller) {
  std::shared_ptr<const detect::Detector> detector = ctx_.detector ? ctx_.detector->Get() : nullptr;
  if (!detector) return ErrorResponse(Unavailable("no detectors are loaded on this server"));
  auto texts = ingest::DecodeTextBatch(req.body, ctx_.ingest->options().limits, kMaxClassifyTexts,
                                       kMaxClassifyTextBytes);
  if (!texts.ok()) return ErrorResponse(texts.status());
  // Charged per text once the body is known to be valid: a 100-text request costs 100.
  if (auto limited =
          RateLimited(*classify_limiter_, caller, static_cast<double>(texts->size()), "texts")) {
    return *limited;
  }
  // A pooled scratch: it works with any snapshot (a reload may swap the detector meanwhile).
  std::unique_ptr<detect::DetectorScratch> scratch = scratch_pool_->Acquire();
  // Verdicts are written straight into the body (detect::AppendVerdictJson, the writer `bulwark
  // scan` uses; the same JSON as VerdictToJson), not built as nlohmann trees first.
  HttpResponse r;
  r.status = 200;
  r.body.reserve(64 + texts->size() * 1024);
  r.body = "{\"results\":[";
  detect::Verdict verdict;
  for (size_t i = 0; i < texts->size(); ++i) {
    detector->Classify((*texts)[i], scratch.get(), &verdict);
    if (i) r.body.push_back(',');
    detect::AppendVerdictJson(verdict, {}, &r.body);
  }
  scratch_pool_->Release(std::move(scratch));
  if (ctx_.metrics) {
    ctx_.metrics->GetCounter("bulwark_classified_texts_total", "Texts classified via /v1/classify.")
        .Inc(texts->size());
  }
  // Compact versions here; GET /v1/version has the full report (weights, thresholds, sources).
  const json versions = {{"detector", detect::kDetectorVersion},
                         {"lexicon", detector->lexicon_version()},
                         {"model", detector->model_version()},
                         {"claims", detector->claims_version()}};
  r.body += "],\"versions\":";
  r.body += versions.dump(-1, ' ', false, json::error_handler_t::replace);
  r.body += "}\n";
  return r;
}

HttpResponse Api::Version() {
  json j = {{"version", ctx_.version}, {"schema_version", ctx_.db->schema_version()}};
  auto detector = ctx_.detector ? ctx_.detector->Get() : nullptr;
  j["detectors"] = detector ? detector->VersionReport() : json(nullptr);
  return JsonResponse(200, j);
}

HttpResponse Api::ReloadDetectors() {
  if (!ctx_.detector) return ErrorResponse(Unavailable("no detectors are configured"));
  Status s = ctx_.detector->Reload();
  if (!s.ok()) {
    // The previous snapshot stays in service; say why the new one was refused.
    return ErrorResponse(
        FailedPrecondition("reload failed, previous detectors kept: " + s.message()));
  }
  return JsonResponse(200,
                      {{"reloaded", true}, {"detectors", ctx_.detector->Get()->VersionReport()}});
}

HttpResponse Api::LogHead() {
  auto head = ctx_.db->decisions().Head();
  if (!head.ok()) return ErrorResponse(head.status());
  if (!ctx_.log_signer) return JsonResponse(200, {{"seq", head->seq}, {"hash", head->hash}});
  return JsonResponse(
      200, SignedHeadJson(ctx_.log_signer->Sign(head->seq, head->hash, ctx_.clock->NowMillis())));
}

HttpResponse Api::Decisions(const HttpRequest& req) {
  std::int64_t after = 0, limit = 100;
  if (auto v = QueryParam(req.query, "after")) {
    auto n = ParseCount(*v, "after", 0, std::numeric_limits<std::int64_t>::max() / 10);
    if (!n.ok()) return ErrorResponse(n.status());
    after = *n;
  }
  if (auto v = QueryParam(req.query, "limit")) {
    auto n = ParseCount(*v, "limit", 1, 1000);
    if (!n.ok()) return ErrorResponse(n.status());
    limit = *n;
  }
  auto list = ctx_.db->decisions().ListDecisions(after, static_cast<int>(limit));
  if (!list.ok()) return ErrorResponse(list.status());
  json out = json::array();
  for (const Decision& d : *list) out.push_back(DecisionFeedJson(d));
  std::int64_t next = list->empty() ? after : list->back().seq;
  return JsonResponse(200, {{"decisions", out},
                            {"next_cursor", std::to_string(next)},
                            {"has_more", static_cast<std::int64_t>(list->size()) == limit}});
}

HttpResponse Api::GetReport(const std::string& id) {
  auto r = ctx_.db->events().GetReport(id);
  if (!r.ok()) return ErrorResponse(r.status());
  auto decisions = ctx_.db->decisions().DecisionsForItem(r->report.item_id);
  if (!decisions.ok()) return ErrorResponse(decisions.status());
  const review::ReportStatus st = review::ReportStatusOf(*r, *decisions);
  json j = {{"id", r->report.id},
            {"item_id", r->report.item_id},
            {"reason", ReportReasonName(r->report.reason)},
            {"created_at", FormatRfc3339(r->report.created_at)},
            {"received_at", FormatRfc3339(r->received_at)},
            {"status", st.status}};
  if (!st.action.empty()) {
    j["outcome"] = {{"action", st.action},
                    {"reason_code", st.reason_code},
                    {"decided_at", FormatRfc3339(st.decided_at)},
                    {"decided_by", st.by_reviewer ? "reviewer" : "automated"}};
  }
  return JsonResponse(200, j);
}

HttpResponse Api::GetItem(const std::string& id) {
  auto r = ctx_.db->items().GetItem(id);
  if (!r.ok()) return ErrorResponse(r.status());
  const store::StoredItem& s = *r;
  json revisions = json::array();
  for (const auto& rev : s.revisions) {
    revisions.push_back({{"revision", rev.revision},
                         {"text", rev.text},
                         {"received_at", FormatRfc3339(rev.received_at)}});
  }
  json j = {
      {"id", s.item.id},
      {"kind", ItemKindName(s.item.kind)},
      {"author_id", s.item.author_id},
      {"author_public_figure", s.item.author_is_public_figure},
      {"group_id", s.item.group_id.empty() ? json(nullptr) : json(s.item.group_id)},
      {"group_visibility",
       s.item.group_id.empty() ? json(nullptr) : json(VisibilityName(s.item.group_visibility))},
      {"parent_id", s.item.parent_id.empty() ? json(nullptr) : json(s.item.parent_id)},
      {"lang", s.item.lang},
      {"text", s.item.text},
      {"created_at", FormatRfc3339(s.item.created_at)},
      {"revision", s.revision},
      {"revisions", revisions},
      {"views", s.views},
      {"reports", s.reports},
      {"first_seen_at", FormatRfc3339(s.first_seen_at)},
      {"updated_at", FormatRfc3339(s.updated_at)}};
  return JsonResponse(200, j);
}

}  // namespace bulwark::server

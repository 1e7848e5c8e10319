#pragma once

// The HTTP API: routing, authentication, the Status -> HTTP mapping and JSON encoding of
// responses. Transport-independent: it maps an HttpRequest to an HttpResponse, so tests can
// call it directly and the server (http_server.h) stays a thin shell.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/accounts.h"
#include "core/log_signing.h"
#include "core/metrics.h"
#include "core/roles.h"
#include "core/status.h"
#include "core/time.h"
#include "ingest/ingest_service.h"
#include "server/http_server.h"
#include "server/pages.h"
#include "server/rate_limit.h"
#include "store/store.h"

namespace bulwark::detect {
class DetectorHandle;
class DetectorScratchPool;
}  // namespace bulwark::detect
namespace bulwark::enforce {
class BacktestJobs;
}
namespace bulwark::amplification {
class AmplificationGuard;
}

namespace bulwark::perspective {
class AttributeCalibration;
}
namespace bulwark::review {
class ReviewService;
struct Reviewer;
}  // namespace bulwark::review

namespace bulwark::server {

struct ApiContext {
  store::Database* db = nullptr;
  ingest::IngestService* ingest = nullptr;
  MetricsRegistry* metrics = nullptr;
  const Clock* clock = nullptr;
  std::string version = "0.0.0";
  // Optional: without it /v1/classify answers 503 and /v1/version reports no detectors.
  detect::DetectorHandle* detector = nullptr;
  // How long a review claim is held before the case returns to its queue.
  std::int64_t review_lease_ms = 15 * 60 * 1000;
  // Staff accounts: password hashing cost, session lifetimes, login throttling.
  auth::AuthOptions auth;
  // Cookies get Secure and the __Host- prefix (server/web_auth.h). On by default: clients reach
  // a deployment over TLS (a terminating proxy in front). `serve --insecure-http` turns it off
  // for plain HTTP on loopback (development, tests).
  bool secure_cookies = true;
  // The key that binds sign-in form tokens to this server (auth::NewLoginCsrfToken). Empty: a
  // random key per process (a form loaded before a restart then asks to sign in again).
  std::string login_csrf_key;
  // Per-caller token buckets (server/rate_limit.h): POST /v1/classify in texts per second,
  // the ingest routes in requests per second. 429 with Retry-After past them; rate 0: no limit.
  RateLimit classify_limit{10000, 20000};
  RateLimit ingest_limit{500, 1000};
  // Sign-in attempts (both login routes and POST /v1/auth/password) per client address, beside
  // the per-username lockout: one client spraying many usernames is slowed here.
  RateLimit login_limit{1, 30};
  // The client address is the right-most entry of X-Forwarded-For (the one the proxy in front
  // appended) instead of the TCP peer. Only behind a proxy that sets it: otherwise any client
  // could pick its own address.
  bool trust_forwarded_for = false;
  // Optional: without it the /v1/review routes answer 503.
  review::ReviewService* review = nullptr;
  // Optional: signs the head GET /v1/log/head serves; without it the head is served unsigned.
  HeadSigner* log_signer = nullptr;
  // Optional: runs policy backtests in the background (submit answers 202 at once); without it
  // a submission runs its backtest inside the request.
  enforce::BacktestJobs* backtest_jobs = nullptr;
  // Optional: the Perspective attribute models (data/perspective/calibration.json); without them
  // POST /v1alpha1/comments:analyze answers 503 (api_perspective.cc, docs/perspective.md).
  const perspective::AttributeCalibration* perspective = nullptr;
  // Optional: the amplification guard's snapshot of the decision log; without it
  // POST /v1/recommendations/check answers 503 (api_amplification.cc).
  const amplification::AmplificationGuard* guard = nullptr;
  // Per-key token bucket of the Perspective-compatible route, in requests per second
  // (Perspective's own default quota was 1 per second). 429 in Google's error shape past it.
  RateLimit perspective_limit{100, 200};
};

// Most texts in one POST /v1/classify, and the largest text (the detector's input limit).
inline constexpr size_t kMaxClassifyTexts = 100;
inline constexpr size_t kMaxClassifyTextBytes = 1u << 20;

// Request body limits by kind of route (ingest routes take the configured ingest limit). The
// server applies them once the header is read, before the body: see Api::BodyLimit.
inline constexpr size_t kMaxBodyNone = 1u << 10;      // GET and other bodiless routes
inline constexpr size_t kMaxBodyLogin = 4u << 10;     // sign-in (JSON or form)
inline constexpr size_t kMaxBodyForm = 16u << 10;     // console forms
inline constexpr size_t kMaxBodyJson = 64u << 10;     // review decisions, users, appeals
inline constexpr size_t kMaxBodyPolicy = 1u << 20;    // a policy file inside JSON
inline constexpr size_t kMaxBodyClassify = 2u << 20;  // one request to /v1/classify
// One AnalyzeCommentRequest: a 20 KB comment, JSON-escaped at worst six bytes a byte, and room.
inline constexpr size_t kMaxBodyPerspective = 256u << 10;
// 1,000 recommendation candidates with ids of up to 256 bytes ({"type":"item","id":"..."}).
inline constexpr size_t kMaxBodyRecommendations = 512u << 10;

// The one table mapping Status codes to HTTP statuses.
int HttpStatusFor(Code code);
// {"error":{"code":..., "message":..., "field":..., "index":...}}
HttpResponse ErrorResponse(const Status& status);
// Retry-After for a wait of `retry_after_ms`: whole seconds, rounded up, at least 1.
std::string RetryAfterSeconds(std::int64_t retry_after_ms);
// ErrorResponse(status) as a 429 Too Many Requests with Retry-After.
HttpResponse TooManyRequests(const Status& status, std::int64_t retry_after_ms);

class Api {
 public:
  explicit Api(ApiContext ctx);
  ~Api();
  // Thread-safe.
  HttpResponse Handle(const HttpRequest& req);

  // (method, pattern) of every route, for the OpenAPI consistency test.
  std::vector<std::pair<std::string, std::string>> Routes() const;

  // The largest body a request to `target` (path and query, as sent) with `method` may have:
  // the matching route's limit, or kMaxBodyNone when no route matches. Thread-safe; for
  // HttpServerOptions::body_limit.
  std::size_t BodyLimit(std::string_view method, std::string_view target) const;

 private:
  struct Caller {
    Role role = Role::kPlatform;
    std::string key_id;                  // API keys only
    std::string actor;                   // user id for sessions, key id for API keys
    std::vector<std::string> expertise;  // the reviewer's expertise tags; empty for API keys
    bool via_session = false;            // authenticated by the session cookie
    std::string user_id, username;       // sessions only
    std::string display_name;            // sessions only
    std::string csrf_token;              // sessions only: the session's CSRF token
    UnixMillis session_expires_at = 0;   // sessions only
  };
  using Params = std::vector<std::string>;  // values of {placeholders}, percent-decoded
  using Fn = std::function<HttpResponse(const HttpRequest&, const Params&, const Caller&)>;
  struct Route {
    std::string method;
    std::string pattern;
    bool authenticated;
    std::vector<Role> roles;  // empty: any authenticated role
    Fn fn;
    // An HTML page of the console: session cookie only, form bodies, and failures as pages
    // (anonymous GET -> redirect to the sign-in page) instead of JSON errors.
    bool html = false;
    std::size_t max_body = 0;  // set by the constructor (see the kMaxBody* constants)
  };

  HttpResponse Dispatch(const HttpRequest& req, std::string* route_label);
  HttpResponse DispatchPage(const Route& route, const HttpRequest& req, const Params& params);
  Result<Caller> Authenticate(const HttpRequest& req);
  Result<Caller> AuthenticateSession(std::string_view token);

  // Staff sessions and user management (api_auth.cc).
  HttpResponse Login(const HttpRequest& req);
  HttpResponse Logout(const HttpRequest& req, const Caller& caller);
  HttpResponse Me(const Caller& caller);
  HttpResponse ListUsers();
  HttpResponse CreateUser(const HttpRequest& req, const Caller& caller);
  HttpResponse ChangeOwnPassword(const HttpRequest& req, const Caller& caller);
  // Who made an account change, for the account record and the decision log: "user:<id>" for a
  // session, "key:<id>" for an API key.
  static std::string AccountActor(const Caller& caller);
  HttpResponse DisableUser(const std::string& id, const Caller& caller);
  HttpResponse ResetPassword(const std::string& id, const HttpRequest& req, const Caller& caller);

  HttpResponse Healthz();
  HttpResponse GetItem(const std::string& id);
  HttpResponse GetReport(const std::string& id);
  HttpResponse GetGroup(const std::string& id, const HttpRequest& req);  // api_groups.cc
  HttpResponse ListGroups(const HttpRequest& req);
  HttpResponse GetAccount(const std::string& id, const HttpRequest& req);  // api_accounts.cc
  HttpResponse GetRefundStatement(const std::string& advertiser_id, const std::string& month,
                                  const HttpRequest& req);
  HttpResponse IssueRefundStatement(const std::string& advertiser_id, const std::string& month,
                                    const Caller& caller);  // api_advertisers.cc
  HttpResponse LogHead();
  HttpResponse Classify(const HttpRequest& req, const Caller& caller);
  // The client's address (trust_forwarded_for decides which).
  std::string ClientAddress(const HttpRequest& req) const;
  // True (and *retry_after_ms set) when the client address has used up its sign-in attempts.
  bool LoginAddressLimited(const HttpRequest& req, std::int64_t* retry_after_ms);
  // Counts a request refused by a rate limit (bulwark_rate_limited_requests_total).
  void CountRateLimited();
  // A 429 with Retry-After if `caller` has used up its share of `limiter` (taking `cost`
  // tokens otherwise); nullopt when the request may go on.
  std::optional<HttpResponse> RateLimited(RateLimiter& limiter, const Caller& caller, double cost,
                                          std::string_view unit);
  HttpResponse Version();
  HttpResponse ReloadDetectors();
  // The Perspective-compatible routes (api_perspective.cc). They authenticate by themselves: the
  // API key may come as the `key` query parameter, as Perspective's clients send it.
  HttpResponse PerspectiveAnalyze(const HttpRequest& req);
  HttpResponse PerspectiveSuggestScore(const HttpRequest& req);
  // POST /v1/recommendations/check (api_amplification.cc).
  HttpResponse RecommendationsCheck(const HttpRequest& req);
  // Review queues, cases, appeals and statistics: api_review.cc.
  HttpResponse ReviewQueues(const Caller& caller);
  HttpResponse OpenAppeal(const HttpRequest& req);
  HttpResponse ClaimCase(const std::string& queue, const Caller& caller);
  HttpResponse DecideCase(const std::string& id, const HttpRequest& req, const Caller& caller);
  HttpResponse ReviewStats(const HttpRequest& req);
  HttpResponse Decisions(const HttpRequest& req);
  // Policy lifecycle (api_policy.cc).
  HttpResponse ListPolicies();
  HttpResponse GetPolicy(const std::string& id);
  HttpResponse CreatePolicy(const HttpRequest& req, const Caller& caller);
  HttpResponse MovePolicy(const std::string& id, std::string_view step, const HttpRequest& req,
                          const Caller& caller);

  // The caller as the review service sees them (api_review.cc).
  static review::Reviewer ReviewerOf(const Caller& caller);

  // The reviewer console (api_console.cc).
  HttpResponse Page(int status, std::string_view page, nlohmann::json view, const Caller* caller);
  HttpResponse PageError(const Status& status, const Caller* caller);
  HttpResponse ConsoleStatic(const std::string& file);
  HttpResponse ConsoleLoginPage(const HttpRequest& req, std::string error, int status,
                                std::string username);
  HttpResponse ConsoleLogin(const HttpRequest& req);
  HttpResponse ConsoleLogout(const HttpRequest& req);
  HttpResponse ConsoleQueues(const HttpRequest& req, const Caller& caller);
  HttpResponse ConsoleClaim(const std::string& queue, const Caller& caller);
  Result<store::ReviewCase> ClaimedCase(const std::string& id_text, const Caller& caller);
  HttpResponse ConsoleCase(const std::string& id_text, const Caller& caller);
  HttpResponse ConsoleDecide(const std::string& id_text, const HttpRequest& req,
                             const Caller& caller);
  HttpResponse ConsoleAppeals(const Caller& caller);
  // Admins and reviewers with the appeals expertise (issue 9, item 15).
  static bool MaySeeAppeals(const Caller& caller);
  HttpResponse ConsoleDecisions(const HttpRequest& req, const Caller& caller);
  // The group pages (console_groups.cc): admins and reviewers with a group queue's expertise.
  static bool MaySeeGroups(const Caller& caller);
  // The decision form's reason codes for a case of `category` about `target`, numbered 1-9 for
  // the keyboard (ctx_.review must be set).
  nlohmann::json ReasonCodesView(std::string_view category, TargetKind target) const;
  Result<nlohmann::json> GroupView(const std::string& id);
  HttpResponse ConsoleGroups(const HttpRequest& req, const Caller& caller);
  HttpResponse ConsoleGroup(const std::string& id, const Caller& caller);
  HttpResponse ConsoleGroupCase(const store::ReviewCase& c, const Caller& caller);

  ApiContext ctx_;
  std::string login_csrf_key_;
  std::unique_ptr<auth::StaffAccounts> accounts_;
  // Detector scratch reused across /v1/classify requests (a fresh one costs a Hyperscan scratch
  // allocation for a multi-megabyte database on every request).
  std::unique_ptr<detect::DetectorScratchPool> scratch_pool_;
  std::unique_ptr<RateLimiter> classify_limiter_, ingest_limiter_, login_limiter_;
  std::unique_ptr<RateLimiter> perspective_limiter_;
  std::vector<Route> routes_;
  PageRenderer pages_;
};

// The OpenAPI 3 document served at /v1/openapi.json.
std::string_view OpenApiJson();

}  // namespace bulwark::server

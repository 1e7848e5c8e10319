// The Perspective-compatible routes: POST /v1alpha1/comments:analyze and :suggestscore
// (docs/perspective.md). Authentication, rate limiting and errors follow Perspective's clients'
// expectations (Google's error shape); the scoring is src/perspective/analyze.h.

#include <memory>
#include <nlohmann/json.hpp>

#include "auth/api_keys.h"
#include "detect/detector.h"
#include "perspective/analyze.h"
#include "perspective/attributes.h"
#include "server/api.h"
#include "server/api_json.h"

namespace bulwark::server {

namespace {

HttpResponse GoogleError(int http_status, std::string_view status, std::string_view message,
                         std::string_view field = {}) {
  HttpResponse r;
  r.status = http_status;
  r.body = perspective::GoogleErrorJson(http_status, status, message, {}, field);
  return r;
}

}  // namespace

HttpResponse Api::PerspectiveAnalyze(const HttpRequest& req) {
  // The key: the `key` query parameter (Perspective's clients) or the Bearer header. Neither the
  // key nor the query string is ever logged (the server logs paths only).
  Caller caller;
  if (auto key = QueryParam(req.query, "key")) {
    auto decoded = PercentDecode(*key);
    auto rec = decoded ? auth::VerifyApiKey(ctx_.db->keys(), *decoded)
                       : Result<store::ApiKeyRecord>(Unauthenticated("malformed key"));
    if (!rec.ok()) {
      return GoogleError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
                         "key");
    }
    caller.role = rec->role;
    caller.key_id = caller.actor = rec->id;
  } else if (!req.authorization.empty()) {
    auto c = Authenticate(req);
    if (!c.ok()) {
      return GoogleError(401, "UNAUTHENTICATED",
                         "Request had invalid authentication credentials: " + c.status().message(),
                         "Authorization");
    }
    caller = *c;
  } else {
    return GoogleError(403, "PERMISSION_DENIED",
                       "The request is missing a valid API key: pass it as the key query "
                       "parameter or as 'Authorization: Bearer <key>'",
                       "key");
  }
  std::int64_t retry_after_ms = 0;
  if (!perspective_limiter_->Take("key:" + caller.key_id, 1, ctx_.clock->NowMillis(),
                                  &retry_after_ms)) {
    CountRateLimited();
    char rate[32];
    std::snprintf(rate, sizeof rate, "%g", perspective_limiter_->limit().rate_per_second);
    HttpResponse r = GoogleError(429, "RESOURCE_EXHAUSTED",
                                 std::string("Quota exceeded: each key may send ") + rate +
                                     " analyze requests per second; retry after the "
                                     "Retry-After header's seconds");
    r.headers.emplace_back("Retry-After", RetryAfterSeconds(retry_after_ms));
    return r;
  }
  std::shared_ptr<const detect::Detector> detector = ctx_.detector ? ctx_.detector->Get() : nullptr;
  if (!detector || !ctx_.perspective) {
    HttpResponse r = GoogleError(503, "UNAVAILABLE",
                                 "no detectors or no Perspective calibration on this server");
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }
  auto body = ParseJsonBody(req.body);
  if (!body.ok()) {
    return GoogleError(400, "INVALID_ARGUMENT",
                       "Invalid JSON payload received. " + body.status().message(),
                       body.status().field());
  }
  std::unique_ptr<detect::DetectorScratch> scratch = scratch_pool_->Acquire();
  perspective::AnalyzeResponse out =
      perspective::Analyze(*body, *detector, scratch.get(), *ctx_.perspective);
  scratch_pool_->Release(std::move(scratch));
  if (ctx_.metrics) {
    ctx_.metrics
        ->GetCounter("bulwark_perspective_requests_total",
                     "Perspective-compatible analyze requests, by outcome.",
                     {{"outcome", out.http_status == 200 ? "scored" : "rejected"}})
        .Inc();
  }
  HttpResponse r;
  r.status = out.http_status;
  r.body = std::move(out.body);
  return r;
}

HttpResponse Api::PerspectiveSuggestScore(const HttpRequest&) {
  // Bulwark learns from its own reviewers' decisions (the review queues), not from scores that
  // clients suggest.
  return GoogleError(501, "UNIMPLEMENTED",
                     "comments:suggestscore is not supported by Bulwark: corrections come from "
                     "its reviewers' decisions (see docs/perspective.md)");
}

}  // namespace bulwark::server

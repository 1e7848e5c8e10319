#pragma once

// The HTTP API: routing, authentication, the Status -> HTTP mapping and JSON encoding of
// responses. Transport-independent: it maps an HttpRequest to an HttpResponse, so tests can
// call it directly and the server (http_server.h) stays a thin shell.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.h"
#include "core/roles.h"
#include "core/status.h"
#include "core/time.h"
#include "ingest/ingest_service.h"
#include "server/http_server.h"
#include "store/store.h"

namespace bulwark::detect {
class DetectorHandle;
}
namespace bulwark::review {
class ReviewService;
}

namespace bulwark::server {

struct ApiContext {
  store::Database* db = nullptr;
  ingest::IngestService* ingest = nullptr;
  MetricsRegistry* metrics = nullptr;
  const Clock* clock = nullptr;
  std::string version = "0.0.0";
  // Optional: without it /v1/classify answers 503 and /v1/version reports no detectors.
  detect::DetectorHandle* detector = nullptr;
  // Optional: without it the /v1/review routes answer 503.
  review::ReviewService* review = nullptr;
};

// Most texts in one POST /v1/classify, and the largest text (the detector's input limit).
inline constexpr size_t kMaxClassifyTexts = 100;
inline constexpr size_t kMaxClassifyTextBytes = 1u << 20;

// The one table mapping Status codes to HTTP statuses.
int HttpStatusFor(Code code);
// {"error":{"code":..., "message":..., "field":..., "index":...}}
HttpResponse ErrorResponse(const Status& status);

class Api {
 public:
  explicit Api(ApiContext ctx);
  // Thread-safe.
  HttpResponse Handle(const HttpRequest& req);

  // (method, pattern) of every route, for the OpenAPI consistency test.
  std::vector<std::pair<std::string, std::string>> Routes() const;

 private:
  struct Caller {
    Role role = Role::kPlatform;
    std::string key_id;
    std::string actor;                   // who is calling: the key id for API keys
    std::vector<std::string> expertise;  // reviewer expertise tags (none for API keys)
  };
  using Params = std::vector<std::string>;  // values of {placeholders}, percent-decoded
  using Fn = std::function<HttpResponse(const HttpRequest&, const Params&, const Caller&)>;
  struct Route {
    std::string method;
    std::string pattern;
    bool authenticated;
    std::vector<Role> roles;  // empty: any authenticated role
    Fn fn;
  };

  HttpResponse Dispatch(const HttpRequest& req, std::string* route_label);
  Result<Caller> Authenticate(const HttpRequest& req);

  HttpResponse Healthz();
  HttpResponse GetItem(const std::string& id);
  HttpResponse LogHead();
  HttpResponse Classify(const HttpRequest& req);
  HttpResponse Version();
  HttpResponse ReloadDetectors();
  // Review queues, cases, appeals and statistics: api_review.cc.
  HttpResponse ReviewQueues(const Caller& caller);
  HttpResponse OpenAppeal(const HttpRequest& req);
  HttpResponse ClaimCase(const std::string& queue, const Caller& caller);
  HttpResponse DecideCase(const std::string& id, const HttpRequest& req, const Caller& caller);
  HttpResponse ReviewStats(const HttpRequest& req);
  HttpResponse Decisions(const HttpRequest& req);

  ApiContext ctx_;
  std::vector<Route> routes_;
};

// The OpenAPI 3 document served at /v1/openapi.json.
std::string_view OpenApiJson();

}  // namespace bulwark::server

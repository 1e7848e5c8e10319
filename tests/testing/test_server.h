#pragma once

// An in-process Bulwark API server on a free loopback port with its own temporary database.

#include <httplib.h>

#include <functional>
#include <memory>
#include <string>

#include "amplification/follower.h"
#include "amplification/guard.h"
#include "amplification/recommended.h"
#include "auth/api_keys.h"
#include "core/log_signing.h"
#include "core/metrics.h"
#include "detect/detector.h"
#include "ingest/ingest_service.h"
#include "perspective/attributes.h"
#include "policy/policy.h"
#include "review/service.h"
#include "server/api.h"
#include "server/http_server.h"
#include "store/store.h"
#include "testing/temp_dir.h"

namespace bulwark::testing {

class TestServer {
 public:
  // `configure` may change the API's context (limits, cookie mode) before the server starts.
  explicit TestServer(ingest::IngestOptions ingest_options = {}, bool with_detectors = false,
                      const std::function<void(server::ApiContext*)>& configure = {}) {
    if (with_detectors) {
      detect::DetectorConfig dc;
      dc.data_dir = std::string(BULWARK_SOURCE_DIR) + "/data";
      // Shared between test processes: the cache is keyed by the lexicon's content hash and
      // written atomically.
      dc.lexicon_cache_dir =
          (std::filesystem::temp_directory_path() / "bulwark-test-lexicon-cache").string();
      detector_ = std::make_unique<detect::DetectorHandle>(dc);
      Status s = detector_->Reload();
      if (!s.ok()) std::fprintf(stderr, "detector load failed: %s\n", s.ToString().c_str());
      // The shipped Perspective attribute models, as `serve` loads them.
      auto calibration = perspective::AttributeCalibration::Load(
          std::string(BULWARK_SOURCE_DIR) + "/data/perspective/calibration.json");
      if (calibration.ok()) {
        perspective_ = std::make_unique<perspective::AttributeCalibration>(*calibration);
      } else {
        std::fprintf(stderr, "perspective: %s\n", calibration.status().ToString().c_str());
      }
    }
    store::OpenOptions open;
    open.metrics = &metrics_;
    db_ = std::move(store::OpenDatabase("sqlite:" + dir_.File("server.db"), open)).value();
    ingest_ = std::make_unique<ingest::IngestService>(*db_, ingest_options, clock_, &metrics_);
    // Review with the shipped queue configuration and default policy (reason codes).
    auto queues =
        review::LoadQueueConfig(std::string(BULWARK_SOURCE_DIR) + "/data/review/queues.json");
    if (!queues.ok()) std::fprintf(stderr, "queues: %s\n", queues.status().ToString().c_str());
    auto policy =
        policy::LoadPolicyFile(std::string(BULWARK_SOURCE_DIR) + "/data/policy/default.policy");
    if (policy.ok()) policy_ = *policy;
    review::ReviewOptions review_options;
    review_options.sampling_key = "test-sampling-key";
    review_ = std::make_unique<review::ReviewService>(
        *db_, std::move(queues).value(), [this] { return policy_; }, clock_, review_options,
        &metrics_);
    // The decision log's signing key, as `serve` keeps it: a file beside the database.
    log_signer_ = std::make_unique<HeadSigner>(
        std::move(LogSigningKey::LoadOrCreate(dir_.File("server.db.logkey"))).value());
    // The amplification guard follows the log as in `serve`, polling often (tests wait on it).
    follower_ = std::make_unique<amplification::LogFollower>(db_->decisions(), guard_,
                                                             std::chrono::milliseconds(5));
    follower_->set_group_store(&db_->groups());
    follower_->Start();
    ingest_->set_item_listener([this](std::span<const Item> items) { guard_.NoteItems(items); });
    ingest_->set_view_listener([this](std::span<const ViewEvent> views) {
      amplification::CountRecommendedViews(guard_, views, metrics_);
    });
    server::ApiContext ctx{db_.get(), ingest_.get(), &metrics_, &clock_, "test"};
    ctx.log_signer = log_signer_.get();
    ctx.detector = detector_.get();
    ctx.perspective = perspective_.get();
    ctx.guard = &guard_;
    // Staff passwords: the cheapest argon2id parameters (tests create many accounts).
    ctx.auth.passwords = auth::PasswordOptions::Minimal();
    ctx.review = review_.get();
    // Tests sign in far more often than people do, all from 127.0.0.1: no per-address sign-in
    // limit unless a test asks for one.
    ctx.login_limit = {0, 0};
    if (configure) configure(&ctx);
    api_ = std::make_unique<server::Api>(ctx);
    server::HttpServerOptions http;
    http.port = 0;
    http.threads = 2;
    http.max_body_bytes = ingest_options.limits.max_body_bytes;
    http.body_limit = [this](std::string_view method, std::string_view target) {
      return api_->BodyLimit(method, target);
    };
    server_ = std::move(server::HttpServer::Start(http, [this](const server::HttpRequest& r) {
                return api_->Handle(r);
              })).value();
  }
  ~TestServer() {
    server_->Stop();
    follower_->Stop();
  }

  // The detectors (with_detectors only).
  detect::DetectorHandle& detector() { return *detector_; }
  std::string CreateKey(Role role, const std::string& name = "test") {
    return auth::CreateApiKey(db_->keys(), name, role, clock_.NowMillis())->token;
  }
  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(30, 0);
    c.set_write_timeout(30, 0);
    return c;
  }
  std::uint16_t port() const { return server_->port(); }
  store::Database& db() { return *db_; }
  server::Api& api() { return *api_; }
  review::ReviewService& review() { return *review_; }
  MetricsRegistry& metrics() { return metrics_; }
  // Brings the amplification guard up to the log's end now (instead of at the next poll).
  Status CatchUpGuard() { return follower_->CatchUp(); }
  const std::string& log_public_key() const { return log_signer_->public_key(); }

 private:
  TempDir dir_;
  SystemClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<ingest::IngestService> ingest_;
  amplification::AmplificationGuard guard_;
  std::unique_ptr<amplification::LogFollower> follower_;
  std::unique_ptr<detect::DetectorHandle> detector_;
  std::unique_ptr<perspective::AttributeCalibration> perspective_;
  std::shared_ptr<const policy::Policy> policy_;
  std::unique_ptr<review::ReviewService> review_;
  std::unique_ptr<HeadSigner> log_signer_;
  std::unique_ptr<server::Api> api_;
  std::unique_ptr<server::HttpServer> server_;
};

}  // namespace bulwark::testing

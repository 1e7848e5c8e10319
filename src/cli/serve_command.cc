#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>

#include "accounts/scanner.h"
#include "ads/accruer.h"
#include "amplification/follower.h"
#include "amplification/guard.h"
#include "amplification/recommended.h"
#include "cli/commands.h"
#include "core/log_signing.h"
#include "core/metrics.h"
#include "detect/detector.h"
#include "enforce/backtest_jobs.h"
#include "enforce/enforcer.h"
#include "enforce/worker.h"
#include "groups/scanner.h"
#include "ingest/ingest_service.h"
#include "perspective/attributes.h"
#include "review/service.h"
#include "server/api.h"
#include "server/http_server.h"
#include "store/store.h"

namespace bulwark::cli {
namespace {

struct ServeOptions {
  std::string db = kDefaultDb;
  std::string address = "127.0.0.1";
  int port = 8080;
  int threads = 4;
  int max_connections = 4096;
  std::string port_file;
  bool sync_normal = false;
  std::string data_dir = "data";
  std::string cache_dir = ".bulwark-cache";
  bool no_detectors = false;
  std::string policy = "data/policy/default.policy";
  bool no_enforce = false;
  std::string review_queues;  // default <data-dir>/review/queues.json, optional
  std::string review_key_file;
  int review_lease_minutes = 15;
  int review_max_claims = 5;
  int review_sla_window_hours = 7 * 24;
  int group_scan_seconds = 60;      // 0: no group scan
  int account_scan_seconds = 60;    // 0: no account scan
  int refund_accrual_seconds = 10;  // 0: no refund accrual
  ingest::IngestOptions ingest;
  bool insecure_http = false;
  double classify_rate = 10000;  // texts per second per caller
  double perspective_rate = 100;
  double ingest_rate = 500;  // requests per second per caller
  double login_rate = 1;     // sign-in attempts per second per client address
  bool trust_forwarded_for = false;
  int session_idle_minutes = 30;
  int session_max_hours = 12;
  std::string log_key;  // default: DefaultLogKeyPath(db)
};

// The second-review sampling key: the file's bytes, or a fresh random key for this run.
std::string SamplingKey(const std::string& path) {
  if (!path.empty()) {
    std::ifstream f(path, std::ios::binary);
    std::string key((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (!f.good() && !f.eof()) Fail(NotFound(path + ": cannot read the sampling key"));
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    if (key.size() < 16) {
      Fail(InvalidArgument(path + ": the sampling key must be at least 16 bytes",
                           "--review-sampling-key-file"));
    }
    return key;
  }
  std::random_device rd;
  std::string key;
  for (int i = 0; i < 32; ++i) key += static_cast<char>(rd() & 0xff);
  std::fprintf(stderr,
               "bulwark: no --review-sampling-key-file: second reviews are sampled with a random "
               "key for this run\n");
  return key;
}

void RunServe(const ServeOptions& o) {
  // A client that disconnects mid-response must not kill the server.
  signal(SIGPIPE, SIG_IGN);
  // Block the termination signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  MetricsRegistry metrics;
  store::OpenOptions open;
  open.synchronous_full = !o.sync_normal;
  open.read_connections = std::max(2, o.threads);
  open.metrics = &metrics;
  auto db = store::OpenDatabase(o.db, open);
  if (!db.ok()) Fail(db.status());

  // The decision log's signing key: outside the database, created on first start.
  const std::string key_path = o.log_key.empty() ? DefaultLogKeyPath(o.db) : o.log_key;
  if (key_path.empty()) {
    Fail(InvalidArgument("pass --log-key PATH for a database that is not an SQLite file",
                         "--log-key"));
  }
  auto log_key = LogSigningKey::LoadOrCreate(key_path);
  if (!log_key.ok()) {
    Fail(Status(log_key.status().code(),
                "log signing key: " + log_key.status().message() + " (see --log-key)"));
  }
  HeadSigner log_signer(*log_key);

  SystemClock clock;
  ingest::IngestService ingest(**db, o.ingest, clock, &metrics);
  std::unique_ptr<detect::DetectorHandle> detector;
  if (!o.no_detectors) {
    detect::DetectorConfig dc;
    dc.data_dir = o.data_dir;
    dc.lexicon_cache_dir = o.cache_dir;
    detector = std::make_unique<detect::DetectorHandle>(dc);
    Status s = detector->Reload();
    if (!s.ok()) {
      Fail(Status(s.code(), "loading detectors from " + o.data_dir + ": " + s.message() +
                                " (run from the repository root, pass --data-dir, or "
                                "--no-detectors)"));
    }
  }
  // Enforcement runs in the background on every committed item (detect -> policy -> log).
  std::unique_ptr<enforce::PolicyHandle> policy;
  std::unique_ptr<enforce::Enforcer> enforcer;
  std::unique_ptr<enforce::EnforcementWorker> worker;
  const bool enforcing = detector && !o.no_enforce;
  if (enforcing) {
    // The database's active policy version; --policy only bootstraps a fresh database.
    policy = OpenActivePolicy(**db, o.policy, clock);
  } else {
    // Review validates reason codes against the policy even when nothing is enforced.
    policy = std::make_unique<enforce::PolicyHandle>(o.policy);
    if (!policy->Reload().ok()) policy.reset();
  }
  // Review needs its queue configuration: required when named, else <data-dir>/review/queues.json
  // if present (without it the review routes answer 503).
  const std::string queues_path =
      o.review_queues.empty() ? o.data_dir + "/review/queues.json" : o.review_queues;
  std::unique_ptr<review::ReviewService> review;
  auto queues = review::LoadQueueConfig(queues_path);
  if (!queues.ok() && (!o.review_queues.empty() || queues.status().code() != Code::kNotFound)) {
    Fail(Status(queues.status().code(), queues.status().message() + " (pass --review-queues)",
                queues.status().field()));
  }
  if (!queues.ok()) {
    std::fprintf(stderr, "bulwark: %s: review is off\n", queues.status().message().c_str());
  }
  if (queues.ok() && policy) {
    // Every queue the policy sends items to must be configured, or its cases would go unseen.
    auto missing = review::MissingQueues(**queues, *policy->Get());
    for (const auto& m : missing) {
      std::fprintf(stderr, "%s\n", review::FormatMissingQueue(*policy->Get(), **queues, m).c_str());
    }
    if (!missing.empty()) Fail(FailedPrecondition("the policy names unconfigured review queues"));
  }
  if (queues.ok()) {
    review::ReviewOptions review_options;
    review_options.lease_ms = std::int64_t{o.review_lease_minutes} * 60 * 1000;
    review_options.max_claims_per_reviewer = o.review_max_claims;
    review_options.sla_window_ms = std::int64_t{o.review_sla_window_hours} * 3600 * 1000;
    review_options.sampling_key = SamplingKey(o.review_key_file);
    enforce::PolicyHandle* policy_ptr = policy.get();
    review = std::make_unique<review::ReviewService>(
        **db, *queues,
        [policy_ptr]() -> std::shared_ptr<const policy::Policy> {
          return policy_ptr ? policy_ptr->Get() : nullptr;
        },
        clock, review_options, &metrics);
  }
  if (enforcing) {
    enforcer = std::make_unique<enforce::Enforcer>(**db, *detector, *policy, clock, &metrics);
    worker =
        std::make_unique<enforce::EnforcementWorker>(*enforcer, **db, enforce::WorkerOptions{});
    ingest.set_observer(worker.get());
    worker->Start();
  }
  // Group rules (recommendation 4): active groups are scanned in the background.
  std::unique_ptr<groups::GroupScanner> group_scanner;
  if (enforcing && o.group_scan_seconds > 0) {
    enforce::PolicyHandle* policy_ptr = policy.get();
    group_scanner = std::make_unique<groups::GroupScanner>(
        **db, [policy_ptr] { return policy_ptr->Get(); }, clock, &metrics);
    group_scanner->Start(std::chrono::seconds(o.group_scan_seconds));
  }
  // Strike rules (repeat offenders): accounts with recent strikes are scanned in the background.
  std::unique_ptr<accounts::AccountScanner> account_scanner;
  if (enforcing && o.account_scan_seconds > 0) {
    enforce::PolicyHandle* policy_ptr = policy.get();
    account_scanner = std::make_unique<accounts::AccountScanner>(
        **db, [policy_ptr] { return policy_ptr->Get(); }, clock, &metrics);
    account_scanner->Start(std::chrono::seconds(o.account_scan_seconds));
  }
  // Advertiser refunds (recommendation 3): the log's removals and restores, accrued as they come.
  std::unique_ptr<ads::RefundAccruer> refund_accruer;
  if (o.refund_accrual_seconds > 0) {
    refund_accruer = std::make_unique<ads::RefundAccruer>(**db);
    refund_accruer->Start(std::chrono::seconds(o.refund_accrual_seconds));
  }
  // The Perspective-compatible route's attribute models (docs/perspective.md): optional; without
  // them that route answers 503.
  std::unique_ptr<perspective::AttributeCalibration> perspective_calibration;
  if (detector) {
    const std::string file = o.data_dir + "/perspective/calibration.json";
    auto c = perspective::AttributeCalibration::Load(file);
    if (c.ok()) {
      perspective_calibration = std::make_unique<perspective::AttributeCalibration>(*c);
      const std::string model = detector->Get()->model_version();
      if (c->model_version() != model) {
        std::fprintf(stderr,
                     "bulwark: warning: %s was fitted for model %s, the detector has %s: "
                     "Perspective scores may be off until `bulwark perspective-calibrate` is "
                     "run again\n",
                     file.c_str(), c->model_version().c_str(), model.c_str());
      }
    } else {
      std::fprintf(stderr, "bulwark: %s: the Perspective-compatible route is off\n",
                   c.status().message().c_str());
    }
  }
  // The amplification guard follows the decision log from the start (amplification/guard.h).
  amplification::AmplificationGuard guard;
  amplification::LogFollower follower((*db)->decisions(), guard);
  follower.set_group_store(&(*db)->groups());
  if (Status caught = follower.CatchUp(); !caught.ok()) Fail(caught);
  follower.Start();
  ingest.set_item_listener([&guard](std::span<const Item> items) { guard.NoteItems(items); });
  ingest.set_view_listener([&guard, &metrics](std::span<const ViewEvent> views) {
    amplification::CountRecommendedViews(guard, views, metrics);
  });
  server::ApiContext ctx{db->get(), &ingest, &metrics, &clock, "0.1.0"};
  ctx.detector = detector.get();
  ctx.perspective = perspective_calibration.get();
  ctx.guard = &guard;
  ctx.perspective_limit = {o.perspective_rate, std::max(2 * o.perspective_rate, 1.0)};
  ctx.secure_cookies = !o.insecure_http;
  // Buckets hold two seconds' worth, and at least one largest request (100 texts).
  ctx.classify_limit = {o.classify_rate, std::max(2 * o.classify_rate, 100.0)};
  ctx.ingest_limit = {o.ingest_rate, std::max(2 * o.ingest_rate, 1.0)};
  // Sign-in: bursts of 30 per address (an office behind one NAT at 9 o'clock), then the rate.
  ctx.login_limit = {o.login_rate, 30};
  ctx.trust_forwarded_for = o.trust_forwarded_for;
  // Password checks (argon2id, 64 MiB each) on at most half the HTTP threads.
  ctx.auth.max_concurrent_hashes = std::max(1, o.threads / 2);
  if (o.insecure_http && o.address != "127.0.0.1" && o.address != "localhost" &&
      o.address != "::1") {
    std::fprintf(stderr,
                 "serve: warning: --insecure-http on %s: session cookies travel without Secure, "
                 "readable by anyone on the network path; use it on loopback only\n",
                 o.address.c_str());
  }
  ctx.auth.sessions.idle_timeout_ms = o.session_idle_minutes * 60LL * 1000;
  ctx.auth.sessions.absolute_timeout_ms = o.session_max_hours * 3600LL * 1000;
  ctx.review = review.get();
  ctx.log_signer = &log_signer;
  // Policy backtests run in the background; those a restart interrupted start over.
  std::unique_ptr<enforce::BacktestJobs> backtests;
  if (detector) {
    backtests = std::make_unique<enforce::BacktestJobs>(**db, clock, *detector);
    auto resumed = backtests->Resume();
    if (!resumed.ok()) Fail(resumed.status());
    if (*resumed > 0) {
      std::fprintf(stderr, "bulwark: resuming %d interrupted policy backtest(s)\n", *resumed);
    }
    ctx.backtest_jobs = backtests.get();
  }
  server::Api api(ctx);

  server::HttpServerOptions http;
  http.address = o.address;
  http.port = static_cast<std::uint16_t>(o.port);
  http.threads = o.threads;
  http.max_body_bytes = o.ingest.limits.max_body_bytes;
  http.body_limit = [&api](std::string_view method, std::string_view target) {
    return api.BodyLimit(method, target);
  };
  http.max_connections = o.max_connections;
  auto srv = server::HttpServer::Start(
      http, [&api](const server::HttpRequest& req) { return api.Handle(req); });
  if (!srv.ok()) Fail(srv.status());

  std::string host = o.address.find(':') != std::string::npos ? "[" + o.address + "]" : o.address;
  std::printf("Bulwark listening on http://%s:%u (db: %s, schema v%d, log key %s: %s)\n",
              host.c_str(), (*srv)->port(), o.db.c_str(), (*db)->schema_version(), key_path.c_str(),
              log_signer.public_key().c_str());
  std::fflush(stdout);
  if (!o.port_file.empty()) {
    std::ofstream pf(o.port_file + ".tmp");
    pf << (*srv)->port() << "\n";
    pf.close();
    std::rename((o.port_file + ".tmp").c_str(), o.port_file.c_str());
  }

  for (;;) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGHUP) {
      // Reload models, lexicons and claims without a restart; requests in flight finish on the
      // snapshot they started with.
      if (detector) {
        Status s = detector->Reload();
        std::fprintf(stderr, "bulwark: SIGHUP: detectors %s\n",
                     s.ok() ? "reloaded" : ("kept, reload failed: " + s.message()).c_str());
      }
      if (policy) {
        // Activated versions are picked up before every batch anyway; this checks now.
        Status s = policy->Reload();
        std::fprintf(stderr, "bulwark: SIGHUP: policy %s\n",
                     s.ok()
                         ? ("version " + std::to_string(policy->version_id()) + " active").c_str()
                         : ("kept, reload failed: " + s.message()).c_str());
      }
      if (review) {
        auto q = review::LoadQueueConfig(queues_path);
        if (q.ok()) review->SetQueues(*q);
        std::fprintf(
            stderr, "bulwark: SIGHUP: review queues %s\n",
            q.ok() ? "reloaded" : ("kept, reload failed: " + q.status().message()).c_str());
      }
      continue;
    }
    std::fprintf(stderr, "bulwark: received signal %d, shutting down\n", sig);
    break;
  }
  (*srv)->Stop();
  if (group_scanner) group_scanner->Stop();
  if (account_scanner) account_scanner->Stop();
  if (refund_accruer) refund_accruer->Stop();
  if (worker) worker->Stop();
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand(
      "serve",
      "Run the HTTP API (ingest, items, classify, decisions, metrics, OpenAPI).\n"
      "Every ingested item runs through detect -> policy -> the decision log in the background.\n"
      "The policy enforced is the database's active version (see bulwark policy); a newly\n"
      "activated version applies from the next batch. SIGHUP reloads the detectors (models,\n"
      "lexicon, claims) without a restart.\n"
      "Example: bulwark serve --db sqlite:bulwark.db --port 8080");
  cmd->add_option("--db", o->db, "Database URL: sqlite:PATH (default sqlite:bulwark.db)");
  cmd->add_option("--address", o->address, "Listen address (default 127.0.0.1)");
  cmd->add_option("--port", o->port, "Listen port; 0 picks a free one (default 8080)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--threads", o->threads, "HTTP worker threads (default 4)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--max-connections", o->max_connections,
                  "Connections open at once; past it a new one is answered 503 (default 4096)")
      ->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--port-file", o->port_file, "Write the bound port to this file once listening");
  cmd->add_option("--data-dir", o->data_dir,
                  "Directory with lexicon/, claims/ and models/ (default ./data)");
  cmd->add_option("--cache-dir", o->cache_dir,
                  "Where compiled lexicon databases are cached (default ./.bulwark-cache)");
  cmd->add_flag("--no-detectors", o->no_detectors,
                "Serve ingest only; /v1/classify answers 503, nothing is enforced");
  cmd->add_option("--policy", o->policy,
                  "Policy file imported and activated when the database has no active version\n"
                  "(first start; default data/policy/default.policy). Otherwise the database's\n"
                  "active version is enforced");
  cmd->add_flag("--no-enforce", o->no_enforce, "Do not run the enforcement pipeline");
  cmd->add_option("--review-queues", o->review_queues,
                  "Review queue configuration (default <data-dir>/review/queues.json; without "
                  "one, the review routes answer 503)");
  cmd->add_option("--review-sampling-key-file", o->review_key_file,
                  "Secret key (>= 16 bytes) for choosing which decisions get a second review; "
                  "default: random per run");
  cmd->add_option("--review-lease-minutes", o->review_lease_minutes,
                  "How long a review claim is held (default 15)")
      ->check(CLI::Range(1, 24 * 60));
  cmd->add_option("--review-max-claims", o->review_max_claims,
                  "Live claims one reviewer may hold at once (default 5)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--group-scan-seconds", o->group_scan_seconds,
                  "Seconds between scans of active groups by the policy's group rules; 0: none "
                  "(default 60)")
      ->check(CLI::Range(0, 24 * 3600));
  cmd->add_option("--account-scan-seconds", o->account_scan_seconds,
                  "Seconds between scans of accounts with recent strikes by the policy's strike "
                  "rules; 0: none (default 60)")
      ->check(CLI::Range(0, 24 * 3600));
  cmd->add_option("--refund-accrual-seconds", o->refund_accrual_seconds,
                  "Seconds between passes of advertiser refund accrual over the decision log; 0: "
                  "none (default 10)")
      ->check(CLI::Range(0, 24 * 3600));
  cmd->add_option("--review-sla-window-hours", o->review_sla_window_hours,
                  "Window of the time-to-first-review figures in /v1/review/queues and /metrics "
                  "(default 168)")
      ->check(CLI::Range(1, 24 * 366));
  cmd->add_flag("--sync-normal", o->sync_normal,
                "Do not fsync every commit: survives a process crash, not a power loss");
  cmd->add_option("--max-body-bytes", o->ingest.limits.max_body_bytes,
                  "Largest request body accepted, for the ingest routes (default 16 MiB;\n"
                  "the other routes have smaller fixed limits, see docs/api.md)");
  cmd->add_option("--max-batch", o->ingest.limits.max_batch,
                  "Most entries in one batch (default 1000)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--max-text-bytes", o->ingest.limits.max_text_bytes,
                  "Largest item text accepted (default 64 KiB)");
  cmd->add_option("--view-sample-rate", o->ingest.view_sample_rate,
                  "Share of views kept in the audit sample log (default 0.01)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--classify-rate", o->classify_rate,
                  "Texts per second each API key or staff user may send to /v1/classify (bursts "
                  "of twice that); 429 with Retry-After past it; 0: no limit (default 10000)")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--perspective-rate", o->perspective_rate,
                  "Requests per second each API key may send to the Perspective-compatible\n"
                  "POST /v1alpha1/comments:analyze (bursts of twice that); 429 in Google's error\n"
                  "shape past it; 0: no limit (default 100; Perspective's own was 1)")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option(
         "--ingest-rate", o->ingest_rate,
         "Requests per second each API key may send to the ingest routes together (bursts of "
         "twice that); 429 with Retry-After past it; 0: no limit (default 500)")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--login-rate", o->login_rate,
                  "Sign-in attempts per second from one client address, after a burst of 30; "
                  "429 with Retry-After past it; 0: no limit (default 1)")
      ->check(CLI::Range(0.0, 1e6));
  cmd->add_flag("--trust-forwarded-for", o->trust_forwarded_for,
                "The client address is the right-most X-Forwarded-For entry (set it only behind "
                "a proxy that appends it; otherwise clients choose their own address)");
  cmd->add_flag("--insecure-http", o->insecure_http,
                "Clients reach the server over plain HTTP (development on loopback): cookies lose "
                "the Secure attribute and the __Host- prefix. Without it the server expects "
                "HTTPS through a TLS-terminating proxy");
  cmd->add_option("--session-idle-minutes", o->session_idle_minutes,
                  "A staff session ends after this long without a request (default 30)")
      ->check(CLI::Range(1, 24 * 60));
  cmd->add_option("--session-max-hours", o->session_max_hours,
                  "A staff session ends this long after login in any case (default 12)")
      ->check(CLI::Range(1, 24 * 30));
  cmd->add_option("--log-key", o->log_key,
                  "Ed25519 key that signs the decision log's head (GET /v1/log/head); created\n"
                  "with mode 0600 on first start; keep it outside the database and back it up\n"
                  "(default: the SQLite file's path + .logkey)");
  cmd->callback([o] { RunServe(*o); });
}

}  // namespace bulwark::cli

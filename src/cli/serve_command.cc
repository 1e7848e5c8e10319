#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <fstream>

#include "cli/commands.h"
#include "core/metrics.h"
#include "detect/detector.h"
#include "enforce/enforcer.h"
#include "enforce/worker.h"
#include "ingest/ingest_service.h"
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
  std::string port_file;
  bool sync_normal = false;
  std::string data_dir = "data";
  std::string cache_dir = ".bulwark-cache";
  bool no_detectors = false;
  std::string policy = "data/policy/default.policy";
  bool no_enforce = false;
  ingest::IngestOptions ingest;
  bool behind_tls = false;
  int session_idle_minutes = 30;
  int session_max_hours = 12;
};

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
  if (detector && !o.no_enforce) {
    policy = std::make_unique<enforce::PolicyHandle>(o.policy);
    Status s = policy->Reload();
    if (!s.ok()) {
      Fail(Status(s.code(), "loading policy: " + s.field() + ": " + s.message() +
                                " (pass --policy or --no-enforce)"));
    }
    enforcer = std::make_unique<enforce::Enforcer>(**db, *detector, *policy, clock, &metrics);
    worker =
        std::make_unique<enforce::EnforcementWorker>(*enforcer, **db, enforce::WorkerOptions{});
    ingest.set_observer(worker.get());
    worker->Start();
  }
  server::ApiContext ctx{db->get(), &ingest, &metrics, &clock, "0.1.0"};
  ctx.detector = detector.get();
  ctx.secure_cookies = o.behind_tls;
  ctx.auth.sessions.idle_timeout_ms = o.session_idle_minutes * 60LL * 1000;
  ctx.auth.sessions.absolute_timeout_ms = o.session_max_hours * 3600LL * 1000;
  server::Api api(ctx);

  server::HttpServerOptions http;
  http.address = o.address;
  http.port = static_cast<std::uint16_t>(o.port);
  http.threads = o.threads;
  http.max_body_bytes = o.ingest.limits.max_body_bytes;
  auto srv = server::HttpServer::Start(
      http, [&api](const server::HttpRequest& req) { return api.Handle(req); });
  if (!srv.ok()) Fail(srv.status());

  std::string host = o.address.find(':') != std::string::npos ? "[" + o.address + "]" : o.address;
  std::printf("Bulwark listening on http://%s:%u (db: %s, schema v%d)\n", host.c_str(),
              (*srv)->port(), o.db.c_str(), (*db)->schema_version());
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
        Status s = policy->Reload();
        std::fprintf(stderr, "bulwark: SIGHUP: policy %s\n",
                     s.ok() ? "reloaded" : ("kept, reload failed: " + s.message()).c_str());
      }
      continue;
    }
    std::fprintf(stderr, "bulwark: received signal %d, shutting down\n", sig);
    break;
  }
  (*srv)->Stop();
  if (worker) worker->Stop();
}

}  // namespace

void AddServeCommand(CLI::App& app) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand(
      "serve",
      "Run the HTTP API (ingest, items, classify, decisions, metrics, OpenAPI).\n"
      "Every ingested item runs through detect -> policy -> the decision log in the background.\n"
      "SIGHUP reloads the detectors (models, lexicon, claims) and the policy without a restart.\n"
      "Example: bulwark serve --db sqlite:bulwark.db --port 8080");
  cmd->add_option("--db", o->db, "Database URL: sqlite:PATH (default sqlite:bulwark.db)");
  cmd->add_option("--address", o->address, "Listen address (default 127.0.0.1)");
  cmd->add_option("--port", o->port, "Listen port; 0 picks a free one (default 8080)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--threads", o->threads, "HTTP worker threads (default 4)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--port-file", o->port_file, "Write the bound port to this file once listening");
  cmd->add_option("--data-dir", o->data_dir,
                  "Directory with lexicon/, claims/ and models/ (default ./data)");
  cmd->add_option("--cache-dir", o->cache_dir,
                  "Where compiled lexicon databases are cached (default ./.bulwark-cache)");
  cmd->add_flag("--no-detectors", o->no_detectors,
                "Serve ingest only; /v1/classify answers 503, nothing is enforced");
  cmd->add_option("--policy", o->policy,
                  "Policy file enforced on every item (default data/policy/default.policy)");
  cmd->add_flag("--no-enforce", o->no_enforce, "Do not run the enforcement pipeline");
  cmd->add_flag("--sync-normal", o->sync_normal,
                "Do not fsync every commit: survives a process crash, not a power loss");
  cmd->add_option("--max-body-bytes", o->ingest.limits.max_body_bytes,
                  "Largest request body accepted (default 16 MiB)");
  cmd->add_option("--max-batch", o->ingest.limits.max_batch,
                  "Most entries in one batch (default 1000)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--max-text-bytes", o->ingest.limits.max_text_bytes,
                  "Largest item text accepted (default 64 KiB)");
  cmd->add_option("--view-sample-rate", o->ingest.view_sample_rate,
                  "Share of views kept in the audit sample log (default 0.01)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--behind-tls", o->behind_tls,
                "Clients reach the server over HTTPS (a TLS-terminating proxy): session cookies "
                "get the Secure attribute");
  cmd->add_option("--session-idle-minutes", o->session_idle_minutes,
                  "A staff session ends after this long without a request (default 30)")
      ->check(CLI::Range(1, 24 * 60));
  cmd->add_option("--session-max-hours", o->session_max_hours,
                  "A staff session ends this long after login in any case (default 12)")
      ->check(CLI::Range(1, 24 * 30));
  cmd->callback([o] { RunServe(*o); });
}

}  // namespace bulwark::cli

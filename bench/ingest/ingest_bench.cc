// Whole-process ingest benchmark.
//
// Starts the real `bulwark serve` (SQLite, durable commits: synchronous=FULL), creates an API
// key, and posts N synthetic items in batches of B over loopback from C keep-alive clients.
// Prints items/s, MB/s, p50/p99 batch latency and the server's peak RSS. In the same run it
// measures the baseline: the same batches written straight into a fresh database through the
// store API (no HTTP, no JSON), and prints the ratio. Finally it checks the answer: the served
// database holds exactly N items.
//
//   ingest_bench [--items N] [--batch B] [--clients C] [--bin PATH] [--sync-normal]

#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/serve_process.h"
#include "ingest/synthetic_posts.h"
#include "store/store.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  int items = 200000;
  int batch = 1000;
  int clients = 2;
  std::string bin = BULWARK_BINARY_PATH;
  bool sync_normal = false;
};

using bulwark::bench::RunCommand;

long PeakRssKb(pid_t pid) { return bulwark::bench::ProcStatusKb(pid, "VmHWM:"); }

long SelfPeakRssKb() { return PeakRssKb(getpid()); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (k == "--items")
      a.items = std::stoi(next());
    else if (k == "--batch")
      a.batch = std::stoi(next());
    else if (k == "--clients")
      a.clients = std::stoi(next());
    else if (k == "--bin")
      a.bin = next();
    else if (k == "--sync-normal")
      a.sync_normal = true;
    else {
      std::fprintf(stderr,
                   "usage: ingest_bench [--items N] [--batch B] [--clients C] [--bin PATH] "
                   "[--sync-normal]\n");
      return 2;
    }
  }
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("bulwark-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string db_url = "sqlite:" + (dir / "bench.db").string();

  // Generate the workload once; the same items feed the server and the baseline.
  std::mt19937_64 rng(7);
  std::vector<bulwark::Item> items(static_cast<size_t>(a.items));
  std::vector<std::string> bodies;
  size_t total_bytes = 0;
  for (int b = 0; b * a.batch < a.items; ++b) {
    std::string body = R"({"items":[)";
    for (int i = b * a.batch; i < std::min(a.items, (b + 1) * a.batch); ++i) {
      auto& it = items[static_cast<size_t>(i)];
      it.id = "post-" + std::to_string(i);
      it.author_id = "user-" + std::to_string(rng() % 20000);
      it.group_id = "group-" + std::to_string(rng() % 300);
      it.group_visibility =
          rng() % 5 == 0 ? bulwark::Visibility::kPrivate : bulwark::Visibility::kPublic;
      it.text = bulwark::bench::SyntheticPost(rng);
      it.lang = "en";
      it.created_at = 1764417600000;
      if (i != b * a.batch) body += ',';
      body += R"({"id":")" + it.id + R"(","author_id":")" + it.author_id + R"(","group_id":")" +
              it.group_id + R"(","group_visibility":")" +
              std::string(bulwark::VisibilityName(it.group_visibility)) +
              R"(","lang":"en","text":)";
      bulwark::bench::AppendJsonString(&body, it.text);
      body += R"(,"created_at":"2025-11-29T12:00:00Z"})";
    }
    body += "]}";
    total_bytes += body.size();
    bodies.push_back(std::move(body));
  }

  // Baseline: the store alone, same batches, same durability.
  double baseline_rate = 0;
  {
    bulwark::store::OpenOptions o;
    o.synchronous_full = !a.sync_normal;
    auto db = bulwark::store::OpenDatabase("sqlite:" + (dir / "baseline.db").string(), o);
    if (!db.ok()) {
      std::fprintf(stderr, "baseline open failed: %s\n", db.status().ToString().c_str());
      return 1;
    }
    auto t0 = Clock::now();
    for (size_t off = 0; off < items.size(); off += static_cast<size_t>(a.batch)) {
      size_t n = std::min(items.size() - off, static_cast<size_t>(a.batch));
      auto r = (*db)->items().UpsertItems(std::span(items).subspan(off, n), 1);
      if (!r.ok()) {
        std::fprintf(stderr, "baseline failed: %s\n", r.status().ToString().c_str());
        return 1;
      }
    }
    baseline_rate = a.items / std::chrono::duration<double>(Clock::now() - t0).count();
  }

  std::string key = RunCommand(a.bin + " keys create --db " + db_url + " --name bench 2>/dev/null");
  key = key.substr(0, key.find('\n'));
  // Ingest only: the detectors have their own benchmark.
  std::vector<std::string> args = {"--db", db_url, "--threads", "4", "--no-detectors"};
  if (a.sync_normal) args.push_back("--sync-normal");
  const auto server = bulwark::bench::StartServe(a.bin, args, (dir / "port").string());
  if (server.port == 0) {
    std::fprintf(stderr, "server did not start\n");
    return 1;
  }
  const pid_t pid = server.pid;
  const int port = server.port;

  std::atomic<size_t> next{0};
  std::atomic<int> failures{0};
  std::vector<std::vector<double>> latencies(static_cast<size_t>(a.clients));
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < a.clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_read_timeout(60, 0);
      httplib::Headers h = {{"Authorization", "Bearer " + key}};
      for (size_t i = next++; i < bodies.size(); i = next++) {
        auto s = Clock::now();
        auto r = client.Post("/v1/items", h, bodies[i], "application/json");
        latencies[static_cast<size_t>(c)].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - s).count());
        if (!r || r->status != 200) {
          ++failures;
          if (r) std::fprintf(stderr, "batch %zu: HTTP %d %s\n", i, r->status, r->body.c_str());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  long server_rss = PeakRssKb(pid);
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);

  std::vector<double> all;
  for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
  bulwark::store::OpenOptions o;
  o.migrate = false;
  auto db = bulwark::store::OpenDatabase(db_url, o);
  long long stored = -1;
  if (db.ok()) {
    auto stats = (*db)->Stats();
    if (stats.ok()) {
      for (const auto& t : stats->tables) {
        if (t.table == "items") stored = t.rows;
      }
    }
  }
  double rate = a.items / secs;
  std::printf("ingest_bench: %d items, batches of %d, %d clients, %s commits\n", a.items, a.batch,
              a.clients, a.sync_normal ? "synchronous=NORMAL" : "durable (synchronous=FULL)");
  std::printf("  http ingest        %10.0f items/s  %6.1f MB/s  in %.2fs\n", rate,
              total_bytes / secs / 1e6, secs);
  std::printf("  batch latency      p50 %.1f ms  p99 %.1f ms  (%zu batches)\n",
              Percentile(all, 0.5), Percentile(all, 0.99), all.size());
  std::printf("  server peak RSS    %.1f MB\n", server_rss / 1024.0);
  std::printf("  baseline (store)   %10.0f items/s  (same batches, no HTTP/JSON)\n", baseline_rate);
  std::printf("  ratio http/store   %10.2f\n", rate / baseline_rate);
  std::printf("  bench peak RSS     %.1f MB\n", SelfPeakRssKb() / 1024.0);
  std::printf("  check              %lld items stored, %d failed batches: %s\n", stored,
              failures.load(), stored == a.items && failures == 0 ? "OK" : "MISMATCH");
  fs::remove_all(dir);
  return stored == a.items && failures == 0 ? 0 : 1;
}

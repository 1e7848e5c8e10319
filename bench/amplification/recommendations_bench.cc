// The amplification guard under load (loopback only, bounded in time).
//
// Seeds a SQLite database with --items items (default 200,000) and a decision log that blocks
// 10% of them, labels 5% and sends 5% to review, starts `bulwark serve` on it (no enforcement,
// the guard follows the log), then, for --rounds rounds of --seconds seconds per phase with
// --clients client threads each sending its next request as soon as the last is answered:
//   check x1      POST /v1/recommendations/check with 1 candidate       the baseline
//   check x1000   the same with 1,000 candidates (a recommender's page)
// Candidates are drawn from every state and from ids never seen. Prints requests/s, p50 and p99
// latency per phase, the 1000/1 ratio, any non-200 answer (must be none), the server's peak RSS
// and the in-process cost of the guard's lookup of 1,000 ids (no HTTP, no JSON).
//
//   recommendations_bench [--items N] [--seconds S] [--rounds R] [--clients C] [--threads T]
//                         [--bin PATH]

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "amplification/follower.h"
#include "amplification/guard.h"
#include "common/closed_loop.h"
#include "common/serve_process.h"
#include "store/store.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  int items = 200000;
  int seconds = 5;
  int rounds = 3;
  int clients = 2;
  int threads = 2;
  std::string bin = BULWARK_BINARY_PATH;
};

struct Phase {
  std::string name;
  int candidates = 1;
  bulwark::bench::PhaseResult result;
};

std::string ItemId(int i) { return "item-" + std::to_string(i); }

// A request body of `n` candidates: ids over the seeded items and 10% never seen.
std::string Body(int n, int items, std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, items + items / 10);
  std::string body = "{\"candidates\":[";
  for (int i = 0; i < n; ++i) {
    if (i) body += ',';
    body += "{\"type\":\"item\",\"id\":\"" + ItemId(pick(rng)) + "\"}";
  }
  return body + "]}";
}

void RunPhase(Phase& p, int port, const std::string& key, const Args& a) {
  std::vector<std::vector<std::string>> bodies(static_cast<size_t>(a.clients));
  for (int t = 0; t < a.clients; ++t) {
    std::mt19937 rng(static_cast<unsigned>(1234 + t));
    for (int b = 0; b < 64; ++b) bodies[t].push_back(Body(p.candidates, a.items, rng));
  }
  const httplib::Headers auth = {{"Authorization", "Bearer " + key}};
  bulwark::bench::RunClosedLoop(
      port, a.clients, a.seconds, &p.result, [&](httplib::Client& c, int t, size_t i) {
        const auto& mine = bodies[static_cast<size_t>(t)];
        return c.Post("/v1/recommendations/check", auth, mine[i % mine.size()], "application/json");
      });
}

bool Seed(const std::string& db_url, int n) {
  auto db = bulwark::store::OpenDatabase(db_url, {});
  if (!db.ok()) return false;
  constexpr int kBatch = 5000;
  for (int from = 0; from < n; from += kBatch) {
    std::vector<bulwark::Item> items;
    std::vector<bulwark::Decision> ds;
    for (int i = from; i < std::min(n, from + kBatch); ++i) {
      bulwark::Item it;
      it.id = ItemId(i);
      it.author_id = "u" + std::to_string(i % 5000);
      it.text = "seeded item";
      it.created_at = 1'700'000'000'000;
      items.push_back(std::move(it));
      const int bucket = i % 20;  // 0-1: remove, 2: label, 3: review
      if (bucket > 3) continue;
      bulwark::Decision d;
      d.item_id = ItemId(i);
      d.item_revision = 1;
      d.action = bucket < 2    ? bulwark::ActionType::kRemove
                 : bucket == 2 ? bulwark::ActionType::kLabel
                               : bulwark::ActionType::kReview;
      d.category = "hate";
      d.rule_id = "bench.rule";
      d.actor = "system";
      d.reason = "bench: seeded";
      d.evidence = "{}";
      d.created_at = 1'700'000'000'000;
      ds.push_back(std::move(d));
    }
    if (!(*db)->items().UpsertItems(items, 1).ok()) return false;
    if (!(*db)->decisions().AppendDecisions(std::move(ds)).ok()) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string f = argv[i];
    const int v = std::atoi(argv[i + 1]);
    if (f == "--items") {
      a.items = v;
    } else if (f == "--seconds") {
      a.seconds = v;
    } else if (f == "--rounds") {
      a.rounds = v;
    } else if (f == "--clients") {
      a.clients = v;
    } else if (f == "--threads") {
      a.threads = v;
    } else if (f == "--bin") {
      a.bin = argv[i + 1];
    } else {
      std::fprintf(stderr, "unknown flag %s\n", f.c_str());
      return 2;
    }
  }
  a.items = std::clamp(a.items, 1000, 5'000'000);
  a.seconds = std::clamp(a.seconds, 1, 120);
  a.rounds = std::clamp(a.rounds, 1, 10);
  a.clients = std::clamp(a.clients, 1, 64);

  const auto dir = std::filesystem::temp_directory_path() /
                   ("bulwark-recommendations-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = "sqlite:" + (dir / "bench.db").string();
  const auto seed_start = Clock::now();
  if (!Seed(db, a.items)) {
    std::fprintf(stderr, "seeding failed\n");
    return 1;
  }
  const double seed_s = std::chrono::duration<double>(Clock::now() - seed_start).count();

  // The guard's lookup alone, in this process, over the same log.
  double lookup_us = 0;
  {
    auto opened = bulwark::store::OpenDatabase(db, {});
    if (!opened.ok()) return 1;
    bulwark::amplification::AmplificationGuard guard;
    bulwark::amplification::LogFollower follower((*opened)->decisions(), guard);
    const auto t0 = Clock::now();
    if (!follower.CatchUp().ok()) return 1;
    std::printf("guard built from the log: %lld entries, %zu items tracked, %.2f s\n",
                static_cast<long long>(guard.as_of_seq()), guard.tracked_items(),
                std::chrono::duration<double>(Clock::now() - t0).count());
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> pick(0, a.items + a.items / 10);
    std::vector<std::string> ids;
    for (int i = 0; i < 1000; ++i) ids.push_back(ItemId(pick(rng)));
    std::vector<std::string_view> views(ids.begin(), ids.end());
    std::vector<bulwark::amplification::Answer> out;
    constexpr int kReps = 2000;
    const auto l0 = Clock::now();
    long blocked = 0;
    for (int r = 0; r < kReps; ++r) {
      guard.CheckItems(views, &out);
      blocked += out[static_cast<size_t>(r) % out.size()].verdict ==
                 bulwark::amplification::Verdict::kBlock;
    }
    lookup_us = std::chrono::duration<double, std::micro>(Clock::now() - l0).count() / kReps;
    if (blocked < 0) return 1;  // keeps the loop
  }

  std::string key =
      bulwark::bench::RunCommand(a.bin + " keys create --db " + db + " --name bench 2>/dev/null");
  key = key.substr(0, key.find('\n'));
  if (key.empty()) {
    std::fprintf(stderr, "could not create a key with %s\n", a.bin.c_str());
    return 1;
  }
  const auto server = bulwark::bench::StartServe(
      a.bin,
      {"--db", db, "--threads", std::to_string(a.threads), "--no-enforce", "--ingest-rate", "0",
       "--insecure-http", "--no-detectors"},
      (dir / "port").string(), std::chrono::seconds(120));
  if (server.port == 0) {
    std::fprintf(stderr, "server did not start\n");
    return 1;
  }
  std::vector<Phase> phases = {{"check x1", 1}, {"check x1000", 1000}};
  for (Phase& p : phases) {  // warm-up
    Phase warm = {p.name, p.candidates, {}};
    Args once = a;
    once.seconds = 1;
    RunPhase(warm, server.port, key, once);
  }
  for (int r = 0; r < a.rounds; ++r) {
    for (Phase& p : phases) RunPhase(p, server.port, key, a);
  }
  const long peak_kb = bulwark::bench::ProcStatusKb(server.pid, "VmHWM:");
  kill(server.pid, SIGTERM);
  waitpid(server.pid, nullptr, 0);
  std::filesystem::remove_all(dir);

  std::printf(
      "recommendations_bench: %d items (seeded in %.1f s), %d rounds x %d s per phase, "
      "%d clients, server threads %d\n",
      a.items, seed_s, a.rounds, a.seconds, a.clients, a.threads);
  std::printf("%-12s %9s %10s %9s %9s %9s %9s\n", "phase", "requests", "req/s", "p50 ms", "p99 ms",
              "vs x1", "non-200");
  const double base = phases[0].result.requests / std::max(1e-9, phases[0].result.seconds);
  long failures = 0;
  for (const Phase& p : phases) {
    const bulwark::bench::PhaseResult& r = p.result;
    const double rate = r.requests / std::max(1e-9, r.seconds);
    std::printf("%-12s %9ld %10.0f %9.3f %9.3f %8.3fx %9ld\n", p.name.c_str(), r.requests, rate,
                bulwark::bench::Percentile(r.latencies_ms, 0.50),
                bulwark::bench::Percentile(r.latencies_ms, 0.99), rate / base, r.failures);
    failures += r.failures;
  }
  std::printf("guard lookup of 1,000 ids in process: %.1f us\n", lookup_us);
  std::printf("server peak RSS: %.1f MB\n", peak_kb / 1024.0);
  return failures == 0 ? 0 : 1;
}

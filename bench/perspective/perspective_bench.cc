// One-comment requests to the Perspective-compatible route against the same-run baseline of
// POST /v1/classify with one text (loopback only, bounded in time).
//
// Starts `bulwark serve` (SQLite, detectors loaded, no enforcement, no rate limits) on
// 127.0.0.1. Then, for --rounds rounds (default 3), runs each of three phases for --seconds
// seconds (default 5) with --clients client threads (default 4), each sending its next request
// as soon as the last one is answered:
//   classify         POST /v1/classify {"texts":[one comment]}           the baseline
//   analyze          POST /v1alpha1/comments:analyze, all six attributes
//   analyze+spans    the same with spanAnnotations (each sentence is scored again)
// Phases alternate within each round so that a noisy neighbour hits all three alike.
//
// Prints per phase: requests, requests/s, p50 and p99 latency, the analyze/classify ratio of
// requests/s, any non-200 answer (must be none) and the server's peak RSS.
//
//   perspective_bench [--seconds S] [--rounds R] [--clients C] [--threads T] [--bin PATH]
//                     [--data-dir DIR]

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "common/closed_loop.h"
#include "common/serve_process.h"

namespace {

struct Args {
  int seconds = 5;
  int rounds = 3;
  int clients = 4;
  int threads = 2;
  std::string bin = BULWARK_BINARY_PATH;
  std::string data_dir = BULWARK_SOURCE_DIR "/data";
};

// Comments of the lengths and kinds a comment system sends: plain, rude, hateful, threatening,
// multi-sentence. Written for this benchmark.
const std::vector<std::string> kComments = {
    "Thanks for the recipe, the cake turned out great.",
    "I disagree with the council's decision on the new bike lanes, but the debate was fair.",
    "You are a complete idiot and nobody wants you here.",
    "This article is garbage. Whoever wrote it should be fired.",
    "Immigrants are ruining this country and should all be sent back.",
    "I will find you and hurt you, watch your back.",
    "Great game last night! The second half was unbelievable. Can't wait for Sunday.",
    "Does anyone know when the library reopens after the holidays?",
    "What a load of crap, this is the worst update they have ever shipped.",
    "My neighbour is Muslim and she is the kindest person on our street.",
    "People like you are vermin and deserve nothing.",
    "The mayor's plan makes no sense. The numbers don't add up. Vote her out in May.",
};

struct Phase {
  std::string name;
  std::string path;
  bool perspective = false;
  bool spans = false;
  bulwark::bench::PhaseResult result;
};

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string Body(const Phase& p, const std::string& text) {
  if (!p.perspective) return "{\"texts\":[" + JsonString(text) + "]}";
  return "{\"comment\":{\"text\":" + JsonString(text) +
         "},\"requestedAttributes\":{\"TOXICITY\":{},\"SEVERE_TOXICITY\":{},"
         "\"IDENTITY_ATTACK\":{},\"INSULT\":{},\"PROFANITY\":{},\"THREAT\":{}},"
         "\"languages\":[\"en\"],\"doNotStore\":true" +
         std::string(p.spans ? ",\"spanAnnotations\":true" : "") + "}";
}

void RunPhase(Phase& p, int port, const std::string& key, const Args& a) {
  const httplib::Headers auth = {{"Authorization", "Bearer " + key}};
  bulwark::bench::RunClosedLoop(
      port, a.clients, a.seconds, &p.result, [&](httplib::Client& c, int t, size_t i) {
        const size_t n = static_cast<size_t>(t) + i * static_cast<size_t>(a.clients);
        return c.Post(p.path.c_str(), auth, Body(p, kComments[n % kComments.size()]),
                      "application/json");
      });
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string f = argv[i];
    if (f == "--seconds")
      a.seconds = std::atoi(argv[i + 1]);
    else if (f == "--rounds")
      a.rounds = std::atoi(argv[i + 1]);
    else if (f == "--clients")
      a.clients = std::atoi(argv[i + 1]);
    else if (f == "--threads")
      a.threads = std::atoi(argv[i + 1]);
    else if (f == "--bin")
      a.bin = argv[i + 1];
    else if (f == "--data-dir")
      a.data_dir = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown flag %s\n", f.c_str());
      return 2;
    }
  }
  a.seconds = std::clamp(a.seconds, 1, 120);
  a.rounds = std::clamp(a.rounds, 1, 10);
  a.clients = std::clamp(a.clients, 1, 64);

  const auto dir =
      std::filesystem::temp_directory_path() / ("bulwark-perspective-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = "sqlite:" + (dir / "bench.db").string();
  std::string key =
      bulwark::bench::RunCommand(a.bin + " keys create --db " + db + " --name bench 2>/dev/null");
  key = key.substr(0, key.find('\n'));
  if (key.empty()) {
    std::fprintf(stderr, "could not create a key with %s\n", a.bin.c_str());
    return 1;
  }
  const auto server = bulwark::bench::StartServe(
      a.bin,
      {"--db", db, "--threads", std::to_string(a.threads), "--data-dir", a.data_dir, "--no-enforce",
       "--classify-rate", "0", "--perspective-rate", "0", "--insecure-http"},
      (dir / "port").string(), std::chrono::seconds(60));
  if (server.port == 0) {
    std::fprintf(stderr, "server did not start\n");
    return 1;
  }
  std::vector<Phase> phases = {{"classify", "/v1/classify"},
                               {"analyze", "/v1alpha1/comments:analyze", true},
                               {"analyze+spans", "/v1alpha1/comments:analyze", true, true}};
  // Warm-up: the first requests pay for scratch allocation and page faults.
  for (Phase& p : phases) {
    Phase warm = {p.name, p.path, p.perspective, p.spans, {}};
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

  std::printf("perspective_bench: %d rounds x %d s per phase, %d clients, server threads %d\n",
              a.rounds, a.seconds, a.clients, a.threads);
  std::printf("%-14s %9s %10s %9s %9s %9s %9s\n", "phase", "requests", "req/s", "p50 ms", "p99 ms",
              "vs base", "non-200");
  const double base = phases[0].result.requests / std::max(1e-9, phases[0].result.seconds);
  long failures = 0;
  for (const Phase& p : phases) {
    const bulwark::bench::PhaseResult& r = p.result;
    const double rate = r.requests / std::max(1e-9, r.seconds);
    std::printf("%-14s %9ld %10.0f %9.3f %9.3f %8.2fx %9ld\n", p.name.c_str(), r.requests, rate,
                bulwark::bench::Percentile(r.latencies_ms, 0.50),
                bulwark::bench::Percentile(r.latencies_ms, 0.99), rate / base, r.failures);
    failures += r.failures;
  }
  std::printf("server peak RSS: %.1f MB\n", peak_kb / 1024.0);
  return failures == 0 ? 0 : 1;
}

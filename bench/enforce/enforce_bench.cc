// enforce_bench: items/s through the whole enforcement pipeline (detect -> policy -> decisions
// appended to the hash-chained log, with the items' progress, in one SQLite transaction per
// batch), against a same-run baseline of detection alone on the same texts; then the latency of
// claiming and deciding every review case the run opened, of the second reviews sampled from
// those decisions, of the agreement/SLA statistics, and the per-batch cost of following the
// active policy version in the database. Checks its answer: every item enforced, the log
// verifies, every second review is one agreement pair.
//
//   enforce_bench [--items N] [--batch B] [--violating-share F]

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "enforce/enforcer.h"
#include "ingest/synthetic_posts.h"
#include "policy/lifecycle.h"
#include "review/service.h"

namespace {

long PeakRssKb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// A few violating templates mixed into the synthetic stream so that decisions are written.
const char* kViolating[] = {
    "I am going to kill you and your family", "muslims are vermin and must be driven out",
    "the election is rigged, vote by text instead", "jews control the banks and the media",
    "you should kill yourself, nobody would miss you"};

}  // namespace

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  namespace fs = std::filesystem;
  int n = 50000, batch = 500;
  double violating = 0.05;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--items") n = std::stoi(argv[i + 1]);
    if (k == "--batch") batch = std::stoi(argv[i + 1]);
    if (k == "--violating-share") violating = std::stod(argv[i + 1]);
  }
  fs::path dir = fs::temp_directory_path() / ("bulwark-enforce-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  using namespace bulwark;
  auto db = std::move(store::OpenDatabase("sqlite:" + (dir / "e.db").string(), {})).value();

  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<Item> items(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    Item& it = items[static_cast<size_t>(i)];
    it.id = "item-" + std::to_string(i);
    it.author_id = "user-" + std::to_string(rng() % 5000);
    it.text =
        u(rng) < violating ? kViolating[rng() % std::size(kViolating)] : bench::SyntheticPost(rng);
    it.created_at = 1;
  }
  for (int off = 0; off < n; off += 1000) {
    auto span = std::span(items).subspan(static_cast<size_t>(off),
                                         static_cast<size_t>(std::min(1000, n - off)));
    if (!db->items().UpsertItems(span, 1).ok()) return 1;
  }

  detect::DetectorConfig dc;
  dc.data_dir = std::string(BULWARK_SOURCE_DIR) + "/data";
  dc.lexicon_cache_dir = (dir / "cache").string();
  detect::DetectorHandle detectors(dc);
  if (!detectors.Reload().ok()) return 1;
  // As serve does: the default policy is imported as the active version and the handle follows
  // the database (one indexed read per batch to see whether another version was activated).
  SystemClock clock;
  {
    auto text =
        policy::ReadPolicyFile(std::string(BULWARK_SOURCE_DIR) + "/data/policy/default.policy");
    if (!text.ok()) return 1;
    policy::Lifecycle lifecycle(db->policies(), clock);
    if (!lifecycle.Bootstrap(*text, "default.policy").ok()) return 1;
  }
  enforce::PolicyHandle policy(db->policies());
  if (!policy.Reload().ok()) return 1;
  auto r0 = Clock::now();
  constexpr int kRefreshes = 2000;
  for (int i = 0; i < kRefreshes; ++i) {
    if (!policy.Refresh().ok()) return 1;
  }
  double refresh_us =
      std::chrono::duration<double, std::micro>(Clock::now() - r0).count() / kRefreshes;

  // Baseline: detection alone on the same texts.
  auto det = detectors.Get();
  detect::DetectorScratch scratch;
  detect::Verdict v;
  auto t0 = Clock::now();
  int flagged = 0;
  for (const Item& it : items) {
    det->Classify(it.text, &scratch, &v);
    flagged += v.any_flagged();
  }
  double detect_secs = std::chrono::duration<double>(Clock::now() - t0).count();

  enforce::Enforcer enforcer(*db, detectors, policy, clock, nullptr);
  enforce::EnforceSummary total;
  t0 = Clock::now();
  for (;;) {
    auto r = enforcer.RunPending(batch);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      return 1;
    }
    if (r->items == 0) break;
    total.items += r->items;
    total.decisions += r->decisions;
  }
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  // Review: one reviewer with every expertise drains every queue the run opened, deciding each
  // case (claim and decide latency); the sampled share opens blind second reviews, which a second
  // reviewer drains (reaching the same outcome 90% of the time); disagreements go to a third
  // reviewer. Then the
  // agreement/SLA statistics and the queue listing are timed.
  auto queue_config =
      review::LoadQueueConfig(std::string(BULWARK_SOURCE_DIR) + "/data/review/queues.json");
  if (!queue_config.ok()) return 1;
  review::ReviewOptions review_options;
  review_options.sampling_key = "enforce-bench";
  review::ReviewService reviews(
      *db, *queue_config, [&policy] { return policy.Get(); }, clock, review_options);
  std::vector<std::string> all_tags;
  for (const auto& q : (*queue_config)->queues) {
    all_tags.insert(all_tags.end(), q.expertise.begin(), q.expertise.end());
  }
  const review::Reviewer first{"bench-first", all_tags, false};
  const review::Reviewer second{"bench-second", all_tags, false};
  const review::Reviewer third{"bench-third", all_tags, false};
  std::vector<double> claim_ms, decide_ms, second_ms;
  long long second_opened = 0, tie_breaks = 0;
  std::uniform_real_distribution<double> coin(0, 1);
  auto drain = [&](const review::Reviewer& who, std::vector<double>* claims,
                   std::vector<double>* decides) {
    for (const auto& q : (*queue_config)->queues) {
      for (;;) {
        auto c0 = Clock::now();
        auto c = reviews.Claim(who, q.id);
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - c0).count();
        if (!c.ok()) break;
        if (claims) claims->push_back(ms);
        // First reviews remove 80%; a (simulated) second reviewer reaches the first one's outcome
        // 90% of the time; tie-breaks remove 50%.
        bool remove = coin(rng) < (c->round == store::kTieBreak ? 0.5 : 0.8);
        if (c->round == store::kSecondReview) {
          auto checked = db->review().GetCase(c->checks_case);
          remove = checked.ok() && (checked->outcome == "remove") == (coin(rng) < 0.9);
        }
        review::ReviewerDecision d{remove ? "remove" : "none",
                                   remove ? "hate.attack" : "no_violation", ""};
        c0 = Clock::now();
        auto r = reviews.Decide(who, c->id, d);
        ms = std::chrono::duration<double, std::milli>(Clock::now() - c0).count();
        if (!r.ok()) {
          std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
          return false;
        }
        decides->push_back(ms);
        second_opened += r->second_review != 0;
        tie_breaks += r->tie_break != 0;
      }
    }
    return true;
  };
  if (!drain(first, &claim_ms, &decide_ms) || !drain(second, nullptr, &second_ms) ||
      !drain(third, nullptr, &second_ms)) {
    return 1;
  }
  auto t_stats = Clock::now();
  auto stats = reviews.Stats(0, clock.NowMillis() + 1);
  const double stats_ms = std::chrono::duration<double, std::milli>(Clock::now() - t_stats).count();
  auto t_list = Clock::now();
  auto listing = reviews.Queues({"bench-admin", {}, true});
  const double list_ms = std::chrono::duration<double, std::milli>(Clock::now() - t_list).count();
  auto pct = [](std::vector<double>& ms, double p) {
    std::sort(ms.begin(), ms.end());
    return ms.empty() ? 0.0 : ms[static_cast<size_t>(p * (ms.size() - 1))];
  };
  auto verify = db->decisions().VerifyLog();
  bool ok = total.items == n && verify.ok() && verify->ok &&
            *db->enforcement().PendingCount() == 0 && stats.ok() && listing.ok() &&
            stats->overall.pairs == second_opened;

  std::printf(
      "enforce_bench: %d items (%.0f%% from violating templates), batches of %d, 1 thread\n", n,
      violating * 100, batch);
  std::printf("  pipeline (detect+policy+log)  %9.0f items/s  %d decisions (%.0f/s)\n",
              total.items / secs, total.decisions, total.decisions / secs);
  std::printf("  baseline (detect only)        %9.0f items/s  (%d flagged)\n", n / detect_secs,
              flagged);
  std::printf("  ratio pipeline/detect         %9.2f\n", (total.items / secs) / (n / detect_secs));
  std::printf("  review claims                 %9zu claims  p50 %.3f ms  p99 %.3f ms (durable)\n",
              claim_ms.size(), pct(claim_ms, 0.5), pct(claim_ms, 0.99));
  std::printf("  review decisions              %9zu first   p50 %.3f ms  p99 %.3f ms (durable)\n",
              decide_ms.size(), pct(decide_ms, 0.5), pct(decide_ms, 0.99));
  std::printf(
      "  second reviews                %9lld opened (%.1f%%), %lld tie-breaks; decide p50 %.3f "
      "ms\n",
      second_opened, decide_ms.empty() ? 0.0 : 100.0 * second_opened / decide_ms.size(), tie_breaks,
      pct(second_ms, 0.5));
  if (stats.ok()) {
    std::printf("  agreement                     %9lld pairs   %.1f%% agree  kappa %s\n",
                static_cast<long long>(stats->overall.pairs), stats->overall.percent,
                stats->overall.kappa ? std::to_string(*stats->overall.kappa).c_str() : "-");
  }
  std::printf("  review stats / queue listing  %9.2f ms    %.2f ms (%zu decided cases)\n", stats_ms,
              list_ms, decide_ms.size() + second_ms.size());
  std::printf("  policy refresh per batch      %9.1f us (active version unchanged)\n", refresh_us);
  std::printf("  peak RSS                      %9.1f MB\n", PeakRssKb() / 1024.0);
  std::printf("  check                         %s (log verified: %lld entries)\n",
              ok ? "OK" : "MISMATCH",
              verify.ok() ? static_cast<long long>(verify->entries_checked) : -1LL);
  db.reset();
  fs::remove_all(dir);
  return ok ? 0 : 1;
}

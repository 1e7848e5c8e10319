// Whole-pipeline scan benchmark: the full detector (normaliser, Hyperscan lexicon, context rules,
// known-claim matching, classifier, ensemble) over 1,000,000 realistic posts on 1 and 2 threads,
// with the raw fastText prediction on the same posts as the floor, in the same run.
// Prints posts/s (total and per thread), the ratio to the fastText floor and peak RSS, then one
// JSON line for scripts. scripts/bench_scan.sh adds the npm baseline and `bulwark scan`.
//
// The floor is fastText's own predict (Classifier::PredictFastText: the classifier's text
// preparation, then fastText's getLine + predict), whatever engine the detector scores with.
// So that the report shows where the speed comes from, the same rounds also time the
// classifier's scoring engine alone (Classifier::Predict: the same preparation, then the linear
// engine) and the text preparation alone; "fastText predict on prepared text" is the floor minus
// the preparation time.
//
//   ninja -C build scan_bench && build/bench/detect/scan_bench
//   options: --posts N (1000000)  --pool N distinct posts cycled (100000)  --threads 1,2
//            --data DIR  --model DIR  --no-classifier  --write-posts FILE  --read-posts FILE
//
// Posts: lengths 20..2,000 bytes (log-uniform), ~5% non-ASCII (bench/ingest/synthetic_posts.h),
// with lexicon-relevant content injected into a minority (hate, negated and quoted hate,
// profanity, threats, identity mentions, known false claims) so every stage does real work.
// The answer is checked: every thread count must flag exactly the same posts.
//
// On a shared machine wall-clock rates move with other people's jobs, so the 1-thread detector,
// the fastText floor, the engine and the preparation run interleaved in 10 rounds, and every
// rate is also given per CPU-second of the worker threads (summed thread CPU time), which is
// what "per core" means.

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "detect/detector.h"
#include "ingest/synthetic_posts.h"
#include "text/language.h"

namespace bulwark::detect {
namespace {

const char* const kInjected[] = {
    "Muslims are vermin",
    "Muslims are not vermin",
    "saying 'jews are parasites' is disgusting",
    "I am a proud gay man",
    "black people",
    "immigrants",
    "this fucking movie is shit",
    "what the hell",
    "i will kill you",
    "i'm going to kill this bug",
    "let's blow up the balloons",
    "you can vote by sending a text message",
    "vaccines cause autism",
    "the holocaust never happened",
    "k1ll all j3ws",
    "kill yourself",
    "1488",
    "we're here, we're queer",
};

std::string Post(std::mt19937_64& rng) {
  std::string s = bench::SyntheticPost(rng);
  std::uniform_real_distribution<double> u(0, 1);
  if (u(rng) < 0.12) {  // 12% carry a lexicon-relevant phrase
    const char* inj = kInjected[rng() % std::size(kInjected)];
    s = u(rng) < 0.5 ? std::string(inj) + ". " + s : s + " " + inj + ".";
  }
  return s;
}

size_t PeakRssKb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<size_t>(ru.ru_maxrss);
}

size_t CurrentRssKb() {
  std::ifstream f("/proc/self/statm");
  size_t pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * (static_cast<size_t>(sysconf(_SC_PAGESIZE)) / 1024);
}

struct Run {
  double seconds = 0;      // wall clock
  double cpu_seconds = 0;  // summed thread CPU time: robust to other jobs on a shared machine
  size_t flagged = 0;
};

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

// Runs scans [begin, end) of the cycled pool on `threads` threads.
template <typename Fn>
Run RunThreads(int threads, size_t begin, size_t total, Fn&& make_worker) {
  std::atomic<size_t> next{begin};
  std::atomic<size_t> flagged{0};
  std::atomic<int64_t> cpu_ns{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      auto work = make_worker();
      double cpu0 = ThreadCpuSeconds();
      size_t local = 0;
      constexpr size_t kChunk = 256;
      for (size_t b; (b = next.fetch_add(kChunk)) < total;) {
        size_t e = std::min(total, b + kChunk);
        for (size_t i = b; i < e; ++i) local += work(i);
      }
      flagged += local;
      cpu_ns += static_cast<int64_t>((ThreadCpuSeconds() - cpu0) * 1e9);
    });
  }
  for (auto& t : pool) t.join();
  Run r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.flagged = flagged;
  r.cpu_seconds = static_cast<double>(cpu_ns.load()) * 1e-9;
  return r;
}

Run& operator+=(Run& a, const Run& b) {
  a.seconds += b.seconds;
  a.cpu_seconds += b.cpu_seconds;
  a.flagged += b.flagged;
  return a;
}

int Main(int argc, char** argv) {
  size_t posts = 1000000, pool_size = 100000;
  std::vector<int> thread_counts = {1, 2};
  DetectorConfig config;
  config.data_dir = std::string(BULWARK_BENCH_SOURCE_DIR) + "/data";
  config.lexicon_cache_dir = BULWARK_BENCH_CACHE_DIR;
  std::string write_posts, read_posts;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--posts") {
      posts = std::stoull(next());
    } else if (a == "--pool") {
      pool_size = std::stoull(next());
    } else if (a == "--threads") {
      thread_counts.clear();
      std::stringstream ss(next());
      for (std::string t; std::getline(ss, t, ',');) thread_counts.push_back(std::stoi(t));
    } else if (a == "--data") {
      config.data_dir = next();
    } else if (a == "--model") {
      config.model_dir = next();
    } else if (a == "--no-classifier") {
      config.enable_classifier = false;
    } else if (a == "--write-posts") {
      write_posts = next();
    } else if (a == "--read-posts") {
      read_posts = next();
    } else {
      std::fprintf(stderr, "unknown option %s (see the header of scan_bench.cc)\n", a.c_str());
      return 2;
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(config.lexicon_cache_dir, ec);

  size_t rss_start = CurrentRssKb();
  auto loaded = Detector::Load(config);
  if (!loaded.ok()) {
    std::fprintf(stderr, "loading the detector: %s\n", loaded.status().ToString().c_str());
    return 1;
  }
  std::shared_ptr<const Detector> det = *loaded;
  size_t rss_detector = CurrentRssKb();
  // The same detector without the attack analyzer and language identification, measured in
  // the same rounds: what those two stages cost.
  DetectorConfig base_config = config;
  base_config.enable_attack = false;
  base_config.enable_language = false;
  auto base_loaded = Detector::Load(base_config);
  if (!base_loaded.ok()) {
    std::fprintf(stderr, "loading the detector: %s\n", base_loaded.status().ToString().c_str());
    return 1;
  }
  std::shared_ptr<const Detector> det_base = *base_loaded;

  // The posts: a pool of distinct posts, cycled to `posts` scans.
  std::vector<std::string> pool;
  if (!read_posts.empty()) {
    std::ifstream in(read_posts);
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object() && j.contains("text") && j["text"].is_string()) pool.push_back(j["text"]);
    }
  } else {
    std::mt19937_64 rng(20261129);
    for (size_t i = 0; i < pool_size; ++i) pool.push_back(Post(rng));
  }
  if (pool.empty()) {
    std::fprintf(stderr, "no posts\n");
    return 1;
  }
  size_t pool_bytes = 0, non_ascii = 0;
  for (const auto& p : pool) {
    pool_bytes += p.size();
    non_ascii += std::any_of(p.begin(), p.end(), [](char c) { return c & 0x80; });
  }
  if (!write_posts.empty()) {
    std::ofstream out(write_posts, std::ios::binary | std::ios::trunc);
    for (size_t i = 0; i < pool.size(); ++i) {
      out << nlohmann::json({{"id", i}, {"text", pool[i]}}).dump() << '\n';
    }
  }
  std::printf("scan_bench: %zu posts (pool of %zu distinct, mean %.0f bytes, %.1f%% non-ASCII)\n",
              posts, pool.size(), static_cast<double>(pool_bytes) / pool.size(),
              100.0 * non_ascii / pool.size());
  std::printf("detector: lexicon %s, model %s, claims %s\n", det->lexicon_version().c_str(),
              det->model_version().c_str(), det->claims_version().c_str());
  std::printf("hardware threads: %u (shared machine: other jobs may be running)\n",
              std::thread::hardware_concurrency());

  nlohmann::json report = {{"posts", posts},
                           {"pool", pool.size()},
                           {"mean_bytes", static_cast<double>(pool_bytes) / pool.size()},
                           {"model", det->model_version()}};
  auto detector_worker = [&] {
    auto scratch = std::make_shared<DetectorScratch>();
    auto v = std::make_shared<Verdict>();
    return [&, scratch, v](size_t i) -> size_t {
      det->Classify(pool[i % pool.size()], scratch.get(), v.get());
      return v->any_flagged() ? 1 : 0;
    };
  };
  auto base_worker = [&] {
    auto scratch = std::make_shared<DetectorScratch>();
    auto v = std::make_shared<Verdict>();
    return [&, scratch, v](size_t i) -> size_t {
      det_base->Classify(pool[i % pool.size()], scratch.get(), v.get());
      return v->any_flagged() ? 1 : 0;
    };
  };
  // The two new stages alone: language identification, and normalisation + attack analysis.
  auto language_worker = [&] {
    return [&](size_t i) -> size_t {
      return text::IdentifyLanguage(pool[i % pool.size()]).code == "en" ? 1 : 0;
    };
  };
  auto attack_worker = [&] {
    auto norm = std::make_shared<text::NormalizedText>();
    auto scratch = std::make_shared<AttackScratch>();
    return [&, norm, scratch](size_t i) -> size_t {
      const std::string& t = pool[i % pool.size()];
      det->normalizer().Normalize(t, norm.get());
      if (det->attack() != nullptr) det->attack()->Analyze(t, *norm, {}, scratch.get());
      return scratch->findings.empty() ? 0 : 1;
    };
  };
  const Classifier* clf = det->classifier();
  auto floor_worker = [&] {
    return [&](size_t i) -> size_t {
      auto s = clf->PredictFastText(pool[i % pool.size()]);
      return s.ok() && s->Probability(ClassLabel::kHate) >= clf->threshold(ClassLabel::kHate);
    };
  };
  auto engine_worker = [&] {
    return [&](size_t i) -> size_t {
      auto s = clf->Predict(pool[i % pool.size()]);
      return s.ok() && s->Probability(ClassLabel::kHate) >= clf->threshold(ClassLabel::kHate);
    };
  };
  auto prepare_worker = [&] {
    return [&](size_t i) -> size_t { return clf->input().Prepare(pool[i % pool.size()]).empty(); };
  };
  // The 1-thread detector, the raw fastText floor, the engine alone and the preparation alone run
  // interleaved in 10 rounds over the same posts, so that load from other jobs hits them alike;
  // the other thread counts run after.
  size_t expect_flagged = SIZE_MAX;
  bool answers_agree = true;
  Run det1, floor1, engine1, prepare1, base1, lang1, attack1;
  const int kRounds = 10;
  for (int r = 0; r < kRounds; ++r) {
    size_t b = posts * r / kRounds, e = posts * (r + 1) / kRounds;
    det1 += RunThreads(1, b, e, detector_worker);
    base1 += RunThreads(1, b, e, base_worker);
    lang1 += RunThreads(1, b, e, language_worker);
    attack1 += RunThreads(1, b, e, attack_worker);
    if (clf) {
      floor1 += RunThreads(1, b, e, floor_worker);
      engine1 += RunThreads(1, b, e, engine_worker);
      prepare1 += RunThreads(1, b, e, prepare_worker);
    }
  }
  auto print = [&](const char* what, int threads, const Run& r) {
    double rate = posts / r.seconds, cpu_rate = posts / r.cpu_seconds;
    std::printf(
        "%s, %d thread(s): %8.0f posts/s wall (%6.0f per thread); %8.0f posts per CPU-second "
        "(%.2f s wall, %.2f s CPU, %zu flagged)\n",
        what, threads, rate, rate / threads, cpu_rate, r.seconds, r.cpu_seconds, r.flagged);
    return nlohmann::json{{"threads", threads},
                          {"posts_per_s", rate},
                          {"posts_per_s_per_thread", rate / threads},
                          {"posts_per_cpu_s", cpu_rate},
                          {"flagged", r.flagged}};
  };
  report["detector_threads_1"] = print("detector, all stages", 1, det1);
  report["detector_without_attack_language"] =
      print("detector without attack analysis and language id", 1, base1);
  std::printf(
      "attack analysis + language id cost: detector runs at %.2fx the rate without them "
      "(CPU)\n",
      base1.cpu_seconds / det1.cpu_seconds);
  report["ratio_to_without_attack_language_cpu"] = base1.cpu_seconds / det1.cpu_seconds;
  report["language_id_alone"] = print("language identification alone (CLD2)", 1, lang1);
  report["attack_alone"] = print("normaliser + attack analysis alone", 1, attack1);
  expect_flagged = det1.flagged;
  for (int threads : thread_counts) {
    if (threads == 1) continue;
    Run r = RunThreads(threads, 0, posts, detector_worker);
    answers_agree &= r.flagged == expect_flagged;
    report["detector_threads_" + std::to_string(threads)] =
        print("detector, all stages", threads, r);
  }
  if (clf) {
    report["fasttext_floor"] =
        print("floor: raw fastText (preparation + fastText predict)", 1, floor1);
    double wall_ratio = floor1.seconds / det1.seconds,
           cpu_ratio = floor1.cpu_seconds / det1.cpu_seconds;
    std::printf("detector / raw fastText floor (1 thread): %.2fx wall, %.2fx CPU\n", wall_ratio,
                cpu_ratio);
    report["ratio_to_floor_wall"] = wall_ratio;
    report["ratio_to_floor_cpu"] = cpu_ratio;
    // Where the speed comes from: the classifier's engine alone, and the preparation alone.
    report["classifier_engine"] =
        print(("classifier alone: preparation + " + std::string(clf->engine()) + " engine").c_str(),
              1, engine1);
    report["preparation"] = print("text preparation alone (normaliser)", 1, prepare1);
    Run ft_only;
    ft_only.seconds = floor1.seconds - prepare1.seconds;
    ft_only.cpu_seconds = floor1.cpu_seconds - prepare1.cpu_seconds;
    ft_only.flagged = floor1.flagged;
    if (ft_only.cpu_seconds > 0 && ft_only.seconds > 0) {
      report["fasttext_prepared"] =
          print("fastText predict on prepared text (floor - preparation)", 1, ft_only);
      std::printf(
          "detector / fastText predict on prepared text (1 thread): %.2fx wall, %.2fx CPU\n",
          ft_only.seconds / det1.seconds, ft_only.cpu_seconds / det1.cpu_seconds);
      report["ratio_to_prepared_floor_cpu"] = ft_only.cpu_seconds / det1.cpu_seconds;
    }
    if (engine1.flagged != floor1.flagged) {
      std::printf("answer check: the engine flagged %zu posts, fastText %zu\n", engine1.flagged,
                  floor1.flagged);
      answers_agree = false;
    } else {
      std::printf("answer check: engine and fastText flagged the same number of posts (%zu)\n",
                  floor1.flagged);
    }
  } else {
    std::printf("floor: no classifier loaded, fastText floor not measured\n");
  }
  size_t peak = PeakRssKb();
  std::printf(
      "RSS: %.0f MB before load, %.0f MB after detector load; peak %.0f MB including the "
      "%.0f MB post pool\n",
      rss_start / 1024.0, rss_detector / 1024.0, peak / 1024.0, pool_bytes / 1048576.0);
  std::printf("answer check: %s\n", answers_agree ? "every thread count flagged the same posts"
                                                  : "MISMATCH between thread counts");
  report["rss_mb_after_load"] = rss_detector / 1024.0;
  report["peak_rss_mb"] = peak / 1024.0;
  report["answers_agree"] = answers_agree;
  std::printf("%s\n", report.dump().c_str());
  return answers_agree ? 0 : 1;
}

}  // namespace
}  // namespace bulwark::detect

int main(int argc, char** argv) { return bulwark::detect::Main(argc, argv); }

// Per-stage benchmarks of the detection pipeline on realistic posts (items/s = posts/s, one
// core): normalise, lexicon match, known-claim match, classify (the linear engine the detector
// uses, and fastText's own predict as the reference), and the whole detector with and without
// the classifier (the difference is the ensemble + context cost on top).
//
//   ninja -C build ensemble_bench && build/bench/detect/ensemble_bench
//
// Each benchmark checks its output (a stage that silently does nothing would look fast): the
// counters report how many posts produced hits / matches / flags.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "detect/detector.h"
#include "ingest/synthetic_posts.h"

namespace bulwark::detect {
namespace {

const char* const kInjected[] = {"Muslims are vermin",
                                 "Muslims are not vermin",
                                 "saying 'jews are parasites' is disgusting",
                                 "I am a proud gay man",
                                 "this fucking movie is shit",
                                 "i will kill you",
                                 "let's blow up the balloons",
                                 "you can vote by sending a text message",
                                 "vaccines cause autism",
                                 "k1ll all j3ws"};

const std::vector<std::string>& Posts() {
  static const std::vector<std::string> posts = [] {
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<std::string> v;
    for (int i = 0; i < 20000; ++i) {
      std::string s = bench::SyntheticPost(rng);
      if (u(rng) < 0.12) s += std::string(" ") + kInjected[rng() % std::size(kInjected)];
      v.push_back(std::move(s));
    }
    return v;
  }();
  return posts;
}

std::shared_ptr<const Detector> Load(bool classifier) {
  DetectorConfig c;
  c.data_dir = std::string(BULWARK_BENCH_SOURCE_DIR) + "/data";
  c.lexicon_cache_dir = BULWARK_BENCH_CACHE_DIR;
  c.enable_classifier = classifier;
  std::error_code ec;
  std::filesystem::create_directories(c.lexicon_cache_dir, ec);
  auto d = Detector::Load(c);
  if (!d.ok()) {
    std::fprintf(stderr, "%s\n", d.status().ToString().c_str());
    std::abort();
  }
  return *d;
}

const Detector& Full() {
  static const std::shared_ptr<const Detector> d = Load(true);
  return *d;
}
const Detector& NoClassifier() {
  static const std::shared_ptr<const Detector> d = Load(false);
  return *d;
}

void Detect_Normalize_Mixed(benchmark::State& state) {
  const auto& posts = Posts();
  text::NormalizedText out;
  size_t i = 0, tokens = 0;
  for (auto _ : state) {
    Full().normalizer().Normalize(posts[i++ % posts.size()], &out);
    tokens += out.tokens.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["tokens_per_post"] = static_cast<double>(tokens) / state.iterations();
}
BENCHMARK(Detect_Normalize_Mixed);

void Detect_Match_Lexicon(benchmark::State& state) {
  const auto& posts = Posts();
  std::vector<text::NormalizedText> norm(posts.size());
  for (size_t k = 0; k < posts.size(); ++k) Full().normalizer().Normalize(posts[k], &norm[k]);
  LexiconScratch scratch;
  std::vector<LexiconHit> hits;
  size_t i = 0, with_hits = 0;
  for (auto _ : state) {
    (void)Full().lexicon().Match(norm[i++ % norm.size()], &scratch, &hits);
    with_hits += !hits.empty();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["posts_with_hits"] = static_cast<double>(with_hits) / state.iterations();
}
BENCHMARK(Detect_Match_Lexicon);

void Detect_Match_Claims(benchmark::State& state) {
  const auto& posts = Posts();
  std::vector<text::NormalizedText> norm(posts.size());
  for (size_t k = 0; k < posts.size(); ++k) Full().normalizer().Normalize(posts[k], &norm[k]);
  auto claims = ClaimMatcher::Load(
      std::string(BULWARK_BENCH_SOURCE_DIR) + "/data/claims/known_false_claims.jsonl",
      Full().normalizer());
  if (!claims.ok()) std::abort();
  ClaimScratch scratch;
  std::vector<ClaimMatch> out;
  size_t i = 0, matched = 0;
  for (auto _ : state) {
    (*claims)->Match(norm[i++ % norm.size()], 0.3, &scratch, &out);
    matched += !out.empty();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["posts_matched"] = static_cast<double>(matched) / state.iterations();
}
BENCHMARK(Detect_Match_Claims);

// Scores prepared texts with `predict` (the engine or fastText's own predict).
template <typename Fn>
void ClassifyPrepared(benchmark::State& state, Fn predict) {
  const Classifier* clf = Full().classifier();
  if (!clf) {
    state.SkipWithError("no classifier bundle under data/models");
    return;
  }
  const auto& posts = Posts();
  std::vector<std::string> prepared;
  for (const auto& p : posts) prepared.push_back(clf->input().Prepare(p));
  size_t i = 0, hate = 0;
  for (auto _ : state) {
    auto r = predict(*clf, prepared[i++ % prepared.size()]);
    hate += r.ok() && r->Probability(ClassLabel::kHate) >= clf->threshold(ClassLabel::kHate);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["over_hate_threshold"] = static_cast<double>(hate) / state.iterations();
}

// Scores raw posts: the classifier's text preparation, then `predict`.
template <typename Fn>
void ClassifyRaw(benchmark::State& state, Fn predict) {
  const Classifier* clf = Full().classifier();
  if (!clf) {
    state.SkipWithError("no classifier bundle under data/models");
    return;
  }
  const auto& posts = Posts();
  size_t i = 0, ok = 0;
  for (auto _ : state) ok += predict(*clf, posts[i++ % posts.size()]).ok();
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["ok"] = static_cast<double>(ok) / state.iterations();
}

// The linear engine (what the detector uses) on prepared text.
void Detect_Classify_EnginePrepared(benchmark::State& state) {
  ClassifyPrepared(state,
                   [](const Classifier& c, std::string_view t) { return c.PredictPrepared(t); });
}
BENCHMARK(Detect_Classify_EnginePrepared);

// fastText's own predict (getLine + predict) on the same prepared text: the reference.
void Detect_Classify_FastTextPrepared(benchmark::State& state) {
  ClassifyPrepared(
      state, [](const Classifier& c, std::string_view t) { return c.PredictPreparedFastText(t); });
}
BENCHMARK(Detect_Classify_FastTextPrepared);

// Text preparation + the engine.
void Detect_Classify_EngineRaw(benchmark::State& state) {
  ClassifyRaw(state, [](const Classifier& c, std::string_view t) { return c.Predict(t); });
}
BENCHMARK(Detect_Classify_EngineRaw);

// Text preparation + fastText's own predict: the raw fastText floor of scan_bench.
void Detect_Classify_FastTextRaw(benchmark::State& state) {
  ClassifyRaw(state, [](const Classifier& c, std::string_view t) { return c.PredictFastText(t); });
}
BENCHMARK(Detect_Classify_FastTextRaw);

void RunDetector(benchmark::State& state, const Detector& d) {
  const auto& posts = Posts();
  DetectorScratch scratch;
  Verdict v;
  size_t i = 0, flagged = 0;
  for (auto _ : state) {
    d.Classify(posts[i++ % posts.size()], &scratch, &v);
    flagged += v.any_flagged();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["flagged"] = static_cast<double>(flagged) / state.iterations();
}

void Detect_Ensemble_NoClassifier(benchmark::State& state) { RunDetector(state, NoClassifier()); }
BENCHMARK(Detect_Ensemble_NoClassifier);

void Detect_Ensemble_All(benchmark::State& state) { RunDetector(state, Full()); }
BENCHMARK(Detect_Ensemble_All);

}  // namespace
}  // namespace bulwark::detect

BENCHMARK_MAIN();

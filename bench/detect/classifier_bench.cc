// Classify_Predict_{Short,Long}: calibrated predictions per second, single thread, through
// Classifier::Predict (text preparation + the linear scoring engine + calibration),
// Classify_PredictFastText_* the same through fastText's own predict
// (Classifier::PredictFastText), and the raw fastText predictLine rate on the same prepared
// inputs as the floor (Classify_FastTextPredictLine_*).
//
// Model: $BULWARK_CLASSIFIER_MODEL, else the shipped bundle data/models/hate-ft-v1.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fasttext/fasttext.h>

#include "detect/classifier.h"

namespace bulwark::detect {
namespace {

std::filesystem::path ModelDir() {
  if (const char* m = std::getenv("BULWARK_CLASSIFIER_MODEL")) return m;
  return std::filesystem::path(BULWARK_SOURCE_DIR) / "data" / "models" / "hate-ft-v1";
}

// Deterministic social-media-like texts: ~15 words (short) or ~180 words (long).
std::vector<std::string> Texts(int words, int count) {
  static const char* kWords[] = {
      "the",           "people", "really", "think",   "about",   "this",   "week",   "game",
      "lol",           "why",    "would",  "anyone",  "vote",    "for",    "them",   "vaccine",
      "news",          "love",   "hate",   "those",   "guys",    "never",  "again",  "@user",
      "http://t.co/x", "RT",     "great",  "stupid",  "country", "school", "they",   "are",
      "all",           "same",   "!!",     "morning", "coffee",  "city",   "police", "border",
      "women",         "men",    "church", "friends"};
  std::mt19937 rng(12345);
  std::uniform_int_distribution<size_t> pick(0, std::size(kWords) - 1);
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    std::string t;
    for (int w = 0; w < words; ++w) {
      if (w) t += ' ';
      t += kWords[pick(rng)];
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::shared_ptr<const Classifier> LoadOrSkip(benchmark::State& state) {
  auto clf = Classifier::Load(ModelDir());
  if (!clf.ok()) {
    state.SkipWithError(("no model bundle: " + clf.status().ToString()).c_str());
    return nullptr;
  }
  return *clf;
}

template <typename Fn>
void PredictBench(benchmark::State& state, int words, Fn predict) {
  auto clf = LoadOrSkip(state);
  if (!clf) return;
  const auto texts = Texts(words, 1024);
  size_t i = 0, bytes = 0;
  double checksum = 0;
  for (auto _ : state) {
    const std::string& t = texts[i++ & 1023];
    auto r = predict(*clf, t);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      return;
    }
    checksum += r->Probability(ClassLabel::kHate);
    bytes += t.size();
  }
  if (!(checksum >= 0)) state.SkipWithError("bad probabilities");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void FastTextBench(benchmark::State& state, int words) {
  auto clf = LoadOrSkip(state);
  if (!clf) return;
  fasttext::FastText ft;
  try {
    ft.loadModel((ModelDir() / clf->manifest().model_file).string());
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  std::vector<std::string> prepared;
  for (const auto& t : Texts(words, 1024)) prepared.push_back(clf->input().Prepare(t) + "\n");
  std::vector<std::pair<fasttext::real, std::string>> predictions;
  size_t i = 0, found = 0;
  for (auto _ : state) {
    std::istringstream in(prepared[i++ & 1023]);
    ft.predictLine(in, predictions, -1, 0.0);
    found += predictions.size();
  }
  if (found == 0) state.SkipWithError("fastText returned no predictions");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

Result<ClassifierScores> Engine(const Classifier& c, std::string_view t) { return c.Predict(t); }
Result<ClassifierScores> Reference(const Classifier& c, std::string_view t) {
  return c.PredictFastText(t);
}

void Classify_Predict_Short(benchmark::State& s) { PredictBench(s, 15, Engine); }
void Classify_Predict_Long(benchmark::State& s) { PredictBench(s, 180, Engine); }
void Classify_PredictFastText_Short(benchmark::State& s) { PredictBench(s, 15, Reference); }
void Classify_PredictFastText_Long(benchmark::State& s) { PredictBench(s, 180, Reference); }
void Classify_FastTextPredictLine_Short(benchmark::State& s) { FastTextBench(s, 15); }
void Classify_FastTextPredictLine_Long(benchmark::State& s) { FastTextBench(s, 180); }
BENCHMARK(Classify_Predict_Short);
BENCHMARK(Classify_Predict_Long);
BENCHMARK(Classify_PredictFastText_Short);
BENCHMARK(Classify_PredictFastText_Long);
BENCHMARK(Classify_FastTextPredictLine_Short);
BENCHMARK(Classify_FastTextPredictLine_Long);

}  // namespace
}  // namespace bulwark::detect

BENCHMARK_MAIN();

// Lexicon matching throughput on realistic posts (items/s = posts/s, one core).
//
//   ninja -C build-text lexicon_bench && build-text/bench/detect/lexicon_bench
//
// Uses data/lexicon (the shipped lexicon) when present, else the test lexicon. The compiled
// database is cached in the build tree, so only the first run pays the compile.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "detect/lexicon.h"

namespace bulwark::detect {
namespace {

std::string LexiconDir() {
  std::string shipped = std::string(BULWARK_BENCH_SOURCE_DIR) + "/data/lexicon";
  if (std::filesystem::is_directory(shipped)) return shipped;
  return std::string(BULWARK_BENCH_SOURCE_DIR) + "/tests/detect/testdata/lexicon";
}

LexiconOptions CachedOptions() {
  LexiconOptions o;
  o.cache_dir = BULWARK_BENCH_CACHE_DIR;
  std::error_code ec;
  std::filesystem::create_directories(o.cache_dir, ec);
  return o;
}

const Lexicon& Get() {
  static const std::shared_ptr<const Lexicon> lex = [] {
    auto n = text::Normalizer::Create();
    if (!n.ok()) std::abort();
    auto r = Lexicon::Load(LexiconDir(), std::shared_ptr<const text::Normalizer>(std::move(*n)),
                           CachedOptions());
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      std::abort();
    }
    return *r;
  }();
  return *lex;
}

const char* const kWords[] = {
    "the",  "people",  "should",  "vote",   "on",    "tuesday", "and",    "I",        "think",
    "this", "is",      "great",   "news",   "for",   "our",     "town",   "LOL",      "what",
    "a",    "game",    "last",    "night",  "can't", "believe", "it!",    "weather",  "today",
    "city", "council", "meeting", "school", "kids",  "love",    "pizza",  "#tag",     "@user",
    "2024", "hello,",  "world.",  "really", "nice",  "photo",   "thanks", "everyone", "music"};
const char* const kEvil[] = {"k1ll yourself", "1488",       "vermin",          "r e t a r d",
                             "globalists",    "(((them)))", "i will kill you", "\u043A\u0456ll"};

// ~95% benign posts of 20..2000 bytes; 5% contain a lexicon term; 5% carry non-ASCII.
std::vector<std::string> Posts() {
  std::mt19937 rng(42);
  std::vector<std::string> v;
  for (int i = 0; i < 512; ++i) {
    size_t len = 20 + rng() % 280;
    if (rng() % 10 == 0) len = 300 + rng() % 1700;
    std::string s;
    while (s.size() < len) {
      if (!s.empty()) s += ' ';
      s += kWords[rng() % (sizeof kWords / sizeof kWords[0])];
    }
    if (rng() % 20 == 0) s += std::string(" ") + kEvil[rng() % (sizeof kEvil / sizeof kEvil[0])];
    if (rng() % 20 == 0) s += " caf\u00E9 \U0001F602";
    v.push_back(std::move(s));
  }
  return v;
}

void Lexicon_Match_Realistic(benchmark::State& state) {
  const Lexicon& lex = Get();
  std::vector<text::NormalizedText> texts;
  size_t bytes = 0;
  for (const std::string& p : Posts()) {
    texts.push_back(lex.normalizer().Normalize(p));
    bytes += p.size();
  }
  LexiconScratch scratch;
  std::vector<LexiconHit> hits;
  size_t total = 0;
  for (const auto& t : texts) {
    if (!lex.Match(t, &scratch, &hits).ok()) state.SkipWithError("match failed");
    total += hits.size();
  }
  if (total == 0) state.SkipWithError("expected some hits");
  for (auto _ : state) {
    for (const auto& t : texts) {
      (void)lex.Match(t, &scratch, &hits);
      benchmark::DoNotOptimize(hits.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * texts.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["entries"] = static_cast<double>(lex.entries().size());
}

void Lexicon_NormalizeAndMatch_Realistic(benchmark::State& state) {
  const Lexicon& lex = Get();
  const std::vector<std::string> posts = Posts();
  size_t bytes = 0;
  for (const auto& p : posts) bytes += p.size();
  LexiconScratch scratch;
  text::NormalizedText nt;
  std::vector<LexiconHit> hits;
  for (auto _ : state) {
    for (const auto& p : posts) {
      lex.normalizer().Normalize(p, &nt);
      (void)lex.Match(nt, &scratch, &hits);
      benchmark::DoNotOptimize(hits.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * posts.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

void Lexicon_Load_Cached(benchmark::State& state) {
  Get();  // makes sure the cache file exists
  auto n = text::Normalizer::Create();
  std::shared_ptr<const text::Normalizer> norm(std::move(*n));
  for (auto _ : state) {
    auto r = Lexicon::Load(LexiconDir(), norm, CachedOptions());
    if (!r.ok() || !(*r)->loaded_from_cache()) state.SkipWithError("expected a cache hit");
  }
}

BENCHMARK(Lexicon_Match_Realistic);
BENCHMARK(Lexicon_NormalizeAndMatch_Realistic);
BENCHMARK(Lexicon_Load_Cached)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace bulwark::detect

BENCHMARK_MAIN();

// Normaliser throughput. Each benchmark checks its output once and reports bytes/s and
// items/s (one item = one post).
//
//   ninja -C build-text text_bench && build-text/bench/text/text_bench

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "text/normalizer.h"

namespace bulwark::text {
namespace {

const Normalizer& Get() {
  static const Normalizer* n = [] {
    auto r = Normalizer::Create();
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
      std::abort();
    }
    return std::move(r).value().release();
  }();
  return *n;
}

const char* const kAsciiWords[] = {
    "the",  "people", "should", "vote",   "on",      "tuesday",
    "and",  "I",      "think",  "this",   "is",      "great",
    "news", "for",    "our",    "town",   "LOL",     "what",
    "a",    "game",   "last",   "night",  "can't",   "believe",
    "it!",  "k1ll",   "r3t4rd", "hello,", "world.",  "https://example.com/x",
    "#tag", "@user",  "2024",   "88",     "kiiiill",
};
const char* const kMixedWords[] = {
    "the",
    "\u043A\u0456ll",
    "\u043F\u0440\u0438\u0432\u0435\u0442",
    "\U0001F602",
    "caf\u00E9",
    "\uFF2B\uFF29\uFF2C\uFF2C",
    "\u0645\u0631\u062D\u0628\u0627",
    "\u05E9\u05DC\u05D5\u05DD",
    "\u4F60\u597D",
    "na\u00EFve",
    "stra\u00DFe",
    "k\u200Bi\u200Bl\u200Bl",
    "\U0001F44D\U0001F3FD",
    "\U0001D424\U0001D422\U0001D425\U0001D425",
    "hello",
    "world",
    "news",
    "today",
};

template <size_t N>
std::string MakeText(const char* const (&words)[N], size_t bytes, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s;
  while (s.size() < bytes) {
    if (!s.empty()) s += ' ';
    s += words[rng() % N];
  }
  return s;
}

void Run(benchmark::State& state, const std::vector<std::string>& posts) {
  NormalizedText out;
  size_t bytes = 0;
  for (const auto& p : posts) bytes += p.size();
  // Check the answer once: every post yields tokens with in-range spans.
  for (const auto& p : posts) {
    Get().Normalize(p, &out);
    if (out.tokens.empty() || out.tokens.back().orig_end > p.size()) {
      state.SkipWithError("unexpected normaliser output");
      return;
    }
  }
  for (auto _ : state) {
    for (const auto& p : posts) {
      Get().Normalize(p, &out);
      benchmark::DoNotOptimize(out.text.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * posts.size()));
}

std::vector<std::string> Posts(bool mixed, size_t bytes, size_t count) {
  std::vector<std::string> v;
  for (size_t i = 0; i < count; ++i) {
    v.push_back(mixed ? MakeText(kMixedWords, bytes, static_cast<uint32_t>(i))
                      : MakeText(kAsciiWords, bytes, static_cast<uint32_t>(i)));
  }
  return v;
}

void Normalize_Ascii_Short(benchmark::State& s) { Run(s, Posts(false, 80, 64)); }
void Normalize_Ascii_Long(benchmark::State& s) { Run(s, Posts(false, 2000, 16)); }
void Normalize_Mixed_Short(benchmark::State& s) { Run(s, Posts(true, 80, 64)); }
void Normalize_Mixed_Long(benchmark::State& s) { Run(s, Posts(true, 2000, 16)); }
void Normalize_Ascii_1MiB(benchmark::State& s) { Run(s, Posts(false, 1 << 20, 1)); }

// The detector's expected traffic: 20..2000-byte posts, ~95% of them pure ASCII.
void Normalize_Realistic_Mix(benchmark::State& s) {
  std::mt19937 rng(7);
  std::vector<std::string> v;
  for (int i = 0; i < 256; ++i) {
    size_t len = 20 + rng() % 400;
    if (rng() % 10 == 0) len = 500 + rng() % 1500;
    bool mixed = rng() % 20 == 0;
    v.push_back(mixed ? MakeText(kMixedWords, len, rng()) : MakeText(kAsciiWords, len, rng()));
  }
  Run(s, v);
}

void Normalize_Create(benchmark::State& state) {
  for (auto _ : state) {
    auto r = Normalizer::Create();
    benchmark::DoNotOptimize(r.ok());
  }
}

BENCHMARK(Normalize_Ascii_Short);
BENCHMARK(Normalize_Ascii_Long);
BENCHMARK(Normalize_Mixed_Short);
BENCHMARK(Normalize_Mixed_Long);
BENCHMARK(Normalize_Ascii_1MiB);
BENCHMARK(Normalize_Realistic_Mix);
BENCHMARK(Normalize_Create)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace bulwark::text

BENCHMARK_MAIN();

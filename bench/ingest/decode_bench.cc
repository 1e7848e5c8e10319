// Decode_Items_Batch<N>: decoding and validating a JSON batch of N items (simdjson DOM plus
// Bulwark's strict validation). Reports items/s and bytes/s; checks the decoded count.

#include <benchmark/benchmark.h>

#include <random>

#include "ingest/codec.h"
#include "ingest/synthetic_posts.h"

namespace {

std::string MakeBatch(int n) {
  std::mt19937_64 rng(42);
  std::string body = R"({"items":[)";
  for (int i = 0; i < n; ++i) {
    if (i) body += ',';
    body += R"({"id":"post-)" + std::to_string(i) + R"(","kind":"post","author_id":"user-)" +
            std::to_string(rng() % 5000) + R"(","group_id":"g-)" + std::to_string(rng() % 50) +
            R"(","group_visibility":"public","text":)";
    bulwark::bench::AppendJsonString(&body, bulwark::bench::SyntheticPost(rng));
    body += R"(,"lang":"en","created_at":"2026-11-29T12:00:00Z"})";
  }
  return body + "]}";
}

void Decode_Items_Batch(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string body = MakeBatch(n);
  bulwark::ingest::IngestLimits limits;
  limits.max_batch = static_cast<size_t>(n);
  for (auto _ : state) {
    auto r = bulwark::ingest::DecodeItemBatch(body, limits);
    if (!r.ok() || static_cast<int>(r->size()) != n) {
      state.SkipWithError("decode failed");
      break;
    }
    benchmark::DoNotOptimize(r->data());
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}
BENCHMARK(Decode_Items_Batch)->Arg(1)->Arg(100)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();

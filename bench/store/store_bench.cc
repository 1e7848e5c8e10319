// Store_UpsertItems_<Sync>: new items written through the store API in batches of 1,000, one
// transaction each, on a fresh SQLite database. Checks the row count at the end.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "ingest/synthetic_posts.h"
#include "store/store.h"

namespace {

void Store_UpsertItems(benchmark::State& state, bool sync_full) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("bulwark-store-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  bulwark::store::OpenOptions o;
  o.synchronous_full = sync_full;
  auto db = bulwark::store::OpenDatabase("sqlite:" + (dir / "b.db").string(), o);
  if (!db.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  std::mt19937_64 rng(1);
  std::vector<bulwark::Item> batch(1000);
  for (auto& it : batch) {
    it.author_id = "user-" + std::to_string(rng() % 20000);
    it.group_id = "group-" + std::to_string(rng() % 300);
    it.text = bulwark::bench::SyntheticPost(rng);
    it.created_at = 1;
  }
  long next = 0;
  for (auto _ : state) {
    for (auto& it : batch) it.id = "post-" + std::to_string(next++);
    auto r = (*db)->items().UpsertItems(batch, 1);
    if (!r.ok() || r->created != 1000) {
      state.SkipWithError("upsert failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * 1000);
  db->reset();
  fs::remove_all(dir);
}

void Store_UpsertItems_SyncFull(benchmark::State& s) { Store_UpsertItems(s, true); }
void Store_UpsertItems_SyncNormal(benchmark::State& s) { Store_UpsertItems(s, false); }
BENCHMARK(Store_UpsertItems_SyncFull)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(Store_UpsertItems_SyncNormal)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

// Policy evaluation throughput on the default policy. Checks its answers once, then reports
// items/s (one item = one Evaluate call).
//
//   ninja -C build-policy policy_bench && build-policy/bench/policy/policy_bench

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "policy/lint.h"
#include "policy/policy.h"

namespace bulwark::policy {
namespace {

std::shared_ptr<const Policy> Load(const std::string& path) {
  auto p = LoadPolicyFile(path);
  if (!p.ok()) {
    std::fprintf(stderr, "%s\n", p.status().ToString().c_str());
    std::abort();
  }
  return *p;
}

std::shared_ptr<const Policy> Default() {
  static const std::shared_ptr<const Policy> p =
      Load(std::string(BULWARK_SOURCE_DIR) + "/data/policy/default.policy");
  return p;
}

// A realistic mix: most items score low everywhere; a few score high in one category.
std::vector<PolicyInput> MakeInputs(size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> low(0.0, 0.3), any(0.0, 1.0);
  std::vector<PolicyInput> v(n);
  for (PolicyInput& in : v) {
    for (double& s : in.scores) s = low(rng);
    if (rng() % 5 == 0) in.scores[rng() % kNumCategories] = any(rng);
    if (rng() % 3 == 0) in.target_groups.Add(kAllTargetGroups[rng() % kNumTargetGroups]);
    in.visibility = rng() % 4 == 0 ? Visibility::kPrivate : Visibility::kPublic;
    in.kind = kAllItemKinds[rng() % 6];
    in.reports = rng() % 10 == 0 ? rng() % 20 : 0;
    in.views = static_cast<std::int64_t>(rng() % 2'000'000);
    in.author_is_public_figure = rng() % 50 == 0;
  }
  return v;
}

double PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void CheckAnswers(const Policy& p) {
  PolicyInput threat;
  threat.set_score(Category::kThreat, 0.97);
  threat.author_is_public_figure = true;
  if (Evaluate(p, threat).enforcement() != ActionKind::kRemove) {
    std::fprintf(stderr, "check failed: a politician's call to violence is not removed\n");
    std::abort();
  }
  if (!Evaluate(p, PolicyInput()).actions.empty()) {
    std::fprintf(stderr, "check failed: a clean item got an action\n");
    std::abort();
  }
}

void Policy_Evaluate_Default(benchmark::State& state) {
  auto p = Default();
  CheckAnswers(*p);
  const std::vector<PolicyInput> inputs = MakeInputs(4096, 42);
  size_t i = 0, acted = 0;
  for (auto _ : state) {
    Decision d = Evaluate(*p, inputs[i++ & 4095]);
    acted += !d.actions.empty();
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["acted_share"] =
      benchmark::Counter(static_cast<double>(acted) / static_cast<double>(state.iterations()));
  state.counters["peak_rss_mib"] = PeakRssMiB();
}
BENCHMARK(Policy_Evaluate_Default);

void Policy_Evaluate_DefaultClean(benchmark::State& state) {
  auto p = Default();
  PolicyInput in;
  for (double& s : in.scores) s = 0.05;
  for (auto _ : state) {
    Decision d = Evaluate(*p, in);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Policy_Evaluate_DefaultClean);

void Policy_Parse_Default(benchmark::State& state) {
  std::string path = std::string(BULWARK_SOURCE_DIR) + "/data/policy/default.policy";
  for (auto _ : state) benchmark::DoNotOptimize(Load(path));
}
BENCHMARK(Policy_Parse_Default)->Unit(benchmark::kMicrosecond);

void Policy_Lint_Default(benchmark::State& state) {
  auto p = Default();
  for (auto _ : state) {
    auto f = Lint(*p);
    if (HasLintErrors(f)) state.SkipWithError("default policy has lint errors");
    benchmark::DoNotOptimize(f);
  }
}
BENCHMARK(Policy_Lint_Default)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace bulwark::policy

BENCHMARK_MAIN();

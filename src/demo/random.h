#pragma once

// The demo's pseudo-random numbers: xoshiro256** seeded through splitmix64, and the few
// distributions the generator needs, written out here (not <random>'s distributions, whose
// algorithms differ between standard libraries) so that one seed gives the same platform
// wherever Bulwark is built.
//
// Not thread-safe; not for anything security-related.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace bulwark::demo {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (std::uint64_t& s : s_) {
      seed += 0x9e3779b97f4a7c15ULL;  // splitmix64
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      s = z ^ (z >> 31);
    }
  }

  std::uint64_t Next() {
    const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n); n > 0. (The modulo bias is below 2^-40 for the sizes used here.)
  std::uint64_t Below(std::uint64_t n) { return Next() % n; }
  bool Chance(double p) { return Uniform() < p; }
  // Exponential with the given mean.
  double Exponential(double mean) { return -mean * std::log1p(-Uniform()); }
  // Pareto (type I) with scale xm and shape alpha: heavy-tailed, P(X > x) = (xm / x)^alpha.
  double Pareto(double xm, double alpha) { return xm / std::pow(1.0 - Uniform(), 1.0 / alpha); }
  // Poisson with mean lambda (Knuth's method; lambda is small everywhere it is used).
  int Poisson(double lambda) {
    if (lambda <= 0) return 0;
    const double limit = std::exp(-std::min(lambda, 60.0));
    int k = 0;
    double p = Uniform();
    while (p > limit && k < 1000) {
      ++k;
      p *= Uniform();
    }
    return k;
  }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

// Picks an index with probability proportional to its weight (binary search over the
// cumulative weights). Weights must be >= 0 with a positive sum for Pick().
class WeightedPicker {
 public:
  WeightedPicker() = default;
  explicit WeightedPicker(const std::vector<double>& weights) {
    cumulative_.reserve(weights.size());
    double sum = 0;
    for (double w : weights) cumulative_.push_back(sum += w);
  }
  void Add(double weight) {
    cumulative_.push_back((cumulative_.empty() ? 0.0 : cumulative_.back()) + weight);
  }
  bool empty() const { return cumulative_.empty() || cumulative_.back() <= 0; }
  size_t size() const { return cumulative_.size(); }
  size_t Pick(Rng& rng) const {
    const double x = rng.Uniform() * cumulative_.back();
    size_t lo = 0, hi = cumulative_.size() - 1;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (cumulative_[mid] > x) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

 private:
  std::vector<double> cumulative_;
};

}  // namespace bulwark::demo

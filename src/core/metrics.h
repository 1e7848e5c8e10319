#pragma once

// A small Prometheus-style metrics registry: counters and latency histograms with labels,
// rendered in the Prometheus text exposition format (version 0.0.4).
//
// Thread safety: Get* and Render are thread-safe. Returned references stay valid for the
// registry's lifetime, so hot paths look a series up once and keep the reference; updating a
// series is a relaxed atomic add.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace bulwark {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Latency histogram in seconds with fixed buckets from 100 µs to 10 s.
class Histogram {
 public:
  static constexpr int kNumBuckets = 16;
  static const double kBounds[kNumBuckets];

  void Observe(double seconds);
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_micros_.load(std::memory_order_relaxed) / 1e6; }
  std::uint64_t bucket(int i) const { return buckets_[i].load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> buckets_[kNumBuckets] = {};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_micros_{0};
};

// A gauge value read at scrape time (e.g. from the database) by a collector.
struct GaugeSample {
  std::string name;
  std::string help;
  MetricLabels labels;
  double value = 0;
};
using MetricsCollector = std::function<std::vector<GaugeSample>()>;

class MetricsRegistry {
 public:
  // Registers `collector`, called on every RenderPrometheus; its samples are rendered as
  // gauges. Returns an id for RemoveCollector, which waits for a render in progress, so the
  // collector's captures may be destroyed once it returns.
  int AddCollector(MetricsCollector collector);
  void RemoveCollector(int id);

  Counter& GetCounter(const std::string& name, const std::string& help,
                      const MetricLabels& labels = {});
  Histogram& GetHistogram(const std::string& name, const std::string& help,
                          const MetricLabels& labels = {});
  std::string RenderPrometheus() const;

 private:
  std::string RenderFamilies() const;

  struct Family {
    std::string help;
    bool is_histogram = false;
    std::map<std::string, std::unique_ptr<Counter>> counters;      // by rendered labels
    std::map<std::string, std::unique_ptr<Histogram>> histograms;  // by rendered labels
  };
  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  mutable std::mutex collectors_mu_;  // held while collectors run; never together with mu_
  std::map<int, MetricsCollector> collectors_;
  int next_collector_ = 1;
};

// Measures the time from construction to destruction into a histogram.
class ScopedTimer {
 public:
  explicit ScopedTimer(Histogram* h);
  ~ScopedTimer();
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;

 private:
  Histogram* h_;
  std::int64_t start_ns_;
};

}  // namespace bulwark

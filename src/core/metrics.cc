#include "core/metrics.h"

#include <chrono>
#include <cstdio>

namespace bulwark {
namespace {

std::string RenderLabels(const MetricLabels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    out += out.empty() ? "" : ",";
    out += k;
    out += "=\"";
    for (char c : v) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  return out;
}

std::int64_t MonoNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string FormatDouble(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

}  // namespace

const double Histogram::kBounds[kNumBuckets] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                                1,      2.5,     5,      10};

void Histogram::Observe(double seconds) {
  for (int i = 0; i < kNumBuckets; ++i) {
    if (seconds <= kBounds[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

Counter& MetricsRegistry::GetCounter(const std::string& name, const std::string& help,
                                     const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  Family& f = families_[name];
  if (f.help.empty()) f.help = help;
  auto& slot = f.counters[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Histogram& MetricsRegistry::GetHistogram(const std::string& name, const std::string& help,
                                         const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  Family& f = families_[name];
  if (f.help.empty()) f.help = help;
  f.is_histogram = true;
  auto& slot = f.histograms[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Histogram>();
  return *slot;
}

int MetricsRegistry::AddCollector(MetricsCollector collector) {
  std::lock_guard lock(collectors_mu_);
  const int id = next_collector_++;
  collectors_.emplace(id, std::move(collector));
  return id;
}

void MetricsRegistry::RemoveCollector(int id) {
  std::lock_guard lock(collectors_mu_);
  collectors_.erase(id);
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::string out = RenderFamilies();
  std::lock_guard lock(collectors_mu_);
  std::map<std::string, std::vector<GaugeSample>> gauges;
  for (const auto& [id, collect] : collectors_) {
    for (GaugeSample& g : collect()) gauges[g.name].push_back(std::move(g));
  }
  for (const auto& [name, samples] : gauges) {
    out += "# HELP " + name + " " + samples.front().help + "\n";
    out += "# TYPE " + name + " gauge\n";
    for (const GaugeSample& g : samples) {
      const std::string labels = RenderLabels(g.labels);
      out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + FormatDouble(g.value) + "\n";
    }
  }
  return out;
}

std::string MetricsRegistry::RenderFamilies() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + (f.is_histogram ? " histogram\n" : " counter\n");
    for (const auto& [labels, c] : f.counters) {
      out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + std::to_string(c->value()) +
             "\n";
    }
    for (const auto& [labels, h] : f.histograms) {
      std::uint64_t cumulative = 0;
      const std::string sep = labels.empty() ? "" : labels + ",";
      for (int i = 0; i < Histogram::kNumBuckets; ++i) {
        cumulative += h->bucket(i);
        out += name + "_bucket{" + sep + "le=\"" + FormatDouble(Histogram::kBounds[i]) + "\"} " +
               std::to_string(cumulative) + "\n";
      }
      out += name + "_bucket{" + sep + "le=\"+Inf\"} " + std::to_string(h->count()) + "\n";
      const std::string braced = labels.empty() ? "" : "{" + labels + "}";
      out += name + "_sum" + braced + " " + FormatDouble(h->sum()) + "\n";
      out += name + "_count" + braced + " " + std::to_string(h->count()) + "\n";
    }
  }
  return out;
}

ScopedTimer::ScopedTimer(Histogram* h) : h_(h), start_ns_(h ? MonoNanos() : 0) {}

ScopedTimer::~ScopedTimer() {
  if (h_) h_->Observe(static_cast<double>(MonoNanos() - start_ns_) / 1e9);
}

}  // namespace bulwark

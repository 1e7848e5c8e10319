#include "detect/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/check.h"

namespace bulwark::detect {

Confusion ConfusionAt(const std::vector<double>& scores, const std::vector<bool>& labels,
                      double threshold) {
  BULWARK_CHECK(scores.size() == labels.size());
  Confusion c;
  for (size_t i = 0; i < scores.size(); ++i) {
    const bool predicted = scores[i] >= threshold;
    if (labels[i]) {
      predicted ? ++c.tp : ++c.fn;
    } else {
      predicted ? ++c.fp : ++c.tn;
    }
  }
  return c;
}

std::optional<double> Precision(const Confusion& c) {
  if (c.tp + c.fp == 0) return std::nullopt;
  return static_cast<double>(c.tp) / static_cast<double>(c.tp + c.fp);
}

std::optional<double> Recall(const Confusion& c) {
  if (c.tp + c.fn == 0) return std::nullopt;
  return static_cast<double>(c.tp) / static_cast<double>(c.tp + c.fn);
}

std::optional<double> F1(const Confusion& c) {
  const auto r = Recall(c);
  if (!r) return std::nullopt;
  if (c.tp == 0) return 0.0;  // positives exist but none found (precision 0 or undefined)
  const double p = *Precision(c);
  return 2.0 * p * *r / (p + *r);
}

std::optional<double> FalsePositiveRate(const Confusion& c) {
  if (c.fp + c.tn == 0) return std::nullopt;
  return static_cast<double>(c.fp) / static_cast<double>(c.fp + c.tn);
}

std::optional<double> RocAuc(const std::vector<double>& scores, const std::vector<bool>& labels) {
  BULWARK_CHECK(scores.size() == labels.size());
  const size_t n = scores.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double positive_rank_sum = 0;
  long long positives = 0;
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j < n && scores[order[j]] == scores[order[i]]) ++j;
    // Ranks i+1 .. j share the mid-rank.
    const double mid_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (size_t k = i; k < j; ++k) {
      if (labels[order[k]]) {
        positive_rank_sum += mid_rank;
        ++positives;
      }
    }
    i = j;
  }
  const long long negatives = static_cast<long long>(n) - positives;
  if (positives == 0 || negatives == 0) return std::nullopt;
  const double p = static_cast<double>(positives);
  const double u = positive_rank_sum - p * (p + 1) / 2.0;
  return u / (p * static_cast<double>(negatives));
}

std::optional<double> ExpectedCalibrationError(const std::vector<double>& scores,
                                               const std::vector<bool>& labels, int bins) {
  BULWARK_CHECK(scores.size() == labels.size());
  BULWARK_CHECK(bins > 0);
  if (scores.empty()) return std::nullopt;
  std::vector<double> sum_score(bins, 0.0), sum_label(bins, 0.0);
  std::vector<long long> count(bins, 0);
  for (size_t i = 0; i < scores.size(); ++i) {
    int b = static_cast<int>(std::floor(std::clamp(scores[i], 0.0, 1.0) * bins));
    b = std::min(b, bins - 1);
    sum_score[b] += scores[i];
    sum_label[b] += labels[i] ? 1.0 : 0.0;
    ++count[b];
  }
  double ece = 0;
  const double n = static_cast<double>(scores.size());
  for (int b = 0; b < bins; ++b) {
    if (count[b] == 0) continue;
    const double c = static_cast<double>(count[b]);
    ece += (c / n) * std::abs(sum_score[b] / c - sum_label[b] / c);
  }
  return ece;
}

double BestF1Threshold(const std::vector<double>& scores, const std::vector<bool>& labels) {
  BULWARK_CHECK(scores.size() == labels.size());
  const long long positives = std::count(labels.begin(), labels.end(), true);
  if (positives == 0) return 0.5;
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  // Sweep thresholds from high to low; at each distinct score, everything >= it is positive.
  long long tp = 0, fp = 0;
  double best_f1 = -1, best_t = 0.5;
  size_t i = 0;
  while (i < order.size()) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) {
      labels[order[j]] ? ++tp : ++fp;
      ++j;
    }
    const double f1 =
        2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + fp + (positives - tp));
    if (f1 > best_f1) {
      best_f1 = f1;
      best_t = scores[order[i]];
    }
    i = j;
  }
  return best_t;
}

}  // namespace bulwark::detect

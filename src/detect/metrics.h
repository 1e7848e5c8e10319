#pragma once

// Binary classification metrics for evaluating calibrated scores against gold labels.
// All functions are pure and thread-safe. Inputs are parallel vectors: scores[i] in [0, 1] is the
// predicted probability that example i is positive; labels[i] is its gold label. Mismatched sizes
// are a programming error (BULWARK_CHECK).

#include <optional>
#include <vector>

namespace bulwark::detect {

struct Confusion {
  long long tp = 0, fp = 0, tn = 0, fn = 0;
};

// Counts at a threshold: score >= threshold predicts positive.
Confusion ConfusionAt(const std::vector<double>& scores, const std::vector<bool>& labels,
                      double threshold);

// Precision = tp/(tp+fp) and recall = tp/(tp+fn) are nullopt when their denominator is zero
// (no predicted positives / no gold positives): undefined, not zero.
// F1 = 2PR/(P+R); nullopt without gold positives; 0 when there are gold positives but tp = 0
// (whether or not anything was predicted positive).
std::optional<double> Precision(const Confusion& c);
std::optional<double> Recall(const Confusion& c);
std::optional<double> F1(const Confusion& c);
// False-positive rate fp/(fp+tn); nullopt without gold negatives.
std::optional<double> FalsePositiveRate(const Confusion& c);

// Exact ROC-AUC via the rank-sum (Mann-Whitney U) statistic with mid-ranks for ties: the
// probability that a random positive scores above a random negative, ties counting 1/2.
// nullopt when either class is absent. O(n log n).
std::optional<double> RocAuc(const std::vector<double>& scores, const std::vector<bool>& labels);

// Expected calibration error with `bins` equal-width bins over [0, 1] (score 1.0 falls in the last
// bin): sum over bins of (n_bin / n) * |mean score - fraction positive|. nullopt when empty.
std::optional<double> ExpectedCalibrationError(const std::vector<double>& scores,
                                               const std::vector<bool>& labels, int bins = 10);

// The threshold among the distinct scores that maximises F1 (ties: the higher threshold);
// 0.5 when there are no positives.
double BestF1Threshold(const std::vector<double>& scores, const std::vector<bool>& labels);

}  // namespace bulwark::detect

#pragma once

// Evaluation of a classifier bundle on held-out TEST splits (`bulwark eval`): per data set and
// label, precision / recall / F1 at the manifest's threshold, ROC-AUC and ECE of the calibrated
// probability; and the bias check: the false-positive rate of the hate label on non-hateful test
// texts that mention each identity group (per the data sets' own target annotations).
//
// Thread safety: pure functions over their arguments.

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/taxonomy.h"
#include "detect/classifier.h"
#include "detect/dataset.h"
#include "detect/metrics.h"

namespace bulwark::detect {

struct LabelEval {
  std::string dataset;  // a data set name, or "all" (pooled over the sets that annotate the label)
  ClassLabel label = ClassLabel::kHate;
  long long n = 0, positives = 0;
  double threshold = 0.5;
  Confusion confusion;
  std::optional<double> precision, recall, f1, auc, ece;
};

struct BiasEval {
  std::string dataset;  // or "all"
  TargetGroup group = TargetGroup::kBlack;
  long long n = 0;  // non-hateful test texts mentioning the group
  long long false_positives = 0;
  std::optional<double> fpr;
  double fpr_low = 0, fpr_high = 0;  // 95% Wilson interval
};

struct EvalReport {
  std::string model_version;
  Split split = Split::kTest;
  std::vector<LabelEval> labels;
  std::vector<BiasEval> bias;
  // Hate false positives over every non-hateful ("none") test text, mentioning a group or not:
  // the baseline the bias check compares each group's rate with.
  long long overall_negatives = 0, overall_false_positives = 0;

  nlohmann::json ToJson() const;
  std::string ToTable() const;  // Markdown tables
};

// Scores every example whose split is `split` (others are ignored). Report figures on kTest;
// kValidation exists for choosing hyper-parameters without touching the test split. Examples the
// classifier cannot score (over its input limit) are counted as predicted positive for every label,
// never clean.
EvalReport Evaluate(const Classifier& classifier, const std::vector<Example>& examples,
                    Split split = Split::kTest);

// Anything that scores texts: per-label probabilities (false: the text could not be scored,
// counted as flagged), which labels it has, and their thresholds.
struct Scorer {
  std::string version;
  std::function<bool(std::string_view, std::array<double, kNumClassLabels>*)> score;
  std::array<bool, kNumClassLabels> has_label{};
  std::array<double, kNumClassLabels> threshold{};
};
EvalReport Evaluate(const Scorer& scorer, const std::vector<Example>& examples, Split split);

}  // namespace bulwark::detect

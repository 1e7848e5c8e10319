#pragma once

// Fitting the ensemble's logistic weights on a VALIDATION split (never test, never the golden
// file), and reporting how the fitted and the current weights do on the held-out TEST split.
//
// For each category that the classifier's data sets annotate (hate; health misinformation when
// its data set is loaded), the examples of the data sets that annotate it are run through the
// detector; the verdict's ensemble features (lexicon, classifier, claim) and the gold label form
// the fitting data. FitWeights() refits bias and weights by L2-regularised logistic regression
// pulled towards the current weights. Categories without labelled data keep their weights.
//
// Thread safety: pure apart from calling the (thread-safe) detector.

#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "detect/dataset.h"
#include "detect/detector.h"
#include "detect/ensemble.h"
#include "detect/functional.h"
#include "detect/metrics_eval.h"

namespace bulwark::detect {

struct EnsembleFitReport {
  EnsembleParams params;   // the detector's params with the fitted categories replaced
  nlohmann::json summary;  // per category: examples, positives, weights and metrics per split
};

// `examples` carry their splits (LoadSplitDeduplicated). Only kValidation examples are fitted
// on; kTest examples are only scored. InvalidArgument if no category has validation data with
// both classes.
// The classifier's evaluation report (detect/metrics_eval.h) for the whole detector (lexicon,
// attack analysis, claims, classifier, ensemble): its hate probability and label threshold stand
// for the hate label; the other labels are not reported. Used by `bulwark eval --detector`.
EvalReport EvaluateDetector(const Detector& detector, const std::vector<Example>& examples,
                            Split split = Split::kTest);

// `functional` (optional): the project's functional suite (detect/functional.h). Its TRAIN
// templates' cases join the hate category's fitting data (hateful = hate), so the fit sees the
// failure modes the data sets under-represent (plain statements of contempt, threats, negation,
// counter-speech); its TEST templates are never fitted on, only scored ("functional_test" in
// the summary: hateful and non-hateful accuracy at the label and review points, before and
// after).
// Floors on the share of the functional suite's non-hateful TRAIN cases (counter-speech,
// neutral and positive identity statements, homonyms, ...) that each operating point must leave
// alone: automatic action must not regress on what is not hate, and the review queue must not
// flood with it.
inline constexpr double kLabelNonHatefulFloor = 0.95;
inline constexpr double kReviewNonHatefulFloor = 0.85;

// The operating points (label, review) chosen among 0.05, 0.06, ..., 0.95 on validation
// probabilities `p` with gold labels `y` of the data sets' texts: `label` maximises F0.5
// (precision weighs more: automatic action), `review` maximises F2 (recall weighs more: a human
// looks), never above `label`. `guard` holds the probabilities of non-hateful functional train
// cases; a threshold that leaves fewer of them alone than the floors ask is not a candidate (no
// constraint when `guard` is empty).
std::pair<double, double> ChooseOperatingPoints(const std::vector<double>& p,
                                                const std::vector<bool>& y,
                                                const std::vector<double>& guard);

Result<EnsembleFitReport> FitEnsemble(const Detector& detector,
                                      const std::vector<Example>& examples, double l2 = 1.0,
                                      const std::vector<FunctionalCase>& functional = {});

}  // namespace bulwark::detect

#pragma once

// Ensemble: combines the detectors' features for one category into one probability.
//
// Per category c, with features
//   lexicon    = max over the category's lexicon evidence of severity (0..4) x context weight
//   classifier = logit(p) - logit(t): the classifier's Platt-calibrated probability p for the
//                label standing for c, relative to that label's threshold t, clamped to [-2, 6]
//                and discounted by the same context rules as the lexicon evidence
//                (0 when no classifier is loaded or it has no such label)
//   claim      = best known-claim containment (0..1) x context weight (misinformation only)
//   attack     = strongest target-aware attack finding (detect/attack.h): severity (0..4) x
//                context weight (hate: aimed at a protected group; harassment: at the
//                addressee; threat: violence aimed at anyone)
// the score is a logistic model  p_c = sigmoid(bias + w_lex*lexicon + w_clf*classifier +
// w_claim*claim + w_attack*attack), labelled at the category's threshold. The default weights are
// hand-set from the lexicon's severity scale (docs/detection.md: severity >= 3 alone flags,
// severity 2 needs corroboration, 1 never flags alone); FitWeights() refits them by L2-regularised
// logistic regression on a VALIDATION split (never test, never the golden file).
//
// Thread safety: EnsembleParams is an immutable value after construction.

#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/taxonomy.h"
#include "detect/verdict.h"

namespace bulwark::detect {

struct EnsembleWeights {
  double bias = -5.0;
  double lexicon = 2.0;
  double classifier = 0.0;
  double claim = 0.0;
  double attack = 0.0;
  // Two operating points (docs/detection.md): `threshold` (precision-oriented, the label used
  // for automatic action) and `review_threshold` (recall-oriented, routes to expert review).
  double threshold = 0.5;
  double review_threshold = 0.3;
};

struct EnsembleFeatures {
  double lexicon = 0.0;
  double classifier = 0.0;
  double claim = 0.0;
  double attack = 0.0;  // strongest attack finding: severity (0..4) x context weight
};

struct EnsembleParams {
  std::array<EnsembleWeights, kNumCategories> weights{};
  // Identifies the weights ("hand-set-v1" or "fitted:<provenance>"); recorded in verdicts.
  std::string version = "hand-set-v1";
  // How the weights were obtained (free text, for the version report).
  std::string provenance = "hand-set from the lexicon severity scale";

  static EnsembleParams Default();
  const EnsembleWeights& of(Category c) const { return weights[static_cast<size_t>(c)]; }

  // {"format_version":1,"version":..,"provenance":..,"categories":{"hate":{"bias":..,...}}}
  nlohmann::json ToJson() const;
  // Categories missing from the JSON keep their defaults. InvalidArgument on bad fields.
  static Result<EnsembleParams> FromJson(const nlohmann::json& j);
};

// The category's probability, label and explanation fields.
CategoryScore Combine(const EnsembleWeights& w, const EnsembleFeatures& f);

double Sigmoid(double z);
// logit(p) with p clamped to [1e-6, 1 - 1e-6].
double Logit(double p);

// Fits bias and feature weights of one category by logistic regression (Newton's method, L2
// penalty `l2` pulling towards `prior`'s weights) on (features, label) pairs from a validation
// split. Keeps prior.threshold. InvalidArgument if sizes differ or a class is absent.
Result<EnsembleWeights> FitWeights(const std::vector<EnsembleFeatures>& x,
                                   const std::vector<bool>& y, const EnsembleWeights& prior,
                                   double l2 = 1.0);

}  // namespace bulwark::detect

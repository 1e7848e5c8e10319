#pragma once

// Probability calibration: maps a classifier's raw score for one label to a calibrated
// probability. Fitted per label on the VALIDATION split only (never test), stored in the model
// bundle's manifest, applied at prediction time.
//
// Method: Platt scaling on the logit of the raw score, p = sigmoid(a * logit(raw) + b), fitted by
// Newton's method with backtracking on the regularised targets of Platt (1999) / Lin, Lin & Weng
// (2007), which keeps a and b finite when the validation data is separable. The identity
// calibrator (a = 1, b = 0) returns the raw score unchanged.
//
// Thread safety: PlattCalibrator is an immutable value.

#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/status.h"

namespace bulwark::detect {

class PlattCalibrator {
 public:
  PlattCalibrator() = default;  // identity
  PlattCalibrator(double a, double b) : a_(a), b_(b) {}

  // Fits on (raw score, gold label) pairs. InvalidArgument if sizes differ or either class is
  // absent (nothing to calibrate against); FailedPrecondition if the fitted slope a <= 0 (the raw
  // score does not rank positives above negatives, so calibrating would invert it).
  static Result<PlattCalibrator> Fit(const std::vector<double>& raw_scores,
                                     const std::vector<bool>& labels);

  // Calibrated probability in (0, 1). Raw scores are clamped to [1e-6, 1 - 1e-6] first.
  double Apply(double raw_score) const;

  double a() const { return a_; }
  double b() const { return b_; }

  // {"method":"platt","a":..,"b":..}
  nlohmann::json ToJson() const;
  static Result<PlattCalibrator> FromJson(const nlohmann::json& j);

 private:
  double a_ = 1.0;
  double b_ = 0.0;
};

}  // namespace bulwark::detect

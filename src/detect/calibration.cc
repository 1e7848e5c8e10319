#include "detect/calibration.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace bulwark::detect {
namespace {

constexpr double kEps = 1e-6;

double Logit(double p) {
  p = std::clamp(p, kEps, 1.0 - kEps);
  return std::log(p / (1.0 - p));
}

// log(1 + exp(x)) without overflow.
double Log1pExp(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

}  // namespace

Result<PlattCalibrator> PlattCalibrator::Fit(const std::vector<double>& raw_scores,
                                             const std::vector<bool>& labels) {
  if (raw_scores.size() != labels.size()) {
    return InvalidArgument("calibration: scores and labels differ in length");
  }
  double n_pos = 0, n_neg = 0;
  for (bool l : labels) (l ? n_pos : n_neg) += 1;
  if (n_pos == 0 || n_neg == 0) {
    return InvalidArgument("calibration: need both positive and negative examples");
  }
  // Platt's regularised targets.
  const double t_pos = (n_pos + 1) / (n_pos + 2);
  const double t_neg = 1 / (n_neg + 2);
  const size_t n = raw_scores.size();
  std::vector<double> x(n), t(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = Logit(raw_scores[i]);
    t[i] = labels[i] ? t_pos : t_neg;
  }
  // Minimise sum_i [ log(1 + exp(z_i)) - t_i z_i ], z_i = a x_i + b (cross-entropy in z form).
  auto objective = [&](double a, double b) {
    double f = 0;
    for (size_t i = 0; i < n; ++i) {
      const double z = a * x[i] + b;
      f += Log1pExp(z) - t[i] * z;
    }
    return f;
  };
  double a = 1.0, b = 0.0;
  double f = objective(a, b);
  for (int iter = 0; iter < 100; ++iter) {
    double ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
    for (size_t i = 0; i < n; ++i) {
      const double z = a * x[i] + b;
      const double p = 1.0 / (1.0 + std::exp(-z));
      const double d = p - t[i];
      const double w = p * (1 - p);
      ga += d * x[i];
      gb += d;
      haa += w * x[i] * x[i];
      hab += w * x[i];
      hbb += w;
    }
    if (std::abs(ga) < 1e-9 && std::abs(gb) < 1e-9) break;
    const double det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const double da = -(hbb * ga - hab * gb) / det;
    const double db = -(-hab * ga + haa * gb) / det;
    double step = 1.0;
    bool improved = false;
    while (step > 1e-10) {
      const double fa = objective(a + step * da, b + step * db);
      if (fa < f + 1e-4 * step * (ga * da + gb * db)) {
        a += step * da;
        b += step * db;
        f = fa;
        improved = true;
        break;
      }
      step /= 2;
    }
    if (!improved) break;
  }
  if (!std::isfinite(a) || !std::isfinite(b)) return Internal("calibration: fit diverged");
  // A non-positive slope would invert or flatten the classifier's ranking: the raw score carries
  // no usable signal on this validation data. Refuse rather than ship an inverted score.
  if (a <= 0) {
    return FailedPrecondition("calibration: fitted slope " + std::to_string(a) +
                              " <= 0 (raw score does not rank validation positives higher)");
  }
  return PlattCalibrator(a, b);
}

double PlattCalibrator::Apply(double raw_score) const {
  const double z = a_ * Logit(raw_score) + b_;
  return 1.0 / (1.0 + std::exp(-z));
}

nlohmann::json PlattCalibrator::ToJson() const {
  return nlohmann::json{{"method", "platt"}, {"a", a_}, {"b", b_}};
}

Result<PlattCalibrator> PlattCalibrator::FromJson(const nlohmann::json& j) {
  if (!j.is_object() || j.value("method", "") != "platt") {
    return InvalidArgument("calibration: expected {\"method\":\"platt\",...}");
  }
  auto a = j.find("a");
  auto b = j.find("b");
  if (a == j.end() || b == j.end() || !a->is_number() || !b->is_number()) {
    return InvalidArgument("calibration: 'a' and 'b' must be numbers");
  }
  const double av = a->get<double>(), bv = b->get<double>();
  if (!std::isfinite(av) || !std::isfinite(bv)) {
    return InvalidArgument("calibration: 'a' and 'b' must be finite");
  }
  return PlattCalibrator(av, bv);
}

}  // namespace bulwark::detect

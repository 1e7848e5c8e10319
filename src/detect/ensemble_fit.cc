#include "detect/ensemble_fit.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace bulwark::detect {
namespace {

struct Metrics {
  double log_loss = 0, brier = 0, precision = 0, recall = 0, f1 = 0;
  size_t n = 0, positives = 0;
};

Metrics Score(const EnsembleWeights& w, const std::vector<EnsembleFeatures>& x,
              const std::vector<bool>& y) {
  Metrics m;
  size_t tp = 0, fp = 0, fn = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    CategoryScore s = Combine(w, x[i]);
    double p = std::clamp(s.probability, 1e-9, 1 - 1e-9);
    m.log_loss -= y[i] ? std::log(p) : std::log(1 - p);
    m.brier += (p - (y[i] ? 1.0 : 0.0)) * (p - (y[i] ? 1.0 : 0.0));
    tp += s.label && y[i];
    fp += s.label && !y[i];
    fn += !s.label && y[i];
    m.positives += y[i];
  }
  m.n = x.size();
  if (m.n) {
    m.log_loss /= m.n;
    m.brier /= m.n;
  }
  m.precision = tp + fp ? static_cast<double>(tp) / (tp + fp) : 0;
  m.recall = tp + fn ? static_cast<double>(tp) / (tp + fn) : 0;
  m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0;
  return m;
}

nlohmann::json ToJson(const Metrics& m) {
  return {{"examples", m.n},  {"positives", m.positives}, {"log_loss", m.log_loss},
          {"brier", m.brier}, {"precision", m.precision}, {"recall", m.recall},
          {"f1", m.f1}};
}

nlohmann::json ToJson(const EnsembleWeights& w) {
  return {{"bias", w.bias},
          {"lexicon", w.lexicon},
          {"classifier", w.classifier},
          {"claim", w.claim},
          {"threshold", w.threshold}};
}

}  // namespace

Result<EnsembleFitReport> FitEnsemble(const Detector& detector,
                                      const std::vector<Example>& examples, double l2) {
  EnsembleFitReport report;
  report.params = detector.ensemble();
  report.summary = nlohmann::json::object();
  DetectorScratch scratch;
  Verdict v;
  bool fitted_any = false;
  for (ClassLabel label : kAllClassLabels) {
    auto cat = CategoryOf(label);
    if (!cat) continue;
    std::vector<EnsembleFeatures> xv, xt;
    std::vector<bool> yv, yt;
    for (const Example& e : examples) {
      if (e.split == Split::kTrain) continue;
      auto annotated = AnnotatedLabels(e.dataset);
      if (std::find(annotated.begin(), annotated.end(), label) == annotated.end()) continue;
      detector.Classify(e.text, &scratch, &v);
      const CategoryScore& s = v.score(*cat);
      EnsembleFeatures f{s.lexicon, s.classifier, s.claim};
      if (e.split == Split::kValidation) {
        xv.push_back(f);
        yv.push_back(e.label == label);
      } else {
        xt.push_back(f);
        yt.push_back(e.label == label);
      }
    }
    const EnsembleWeights& before = report.params.of(*cat);
    // With no feature signal only the bias would move, turning the validation base rate into a
    // flag on every text: refuse instead.
    bool signal = std::any_of(xv.begin(), xv.end(), [](const EnsembleFeatures& f) {
      return f.lexicon != 0 || f.classifier != 0 || f.claim != 0;
    });
    auto fitted = signal
                      ? FitWeights(xv, yv, before, l2)
                      : Result<EnsembleWeights>(FailedPrecondition(
                            "no detector produced a feature on this category's validation data"));
    nlohmann::json c = {{"weights_before", ToJson(before)},
                        {"validation_before", ToJson(Score(before, xv, yv))},
                        {"test_before", ToJson(Score(before, xt, yt))}};
    if (!fitted.ok()) {
      c["fit_error"] = fitted.status().message();
    } else {
      c["weights_fitted"] = ToJson(*fitted);
      c["validation_fitted"] = ToJson(Score(*fitted, xv, yv));
      c["test_fitted"] = ToJson(Score(*fitted, xt, yt));
      report.params.weights[static_cast<size_t>(*cat)] = *fitted;
      fitted_any = true;
    }
    report.summary[std::string(CategoryName(*cat))] = std::move(c);
  }
  if (!fitted_any) return InvalidArgument("no category had validation data with both classes");
  report.params.version = "fitted-validation-v1";
  report.params.provenance =
      "bias and weights of the labelled categories fitted by L2-regularised logistic regression "
      "(l2=" +
      std::to_string(l2) + ", towards the hand-set weights) on the validation split";
  return report;
}

}  // namespace bulwark::detect

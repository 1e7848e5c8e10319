#include "detect/ensemble_fit.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

namespace bulwark::detect {
namespace {

struct Metrics {
  double log_loss = 0, brier = 0, precision = 0, recall = 0, f1 = 0, auc = 0;
  double review_precision = 0, review_recall = 0;
  size_t n = 0, positives = 0;
};

// ROC-AUC by the rank-sum formula (ties count half).
double Auc(std::vector<std::pair<double, bool>> v) {
  std::sort(v.begin(), v.end());
  double pos = 0, neg = 0, rank_sum = 0;
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j < v.size() && v[j].first == v[i].first) ++j;
    const double avg_rank = (static_cast<double>(i) + static_cast<double>(j) + 1) / 2;
    for (size_t k = i; k < j; ++k) {
      if (v[k].second) {
        rank_sum += avg_rank;
        ++pos;
      } else {
        ++neg;
      }
    }
    i = j;
  }
  if (pos == 0 || neg == 0) return 0.5;
  return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

Metrics Score(const EnsembleWeights& w, const std::vector<EnsembleFeatures>& x,
              const std::vector<bool>& y) {
  Metrics m;
  size_t tp = 0, fp = 0, fn = 0, rtp = 0, rfp = 0;
  std::vector<std::pair<double, bool>> ranked;
  for (size_t i = 0; i < x.size(); ++i) {
    CategoryScore s = Combine(w, x[i]);
    ranked.emplace_back(s.probability, y[i]);
    rtp += s.review && y[i];
    rfp += s.review && !y[i];
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
  m.auc = Auc(std::move(ranked));
  m.review_precision = rtp + rfp ? static_cast<double>(rtp) / (rtp + rfp) : 0;
  m.review_recall = m.positives ? static_cast<double>(rtp) / m.positives : 0;
  return m;
}

nlohmann::json ToJson(const Metrics& m) {
  return {{"examples", m.n},
          {"positives", m.positives},
          {"log_loss", m.log_loss},
          {"brier", m.brier},
          {"precision", m.precision},
          {"recall", m.recall},
          {"f1", m.f1},
          {"auc", m.auc},
          {"review_precision", m.review_precision},
          {"review_recall", m.review_recall}};
}

nlohmann::json ToJson(const EnsembleWeights& w) {
  return {{"bias", w.bias},
          {"lexicon", w.lexicon},
          {"classifier", w.classifier},
          {"claim", w.claim},
          {"attack", w.attack},
          {"threshold", w.threshold},
          {"review_threshold", w.review_threshold}};
}

// Accuracy on the functional suite's TEST templates at both operating points.
nlohmann::json FunctionalAccuracy(const EnsembleWeights& w, const std::vector<EnsembleFeatures>& x,
                                  const std::vector<bool>& y) {
  size_t hateful = 0, label_hit = 0, review_hit = 0, clean = 0, label_ok = 0, review_ok = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    CategoryScore s = Combine(w, x[i]);
    if (y[i]) {
      ++hateful;
      label_hit += s.label;
      review_hit += s.review;
    } else {
      ++clean;
      label_ok += !s.label;
      review_ok += !s.review;
    }
  }
  auto share = [](size_t a, size_t b) { return b ? static_cast<double>(a) / b : 0.0; };
  return {{"hateful_cases", hateful},
          {"non_hateful_cases", clean},
          {"label_hateful_right", share(label_hit, hateful)},
          {"label_non_hateful_right", share(label_ok, clean)},
          {"review_hateful_right", share(review_hit, hateful)},
          {"review_non_hateful_right", share(review_ok, clean)}};
}

}  // namespace

std::pair<double, double> ChooseOperatingPoints(const std::vector<double>& p,
                                                const std::vector<bool>& y,
                                                const std::vector<double>& guard) {
  auto f_beta = [&](double t, double beta) {
    size_t tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      tp += p[i] >= t && y[i];
      fp += p[i] >= t && !y[i];
      fn += p[i] < t && y[i];
    }
    const double b2 = beta * beta;
    const double denom = (1 + b2) * tp + b2 * fn + fp;
    return denom > 0 ? (1 + b2) * tp / denom : 0.0;
  };
  auto left_alone = [&](double t) {
    if (guard.empty()) return 1.0;
    size_t right = 0;
    for (double g : guard) right += g < t;
    return static_cast<double>(right) / static_cast<double>(guard.size());
  };
  double best_label = 0.95, best_lf = -1, best_review = 0.95, best_rf = -1;
  for (int k = 5; k <= 95; ++k) {
    const double t = k / 100.0;
    const double alone = left_alone(t);
    if (double f = f_beta(t, 0.5); alone >= kLabelNonHatefulFloor && f > best_lf) {
      best_lf = f, best_label = t;
    }
    if (double f = f_beta(t, 2.0); alone >= kReviewNonHatefulFloor && f > best_rf) {
      best_rf = f, best_review = t;
    }
  }
  return {best_label, std::min(best_review, best_label)};
}

EvalReport EvaluateDetector(const Detector& detector, const std::vector<Example>& examples,
                            Split split) {
  Scorer scorer;
  scorer.version = detector.ensemble().version + ";" + detector.model_version() + ";" +
                   detector.lexicon_version() + ";" +
                   std::string(detector.attack() ? detector.attack()->version() : "no-attack");
  scorer.has_label[static_cast<size_t>(ClassLabel::kHate)] = true;
  scorer.threshold[static_cast<size_t>(ClassLabel::kHate)] = detector.threshold(Category::kHate);
  auto scratch = std::make_shared<DetectorScratch>();
  auto verdict = std::make_shared<Verdict>();
  scorer.score = [&detector, scratch, verdict](std::string_view text,
                                               std::array<double, kNumClassLabels>* p) {
    detector.Classify(text, scratch.get(), verdict.get());
    p->fill(0.0);
    (*p)[static_cast<size_t>(ClassLabel::kHate)] = verdict->score(Category::kHate).probability;
    return true;
  };
  return Evaluate(scorer, examples, split);
}

Result<EnsembleFitReport> FitEnsemble(const Detector& detector,
                                      const std::vector<Example>& examples, double l2,
                                      const std::vector<FunctionalCase>& functional) {
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
      EnsembleFeatures f{s.lexicon, s.classifier, s.claim, s.attack};
      if (e.split == Split::kValidation) {
        xv.push_back(f);
        yv.push_back(e.label == label);
      } else {
        xt.push_back(f);
        yt.push_back(e.label == label);
      }
    }
    // The functional suite speaks of hate only: train templates are fitted on, test templates
    // only scored.
    std::vector<EnsembleFeatures> xft;
    std::vector<bool> yft;
    size_t functional_train = 0;
    const size_t real_validation = xv.size();  // xv[0, real_validation): the data sets' texts
    if (*cat == Category::kHate) {
      for (const FunctionalCase& fc : functional) {
        detector.Classify(fc.text, &scratch, &v);
        const CategoryScore& s = v.score(*cat);
        EnsembleFeatures f{s.lexicon, s.classifier, s.claim, s.attack};
        if (fc.split == "train") {
          xv.push_back(f);
          yv.push_back(fc.hateful);
          ++functional_train;
        } else {
          xft.push_back(f);
          yft.push_back(fc.hateful);
        }
      }
    }
    const EnsembleWeights& before = report.params.of(*cat);
    // With no feature signal only the bias would move, turning the validation base rate into a
    // flag on every text: refuse instead.
    bool signal = std::any_of(xv.begin(), xv.end(), [](const EnsembleFeatures& f) {
      return f.lexicon != 0 || f.classifier != 0 || f.claim != 0 || f.attack != 0;
    });
    auto fitted = signal
                      ? FitWeights(xv, yv, before, l2)
                      : Result<EnsembleWeights>(FailedPrecondition(
                            "no detector produced a feature on this category's validation data"));
    nlohmann::json c = {{"weights_before", ToJson(before)},
                        {"validation_before", ToJson(Score(before, xv, yv))},
                        {"test_before", ToJson(Score(before, xt, yt))},
                        {"functional_train_cases_fitted", functional_train}};
    if (!xft.empty()) c["functional_test_before"] = FunctionalAccuracy(before, xft, yft);
    if (fitted.ok()) {
      // Operating points are chosen on the real texts only: the suite's templates are far
      // easier than real posts and would pull both points towards their own base rate.
      std::vector<double> pv;
      for (size_t i = 0; i < real_validation; ++i) {
        pv.push_back(Combine(*fitted, xv[i]).probability);
      }
      const std::vector<bool> yreal(yv.begin(), yv.begin() + real_validation);
      std::vector<double> guard;
      for (size_t i = real_validation; i < xv.size(); ++i) {
        if (!yv[i]) guard.push_back(Combine(*fitted, xv[i]).probability);
      }
      auto [label_t, review_t] = ChooseOperatingPoints(pv, yreal, guard);
      fitted->threshold = label_t;
      fitted->review_threshold = review_t;
    }
    if (!fitted.ok()) {
      c["fit_error"] = fitted.status().message();
    } else {
      c["weights_fitted"] = ToJson(*fitted);
      c["validation_fitted"] = ToJson(Score(*fitted, xv, yv));
      c["test_fitted"] = ToJson(Score(*fitted, xt, yt));
      if (!xft.empty()) c["functional_test_fitted"] = FunctionalAccuracy(*fitted, xft, yft);
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
      std::to_string(l2) + ", towards the hand-set weights) on the validation split" +
      (functional.empty() ? std::string()
                          : std::string(" and the functional suite's train templates"));
  return report;
}

}  // namespace bulwark::detect

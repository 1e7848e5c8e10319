#include "detect/ensemble.h"

#include <algorithm>
#include <cmath>

namespace bulwark::detect {

double Sigmoid(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  double e = std::exp(z);
  return e / (1.0 + e);
}

double Logit(double p) {
  p = std::clamp(p, 1e-6, 1.0 - 1e-6);
  return std::log(p / (1.0 - p));
}

EnsembleParams EnsembleParams::Default() {
  EnsembleParams p;
  for (Category c : kAllCategories) {
    EnsembleWeights& w = p.weights[static_cast<size_t>(c)];
    w = EnsembleWeights{};
    if (c == Category::kHate || c == Category::kMisinfoHealth) w.classifier = 1.0;
    if (IsMisinformation(c)) w.claim = 8.0;  // containment >= 0.63 flags on its own
    // Harassment entries are phrases addressed at a person ("nobody loves you", "waste of
    // oxygen"): moderate severity (2) is enough on its own; single insult words are 1.
    if (c == Category::kHarassment) w.bias = -4.0;
    // Attack findings (detect/attack.h) use the lexicon's severity scale: a group attack of
    // severity 3 flags on its own, as a severity-3 lexicon entry does.
    if (c == Category::kHate || c == Category::kHarassment || c == Category::kThreat) {
      w.attack = 2.5;
    }
    w.review_threshold = 0.3;
  }
  return p;
}

nlohmann::json EnsembleParams::ToJson() const {
  nlohmann::json cats = nlohmann::json::object();
  for (Category c : kAllCategories) {
    const auto& w = of(c);
    cats[std::string(CategoryName(c))] = {{"bias", w.bias},
                                          {"lexicon", w.lexicon},
                                          {"classifier", w.classifier},
                                          {"claim", w.claim},
                                          {"attack", w.attack},
                                          {"threshold", w.threshold},
                                          {"review_threshold", w.review_threshold}};
  }
  return {{"format_version", 1},
          {"version", version},
          {"provenance", provenance},
          {"categories", std::move(cats)}};
}

Result<EnsembleParams> EnsembleParams::FromJson(const nlohmann::json& j) {
  EnsembleParams p = Default();
  if (!j.is_object()) return InvalidArgument("ensemble parameters must be a JSON object");
  if (auto it = j.find("version"); it != j.end() && it->is_string()) p.version = *it;
  if (auto it = j.find("provenance"); it != j.end() && it->is_string()) p.provenance = *it;
  auto cats = j.find("categories");
  if (cats == j.end()) return p;
  if (!cats->is_object()) return InvalidArgument("must be an object", "categories");
  for (const auto& [name, v] : cats->items()) {
    auto c = ParseCategory(name);
    if (!c) return InvalidArgument("unknown category '" + name + "'", "categories");
    if (!v.is_object()) return InvalidArgument("must be an object", "categories." + name);
    EnsembleWeights& w = p.weights[static_cast<size_t>(*c)];
    for (auto [key, dst] : {std::pair<const char*, double*>{"bias", &w.bias},
                            {"lexicon", &w.lexicon},
                            {"classifier", &w.classifier},
                            {"claim", &w.claim},
                            {"attack", &w.attack},
                            {"threshold", &w.threshold},
                            {"review_threshold", &w.review_threshold}}) {
      auto it = v.find(key);
      if (it == v.end()) continue;
      if (!it->is_number()) {
        return InvalidArgument("must be a number", "categories." + name + "." + key);
      }
      *dst = it->get<double>();
    }
    if (!(w.threshold > 0.0 && w.threshold < 1.0)) {
      return InvalidArgument("must be in (0, 1)", "categories." + name + ".threshold");
    }
    if (!v.contains("review_threshold"))
      w.review_threshold = std::min(w.review_threshold, w.threshold);
    if (!(w.review_threshold > 0.0 && w.review_threshold <= w.threshold)) {
      return InvalidArgument("must be in (0, threshold]",
                             "categories." + name + ".review_threshold");
    }
  }
  return p;
}

CategoryScore Combine(const EnsembleWeights& w, const EnsembleFeatures& f) {
  CategoryScore s;
  s.lexicon = f.lexicon;
  s.classifier = f.classifier;
  s.claim = f.claim;
  s.attack = f.attack;
  s.logit = w.bias + w.lexicon * f.lexicon + w.classifier * f.classifier + w.claim * f.claim +
            w.attack * f.attack;
  s.probability = Sigmoid(s.logit);
  s.threshold = w.threshold;
  s.review_threshold = w.review_threshold;
  s.label = s.probability >= w.threshold;
  s.review = s.probability >= w.review_threshold;
  return s;
}

Result<EnsembleWeights> FitWeights(const std::vector<EnsembleFeatures>& x,
                                   const std::vector<bool>& y, const EnsembleWeights& prior,
                                   double l2) {
  if (x.size() != y.size()) return InvalidArgument("features and labels differ in size");
  size_t pos = static_cast<size_t>(std::count(y.begin(), y.end(), true));
  if (pos == 0 || pos == y.size()) return InvalidArgument("both classes are needed to fit");
  constexpr int kDim = 5;
  double beta[kDim] = {prior.bias, prior.lexicon, prior.classifier, prior.claim, prior.attack};
  const double prior_beta[kDim] = {prior.bias, prior.lexicon, prior.classifier, prior.claim,
                                   prior.attack};
  auto feats = [](const EnsembleFeatures& f, double out[kDim]) {
    out[0] = 1.0;
    out[1] = f.lexicon;
    out[2] = f.classifier;
    out[3] = f.claim;
    out[4] = f.attack;
  };
  // Penalised negative log-likelihood (the objective Newton's method descends).
  auto objective = [&](const double b[kDim]) {
    double loss = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      double v[kDim];
      feats(x[i], v);
      double z = 0;
      for (int k = 0; k < kDim; ++k) z += b[k] * v[k];
      // log(1 + e^z) - y*z, computed stably.
      loss += (z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z))) - (y[i] ? z : 0);
    }
    for (int a = 1; a < kDim; ++a)
      loss += 0.5 * l2 * (b[a] - prior_beta[a]) * (b[a] - prior_beta[a]);
    return loss;
  };
  double current = objective(beta);
  for (int iter = 0; iter < 100; ++iter) {
    double grad[kDim] = {};
    double hess[kDim][kDim] = {};
    for (size_t i = 0; i < x.size(); ++i) {
      double v[kDim];
      feats(x[i], v);
      double z = 0;
      for (int k = 0; k < kDim; ++k) z += beta[k] * v[k];
      double p = Sigmoid(z);
      double r = p - (y[i] ? 1.0 : 0.0);
      double wgt = std::max(p * (1 - p), 1e-9);
      for (int a = 0; a < kDim; ++a) {
        grad[a] += r * v[a];
        for (int b = 0; b < kDim; ++b) hess[a][b] += wgt * v[a] * v[b];
      }
    }
    for (int a = 1; a < kDim; ++a) {  // the bias is not penalised
      grad[a] += l2 * (beta[a] - prior_beta[a]);
      hess[a][a] += l2;
    }
    hess[0][0] += 1e-9;
    // Solve hess * step = grad by Gaussian elimination with partial pivoting.
    double m[kDim][kDim + 1];
    for (int a = 0; a < kDim; ++a) {
      for (int b = 0; b < kDim; ++b) m[a][b] = hess[a][b];
      m[a][kDim] = grad[a];
    }
    for (int col = 0; col < kDim; ++col) {
      int piv = col;
      for (int r = col + 1; r < kDim; ++r) {
        if (std::abs(m[r][col]) > std::abs(m[piv][col])) piv = r;
      }
      if (std::abs(m[piv][col]) < 1e-12) return Internal("singular Hessian while fitting");
      for (int b = 0; b <= kDim; ++b) std::swap(m[col][b], m[piv][b]);
      for (int r = 0; r < kDim; ++r) {
        if (r == col) continue;
        double f = m[r][col] / m[col][col];
        for (int b = col; b <= kDim; ++b) m[r][b] -= f * m[col][b];
      }
    }
    double step[kDim];
    for (int a = 0; a < kDim; ++a) step[a] = m[a][kDim] / m[a][a];
    // Backtracking: halve the Newton step until the objective does not increase.
    double t = 1.0, next = current, cand[kDim];
    for (int half = 0; half < 40; ++half, t *= 0.5) {
      for (int a = 0; a < kDim; ++a) cand[a] = beta[a] - t * step[a];
      next = objective(cand);
      if (next <= current) break;
    }
    if (next > current) break;  // no descent direction left: converged to machine precision
    double max_step = 0;
    for (int a = 0; a < kDim; ++a) {
      max_step = std::max(max_step, std::abs(cand[a] - beta[a]));
      beta[a] = cand[a];
    }
    bool done = current - next < 1e-10 * (1 + std::abs(current)) && max_step < 1e-6;
    current = next;
    if (done) break;
  }
  EnsembleWeights w = prior;
  w.bias = beta[0];
  w.lexicon = beta[1];
  w.classifier = beta[2];
  w.claim = beta[3];
  w.attack = beta[4];
  return w;
}

}  // namespace bulwark::detect

#include "perspective/attributes.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "detect/verdict.h"

namespace bulwark::perspective {

namespace {

using nlohmann::json;

constexpr std::array<std::string_view, kNumAttributes> kAttributeNames = {
    "TOXICITY", "SEVERE_TOXICITY", "IDENTITY_ATTACK", "INSULT", "PROFANITY", "THREAT"};
constexpr std::array<std::string_view, kNumFeatures> kFeatureNames = {
    "hate", "harassment", "threat", "offensive", "profanity"};

double ClampedLogit(double p) {
  p = std::clamp(p, 1e-6, 1 - 1e-6);
  return std::clamp(std::log(p / (1 - p)), -kMaxLogit, kMaxLogit);
}

double Sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

}  // namespace

std::string_view AttributeName(Attribute a) { return kAttributeNames[static_cast<size_t>(a)]; }

std::optional<Attribute> ParseAttribute(std::string_view name) {
  for (Attribute a : kAllAttributes) {
    if (AttributeName(a) == name) return a;
  }
  return std::nullopt;
}

bool IsUnscoredPerspectiveAttribute(std::string_view name) {
  static constexpr std::string_view kUnscored[] = {"SEXUALLY_EXPLICIT",
                                                   "FLIRTATION",
                                                   "TOXICITY_EXPERIMENTAL",
                                                   "SEVERE_TOXICITY_EXPERIMENTAL",
                                                   "IDENTITY_ATTACK_EXPERIMENTAL",
                                                   "INSULT_EXPERIMENTAL",
                                                   "PROFANITY_EXPERIMENTAL",
                                                   "THREAT_EXPERIMENTAL",
                                                   "ATTACK_ON_AUTHOR",
                                                   "ATTACK_ON_COMMENTER",
                                                   "INCOHERENT",
                                                   "INFLAMMATORY",
                                                   "LIKELY_TO_REJECT",
                                                   "OBSCENE",
                                                   "SPAM",
                                                   "UNSUBSTANTIAL",
                                                   "AFFINITY_EXPERIMENTAL",
                                                   "COMPASSION_EXPERIMENTAL",
                                                   "CURIOSITY_EXPERIMENTAL",
                                                   "NUANCE_EXPERIMENTAL",
                                                   "PERSONAL_STORY_EXPERIMENTAL",
                                                   "REASONING_EXPERIMENTAL",
                                                   "RESPECT_EXPERIMENTAL"};
  return std::find(std::begin(kUnscored), std::end(kUnscored), name) != std::end(kUnscored);
}

std::string_view FeatureName(int feature) { return kFeatureNames[static_cast<size_t>(feature)]; }

Features FeaturesOf(const detect::Verdict& v) {
  Features f{};
  f[kFeatureHate] = ClampedLogit(v.score(Category::kHate).probability);
  f[kFeatureHarassment] = ClampedLogit(v.score(Category::kHarassment).probability);
  f[kFeatureThreat] = ClampedLogit(v.score(Category::kThreat).probability);
  f[kFeatureOffensive] = ClampedLogit(v.offensive);
  f[kFeatureProfanity] = v.profanity ? 1.0 : 0.0;
  return f;
}

double AttributeModel::Score(const Features& x) const {
  double z = bias;
  for (int i = 0; i < kNumFeatures; ++i) z += weights[i] * x[i];
  return Sigmoid(z);
}

Result<AttributeModel> FitAttributeModel(const std::vector<Features>& x,
                                         const std::vector<double>& target,
                                         const std::vector<double>& weight) {
  if (x.size() != target.size()) return InvalidArgument("features and targets differ in size");
  if (!weight.empty() && weight.size() != x.size()) {
    return InvalidArgument("features and weights differ in size");
  }
  if (x.empty()) return InvalidArgument("nothing to fit on");
  for (double t : target) {
    if (!(t >= 0 && t <= 1)) return InvalidArgument("a target is outside [0, 1]");
  }
  for (double w : weight) {
    if (!(w >= 0 && std::isfinite(w))) return InvalidArgument("a weight is negative");
  }
  auto w_of = [&](size_t i) { return weight.empty() ? 1.0 : weight[i]; };
  double n = 0;
  for (size_t i = 0; i < x.size(); ++i) n += w_of(i);
  if (!(n > 0)) return InvalidArgument("the weights sum to 0");
  // The loss's curvature is at most E[x_j^2] / 4 per coordinate; a step of 1 / (sum of those)
  // can never overshoot, whatever the data.
  double curvature = 0.25;  // the bias
  for (int j = 0; j < kNumFeatures; ++j) {
    double s = 0;
    for (size_t i = 0; i < x.size(); ++i) s += w_of(i) * x[i][j] * x[i][j];
    curvature += 0.25 * s / n;
  }
  const double step = 1.0 / curvature;
  constexpr double kL2 = 1e-4;
  AttributeModel m;
  // Start from the base rate: every score equal to the share of positives.
  double mean = 0;
  for (size_t i = 0; i < x.size(); ++i) mean += w_of(i) * target[i];
  mean = std::clamp(mean / n, 1e-4, 1 - 1e-4);
  m.bias = std::log(mean / (1 - mean));
  // Nesterov-accelerated projected gradient descent; the problem is convex and small (six
  // parameters), so a fixed number of iterations reaches the optimum to many digits.
  AttributeModel prev = m, look = m;
  for (int it = 1; it <= 4000; ++it) {
    Features grad{};
    double grad_bias = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double err = w_of(i) * (look.Score(x[i]) - target[i]);
      grad_bias += err;
      for (int j = 0; j < kNumFeatures; ++j) grad[j] += err * x[i][j];
    }
    AttributeModel next;
    next.bias = look.bias - step * grad_bias / n;
    for (int j = 0; j < kNumFeatures; ++j) {
      const double g = grad[j] / n + kL2 * look.weights[j];
      next.weights[j] = std::max(0.0, look.weights[j] - step * g);
    }
    const double momentum = (it - 1.0) / (it + 2.0);
    look.bias = next.bias + momentum * (next.bias - prev.bias);
    for (int j = 0; j < kNumFeatures; ++j) {
      look.weights[j] =
          std::max(0.0, next.weights[j] + momentum * (next.weights[j] - prev.weights[j]));
    }
    prev = m = next;
  }
  return m;
}

Reliability MeasureReliability(const std::vector<double>& predicted,
                               const std::vector<double>& target, int num_bins) {
  Reliability r;
  num_bins = std::max(1, num_bins);
  r.bins.resize(static_cast<size_t>(num_bins));
  for (int b = 0; b < num_bins; ++b) {
    r.bins[b].lo = static_cast<double>(b) / num_bins;
    r.bins[b].hi = static_cast<double>(b + 1) / num_bins;
  }
  const size_t n = std::min(predicted.size(), target.size());
  r.n = static_cast<int>(n);
  for (size_t i = 0; i < n; ++i) {
    const int b = std::clamp(static_cast<int>(predicted[i] * num_bins), 0, num_bins - 1);
    ReliabilityBin& bin = r.bins[b];
    ++bin.n;
    bin.mean_predicted += predicted[i];
    bin.mean_observed += target[i];
    r.mean_target += target[i];
  }
  if (n == 0) return r;
  r.mean_target /= static_cast<double>(n);
  for (ReliabilityBin& bin : r.bins) {
    if (bin.n == 0) continue;
    bin.mean_predicted /= bin.n;
    bin.mean_observed /= bin.n;
    r.ece += static_cast<double>(bin.n) / static_cast<double>(n) *
             std::abs(bin.mean_predicted - bin.mean_observed);
  }
  return r;
}

Result<AttributeCalibration> AttributeCalibration::FromJson(const json& j) {
  if (!j.is_object() || !j.contains("attributes") || !j["attributes"].is_object()) {
    return InvalidArgument("calibration: expected an object with \"attributes\"", "attributes");
  }
  if (j.value("format_version", 0) != 1) {
    return InvalidArgument("calibration: unsupported format_version", "format_version");
  }
  AttributeCalibration c;
  if (j.contains("model_version") && j["model_version"].is_string()) {
    c.model_version_ = j["model_version"].get<std::string>();
  }
  for (Attribute a : kAllAttributes) {
    const std::string name(AttributeName(a));
    const std::string field = "attributes." + name;
    auto it = j["attributes"].find(name);
    if (it == j["attributes"].end() || !it->is_object()) {
      return InvalidArgument("calibration: missing attribute " + name, field);
    }
    AttributeModel m;
    if (!it->contains("bias") || !(*it)["bias"].is_number()) {
      return InvalidArgument("calibration: " + name + " needs a numeric bias", field + ".bias");
    }
    m.bias = (*it)["bias"].get<double>();
    const json& w = (*it).value("weights", json::object());
    for (int f = 0; f < kNumFeatures; ++f) {
      const std::string fname(FeatureName(f));
      if (!w.contains(fname)) continue;  // absent: 0
      if (!w[fname].is_number() || w[fname].get<double>() < 0 ||
          !std::isfinite(w[fname].get<double>())) {
        return InvalidArgument(
            "calibration: weight " + fname + " of " + name + " must be a finite number >= 0",
            field + ".weights." + fname);
      }
      m.weights[f] = w[fname].get<double>();
    }
    if (!std::isfinite(m.bias)) {
      return InvalidArgument("calibration: " + name + " bias is not finite", field + ".bias");
    }
    c.set_model(a, m);
  }
  return c;
}

Result<AttributeCalibration> AttributeCalibration::Load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return NotFound("cannot open " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument(file.string() + " is not valid JSON");
  auto c = FromJson(j);
  if (!c.ok()) return Status(c.status().code(), file.string() + ": " + c.status().message());
  return c;
}

json AttributeCalibration::ToJson() const {
  json attrs = json::object();
  for (Attribute a : kAllAttributes) {
    const AttributeModel& m = model(a);
    json w = json::object();
    for (int f = 0; f < kNumFeatures; ++f) w[std::string(FeatureName(f))] = m.weights[f];
    attrs[std::string(AttributeName(a))] = {{"bias", m.bias}, {"weights", w}};
  }
  return {{"format_version", 1}, {"model_version", model_version_}, {"attributes", attrs}};
}

}  // namespace bulwark::perspective

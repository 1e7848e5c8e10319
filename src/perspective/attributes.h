#pragma once

// Perspective attributes scored from Bulwark's verdicts.
//
// Google Jigsaw's Perspective API scored a comment per "attribute" (TOXICITY, INSULT, ...): the
// probability that a reader would perceive the comment as having it. Bulwark's detectors answer a
// different question (per taxonomy category: does the text violate the policy?). This file is the
// bridge: a few features read from a Verdict, and per attribute a small logistic model over them,
// fitted on held-out data labelled for that attribute (docs/perspective.md has the data, the
// reliability diagrams and where the meanings differ). The fitted models ship as
// data/perspective/calibration.json, made by `bulwark perspective-calibrate`.
//
// Every weight except the bias is kept >= 0, so more evidence never lowers a score: a higher hate
// probability cannot make a text less of an IDENTITY_ATTACK.
//
// Thread safety: AttributeCalibration is an immutable value once loaded.

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/status.h"

namespace bulwark::detect {
struct Verdict;
}

namespace bulwark::perspective {

enum class Attribute : std::uint8_t {
  kToxicity,
  kSevereToxicity,
  kIdentityAttack,
  kInsult,
  kProfanity,
  kThreat,
};
inline constexpr int kNumAttributes = 6;
inline constexpr std::array<Attribute, kNumAttributes> kAllAttributes = {
    Attribute::kToxicity, Attribute::kSevereToxicity, Attribute::kIdentityAttack,
    Attribute::kInsult,   Attribute::kProfanity,      Attribute::kThreat};

// "TOXICITY", "SEVERE_TOXICITY", "IDENTITY_ATTACK", "INSULT", "PROFANITY", "THREAT".
std::string_view AttributeName(Attribute a);
std::optional<Attribute> ParseAttribute(std::string_view name);
// True for the attributes Perspective offered that Bulwark does not score (SEXUALLY_EXPLICIT,
// FLIRTATION, the experimental and New York Times ones): a request for one gets Perspective's
// "not supported" error rather than "unknown attribute".
bool IsUnscoredPerspectiveAttribute(std::string_view name);

// The features an attribute model reads from a verdict. Probabilities enter as logits clamped to
// [-kMaxLogit, kMaxLogit]; the profanity flag as 0/1.
enum Feature : int {
  kFeatureHate,        // logit of the calibrated hate probability
  kFeatureHarassment,  // logit of the harassment probability
  kFeatureThreat,      // logit of the threat probability
  kFeatureOffensive,   // logit of the classifier's offensive-language probability
  kFeatureProfanity,   // 1 when the profanity lexicon matched, else 0
};
inline constexpr int kNumFeatures = 5;
inline constexpr double kMaxLogit = 8.0;
using Features = std::array<double, kNumFeatures>;
std::string_view FeatureName(int feature);  // "hate", "harassment", "threat", "offensive", ...
Features FeaturesOf(const detect::Verdict& v);

// p = sigmoid(bias + sum_i weights[i] * x[i]), weights >= 0.
struct AttributeModel {
  Features weights{};
  double bias = 0.0;
  double Score(const Features& x) const;
};

// Fits an AttributeModel by minimising the cross-entropy against soft targets (the share of
// annotators who perceived the attribute, or 0/1) with a small L2 penalty, by projected gradient
// descent (weights clipped at 0). `weight`, if not empty, weighs each example's loss (for
// example so that every data set counts alike, whatever its size). InvalidArgument when sizes
// differ, the set is empty, a target is outside [0, 1] or a weight is negative.
Result<AttributeModel> FitAttributeModel(const std::vector<Features>& x,
                                         const std::vector<double>& target,
                                         const std::vector<double>& weight = {});

// One bin of a reliability diagram: the mean predicted score and the mean observed target of the
// texts whose score falls in [lo, hi).
struct ReliabilityBin {
  double lo = 0, hi = 0;
  int n = 0;
  double mean_predicted = 0, mean_observed = 0;
};
struct Reliability {
  std::vector<ReliabilityBin> bins;  // equal-width bins over [0, 1]
  double ece = 0;                    // sum over bins of n/N * |mean_predicted - mean_observed|
  int n = 0;
  double mean_target = 0;  // base rate of the attribute in the data
};
Reliability MeasureReliability(const std::vector<double>& predicted,
                               const std::vector<double>& target, int num_bins = 10);

class AttributeCalibration {
 public:
  AttributeCalibration() = default;

  // The shipped file: {"format_version":1,"model_version":...,"attributes":{"TOXICITY":
  // {"bias":..,"weights":{"hate":..,...}},...}}. Every attribute must be present.
  static Result<AttributeCalibration> FromJson(const nlohmann::json& j);
  static Result<AttributeCalibration> Load(const std::filesystem::path& file);
  nlohmann::json ToJson() const;

  const AttributeModel& model(Attribute a) const { return models_[static_cast<size_t>(a)]; }
  void set_model(Attribute a, AttributeModel m) { models_[static_cast<size_t>(a)] = m; }
  // The classifier model version the calibration was fitted against ("none" without one). A
  // server whose detector has another model still answers, and says so at start-up and in
  // GET /v1/version: the probabilities may then be off.
  const std::string& model_version() const { return model_version_; }
  void set_model_version(std::string v) { model_version_ = std::move(v); }

  double Score(Attribute a, const Features& x) const { return model(a).Score(x); }

 private:
  std::array<AttributeModel, kNumAttributes> models_{};
  std::string model_version_ = "none";
};

}  // namespace bulwark::perspective

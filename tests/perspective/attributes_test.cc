// The Perspective attribute models: fitting, reliability, the shipped file's format, and the
// UTF-16 offsets of span annotations.

#include "perspective/attributes.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "perspective/analyze.h"

namespace bulwark::perspective {
namespace {

TEST(AttributeModel, FittingRecoversTheModelThatMadeTheTargets) {
  // Soft targets drawn from a known model: the fit must find its weights, and clip a feature
  // that hurts at 0 rather than learn a negative weight.
  AttributeModel truth;
  truth.bias = -1.5;
  truth.weights = {0.8, 0.0, 0.4, 0.0, 1.2};
  std::mt19937 rng(7);
  std::normal_distribution<double> z(0, 2);
  std::vector<Features> x;
  std::vector<double> y;
  for (int i = 0; i < 4000; ++i) {
    Features f{z(rng), z(rng), z(rng), z(rng), static_cast<double>(i % 3 == 0)};
    x.push_back(f);
    y.push_back(truth.Score(f));
  }
  auto fit = FitAttributeModel(x, y);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_NEAR(fit->bias, truth.bias, 0.05);
  for (int j = 0; j < kNumFeatures; ++j) EXPECT_NEAR(fit->weights[j], truth.weights[j], 0.05) << j;

  // A feature whose best weight is negative is held at 0 (more evidence never lowers a score).
  for (size_t i = 0; i < x.size(); ++i) y[i] = 1.0 / (1.0 + std::exp(x[i][kFeatureHate]));
  fit = FitAttributeModel(x, y);
  ASSERT_TRUE(fit.ok());
  EXPECT_EQ(fit->weights[kFeatureHate], 0.0);
}

TEST(AttributeModel, FittingRejectsWhatItCannotUse) {
  EXPECT_FALSE(FitAttributeModel({}, {}).ok());
  EXPECT_FALSE(FitAttributeModel({Features{}}, {}).ok());
  EXPECT_FALSE(FitAttributeModel({Features{}}, {1.5}).ok());
  EXPECT_FALSE(FitAttributeModel({Features{}}, {std::nan("")}).ok());
}

TEST(Reliability, MeasuresTheGapBetweenScoresAndWhatWasObserved) {
  // Scores of 0.25 on texts where half carry the attribute: off by 0.25 in every text.
  std::vector<double> p(100, 0.25), y(100, 0.0);
  for (int i = 0; i < 50; ++i) y[i] = 1.0;
  auto r = MeasureReliability(p, y);
  EXPECT_NEAR(r.ece, 0.25, 1e-12);
  EXPECT_NEAR(r.mean_target, 0.5, 1e-12);
  EXPECT_EQ(r.bins[2].n, 100);
  // Perfectly calibrated scores: no gap.
  std::vector<double> p2 = {0.05, 0.05, 0.95, 0.95}, y2 = {0.0, 0.1, 1.0, 0.9};
  EXPECT_NEAR(MeasureReliability(p2, y2).ece, 0.0, 1e-12);
  // A score of exactly 1 falls in the last bin.
  EXPECT_EQ(MeasureReliability({1.0}, {1.0}).bins.back().n, 1);
}

TEST(AttributeCalibration, RoundTripsAndRejectsBadFiles) {
  AttributeCalibration c;
  c.set_model_version("m1");
  AttributeModel m;
  m.bias = -2;
  m.weights[kFeatureThreat] = 1.25;
  c.set_model(Attribute::kThreat, m);
  auto back = AttributeCalibration::FromJson(c.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->model_version(), "m1");
  EXPECT_EQ(back->model(Attribute::kThreat).bias, -2);
  EXPECT_EQ(back->model(Attribute::kThreat).weights[kFeatureThreat], 1.25);

  nlohmann::json j = c.ToJson();
  j["attributes"]["INSULT"]["weights"]["hate"] = -1;
  auto bad = AttributeCalibration::FromJson(j);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().field(), "attributes.INSULT.weights.hate");
  j = c.ToJson();
  j["attributes"].erase("PROFANITY");
  EXPECT_EQ(AttributeCalibration::FromJson(j).status().field(), "attributes.PROFANITY");
  j = c.ToJson();
  j["format_version"] = 2;
  EXPECT_FALSE(AttributeCalibration::FromJson(j).ok());
}

TEST(AttributeCalibration, TheShippedFileLoadsAndIsForTheShippedModel) {
  auto c = AttributeCalibration::Load(std::string(BULWARK_SOURCE_DIR) +
                                      "/data/perspective/calibration.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_NE(c->model_version(), "none");
  // Every attribute reads at least one feature: none is a constant.
  for (Attribute a : kAllAttributes) {
    double sum = 0;
    for (double w : c->model(a).weights) sum += w;
    EXPECT_GT(sum, 0) << AttributeName(a);
  }
}

TEST(Attributes, NamesParseBackAndUnscoredOnesAreKnown) {
  for (Attribute a : kAllAttributes) EXPECT_EQ(ParseAttribute(AttributeName(a)), a);
  EXPECT_FALSE(ParseAttribute("toxicity"));
  EXPECT_TRUE(IsUnscoredPerspectiveAttribute("SEXUALLY_EXPLICIT"));
  EXPECT_FALSE(IsUnscoredPerspectiveAttribute("TOXICITY"));
  EXPECT_FALSE(IsUnscoredPerspectiveAttribute("MADE_UP"));
}

TEST(Utf16Offset, CountsCodeUnitsAsPerspectiveDoes) {
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x90\x80z";  // a é € 🐀 z
  EXPECT_EQ(Utf16Offset(text, 0), 0u);
  EXPECT_EQ(Utf16Offset(text, 1), 1u);   // after "a"
  EXPECT_EQ(Utf16Offset(text, 3), 2u);   // after "é" (2 bytes, 1 unit)
  EXPECT_EQ(Utf16Offset(text, 6), 3u);   // after "€" (3 bytes, 1 unit)
  EXPECT_EQ(Utf16Offset(text, 10), 5u);  // after "🐀" (4 bytes, a surrogate pair)
  EXPECT_EQ(Utf16Offset(text, 11), 6u);
  EXPECT_EQ(Utf16Offset(text, 99), 6u);  // clamped to the text
  // A truncated sequence counts a unit a byte and never reads past the end.
  EXPECT_EQ(Utf16Offset("\xF0\x9F", 2), 2u);
}

}  // namespace
}  // namespace bulwark::perspective

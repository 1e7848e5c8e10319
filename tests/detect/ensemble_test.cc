// Ensemble: the logistic combination, parameter files and fitting.

#include "detect/ensemble.h"

#include <random>

#include <gtest/gtest.h>

namespace bulwark::detect {
namespace {

TEST(Ensemble, DefaultSeverityScale) {
  auto p = EnsembleParams::Default();
  const auto& hate = p.of(Category::kHate);
  // Severity >= 3 flags alone, 2 does not, 1 is far below.
  EXPECT_TRUE(Combine(hate, {3.0, 0, 0}).label);
  EXPECT_FALSE(Combine(hate, {2.0, 0, 0}).label);
  EXPECT_LT(Combine(hate, {1.0, 0, 0}).probability, 0.1);
  // A moderate term corroborated by a confident classifier flags.
  EXPECT_TRUE(Combine(hate, {2.0, 1.5, 0}).label);
  // Nothing at all is near zero.
  EXPECT_LT(Combine(hate, {}).probability, 0.01);
  // A full known-claim copy flags misinformation on its own.
  EXPECT_TRUE(Combine(p.of(Category::kMisinfoVoting), {0, 0, 1.0}).label);
  EXPECT_FALSE(Combine(p.of(Category::kMisinfoVoting), {0, 0, 0.5}).label);
}

TEST(Ensemble, JsonRoundTripAndValidation) {
  auto p = EnsembleParams::Default();
  p.weights[0].bias = -3.25;
  auto q = EnsembleParams::FromJson(p.ToJson());
  ASSERT_TRUE(q.ok());
  EXPECT_DOUBLE_EQ(q->weights[0].bias, -3.25);
  EXPECT_EQ(q->version, p.version);
  nlohmann::json bad = {{"categories", {{"nope", nlohmann::json::object()}}}};
  EXPECT_FALSE(EnsembleParams::FromJson(bad).ok());
  nlohmann::json thr = {{"categories", {{"hate", {{"threshold", 1.0}}}}}};
  auto t = EnsembleParams::FromJson(thr);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().field(), "categories.hate.threshold");
}

TEST(Ensemble, FitRecoversGeneratingWeights) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> sev(0, 4), clf(-2, 4);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<EnsembleFeatures> x;
  std::vector<bool> y;
  for (int i = 0; i < 20000; ++i) {
    EnsembleFeatures f{sev(rng), clf(rng), 0};
    double p = Sigmoid(-4.0 + 1.5 * f.lexicon + 0.8 * f.classifier);
    x.push_back(f);
    y.push_back(u(rng) < p);
  }
  auto w = FitWeights(x, y, EnsembleWeights{}, 1e-3);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_NEAR(w->bias, -4.0, 0.3);
  EXPECT_NEAR(w->lexicon, 1.5, 0.15);
  EXPECT_NEAR(w->classifier, 0.8, 0.1);
  EXPECT_FALSE(FitWeights(x, std::vector<bool>(x.size(), true), {}, 1.0).ok());
  EXPECT_FALSE(FitWeights(x, {}, {}, 1.0).ok());
}

TEST(Ensemble, SigmoidAndLogitAreStable) {
  EXPECT_DOUBLE_EQ(Sigmoid(0), 0.5);
  EXPECT_GT(Sigmoid(-1000), -1e-300);
  EXPECT_LE(Sigmoid(1000), 1.0);
  EXPECT_NEAR(Logit(0.5), 0.0, 1e-12);
  EXPECT_TRUE(std::isfinite(Logit(0.0)));
  EXPECT_TRUE(std::isfinite(Logit(1.0)));
}

}  // namespace
}  // namespace bulwark::detect

#include "detect/classifier.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <random>
#include <thread>

#include "detect/metrics_eval.h"
#include "detect/training.h"

namespace bulwark::detect {
namespace {

// A tiny synthetic corpus: hateful templates about groups vs. friendly sentences that mention
// the same groups, plus health misinformation vs. ordinary health talk. No shared data needed.
std::vector<Example> SyntheticCorpus() {
  const std::vector<std::string> groups = {"martians", "venusians", "plutonians", "saturnians"};
  const std::vector<std::string> hate = {
      "are vermin and must be driven out", "are filthy animals who ruin everything",
      "should be exterminated like rats", "are subhuman parasites"};
  const std::vector<std::string> kind = {
      "are my neighbours and we had dinner", "organised a lovely community festival",
      "won the chess tournament yesterday", "have a great bakery on main street"};
  const std::vector<std::string> misinfo = {"the vaccine contains microchips to track you",
                                            "vaccines cause more deaths than the virus",
                                            "the jab is poison and alters your dna"};
  const std::vector<std::string> health = {"i booked my flu shot for tuesday",
                                           "the clinic opens at nine tomorrow",
                                           "drink water and rest when you have a cold"};
  std::vector<Example> out;
  std::mt19937 rng(1);
  auto add = [&](std::string text, ClassLabel label, int i) {
    Example e;
    e.text = std::move(text);
    e.label = label;
    e.dataset = "synthetic";
    e.split = i % 10 == 0 ? Split::kTest : (i % 10 == 1 ? Split::kValidation : Split::kTrain);
    out.push_back(std::move(e));
  };
  int i = 0;
  for (int rep = 0; rep < 12; ++rep) {
    for (const auto& g : groups) {
      for (const auto& h : hate)
        add("the " + g + " " + h + " #" + std::to_string(rep), ClassLabel::kHate, i++);
      for (const auto& k : kind)
        add("the " + g + " " + k + " #" + std::to_string(rep), ClassLabel::kNone, i++);
    }
    for (const auto& m : misinfo)
      add(m + " " + std::to_string(rep), ClassLabel::kMisinfoHealth, i++);
    for (const auto& h : health) add(h + " " + std::to_string(rep), ClassLabel::kNone, i++);
  }
  return out;
}

TrainOptions TinyOptions(const std::filesystem::path& dir) {
  TrainOptions o;
  o.out_dir = dir;
  o.hp.dim = 10;
  o.hp.epoch = 30;
  o.hp.lr = 0.5;
  o.hp.bucket = 20000;
  o.hp.min_count = 1;
  o.hp.cutoff = 0;
  o.command_line = "classifier_test";
  return o;
}

class ClassifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     ("bulwark-clf-test-" + std::to_string(::getpid())));
    std::filesystem::remove_all(*dir_);
    auto report = TrainFromExamples(SyntheticCorpus(), TinyOptions(*dir_ / "a"), {});
    ASSERT_TRUE(report.ok()) << report.status().ToString();
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  static std::filesystem::path* dir_;
};
std::filesystem::path* ClassifierTest::dir_ = nullptr;

TEST_F(ClassifierTest, TrainsOnSyntheticDataAndPredictsSensibly) {
  auto clf = Classifier::Load(*dir_ / "a");
  ASSERT_TRUE(clf.ok()) << clf.status().ToString();
  const Classifier& c = **clf;
  EXPECT_TRUE(c.has_label(ClassLabel::kHate));
  EXPECT_TRUE(c.has_label(ClassLabel::kMisinfoHealth));
  EXPECT_FALSE(c.has_label(ClassLabel::kOffensive));

  auto hateful = c.Predict("The Martians are VERMIN, driven out!");
  auto kind = c.Predict("the martians organised a lovely festival");
  auto misinfo = c.Predict("the vaccine contains microchips");
  ASSERT_TRUE(hateful.ok() && kind.ok() && misinfo.ok());
  EXPECT_GT(hateful->Probability(ClassLabel::kHate), 0.5);
  EXPECT_LT(kind->Probability(ClassLabel::kHate), 0.5);
  EXPECT_GT(misinfo->Probability(ClassLabel::kMisinfoHealth), 0.5);
  EXPECT_GT(hateful->Probability(ClassLabel::kHate), kind->Probability(ClassLabel::kHate));
  EXPECT_EQ(kind->Probability(ClassLabel::kOffensive), 0.0);  // not in the model
  // Raw softmax probabilities sum to one.
  double sum = 0;
  for (double r : hateful->raw) sum += r;
  EXPECT_NEAR(sum, 1.0, 1e-3);

  const auto& m = c.manifest();
  EXPECT_EQ(m.format_version, 1);
  EXPECT_EQ(m.model_version.substr(0, 7), "sha256:");
  EXPECT_EQ(m.preprocessor, c.input().name());
  EXPECT_EQ(m.training["command"], "classifier_test");
  EXPECT_EQ(m.training["calibration_split"], "validation");
}

TEST_F(ClassifierTest, TrainingIsReproducible) {
  auto again = TrainFromExamples(SyntheticCorpus(), TinyOptions(*dir_ / "b"), {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto first = Classifier::Load(*dir_ / "a");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(again->manifest.model_version, (*first)->manifest().model_version);
}

TEST_F(ClassifierTest, PredictIsThreadSafe) {
  auto clf = Classifier::Load(*dir_ / "a");
  ASSERT_TRUE(clf.ok());
  const auto corpus = SyntheticCorpus();
  std::vector<ClassifierScores> expected;
  for (const auto& e : corpus) expected.push_back(*(*clf)->Predict(e.text));
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 20; ++rep) {
        for (size_t i = t; i < corpus.size(); i += 1) {
          auto s = (*clf)->Predict(corpus[i].text);
          if (!s.ok() || s->probability != expected[i].probability) ++mismatches;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_F(ClassifierTest, RejectsOverlongInput) {
  Classifier::Options options;
  options.max_input_bytes = 16;
  auto clf = Classifier::Load(*dir_ / "a", options);
  ASSERT_TRUE(clf.ok());
  EXPECT_EQ((*clf)->Predict(std::string(17, 'a')).status().code(), Code::kResourceExhausted);
  EXPECT_TRUE((*clf)->Predict("").ok());
}

TEST_F(ClassifierTest, LoadErrors) {
  EXPECT_EQ(Classifier::Load(*dir_ / "missing").status().code(), Code::kNotFound);
  // Tampered model: hash no longer matches the manifest.
  const auto bad = *dir_ / "tampered";
  std::filesystem::create_directories(bad);
  std::filesystem::copy_file(*dir_ / "a" / "manifest.json", bad / "manifest.json");
  std::filesystem::copy_file(*dir_ / "a" / "model.ftz", bad / "model.ftz");
  {
    std::ofstream f(bad / "model.ftz", std::ios::app | std::ios::binary);
    f << "x";
  }
  EXPECT_EQ(Classifier::Load(bad).status().code(), Code::kFailedPrecondition);
  // Not a fastText file at all.
  {
    std::ofstream f(bad / "model.ftz", std::ios::trunc | std::ios::binary);
    f << "garbage garbage";
  }
  auto manifest = Classifier::Load(*dir_ / "a");
  ASSERT_TRUE(manifest.ok());
  ModelManifest m = (*manifest)->manifest();
  m.model_version.clear();
  EXPECT_EQ(Classifier::LoadModel(bad / "model.ftz", m, {}).status().code(),
            Code::kInvalidArgument);
  // Malformed manifests.
  {
    std::ofstream f(bad / "manifest.json", std::ios::trunc);
    f << "{not json";
  }
  EXPECT_EQ(Classifier::Load(bad).status().code(), Code::kInvalidArgument);
  nlohmann::json j = m.ToJson();
  j["format_version"] = 99;
  EXPECT_FALSE(ModelManifest::FromJson(j).ok());
  j = m.ToJson();
  j["model_file"] = "../etc/passwd";
  EXPECT_FALSE(ModelManifest::FromJson(j).ok());
  j = m.ToJson();
  j["thresholds"]["hate"] = 2.0;
  EXPECT_FALSE(ModelManifest::FromJson(j).ok());
  m.preprocessor = "something-else";
  EXPECT_EQ(Classifier::LoadModel(*dir_ / "a" / "model.ftz", m, {}).status().code(),
            Code::kFailedPrecondition);
}

TEST_F(ClassifierTest, ManifestRoundTrips) {
  auto clf = Classifier::Load(*dir_ / "a");
  ASSERT_TRUE(clf.ok());
  auto back = ModelManifest::FromJson((*clf)->manifest().ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ToJson(), (*clf)->manifest().ToJson());
}

TEST_F(ClassifierTest, EvaluateReportsTestSplitOnly) {
  auto clf = Classifier::Load(*dir_ / "a");
  ASSERT_TRUE(clf.ok());
  auto corpus = SyntheticCorpus();
  corpus[0].targets = {TargetGroup::kJewish};
  for (auto& e : corpus) {
    if (e.label == ClassLabel::kNone && e.split == Split::kTest) e.targets = {TargetGroup::kWomen};
  }
  const EvalReport r = Evaluate(**clf, corpus);
  long long test_n = 0;
  for (const auto& e : corpus) test_n += e.split == Split::kTest;
  ASSERT_FALSE(r.labels.empty());
  for (const LabelEval& e : r.labels) {
    EXPECT_EQ(e.n, test_n);
    ASSERT_TRUE(e.auc.has_value());
    EXPECT_GT(*e.auc, 0.9);
  }
  ASSERT_FALSE(r.bias.empty());
  EXPECT_EQ(r.bias.front().group, TargetGroup::kWomen);
  const auto j = r.ToJson();
  EXPECT_EQ(j["split"], "test");
  EXPECT_NE(r.ToTable().find("| synthetic | hate |"), std::string::npos);
}

TEST(Training, RejectsBadHyperparameters) {
  TrainOptions o = TinyOptions(std::filesystem::temp_directory_path() / "bulwark-clf-bad");
  o.hp.dim = 0;
  EXPECT_EQ(TrainFromExamples(SyntheticCorpus(), o, {}).status().code(), Code::kInvalidArgument);
  o = TinyOptions(std::filesystem::temp_directory_path() / "bulwark-clf-bad");
  o.hp.minn = 3;
  o.hp.maxn = 2;
  EXPECT_EQ(TrainFromExamples(SyntheticCorpus(), o, {}).status().code(), Code::kInvalidArgument);
  o = TinyOptions(std::filesystem::temp_directory_path() / "bulwark-clf-bad");
  EXPECT_EQ(TrainFromExamples({}, o, {}).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark::detect

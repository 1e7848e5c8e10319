// Detector: end-to-end behaviour on the shipped data, bad input, versions, reload, threads.

#include "detect/detector.h"
#include "detect/ensemble_fit.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace bulwark::detect {
namespace {

DetectorConfig ShippedConfig() {
  DetectorConfig config;
  config.data_dir = std::string(BULWARK_SOURCE_DIR) + "/data";
  config.lexicon_cache_dir = BULWARK_DETECT_CACHE_DIR;
  return config;
}

class DetectorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto d = Detector::Load(ShippedConfig());
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    detector_ = new std::shared_ptr<const Detector>(std::move(d).value());
  }
  static void TearDownTestSuite() {
    delete detector_;
    detector_ = nullptr;
  }
  const Detector& d() { return **detector_; }
  static std::shared_ptr<const Detector>* detector_;
};
std::shared_ptr<const Detector>* DetectorTest::detector_ = nullptr;

// Prints the verdict JSON of BULWARK_DEBUG_TEXT (a debugging aid; skipped otherwise).
TEST_F(DetectorTest, FlagsDehumanisingPredicateWithExplanation) {
  Verdict v = d().Classify("Muslims are vermin.");
  EXPECT_TRUE(v.flagged(Category::kHate));
  EXPECT_FALSE(v.flagged(Category::kThreat));
  ASSERT_FALSE(v.targets.empty());
  EXPECT_EQ(v.targets[0], TargetGroup::kMuslim);
  bool found = false;
  for (const auto& e : v.evidence) {
    if (e.category == "hate" && e.detector == "lexicon") {
      found = true;
      EXPECT_LT(e.orig_begin, e.orig_end);
      EXPECT_FALSE(e.entry_id.empty());
    }
  }
  EXPECT_TRUE(found);
  EXPECT_TRUE(v.complete);
  EXPECT_FALSE(v.needs_review);
}

TEST_F(DetectorTest, NegationAndCounterSpeechAreNotFlagged) {
  EXPECT_FALSE(d().Classify("Muslims are not vermin.").any_flagged());
  Verdict v = d().Classify("Saying 'Muslims are vermin' is disgusting.");
  EXPECT_FALSE(v.any_flagged());
  EXPECT_TRUE(v.context & kCtxQuoted);
  EXPECT_TRUE(v.context & kCtxCounterSpeech);
}

TEST_F(DetectorTest, ThreatAgainstPersonVersusObject) {
  EXPECT_TRUE(d().Classify("I'm going to kill you.").flagged(Category::kThreat));
  Verdict v = d().Classify("Let's blow up the balloons for the party.");
  EXPECT_FALSE(v.flagged(Category::kThreat));
  EXPECT_TRUE(v.context & kCtxObjectTarget);
  Verdict p = d().Classify("Burn down the mosque on Friday.");
  EXPECT_TRUE(p.flagged(Category::kThreat));
  EXPECT_TRUE(p.flagged(Category::kHate));
}

TEST_F(DetectorTest, AmbiguousSlursDoNotStandForAGroup) {
  // Severity-1 slurs are mostly insults of one person or ordinary words: they are no group
  // reference for the attack analyzer (the lexicon keeps its own weak evidence).
  Verdict v = d().Classify("that dumb bitch cut me off in traffic again");
  EXPECT_FALSE(v.flagged(Category::kHate));
  for (const auto& e : v.evidence) EXPECT_NE(e.detector, "attack") << e.matched;
  // A severe slur still does.
  EXPECT_TRUE(d().Classify("all those dumb kikes should leave").flagged(Category::kHate));
}

TEST_F(DetectorTest, ProfanityIsNotHate) {
  Verdict v = d().Classify("This fucking movie is shit.");
  EXPECT_FALSE(v.any_flagged());
  EXPECT_TRUE(v.profanity);
}

TEST_F(DetectorTest, KnownClaimMatchesAndDebunkDoesNot) {
  Verdict v =
      d().Classify("Reminder: you can vote by text this year, just text your candidate's name");
  EXPECT_TRUE(v.flagged(Category::kMisinfoVoting));
  bool claim = false;
  for (const auto& e : v.evidence) claim |= e.detector == "claims";
  EXPECT_TRUE(claim);
  EXPECT_FALSE(d().Classify("Fact check: claims that you can vote by text are false.")
                   .flagged(Category::kMisinfoVoting));
}

TEST_F(DetectorTest, BadInputHasWellDefinedResults) {
  DetectorScratch s;
  std::vector<std::string> inputs = {
      "",
      std::string("\xff\xfe\xc0\x80 muslims are vermin \xed\xa0\x80"),
      "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80",
      std::string(30, '\0') + "\xE2\x80\x8B\xE2\x80\x8B\xE2\x80\x8C\xE2\x80\x8D",
      std::string(10000, 'a'),
      "Muslims \xD0\xB0re v\xD0\xB5rmin \xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D \xD9\x85\xD8\xB1\xD8\xAD",
      "\xE2\x80\xAE"
      "nimrev era smilsuM",
  };
  for (const auto& in : inputs) {
    Verdict v = d().Classify(in, &s);
    EXPECT_TRUE(v.complete) << in.size();
    EXPECT_FALSE(v.truncated);
    std::string json = VerdictToJson(v).dump();  // must not throw on any input
    EXPECT_FALSE(json.empty());
  }
  Verdict inv = d().Classify(inputs[1], &s);
  EXPECT_TRUE(inv.invalid_utf8);
  EXPECT_TRUE(inv.flagged(Category::kHate));  // invalid bytes do not hide what follows
  EXPECT_TRUE(d().Classify(inputs[5], &s).flagged(Category::kHate));  // Cyrillic look-alikes
}

TEST_F(DetectorTest, OverLongInputIsTruncatedAndFlaggedForReview) {
  std::string big(d().config().max_input_bytes + 100, 'x');
  for (size_t i = 0; i < big.size(); i += 10) big[i] = ' ';
  Verdict v = d().Classify(big);
  EXPECT_TRUE(v.truncated);
  EXPECT_TRUE(v.needs_review);
  EXPECT_FALSE(v.issues.empty());
  auto j = VerdictToJson(v);
  EXPECT_TRUE(j["input"]["truncated"].get<bool>());
  EXPECT_TRUE(j["needs_review"].get<bool>());
}

TEST_F(DetectorTest, OneMegabyteOfHitsStaysBounded) {
  std::string big;
  while (big.size() < (1u << 20) - 32) big += "vermin kill you ";
  Verdict v = d().Classify(big);
  // Either all hits fit or the overflow is reported: never a silent clean verdict.
  EXPECT_TRUE(v.any_flagged() || v.needs_review);
  EXPECT_LE(v.evidence.size(), 5000u);
}

TEST_F(DetectorTest, VerdictJsonHasVersionsAndFormat) {
  auto j = VerdictToJson(d().Classify("Jews are parasites."));
  EXPECT_EQ(j["format_version"], kVerdictFormatVersion);
  EXPECT_TRUE(j["versions"]["lexicon"].is_string());
  EXPECT_TRUE(j["versions"]["model"].is_string());
  EXPECT_TRUE(j["versions"]["claims"].is_string());
  EXPECT_TRUE(j["scores"]["hate"]["label"].get<bool>());
  EXPECT_EQ(j["labels"][0], "hate");
  auto r = d().VersionReport();
  EXPECT_TRUE(r["lexicon"]["entries"].get<size_t>() > 1000);
  EXPECT_TRUE(r["thresholds"].contains("misinformation.voting"));
  if (d().classifier()) {
    EXPECT_EQ(r["model"]["engine"], "linear");  // the shipped model
  }
}

TEST_F(DetectorTest, FastJsonWriterMatchesVerdictToJson) {
  for (const char* t :
       {"Muslims are vermin.", "Saying 'Jews are parasites' is \"disgusting\"\n",
        "you can vote by sending a text message lol", "", "\xff\xfe bad \x01 bytes kill you",
        "I am a proud gay man \xF0\x9F\x8F\xB3"}) {
    Verdict v = d().Classify(t);
    std::string fast;
    AppendVerdictJson(v, "\"line\":7", &fast);
    auto parsed = nlohmann::json::parse(fast, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << fast;
    nlohmann::json want = VerdictToJson(v);
    want["line"] = 7;
    EXPECT_EQ(parsed, want) << fast << "\n" << want.dump();
  }
}

TEST_F(DetectorTest, ConcurrentClassifyMatchesSequential) {
  std::vector<std::string> texts = {"Muslims are vermin.", "I am a proud gay man.",
                                    "I'm going to kill you.", "nice weather today",
                                    "Vaccines cause autism, wake up"};
  std::vector<double> want;
  for (const auto& t : texts) want.push_back(d().Classify(t).score(Category::kHate).probability);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      DetectorScratch s;
      Verdict v;
      for (int rep = 0; rep < 50; ++rep) {
        for (size_t i = 0; i < texts.size(); ++i) {
          d().Classify(texts[i], &s, &v);
          if (v.score(Category::kHate).probability != want[i]) mismatches[k]++;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST(DetectorHandle, ReloadSwapsAndKeepsOldOnFailure) {
  DetectorHandle h(ShippedConfig());
  EXPECT_EQ(h.Get(), nullptr);
  ASSERT_TRUE(h.Reload().ok());
  auto first = h.Get();
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(h.Reload().ok());
  EXPECT_NE(h.Get(), first);  // a new snapshot; `first` is still usable by its holders
  EXPECT_TRUE(first->Classify("Muslims are vermin.").flagged(Category::kHate));

  DetectorConfig bad = ShippedConfig();
  bad.lexicon_dir = "/nonexistent/lexicon";
  DetectorHandle hb(bad);
  EXPECT_FALSE(hb.Reload().ok());
  EXPECT_EQ(hb.Get(), nullptr);
  hb.Set(first);
  EXPECT_FALSE(hb.Reload().ok());
  EXPECT_EQ(hb.Get(), first);
}

TEST(EnsembleFitTest, FitsOnValidationAndScoresTest) {
  DetectorConfig c = ShippedConfig();
  c.enable_classifier = false;
  auto d = Detector::Load(c);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  std::vector<Example> examples;
  const char* hateful[] = {"Muslims are vermin", "Jews are parasites", "gas the jews",
                           "Black people are animals", "kill all gays"};
  const char* benign[] = {"nice weather today", "I love my dog", "see you at the game",
                          "Muslims celebrate Eid", "vermin in the barn again"};
  for (Split split : {Split::kTrain, Split::kValidation, Split::kTest}) {
    for (int rep = 0; rep < 4; ++rep) {
      for (const char* t : hateful)
        examples.push_back({t, ClassLabel::kHate, {}, "synthetic", split});
      for (const char* t : benign)
        examples.push_back({t, ClassLabel::kNone, {}, "synthetic", split});
    }
  }
  auto fit = FitEnsemble(**d, examples, 1.0);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_EQ(fit->params.version, "fitted-validation-v1");
  const auto& hate = fit->summary["hate"];
  EXPECT_EQ(hate["validation_fitted"]["examples"], 40);
  EXPECT_EQ(hate["test_fitted"]["examples"], 40);
  EXPECT_LE(hate["validation_fitted"]["log_loss"].get<double>(),
            hate["validation_before"]["log_loss"].get<double>() + 1e-9);
  // No detector signal for health misinformation in this data: refused, weights unchanged.
  EXPECT_TRUE(fit->summary["misinformation.health"].contains("fit_error"));
  EXPECT_EQ(fit->params.of(Category::kMisinfoHealth).bias,
            (*d)->ensemble().of(Category::kMisinfoHealth).bias);
}

TEST(EnsembleFitTest, FunctionalTrainTemplatesAreFittedTestTemplatesOnlyScored) {
  DetectorConfig c = ShippedConfig();
  c.enable_classifier = false;
  auto d = Detector::Load(c);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  std::vector<Example> examples;
  for (Split split : {Split::kValidation, Split::kTest}) {
    examples.push_back({"Muslims are vermin", ClassLabel::kHate, {}, "synthetic", split});
    examples.push_back({"nice weather today", ClassLabel::kNone, {}, "synthetic", split});
  }
  auto fc = [](const char* text, bool hateful, const char* split) {
    FunctionalCase f;
    f.text = text;
    f.hateful = hateful;
    f.split = split;
    f.functionality = "test";
    return f;
  };
  std::vector<FunctionalCase> suite = {
      fc("I despise all jews", true, "train"), fc("women are filthy animals", true, "train"),
      fc("I love my jewish neighbours", false, "train"), fc("gay people are lovely", true, "test"),
      fc("immigrants are vermin", true, "test")};
  auto fit = FitEnsemble(**d, examples, 1.0, suite);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  const auto& hate = fit->summary["hate"];
  EXPECT_EQ(hate["functional_train_cases_fitted"], 3);
  EXPECT_EQ(hate["validation_fitted"]["examples"], 5);  // 2 validation texts + 3 train cases
  EXPECT_EQ(hate["functional_test_fitted"]["hateful_cases"], 2);
  EXPECT_NE(fit->params.provenance.find("functional"), std::string::npos);
  // The test templates never move the weights: other test cases, the same fit.
  suite[3] = fc("those people should all be deported", true, "test");
  auto again = FitEnsemble(**d, examples, 1.0, suite);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->params.of(Category::kHate).bias, fit->params.of(Category::kHate).bias);
  EXPECT_EQ(again->params.of(Category::kHate).attack, fit->params.of(Category::kHate).attack);
  // A train template does.
  suite[0] = fc("I love my jewish neighbours", false, "train");
  auto moved = FitEnsemble(**d, examples, 1.0, suite);
  ASSERT_TRUE(moved.ok());
  EXPECT_NE(moved->params.of(Category::kHate).bias, fit->params.of(Category::kHate).bias);
}

TEST(EnsembleFitTest, OperatingPointsLeaveTheSuitesNonHatefulCasesAlone) {
  // Two hate texts (one scored low) and one non-hateful text, scored 0.9, 0.15 and 0.1.
  const std::vector<double> p = {0.9, 0.15, 0.1};
  const std::vector<bool> y = {true, true, false};
  // Unconstrained, the review point reaches down to the low-scored hate text.
  auto [label, review] = ChooseOperatingPoints(p, y, {});
  EXPECT_LE(review, 0.15);
  EXPECT_LE(review, label);
  // A non-hateful functional case scored 0.3 must stay below both points.
  auto [label_g, review_g] = ChooseOperatingPoints(p, y, {0.3});
  EXPECT_GT(review_g, 0.3);
  EXPECT_GT(label_g, 0.3);
  EXPECT_LE(review_g, label_g);
  // The floors are shares: 1 of 10 guard cases flagged is within the review floor (85%), not
  // within the label floor (95%).
  std::vector<double> guard(9, 0.01);
  guard.push_back(0.5);
  auto [label_s, review_s] = ChooseOperatingPoints(p, y, guard);
  EXPECT_LE(review_s, 0.15);
  EXPECT_GT(label_s, 0.5);
}

TEST(DetectorScratchPoolTest, ReusesScratch) {
  DetectorScratchPool pool(1);
  auto a = pool.Acquire();
  DetectorScratch* raw = a.get();
  pool.Release(std::move(a));
  auto b = pool.Acquire();
  EXPECT_EQ(b.get(), raw);
  auto c = pool.Acquire();
  EXPECT_NE(c.get(), raw);
  pool.Release(std::move(b));
  pool.Release(std::move(c));  // over max_free: freed
  pool.Release(nullptr);
}

TEST(DetectorConfigTest, DisabledStagesAndBadThresholds) {
  DetectorConfig c = ShippedConfig();
  c.enable_classifier = false;
  c.enable_claims = false;
  auto d = Detector::Load(c);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ((*d)->model_version(), "disabled");
  EXPECT_EQ((*d)->claims_version(), "disabled");
  EXPECT_TRUE((*d)->Classify("Muslims are vermin.").flagged(Category::kHate));

  c.thresholds[static_cast<size_t>(Category::kHate)] = 1.5;
  EXPECT_FALSE(Detector::Load(c).ok());
  c.thresholds[static_cast<size_t>(Category::kHate)] = 0.99;
  auto strict = Detector::Load(c);
  ASSERT_TRUE(strict.ok());
  EXPECT_DOUBLE_EQ((*strict)->threshold(Category::kHate), 0.99);
}

// `scan` end to end: JSONL in, one verdict per line out in input order, bad lines reported.
TEST(ScanCli, ScansJsonlInOrderAndReportsBadLines) {
  testing::TempDir dir;
  std::string in = dir.path() + "/in.jsonl", out = dir.path() + "/out.jsonl";
  {
    std::ofstream f(in);
    for (int i = 0; i < 300; ++i) {
      f << nlohmann::json({{"id", i}, {"text", i % 3 == 0 ? "Muslims are vermin." : "hello there"}})
               .dump()
        << "\n";
    }
    f << "not json\n";
    f << R"({"id":"x","text":42})"
      << "\n";
  }
  std::string cmd = std::string(BULWARK_BINARY_PATH) +
                    " scan --quiet --threads 2 --batch 64 --data-dir " + BULWARK_SOURCE_DIR +
                    "/data --cache-dir " + BULWARK_DETECT_CACHE_DIR + " --in " + in + " --out " +
                    out + " 2>&1";
  std::string output;
  EXPECT_EQ(testing::RunCommand(cmd, &output), 2) << output;
  std::ifstream f(out);
  std::string line;
  int n = 0, errors = 0;
  while (std::getline(f, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    if (j.contains("error")) {
      ++errors;
      continue;
    }
    EXPECT_EQ(j["id"], n);
    EXPECT_EQ(j["scores"]["hate"]["label"].get<bool>(), n % 3 == 0) << line;
    ++n;
  }
  EXPECT_EQ(n, 300);
  EXPECT_EQ(errors, 2);
}

TEST(ScanCli, VersionReportsDetectors) {
  std::string out;
  std::string cmd = std::string(BULWARK_BINARY_PATH) +
                    " version --detectors --no-classifier --data-dir " + BULWARK_SOURCE_DIR +
                    "/data --cache-dir " + BULWARK_DETECT_CACHE_DIR;
  ASSERT_EQ(testing::RunCommand(cmd, &out), 0) << out;
  auto j = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << out;
  EXPECT_EQ(j["model"]["version"], "disabled");
  EXPECT_TRUE(j["lexicon"]["version"].is_string());
}

}  // namespace
}  // namespace bulwark::detect

namespace bulwark::detect {
namespace {

TEST(DetectorLanguages, CoverageFollowsTheCoveredListAndTheScript) {
  EXPECT_EQ(CoverageOf("en", true, "plain english words"), "full");
  EXPECT_EQ(CoverageOf("de", true, "Ich hasse alle"), "none");
  // Undetermined or unsure: the script decides.
  EXPECT_EQ(CoverageOf("und", false, "lol ok"), "full");
  EXPECT_EQ(CoverageOf("en", false,
                       "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 \xd8\xa8\xd9\x83\xd9\x85 ok"),
            "none");
}

TEST(DetectorLanguages, VerdictCarriesLanguageAndCoverage) {
  DetectorConfig config;
  config.data_dir = std::string(BULWARK_SOURCE_DIR) + "/data";
  config.lexicon_cache_dir = BULWARK_DETECT_CACHE_DIR;
  auto d = Detector::Load(config);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  Verdict v =
      (*d)->Classify("Der Stadtrat trifft sich am Dienstag, um die neuen Buslinien zu besprechen.");
  EXPECT_EQ(v.language, "de");
  EXPECT_EQ(v.coverage, "none");
  auto j = VerdictToJson(v);
  EXPECT_EQ(j["language"], "de");
  EXPECT_EQ(j["coverage"], "none");
  std::string fast;
  AppendVerdictJson(v, "", &fast);
  EXPECT_EQ(nlohmann::json::parse(fast), j);
  v = (*d)->Classify("The council meets on Tuesday to discuss the new bus routes.");
  EXPECT_EQ(v.language, "en");
  EXPECT_EQ(v.coverage, "full");
}

}  // namespace
}  // namespace bulwark::detect

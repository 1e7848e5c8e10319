// The golden context suite: runs the full detector over tests/golden/context_cases.jsonl,
// prints a pass table per failure mode and asserts floors measured when the suite was added
// (docs/detection.md), so that regressions fail. A case passes when the set of flagged
// categories equals the case's `expect` set exactly.
//
// The suite is a regression check, never training or tuning data (tests/golden/README.md).
// BULWARK_GOLDEN_MODEL_DIR (optional) names a classifier bundle to use instead of the one
// auto-discovered under data/models/, BULWARK_GOLDEN_NO_MODEL=1 runs without a classifier;
// BULWARK_GOLDEN_ENSEMBLE names an ensemble weights file (floors apply to the defaults only);
// BULWARK_GOLDEN_VERBOSE=1 prints every failing case.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "detect/detector.h"

namespace bulwark::detect {
namespace {

struct Tally {
  int pass = 0, total = 0;
};

TEST(GoldenContext, PassRatesPerFailureModeMeetFloors) {
  DetectorConfig config;
  config.data_dir = std::string(BULWARK_SOURCE_DIR) + "/data";
  config.lexicon_cache_dir = BULWARK_DETECT_CACHE_DIR;
  if (const char* m = std::getenv("BULWARK_GOLDEN_MODEL_DIR"); m && *m) config.model_dir = m;
  if (std::getenv("BULWARK_GOLDEN_NO_MODEL")) config.enable_classifier = false;
  if (const char* e = std::getenv("BULWARK_GOLDEN_ENSEMBLE"); e && *e) config.ensemble_file = e;
  auto det = Detector::Load(config);
  ASSERT_TRUE(det.ok()) << det.status().ToString();
  const Detector& d = **det;

  std::ifstream in(std::string(BULWARK_SOURCE_DIR) + "/tests/golden/context_cases.jsonl");
  ASSERT_TRUE(in) << "golden file missing";
  const bool verbose = std::getenv("BULWARK_GOLDEN_VERBOSE") != nullptr;
  std::map<std::string, Tally> modes;
  Tally all;
  DetectorScratch scratch;
  Verdict v;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    std::set<std::string> expect;
    for (const auto& [k, val] : j["expect"].items()) {
      if (val.is_boolean() && val.get<bool>()) expect.insert(k);
    }
    d.Classify(j["text"].get<std::string>(), &scratch, &v);
    std::set<std::string> got;
    for (Category c : kAllCategories) {
      if (v.flagged(c)) got.insert(std::string(CategoryName(c)));
    }
    bool ok = got == expect;
    auto& t = modes[j["failure_mode"].get<std::string>()];
    t.total++;
    all.total++;
    if (ok) {
      t.pass++;
      all.pass++;
    } else if (verbose) {
      std::string g, e;
      for (const auto& s : got) g += s + " ";
      for (const auto& s : expect) e += s + " ";
      std::printf("FAIL %-28s got[%s] want[%s] %s\n", j["id"].get<std::string>().c_str(), g.c_str(),
                  e.c_str(), j["text"].get<std::string>().c_str());
    }
  }
  std::printf("golden context suite (model %s, lexicon %s)\n", d.model_version().c_str(),
              d.lexicon_version().c_str());
  std::printf("%-20s %5s %5s %7s\n", "failure_mode", "pass", "total", "rate");
  for (const auto& [mode, t] : modes) {
    std::printf("%-20s %5d %5d %6.1f%%\n", mode.c_str(), t.pass, t.total, 100.0 * t.pass / t.total);
  }
  std::printf("%-20s %5d %5d %6.1f%%\n", "ALL", all.pass, all.total, 100.0 * all.pass / all.total);

  // Floors: the pass counts measured when this suite was written (docs/detection.md), with and
  // without a classifier. A change that lowers any of them is a regression.
  EXPECT_EQ(all.total, 318);
  const bool with_model = d.classifier() != nullptr;
  const std::map<std::string, int> floors_no_model = {
#include "detect/testdata/ensemble_golden_floors_lexicon.inc"
  };
  const std::map<std::string, int> floors_model = {
#include "detect/testdata/ensemble_golden_floors_model.inc"
  };
  const auto& floors = with_model ? floors_model : floors_no_model;
  if (!config.ensemble_file.empty()) GTEST_SKIP() << "floors hold for the default weights only";
  for (const auto& [mode, floor] : floors) {
    int got = mode == "ALL" ? all.pass : modes[mode].pass;
    EXPECT_GE(got, floor) << "golden failure mode '" << mode << "' regressed";
  }
}

}  // namespace
}  // namespace bulwark::detect

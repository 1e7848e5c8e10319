// The project's functional suite (tests/functional/, docs/functional-suite.md) through the whole
// shipped detector. Checks the suite's shape (templates, cases, functionalities, targets, the
// template split) and that accuracy on the TEST templates at the `label` operating point meets
// the floors in floors.json, so a regression fails the build. Floors are measured values minus
// a margin, never targets; raise them when the detector improves.
// BULWARK_FUNCTIONAL_VERBOSE=1 prints the table.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "detect/detector.h"
#include "detect/functional.h"

namespace bulwark::detect {
namespace {

const std::string kSuite = std::string(BULWARK_SOURCE_DIR) + "/tests/functional";

TEST(FunctionalSuite, ShapeAndTemplateSplit) {
  auto cases = LoadFunctionalSuite(kSuite);
  ASSERT_TRUE(cases.ok()) << cases.status().ToString();
  std::set<std::string> templates, functionalities, targets;
  std::map<std::string, std::string> split_of;
  size_t hateful = 0;
  for (const auto& c : *cases) {
    templates.insert(c.template_id);
    functionalities.insert(c.functionality);
    if (c.target != "none") targets.insert(c.target);
    hateful += c.hateful;
    auto [it, fresh] = split_of.emplace(c.template_id, c.split);
    EXPECT_EQ(it->second, c.split) << "a template is in one split only: " << c.template_id;
  }
  EXPECT_GE(cases->size(), 3000u);
  EXPECT_GE(templates.size(), 300u);
  EXPECT_GE(functionalities.size(), 25u);
  EXPECT_GE(targets.size(), 12u);
  EXPECT_GT(hateful, 0u);
  EXPECT_LT(hateful, cases->size());
}

TEST(FunctionalSuite, PerturbationsAreDeterministicAndChangeTheWord) {
  EXPECT_EQ(PerturbWord("despise", "delete_char", 3), PerturbWord("despise", "delete_char", 3));
  EXPECT_EQ(PerturbWord("despise", "delete_char", 3).size(), 6u);
  EXPECT_NE(PerturbWord("despise", "swap_chars", 5), "despise");
  EXPECT_NE(PerturbWord("despise", "leet", 1), "despise");
  EXPECT_EQ(PerturbWord("hate", "space_letters", 0), "h a t e");
}

TEST(FunctionalSuite, TestTemplatesMeetFloors) {
  auto cases = LoadFunctionalSuite(kSuite);
  ASSERT_TRUE(cases.ok()) << cases.status().ToString();
  std::ifstream fin(kSuite + "/floors.json");
  ASSERT_TRUE(fin) << "floors.json missing";
  nlohmann::json floors = nlohmann::json::parse(fin, nullptr, false);
  ASSERT_TRUE(floors.is_object());

  DetectorConfig config;
  config.data_dir = std::string(BULWARK_SOURCE_DIR) + "/data";
  config.lexicon_cache_dir = BULWARK_DETECT_CACHE_DIR;
  auto det = Detector::Load(config);
  ASSERT_TRUE(det.ok()) << det.status().ToString();
  DetectorScratch scratch;
  Verdict v;
  FunctionalReport report;
  for (const auto& c : *cases) {
    if (c.split != "test") continue;
    (*det)->Classify(c.text, &scratch, &v);
    report.Add(c, v.flagged(Category::kHate));
  }
  const bool verbose = std::getenv("BULWARK_FUNCTIONAL_VERBOSE") != nullptr;
  for (const auto& [name, score] : report.by_functionality) {
    if (verbose)
      std::printf("%-28s %5zu %6.1f%%\n", name.c_str(), score.total, 100 * score.accuracy());
    ASSERT_TRUE(floors["functionalities"].contains(name)) << "no floor for " << name;
    EXPECT_GE(score.accuracy(), floors["functionalities"][name].get<double>()) << name;
  }
  EXPECT_GE(report.hateful.accuracy(), floors["hateful"].get<double>());
  EXPECT_GE(report.non_hateful.accuracy(), floors["non_hateful"].get<double>());
}

}  // namespace
}  // namespace bulwark::detect

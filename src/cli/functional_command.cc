// `bulwark eval --functional DIR`: the project's functional suite (tests/functional/) through
// the whole detector, scored per functionality at both operating points. See
// docs/functional-suite.md.

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "detect/detector.h"
#include "detect/functional.h"

namespace bulwark::cli {

std::string CaseLine(nlohmann::json fields, const detect::CategoryScore& s) {
  fields["probability"] = s.probability;
  fields["label"] = s.label;
  fields["review"] = s.review;
  fields["lexicon"] = s.lexicon;
  fields["classifier"] = s.classifier;
  fields["attack"] = s.attack;
  return fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void RunFunctionalEval(const FunctionalEvalOptions& o) {
  auto cases = detect::LoadFunctionalSuite(o.suite_dir);
  if (!cases.ok()) Fail(cases.status());
  detect::DetectorConfig config;
  config.data_dir = o.data_dir;
  config.ensemble_file = o.ensemble_file;
  config.lexicon_cache_dir = ".bulwark-cache";
  auto d = detect::Detector::Load(config);
  if (!d.ok()) Fail(d.status());
  detect::DetectorScratch scratch;
  detect::Verdict v;
  detect::FunctionalReport label, review;
  std::vector<std::string> failures;
  std::ofstream cases_out;
  if (!o.cases_out.empty()) {
    cases_out.open(o.cases_out, std::ios::trunc);
    if (!cases_out) Fail(Internal("cannot write " + o.cases_out));
  }
  size_t templates = 0;
  std::string last_template;
  for (const auto& c : *cases) {
    if (o.split != "all" && c.split != o.split) continue;
    if (c.template_id != last_template) ++templates, last_template = c.template_id;
    (*d)->Classify(c.text, &scratch, &v);
    const auto& s = v.score(Category::kHate);
    label.Add(c, s.label);
    review.Add(c, s.review);
    if (cases_out.is_open()) {
      cases_out << CaseLine({{"text", c.text},
                             {"functionality", c.functionality},
                             {"hateful", c.hateful},
                             {"template", c.template_id},
                             {"split", c.split},
                             {"target", c.target}},
                            s)
                << "\n";
    }
    // Wrong at the label point; or right there but wrong at the review point.
    const char* point = s.label != c.hateful ? "label" : s.review != c.hateful ? "review" : nullptr;
    if (point && failures.size() < o.show_failures) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.3f", s.probability);
      failures.push_back(c.functionality + "\t" + (c.hateful ? "hateful" : "non_hateful") + "\t" +
                         buf + "\t" + point + "\t" + c.text);
    }
  }
  std::printf("functional suite %s, split %s: %zu templates\n", o.suite_dir.c_str(),
              o.split.c_str(), templates);
  std::printf("%-28s %6s %8s %8s\n", "functionality", "cases", "label", "review");
  nlohmann::json j = {{"split", o.split}, {"templates", templates}};
  for (const auto& [name, sc] : label.by_functionality) {
    const auto& rv = review.by_functionality[name];
    std::printf("%-28s %6zu %7.1f%% %7.1f%%\n", name.c_str(), sc.total, 100 * sc.accuracy(),
                100 * rv.accuracy());
    j["functionalities"][name] = {
        {"cases", sc.total}, {"label", sc.accuracy()}, {"review", rv.accuracy()}};
  }
  std::printf("%-28s %6zu %7.1f%% %7.1f%%\n", "ALL hateful", label.hateful.total,
              100 * label.hateful.accuracy(), 100 * review.hateful.accuracy());
  std::printf("%-28s %6zu %7.1f%% %7.1f%%\n", "ALL non-hateful", label.non_hateful.total,
              100 * label.non_hateful.accuracy(), 100 * review.non_hateful.accuracy());
  std::printf("\nby target (label point):\n");
  for (const auto& [name, sc] : label.by_target) {
    std::printf("%-28s %6zu %7.1f%%\n", name.c_str(), sc.total, 100 * sc.accuracy());
    j["targets"][name] = {{"cases", sc.total}, {"label", sc.accuracy()}};
  }
  j["hateful"] = {{"label", label.hateful.accuracy()}, {"review", review.hateful.accuracy()}};
  j["non_hateful"] = {{"label", label.non_hateful.accuracy()},
                      {"review", review.non_hateful.accuracy()}};
  if (!failures.empty()) {
    std::printf(
        "\nfirst %zu errors (functionality, gold, p(hate), the point wrong: label, or only "
        "review; text):\n",
        failures.size());
    for (const auto& f : failures) std::printf("%s\n", f.c_str());
  }
  if (!o.json.empty()) {
    std::ofstream out(o.json, std::ios::trunc);
    out << j.dump(2) << "\n";
    if (!out) Fail(Internal("cannot write " + o.json));
  }
}

}  // namespace bulwark::cli

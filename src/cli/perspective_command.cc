// `bulwark perspective-calibrate`: fits the Perspective attribute models (src/perspective/
// attributes.h) on labelled data and measures them on the held-out splits, printing the
// reliability diagrams that docs/perspective.md publishes.

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "detect/detector.h"
#include "detect/functional.h"
#include "detect/metrics.h"
#include "perspective/attributes.h"
#include "perspective/calibration_data.h"

namespace bulwark::cli {

namespace {

using perspective::Attribute;

// The uncalibrated reading a migrating client might otherwise make: the Bulwark category nearest
// to the attribute, as it is. Printed beside the calibrated figures, as the baseline.
double NaiveScore(Attribute a, const detect::Verdict& v) {
  const double hate = v.score(Category::kHate).probability;
  const double harassment = v.score(Category::kHarassment).probability;
  const double threat = v.score(Category::kThreat).probability;
  switch (a) {
    case Attribute::kToxicity:
      return std::max({hate, harassment, threat, v.profanity ? 1.0 : 0.0});
    case Attribute::kSevereToxicity:
      return std::max(hate, threat);
    case Attribute::kIdentityAttack:
      return hate;
    case Attribute::kInsult:
      return harassment;
    case Attribute::kProfanity:
      return v.profanity ? 1.0 : 0.0;
    case Attribute::kThreat:
      return threat;
  }
  return 0;
}

std::string Fixed(double v, int digits = 3) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

void AddPerspectiveCommand(CLI::App& app) {
  struct Opts {
    std::string data_dir = "data";
    std::string datasets_dir = "../shared/data";
    std::string out;
    std::string report;
    std::string cache = ".bulwark-cache";
    std::string functional;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "perspective-calibrate",
      "Fit the Perspective-compatible attribute scores (TOXICITY, SEVERE_TOXICITY,\n"
      "IDENTITY_ATTACK, INSULT, PROFANITY, THREAT) on labelled data (Davidson's validation split,\n"
      "ConvAbuse train+valid, EDOS train+dev) and measure them on the test splits: ECE, AUC and\n"
      "a reliability diagram per attribute, beside the uncalibrated category scores. Writes the\n"
      "fitted models for `serve` (data/perspective/calibration.json).\n"
      "Example: bulwark perspective-calibrate --out data/perspective/calibration.json "
      "--report perspective-report.md");
  cmd->add_option("--data-dir", o->data_dir, "Data directory holding lexicon/, models/, ...")
      ->capture_default_str();
  cmd->add_option("--datasets-dir", o->datasets_dir, "Folder holding the labelled data sets")
      ->capture_default_str();
  cmd->add_option("--out", o->out, "Write the fitted calibration here")->required();
  cmd->add_option("--report", o->report, "Also write the report (markdown) here");
  cmd->add_option("--cache-dir", o->cache, "Compiled lexicon cache directory")
      ->capture_default_str();
  cmd->add_option("--functional", o->functional,
                  "Also fit on this functional suite's TRAIN templates (tests/functional), as one\n"
                  "more data set, and report its TEST templates apart: ECE and, per\n"
                  "functionality, the share of cases whose IDENTITY_ATTACK and TOXICITY are at\n"
                  "least 0.5");
  cmd->callback([o] {
    detect::DetectorConfig config;
    config.data_dir = o->data_dir;
    config.lexicon_cache_dir = o->cache;
    config.require_model = true;
    auto detector = detect::Detector::Load(config);
    if (!detector.ok()) Fail(detector.status());
    auto data = perspective::LoadCalibrationData(o->datasets_dir);
    if (!data.ok()) Fail(data.status());
    if (!o->functional.empty()) {
      auto suite = perspective::LoadFunctionalCalibration(o->functional);
      if (!suite.ok()) Fail(suite.status());
      data->insert(data->end(), std::make_move_iterator(suite->begin()),
                   std::make_move_iterator(suite->end()));
    }

    detect::DetectorScratch scratch;
    detect::Verdict v;
    std::vector<perspective::Features> features;
    std::vector<std::array<double, perspective::kNumAttributes>> naive;
    features.reserve(data->size());
    for (const auto& ex : *data) {
      (*detector)->Classify(ex.text, &scratch, &v);
      features.push_back(perspective::FeaturesOf(v));
      auto& row = naive.emplace_back();
      for (Attribute a : perspective::kAllAttributes) {
        row[static_cast<size_t>(a)] = NaiveScore(a, v);
      }
    }

    perspective::AttributeCalibration calibration;
    calibration.set_model_version((*detector)->model_version());
    std::string report = "Detector model " + (*detector)->model_version() + ", lexicon " +
                         (*detector)->lexicon_version() + ".\n\n";
    report +=
        "| attribute | fitted on | held-out texts | base rate | ECE (calibrated) | ECE "
        "(category score as is) | AUC (calibrated) | ECE functional test templates (cases) |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|\n";
    std::string diagrams;
    for (Attribute a : perspective::kAllAttributes) {
      const size_t ai = static_cast<size_t>(a);
      std::vector<perspective::Features> fit_x;
      std::vector<double> fit_y;
      std::vector<std::string> fit_sets;
      std::vector<size_t> test_rows, functional_rows;
      std::map<std::string, int> test_sets;
      for (size_t i = 0; i < data->size(); ++i) {
        const auto& ex = (*data)[i];
        if (!ex.has[ai]) continue;
        if (ex.held_out && ex.dataset == "functional") {
          functional_rows.push_back(i);  // synthetic: reported apart from the real sets
        } else if (ex.held_out) {
          test_rows.push_back(i);
          ++test_sets[ex.dataset];
        } else {
          fit_x.push_back(features[i]);
          fit_y.push_back(ex.target[ai]);
          fit_sets.push_back(ex.dataset);
        }
      }
      // Every data set weighs the same in the fit, whatever its size: no one set's base rate and
      // style decides the scores alone.
      std::map<std::string, int> set_sizes;
      for (const auto& name : fit_sets) ++set_sizes[name];
      std::vector<double> fit_w;
      for (const auto& name : fit_sets) {
        fit_w.push_back(static_cast<double>(fit_sets.size()) /
                        (static_cast<double>(set_sizes.size()) * set_sizes[name]));
      }
      auto model = perspective::FitAttributeModel(fit_x, fit_y, fit_w);
      if (!model.ok()) Fail(model.status());
      calibration.set_model(a, *model);
      std::vector<double> pred, pred_naive, target;
      std::vector<bool> positive;
      for (size_t i : test_rows) {
        pred.push_back(model->Score(features[i]));
        pred_naive.push_back(naive[i][ai]);
        target.push_back((*data)[i].target[ai]);
        positive.push_back((*data)[i].target[ai] >= 0.5);
      }
      const auto rel = perspective::MeasureReliability(pred, target);
      const auto rel_naive = perspective::MeasureReliability(pred_naive, target);
      const auto auc = detect::RocAuc(pred, positive);
      std::vector<double> fpred, ftarget;
      for (size_t i : functional_rows) {
        fpred.push_back(model->Score(features[i]));
        ftarget.push_back((*data)[i].target[ai]);
      }
      const auto frel = perspective::MeasureReliability(fpred, ftarget);
      std::string sets;
      for (const auto& [name, n] : test_sets) {
        sets += (sets.empty() ? "" : ", ") + name + " " + std::to_string(n);
      }
      const std::string name(perspective::AttributeName(a));
      report += "| " + name + " | " + std::to_string(fit_x.size()) + " | " + sets + " | " +
                Fixed(rel.mean_target) + " | " + Fixed(rel.ece) + " | " + Fixed(rel_naive.ece) +
                " | " + (auc ? Fixed(*auc) : std::string("-")) + " | " +
                (frel.n ? Fixed(frel.ece) + " (" + std::to_string(frel.n) + ")" : "-") + " |\n";
      diagrams += "\n" + name + " (held-out, " + std::to_string(rel.n) +
                  " texts): reliability diagram\n\n| score bin | texts | mean score | observed "
                  "share |\n|---|---:|---:|---:|\n";
      for (const auto& bin : rel.bins) {
        if (bin.n == 0) continue;
        diagrams += "| " + Fixed(bin.lo, 1) + "-" + Fixed(bin.hi, 1) + " | " +
                    std::to_string(bin.n) + " | " + Fixed(bin.mean_predicted) + " | " +
                    Fixed(bin.mean_observed) + " |\n";
      }
      std::string weights;
      for (int f = 0; f < perspective::kNumFeatures; ++f) {
        weights += std::string(f ? ", " : "") + std::string(perspective::FeatureName(f)) + " " +
                   Fixed(model->weights[f]);
      }
      diagrams += "\nModel: bias " + Fixed(model->bias) + "; weights " + weights + ".\n";
    }
    report += diagrams;
    if (!o->functional.empty()) {
      auto cases = detect::LoadFunctionalSuite(o->functional);
      if (!cases.ok()) Fail(cases.status());
      struct Row {
        bool hateful = false;
        int n = 0, identity = 0, toxicity = 0;
      };
      std::map<std::string, Row> rows;
      for (const auto& c : *cases) {
        if (c.split != "test") continue;
        (*detector)->Classify(c.text, &scratch, &v);
        const auto x = perspective::FeaturesOf(v);
        Row& r = rows[c.functionality];
        r.hateful = c.hateful;
        ++r.n;
        r.identity += calibration.Score(Attribute::kIdentityAttack, x) >= 0.5;
        r.toxicity += calibration.Score(Attribute::kToxicity, x) >= 0.5;
      }
      report +=
          "\nFunctional suite (test templates): share of cases scored at least 0.5\n\n| "
          "functionality | gold | cases | IDENTITY_ATTACK >= 0.5 | TOXICITY >= 0.5 |\n"
          "|---|---|---:|---:|---:|\n";
      for (const auto& [name, r] : rows) {
        report += "| " + name + " | " + (r.hateful ? "hateful" : "not hateful") + " | " +
                  std::to_string(r.n) + " | " + Fixed(100.0 * r.identity / r.n, 1) + "% | " +
                  Fixed(100.0 * r.toxicity / r.n, 1) + "% |\n";
      }
    }
    std::ofstream f(o->out, std::ios::binary | std::ios::trunc);
    f << calibration.ToJson().dump(2) << "\n";
    if (!f) Fail(Internal("cannot write " + o->out));
    if (!o->report.empty()) {
      std::ofstream r(o->report, std::ios::binary | std::ios::trunc);
      r << report;
      if (!r) Fail(Internal("cannot write " + o->report));
    }
    std::printf("%s", report.c_str());
  });
}

}  // namespace bulwark::cli

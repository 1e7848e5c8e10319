#pragma once

// The held-out labelled data the Perspective attributes are calibrated and measured on
// (docs/perspective.md, "Calibration"). Bulwark never ships these files: they come from
// ../shared/data (see the README there for provenance and licences).
//
// Per data set, which attribute each label stands for, and the target: the share of annotators
// who perceived the attribute where the set keeps per-annotator labels, else 0/1.
//   davidson2017  TOXICITY = (hate + offensive votes) / votes; IDENTITY_ATTACK = hate votes /
//                 votes; PROFANITY = offensive votes / votes (the nearest English label here:
//                 Davidson's "offensive language" also covers slurs used without hate).
//                 Only its validation and test splits: the shipped classifier trained on the rest.
//   convabuse     TOXICITY = annotators marking abuse; SEVERE_TOXICITY = strong or very strong
//                 abuse (-2, -3); IDENTITY_ATTACK = abuse of a racist, sexist, homophobic,
//                 transphobic or ableist type; INSULT = abuse aimed at an individual or the agent.
//                 THREAT = 0 for the texts every annotator called neither hateful nor offensive.
//   edos          IDENTITY_ATTACK = sexist (majority label); THREAT = category 1, threats, plans
//                 to harm and incitement, on sexist posts only (EDOS labels a threat only within
//                 sexism).
//   hatemoji      THREAT = "threatening language" among the hateful posts.
// Fitting uses davidson's validation split, convabuse's train and valid, edos's train and dev,
// hatemoji's validation split; the figures are measured on the test splits, which fitting never
// sees.
//
// Errors: NotFound when a data set's files are missing; InvalidArgument on a malformed file.

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "perspective/attributes.h"

namespace bulwark::perspective {

struct CalibrationExample {
  std::string text;
  std::string dataset;
  bool held_out = false;  // test split: for measuring, never for fitting
  std::array<double, kNumAttributes> target{};
  std::array<bool, kNumAttributes> has{};  // which attributes this example is labelled for
};

// The functional suite (tests/functional, detect::LoadFunctionalSuite) as calibration data: each
// functionality's cases carry the attributes its definition settles (hateful forms are an
// IDENTITY_ATTACK and TOXICITY; the threat forms a THREAT; neutral and positive statements about a
// group none of them; ...; see FunctionalTargets in calibration_data.cc). Synthetic, hand-written
// text: it anchors what the real sets leave out (plain hate the detectors catch, plainly clean
// sentences), with train templates fitting and test templates measured apart from the real sets.
Result<std::vector<CalibrationExample>> LoadFunctionalCalibration(
    const std::filesystem::path& suite_dir);

// Loads the four sets from `data_dir` (the folder holding davidson2017/, convabuse/, edos/,
// hatemoji_build/).
Result<std::vector<CalibrationExample>> LoadCalibrationData(const std::filesystem::path& data_dir);

}  // namespace bulwark::perspective

#pragma once

// The project's own functional test suite for hate-speech detection (tests/functional/,
// docs/functional-suite.md): templates written for this project, expanded over target groups,
// each case labelled hateful or non-hateful with its functionality and target.
//
//   groups.json      protected groups and non-protected control groups with their word forms
//   templates.jsonl  one template a line: id, functionality, label, split (train|test), slots
//                    (protected|controls|none), text with {pl} {people} {sg} or {x} + fills,
//                    and an optional perturbation (delete_char, swap_chars, leet,
//                    space_letters, join_words) applied to the group words, a <marked> word or
//                    the whole sentence
//
// Expansion is deterministic: a perturbation picks its position from a hash of the template id
// and the group, so every run and every machine sees the same cases. The split is by
// template: `train` templates may feed training augmentation, `test` templates never do.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace bulwark::detect {

struct FunctionalCase {
  std::string text;
  std::string functionality;
  bool hateful = false;
  std::string template_id;
  std::string split;   // "train" or "test"
  std::string target;  // taxonomy group name, or "none"
  std::string group;   // the groups.json id the case was expanded with ("" for slots none)
};

// Loads and expands the suite in `dir`. InvalidArgument "file:LINE: what" on malformed data,
// NotFound when a file is missing.
Result<std::vector<FunctionalCase>> LoadFunctionalSuite(const std::filesystem::path& dir);

// Applies one perturbation to `word` (exposed for tests). `seed` picks the position.
std::string PerturbWord(const std::string& word, const std::string& op, uint64_t seed);

// Accuracy per functionality: {functionality -> {correct, total}}.
struct FunctionalScore {
  size_t correct = 0, total = 0;
  double accuracy() const { return total == 0 ? 0.0 : static_cast<double>(correct) / total; }
};
struct FunctionalReport {
  std::map<std::string, FunctionalScore> by_functionality;
  std::map<std::string, FunctionalScore> by_target;
  FunctionalScore hateful, non_hateful;
  void Add(const FunctionalCase& c, bool predicted_hateful);
};

}  // namespace bulwark::detect

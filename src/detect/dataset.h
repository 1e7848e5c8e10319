#pragma once

// Labelled data sets for training and evaluating the classifier (see /work/shared/data/README.md
// for their provenance and licences; Bulwark never ships these files).
//
// Every loader maps its source labels onto the classifier's labels (ClassLabel) and the taxonomy's
// TargetGroups, and assigns each example to a split: the official split where the data set has
// one (Stormfront test, Hatemoji), otherwise a seeded 80/10/10 split by a stable hash of the
// example's de-duplication key (so identical texts always land in the same split).
// DeduplicateAcrossSplits() then removes texts that would leak from validation/test into training.
//
// Errors: a missing file is NotFound (callers and tests treat that as "data not installed"); a
// malformed file is InvalidArgument naming the file and line.
// Thread safety: all functions are pure apart from reading files.

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/taxonomy.h"

namespace bulwark::detect {

class ClassifierInput;

// The classifier's output classes. kOffensive is an auxiliary class (offensive but not hateful,
// as Davidson and HateXplain annotate it): it is not a taxonomy Category and never by itself a
// violation; it exists so that slur-heavy but non-hateful text does not get learnt as "hate".
enum class ClassLabel : std::uint8_t { kNone, kOffensive, kHate, kMisinfoHealth };
inline constexpr int kNumClassLabels = 4;
inline constexpr std::array<ClassLabel, kNumClassLabels> kAllClassLabels = {
    ClassLabel::kNone, ClassLabel::kOffensive, ClassLabel::kHate, ClassLabel::kMisinfoHealth};

// "none", "offensive", "hate", "misinformation.health" (taxonomy names where one exists).
std::string_view ClassLabelName(ClassLabel label);
std::optional<ClassLabel> ParseClassLabel(std::string_view name);
// The taxonomy category a label stands for; nullopt for kNone and kOffensive.
std::optional<Category> CategoryOf(ClassLabel label);

enum class Split : std::uint8_t { kTrain, kValidation, kTest };
std::string_view SplitName(Split split);  // "train", "validation", "test"

struct Example {
  std::string text;  // raw text as in the source file
  ClassLabel label = ClassLabel::kNone;
  std::vector<TargetGroup> targets;  // identity groups the source annotates as mentioned/targeted
  std::string dataset;               // the loader's name, e.g. "davidson2017"
  Split split = Split::kTrain;
};

// Names of all loaders, in a fixed order: "davidson2017", "stormfront2018", "toxigen_prompts",
// "implicit_hate", "isca_antisemitism", "hatexplain", "hatemoji_build", "edos",
// "covid_vaccine_conspiracy".
const std::vector<std::string>& AllDatasetNames();

struct LoadOptions {
  std::uint64_t split_seed = 20260101;  // seeds the hash split; change it and splits change
};

// The non-"none" labels a data set annotates, e.g. davidson2017 -> {hate, offensive},
// covid_vaccine_conspiracy -> {misinformation.health}. A text from a set that does not annotate
// a label is no evidence for or against it. Unknown names (synthetic data) -> every label.
std::vector<ClassLabel> AnnotatedLabels(std::string_view dataset);

// Loads one data set from `data_dir` (the folder holding davidson2017/, stormfront2018/, ...).
// Rows whose label is outside the mapping (Stormfront relation/idk) or whose text is empty are
// dropped. Splits are assigned as described above; no de-duplication yet.
Result<std::vector<Example>> LoadDataset(std::string_view name,
                                         const std::filesystem::path& data_dir,
                                         const ClassifierInput& input,
                                         const LoadOptions& options = {});

// Seeded 80/10/10 split of a de-duplication key: a pure function of (key, seed).
Split HashSplit(std::string_view key, std::uint64_t seed);

// 64-bit FNV-1a; stable across platforms and releases (split assignment depends on it).
std::uint64_t Fnv1a64(std::string_view bytes);

struct DedupStats {
  int removed_duplicate_in_split = 0;  // second copy within the same split
  int removed_from_train = 0;          // also present in validation or test
  int removed_from_validation = 0;     // also present in test
  int removed_empty = 0;               // nothing left after preparation
};

// Removes examples whose ClassifierInput::DedupKey collides across splits, keeping the copy in the
// most held-out split (test > validation > train), plus duplicates inside one split (first kept)
// and examples whose prepared text is empty. Considers all data sets together, so a text in one
// set's test split also leaves every other set's training split. Order is otherwise preserved.
DedupStats DeduplicateAcrossSplits(std::vector<Example>& examples, const ClassifierInput& input);

// Parses delimiter-separated text (RFC 4180 quoting: fields in double quotes may hold the
// delimiter, CR/LF and "" for a quote; CRLF or LF ends a record). A UTF-8 byte-order mark is
// skipped. Returns records of fields; fails with InvalidArgument (with the 1-based line) on an
// unterminated quoted field or a stray quote after a closing quote. Limits: at most `max_fields`
// fields per record (ResourceExhausted beyond it).
Result<std::vector<std::vector<std::string>>> ParseDelimited(std::string_view content,
                                                             char delimiter,
                                                             size_t max_fields = 4096);

}  // namespace bulwark::detect

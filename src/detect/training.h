#pragma once

// Training a classifier bundle (`bulwark train`): loads the data sets, splits and de-duplicates
// them, trains a supervised fastText model on the TRAIN split only, quantises it, fits per-label
// Platt calibration and decision thresholds on the VALIDATION split, and writes the bundle
// (model.ftz + manifest.json). The test split is never read by training.
//
// Reproducibility: with the same data, options and thread = 1, the bundle is byte-identical
// (fixed seeds; training lines are ordered by a seeded hash, not by input order).
//
// Errors: NotFound when a requested data set is absent, InvalidArgument for bad options,
// Internal when fastText fails (its exceptions are caught here). Not thread-safe with respect to
// the output directory: one training per directory at a time.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "detect/classifier.h"
#include "detect/dataset.h"

namespace bulwark::detect {

struct Hyperparameters {
  int dim = 50;
  int epoch = 3;  // chosen on validation AUC (docs/classifier.md): more epochs overfit
  double lr = 0.1;
  int word_ngrams = 2;
  int minn = 0;  // char n-grams off by default: see docs/classifier.md for the speed trade-off
  int maxn = 0;
  int min_count = 2;
  int bucket = 200000;  // hashed word-bigram rows
  int seed = 42;
  int thread = 1;
  bool quantize = true;
  int cutoff = 100000;  // rows kept by quantisation (0 = keep all)
  int dsub = 2;

  nlohmann::json ToJson() const;
  Status Validate() const;
};

struct TrainOptions {
  std::filesystem::path data_dir;
  std::filesystem::path out_dir;      // bundle directory, created if absent
  std::vector<std::string> datasets;  // empty = AllDatasetNames()
  LoadOptions load;
  Hyperparameters hp;
  std::string command_line;        // recorded in the manifest
  std::filesystem::path work_dir;  // scratch for the training file; default: out_dir
  // Counterfactual identity augmentation: each non-hateful TRAIN example that names a group is
  // added this many more times with the group word swapped for another group's (0 = off).
  int identity_swaps = 0;
  // The functional suite (tests/functional); its TRAIN templates' cases are added to the train
  // split. Test templates are never used. Empty = none.
  std::filesystem::path functional_dir;
};

// The counterfactual copies of `text` (already prepared: lower case, single spaces) with its
// group words swapped, `copies` of them, chosen deterministically by `seed`. Empty when the
// text names no group. Exposed for tests.
std::vector<std::string> IdentitySwaps(const std::string& prepared, int copies, uint64_t seed);

struct TrainReport {
  ModelManifest manifest;
  std::uintmax_t model_bytes = 0;
  double train_seconds = 0;  // fastText training + quantisation (not in the manifest: it varies)
};

// Loads `datasets` from `data_dir`, assigns splits and de-duplicates across splits.
// Fills `stats` if non-null.
Result<std::vector<Example>> LoadSplitDeduplicated(const std::filesystem::path& data_dir,
                                                   const std::vector<std::string>& datasets,
                                                   const ClassifierInput& input,
                                                   const LoadOptions& load, DedupStats* stats);

// Trains from examples that already carry their splits (unit tests pass synthetic ones).
// `provenance` is merged into the manifest's "training" object.
Result<TrainReport> TrainFromExamples(const std::vector<Example>& examples,
                                      const TrainOptions& options,
                                      const nlohmann::json& provenance);

// The whole of `bulwark train`.
Result<TrainReport> TrainBundle(const TrainOptions& options);

}  // namespace bulwark::detect

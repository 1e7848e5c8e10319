#pragma once

// Classifier: a loaded fastText model bundle with calibrated per-label probabilities.
//
// A bundle is a directory holding the quantised fastText model (model.ftz) and manifest.json
// (format documented in docs/classifier.md): format version, model version (SHA-256 of the model
// file, checked at load), the text preparation algorithm, the labels, per-label Platt
// calibration and decision thresholds, and the training provenance.
//
// Scoring engine: by default texts are scored by FastTextLinear (detect/fasttext_linear.h), an
// exact re-implementation of fastText's predict for softmax models without character n-grams
// that reads precomputed per-row label logits instead of running fastText's tokeniser and
// product-quantised rows (several times faster; agrees with fastText's predict within 1e-5 on
// every label, measured at most 4e-7 on realistic texts). Models it
// does not reproduce, and Options::engine == kFastText, use fastText's own predict. fastText
// stays the reference: training calibrates with it, PredictFastText() always uses it, and the
// tests compare the two on thousands of texts. docs/classifier.md, "Scoring engine".
//
// Thread safety: a loaded Classifier is immutable. Predict() is const and safe to call from any
// number of threads at once (the linear engine only reads its tables; fastText 0.9.2's
// FastText::predict allocates its Model::State per call and only reads the shared model; see
// classifier_test's concurrency test). Share one instance as std::shared_ptr<const Classifier>.
//
// Errors: Load() returns NotFound for a missing bundle, InvalidArgument for a malformed manifest
// or model file, FailedPrecondition when the model's hash or text preparation does not match the
// manifest / this build. Predict() returns ResourceExhausted for input over the byte limit; it
// never throws.

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "detect/calibration.h"
#include "detect/classifier_input.h"
#include "detect/dataset.h"

namespace bulwark::detect {

inline constexpr int kManifestFormatVersion = 1;
inline constexpr std::string_view kModelFileName = "model.ftz";
inline constexpr std::string_view kManifestFileName = "manifest.json";

struct ModelManifest {
  int format_version = kManifestFormatVersion;
  std::string model_version;  // "sha256:<hex of model file>"
  std::string model_file = std::string(kModelFileName);
  std::string preprocessor;        // ClassifierInput::name() used in training
  std::vector<ClassLabel> labels;  // labels the model was trained on
  std::array<PlattCalibrator, kNumClassLabels> calibration{};  // identity where not fitted
  std::array<double, kNumClassLabels> thresholds{0.5, 0.5, 0.5, 0.5};
  nlohmann::json training = nlohmann::json::object();  // command, data sets, hyper-parameters ...

  nlohmann::json ToJson() const;
  static Result<ModelManifest> FromJson(const nlohmann::json& j);
};

// Per-label scores for one text. Labels absent from the model score 0.
struct ClassifierScores {
  std::array<double, kNumClassLabels> raw{};          // fastText softmax probabilities
  std::array<double, kNumClassLabels> probability{};  // calibrated (manifest calibration applied)

  double Probability(ClassLabel l) const { return probability[static_cast<size_t>(l)]; }
  double Raw(ClassLabel l) const { return raw[static_cast<size_t>(l)]; }
};

// "sha256:<64 hex>" of a file's bytes.
Result<std::string> HashFile(const std::filesystem::path& path);

class Classifier {
 public:
  // kAuto: the linear engine when the model supports it, else fastText's predict.
  // kFastText: always fastText's predict (training calibrates with the reference).
  enum class Engine { kAuto, kFastText };
  struct Options {
    size_t max_input_bytes = 1 << 20;  // longer texts: ResourceExhausted, never a silent "clean"
    Engine engine = Engine::kAuto;
  };

  // Loads <bundle_dir>/manifest.json and the model it names.
  static Result<std::shared_ptr<const Classifier>> Load(const std::filesystem::path& bundle_dir,
                                                        const Options& options);
  static Result<std::shared_ptr<const Classifier>> Load(const std::filesystem::path& bundle_dir) {
    return Load(bundle_dir, Options{});
  }

  // Loads a model file with a manifest held in memory (training uses this to calibrate before the
  // manifest is written). Checks the model hash only if manifest.model_version is non-empty.
  static Result<std::shared_ptr<const Classifier>> LoadModel(
      const std::filesystem::path& model_path, ModelManifest manifest, const Options& options);

  ~Classifier();
  Classifier(const Classifier&) = delete;
  Classifier& operator=(const Classifier&) = delete;

  // Prepares `text` with input() and scores it.
  Result<ClassifierScores> Predict(std::string_view text) const;
  // Scores text already produced by input().Prepare() (no re-preparation).
  Result<ClassifierScores> PredictPrepared(std::string_view prepared) const;
  // The same through fastText's own predict (getLine + predict), whatever the engine: the
  // reference for differential tests and the speed floor in benchmarks.
  Result<ClassifierScores> PredictFastText(std::string_view text) const;
  Result<ClassifierScores> PredictPreparedFastText(std::string_view prepared) const;

  // "linear" or "fasttext": what Predict() uses; engine_note() says why when it is "fasttext".
  std::string_view engine() const;
  const std::string& engine_note() const;

  const ModelManifest& manifest() const { return manifest_; }
  const ClassifierInput& input() const { return *input_; }
  double threshold(ClassLabel l) const { return manifest_.thresholds[static_cast<size_t>(l)]; }
  bool has_label(ClassLabel l) const;

 private:
  struct Model;
  Result<ClassifierScores> Calibrated(ClassifierScores scores) const;
  Classifier(ModelManifest manifest, std::unique_ptr<const ClassifierInput> input,
             std::unique_ptr<Model> model, Options options);

  ModelManifest manifest_;
  std::unique_ptr<const ClassifierInput> input_;
  std::unique_ptr<Model> model_;
  Options options_;
};

// fastText label token for a label: "__label__hate", ...
std::string FastTextLabel(ClassLabel label);

}  // namespace bulwark::detect

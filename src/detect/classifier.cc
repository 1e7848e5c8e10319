#include "detect/classifier.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <sstream>

#include <fasttext/fasttext.h>
#include <sodium.h>

#include "detect/fasttext_linear.h"

namespace bulwark::detect {
namespace {

// fastText's file header: magic number and the one format version 0.9.2 reads.
constexpr std::int32_t kFastTextMagic = 793712314;
constexpr std::int32_t kFastTextVersion = 12;
constexpr std::uintmax_t kMaxModelBytes = 1ull << 30;

Status CheckFastTextHeader(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return NotFound("model file not found: " + path.string());
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size < 8) return InvalidArgument("model file too short: " + path.string());
  if (size > kMaxModelBytes) return ResourceExhausted("model file too large: " + path.string());
  std::ifstream in(path, std::ios::binary);
  std::int32_t magic = 0, version = 0;
  in.read(reinterpret_cast<char*>(&magic), sizeof magic);
  in.read(reinterpret_cast<char*>(&version), sizeof version);
  if (!in || magic != kFastTextMagic || version != kFastTextVersion) {
    return InvalidArgument("not a fastText 0.9.x model: " + path.string());
  }
  return Status::Ok();
}

}  // namespace

// fastText's predict returns log(p + 1e-5) (Loss::std_log); the raw scores have always been
// exp() of that, so the linear engine adds the same epsilon to keep every score unchanged.
constexpr double kFastTextLogEpsilon = 1e-5;

struct Classifier::Model {
  FastTextModel ft;
  std::shared_ptr<const fasttext::Dictionary> dict;
  std::vector<int> label_of_index;  // fastText label index -> ClassLabel index, -1 if unknown
  std::unique_ptr<const FastTextLinear> linear;  // null: fastText's predict scores
  std::string engine_note;                       // why there is no linear engine
};

std::string FastTextLabel(ClassLabel label) {
  return "__label__" + std::string(ClassLabelName(label));
}

Result<std::string> HashFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open " + path.string());
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto got = in.gcount();
    if (got > 0) {
      crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(buf.data()),
                                static_cast<unsigned long long>(got));
    }
  }
  if (in.bad()) return Internal("cannot read " + path.string());
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  std::string hex = "sha256:";
  char b[3];
  for (unsigned char c : digest) {
    std::snprintf(b, sizeof b, "%02x", c);
    hex += b;
  }
  return hex;
}

nlohmann::json ModelManifest::ToJson() const {
  nlohmann::json j;
  j["format_version"] = format_version;
  j["model_version"] = model_version;
  j["model_file"] = model_file;
  j["preprocessor"] = preprocessor;
  j["labels"] = nlohmann::json::array();
  nlohmann::json cal = nlohmann::json::object();
  nlohmann::json thr = nlohmann::json::object();
  for (ClassLabel l : labels) {
    const std::string name(ClassLabelName(l));
    j["labels"].push_back(name);
    cal[name] = calibration[static_cast<size_t>(l)].ToJson();
    thr[name] = thresholds[static_cast<size_t>(l)];
  }
  j["calibration"] = cal;
  j["thresholds"] = thr;
  j["training"] = training;
  return j;
}

Result<ModelManifest> ModelManifest::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return InvalidArgument("manifest: not a JSON object");
  ModelManifest m;
  if (!j.contains("format_version") || !j["format_version"].is_number_integer()) {
    return InvalidArgument("manifest: missing format_version", "format_version");
  }
  m.format_version = j["format_version"].get<int>();
  if (m.format_version != kManifestFormatVersion) {
    return InvalidArgument(
        "manifest: unsupported format_version " + std::to_string(m.format_version),
        "format_version");
  }
  for (const char* key : {"model_version", "model_file", "preprocessor"}) {
    if (!j.contains(key) || !j[key].is_string()) {
      return InvalidArgument(std::string("manifest: missing string ") + key, key);
    }
  }
  m.model_version = j["model_version"].get<std::string>();
  m.model_file = j["model_file"].get<std::string>();
  m.preprocessor = j["preprocessor"].get<std::string>();
  if (m.model_file.empty() || m.model_file.find('/') != std::string::npos ||
      m.model_file.find("..") != std::string::npos) {
    return InvalidArgument("manifest: model_file must be a plain file name", "model_file");
  }
  if (!j.contains("labels") || !j["labels"].is_array() || j["labels"].empty()) {
    return InvalidArgument("manifest: labels must be a non-empty array", "labels");
  }
  for (const auto& l : j["labels"]) {
    if (!l.is_string()) return InvalidArgument("manifest: label must be a string", "labels");
    auto label = ParseClassLabel(l.get<std::string>());
    if (!label) return InvalidArgument("manifest: unknown label " + l.dump(), "labels");
    m.labels.push_back(*label);
  }
  const nlohmann::json empty = nlohmann::json::object();
  const auto& cal = j.contains("calibration") ? j["calibration"] : empty;
  const auto& thr = j.contains("thresholds") ? j["thresholds"] : empty;
  for (ClassLabel l : m.labels) {
    const std::string name(ClassLabelName(l));
    if (cal.is_object() && cal.contains(name)) {
      auto c = PlattCalibrator::FromJson(cal[name]);
      if (!c.ok()) return c.status().WithFieldPrefix("calibration." + name);
      m.calibration[static_cast<size_t>(l)] = *c;
    }
    if (thr.is_object() && thr.contains(name)) {
      if (!thr[name].is_number()) {
        return InvalidArgument("manifest: threshold must be a number", "thresholds." + name);
      }
      const double t = thr[name].get<double>();
      if (!(t >= 0.0 && t <= 1.0)) {
        return InvalidArgument("manifest: threshold outside [0,1]", "thresholds." + name);
      }
      m.thresholds[static_cast<size_t>(l)] = t;
    }
  }
  if (j.contains("training")) m.training = j["training"];
  return m;
}

Classifier::Classifier(ModelManifest manifest, std::unique_ptr<const ClassifierInput> input,
                       std::unique_ptr<Model> model, Options options)
    : manifest_(std::move(manifest)),
      input_(std::move(input)),
      model_(std::move(model)),
      options_(options) {}

Classifier::~Classifier() = default;

Result<std::shared_ptr<const Classifier>> Classifier::Load(const std::filesystem::path& bundle_dir,
                                                           const Options& options) {
  const auto manifest_path = bundle_dir / kManifestFileName;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(manifest_path, ec)) {
    return NotFound("model bundle manifest not found: " + manifest_path.string());
  }
  std::ifstream in(manifest_path);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return InvalidArgument("manifest is not valid JSON: " + manifest_path.string());
  BULWARK_ASSIGN_OR_RETURN(ModelManifest manifest, ModelManifest::FromJson(j));
  if (manifest.model_version.empty()) {
    return InvalidArgument("manifest: empty model_version", "model_version");
  }
  const auto model_path = bundle_dir / manifest.model_file;
  return LoadModel(model_path, std::move(manifest), options);
}

Result<std::shared_ptr<const Classifier>> Classifier::LoadModel(
    const std::filesystem::path& model_path, ModelManifest manifest, const Options& options) {
  BULWARK_ASSIGN_OR_RETURN(auto input, ClassifierInput::Create());
  if (manifest.preprocessor != input->name()) {
    return FailedPrecondition("model was trained with text preparation '" + manifest.preprocessor +
                              "' but this build uses '" + std::string(input->name()) + "'");
  }
  BULWARK_RETURN_IF_ERROR(CheckFastTextHeader(model_path));
  if (!manifest.model_version.empty()) {
    BULWARK_ASSIGN_OR_RETURN(std::string hash, HashFile(model_path));
    if (hash != manifest.model_version) {
      return FailedPrecondition("model file " + model_path.string() + " has hash " + hash +
                                ", manifest says " + manifest.model_version);
    }
  }
  auto model = std::make_unique<Model>();
  try {
    model->ft.loadModel(model_path.string());
    if (model->ft.getArgs().model != fasttext::model_name::sup) {
      return InvalidArgument("not a supervised fastText model: " + model_path.string());
    }
    model->dict = model->ft.getDictionary();
    for (int32_t i = 0; i < model->dict->nlabels(); ++i) {
      const std::string name = model->dict->getLabel(i);
      int mapped = -1;
      for (ClassLabel l : kAllClassLabels) {
        if (name == FastTextLabel(l)) mapped = static_cast<int>(l);
      }
      model->label_of_index.push_back(mapped);
    }
    if (options.engine == Engine::kAuto) {
      auto linear = FastTextLinear::Create(model->ft);
      if (linear.ok()) {
        model->linear = std::move(linear).value();
      } else {
        model->engine_note = linear.status().message();
      }
    } else {
      model->engine_note = "fastText engine requested";
    }
  } catch (const std::exception& e) {
    return InvalidArgument("cannot load fastText model " + model_path.string() + ": " + e.what());
  }
  return std::shared_ptr<const Classifier>(
      new Classifier(std::move(manifest), std::move(input), std::move(model), options));
}

bool Classifier::has_label(ClassLabel l) const {
  for (ClassLabel m : manifest_.labels) {
    if (m == l) return true;
  }
  return false;
}

Result<ClassifierScores> Classifier::Predict(std::string_view text) const {
  if (text.size() > options_.max_input_bytes) {
    return ResourceExhausted("text longer than " + std::to_string(options_.max_input_bytes) +
                             " bytes");
  }
  return PredictPrepared(input_->Prepare(text));
}

std::string_view Classifier::engine() const { return model_->linear ? "linear" : "fasttext"; }

const std::string& Classifier::engine_note() const { return model_->engine_note; }

Result<ClassifierScores> Classifier::PredictFastText(std::string_view text) const {
  if (text.size() > options_.max_input_bytes) {
    return ResourceExhausted("text longer than " + std::to_string(options_.max_input_bytes) +
                             " bytes");
  }
  return PredictPreparedFastText(input_->Prepare(text));
}

Result<ClassifierScores> Classifier::PredictPrepared(std::string_view prepared) const {
  if (!model_->linear) return PredictPreparedFastText(prepared);
  if (prepared.size() > options_.max_input_bytes) {
    return ResourceExhausted("text longer than " + std::to_string(options_.max_input_bytes) +
                             " bytes");
  }
  std::array<double, FastTextLinear::kMaxLabels> probs{};
  ClassifierScores scores;
  if (!model_->linear->Predict(prepared, probs)) {
    scores.raw[static_cast<size_t>(ClassLabel::kNone)] = 1.0;  // as fastText: no prediction
  } else {
    for (size_t index = 0; index < model_->label_of_index.size(); ++index) {
      const int l = model_->label_of_index[index];
      if (l >= 0) scores.raw[l] = probs[index] + kFastTextLogEpsilon;
    }
  }
  return Calibrated(scores);
}

Result<ClassifierScores> Classifier::PredictPreparedFastText(std::string_view prepared) const {
  if (prepared.size() > options_.max_input_bytes) {
    return ResourceExhausted("text longer than " + std::to_string(options_.max_input_bytes) +
                             " bytes");
  }
  ClassifierScores scores;
  try {
    // Training lines end in '\n', which fastText turns into the end-of-sentence token: do the
    // same here so prediction sees exactly what training saw.
    std::string line;
    line.reserve(prepared.size() + 1);
    line.append(prepared);
    line.push_back('\n');
    std::istringstream in(std::move(line));
    std::vector<int32_t> words, labels;
    model_->dict->getLine(in, words, labels);
    fasttext::Predictions predictions;
    model_->ft.predict(-1, words, predictions, 0.0);
    if (predictions.empty()) {
      scores.raw[static_cast<size_t>(ClassLabel::kNone)] = 1.0;
    }
    for (const auto& [log_prob, index] : predictions) {
      if (index < 0 || static_cast<size_t>(index) >= model_->label_of_index.size()) continue;
      const int l = model_->label_of_index[index];
      if (l >= 0) scores.raw[l] = std::exp(static_cast<double>(log_prob));
    }
  } catch (const std::exception& e) {
    return Internal(std::string("fastText prediction failed: ") + e.what());
  }
  return Calibrated(scores);
}

Result<ClassifierScores> Classifier::Calibrated(ClassifierScores scores) const {
  for (ClassLabel l : manifest_.labels) {
    const size_t i = static_cast<size_t>(l);
    scores.probability[i] = manifest_.calibration[i].Apply(scores.raw[i]);
  }
  return scores;
}

}  // namespace bulwark::detect

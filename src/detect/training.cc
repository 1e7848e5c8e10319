#include "detect/training.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <fstream>
#include <map>

#include <fasttext/fasttext.h>

#include "detect/calibration.h"
#include "detect/metrics.h"

namespace bulwark::detect {
namespace {

constexpr std::string_view kTrainFileName = "train.fasttext.txt";

Status ValidateRange(const char* name, double v, double lo, double hi) {
  if (!(v >= lo && v <= hi)) {
    return InvalidArgument(
        std::string(name) + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]",
        name);
  }
  return Status::Ok();
}

}  // namespace

nlohmann::json Hyperparameters::ToJson() const {
  return {{"model", "supervised"}, {"loss", "softmax"}, {"dim", dim},
          {"epoch", epoch},        {"lr", lr},          {"wordNgrams", word_ngrams},
          {"minn", minn},          {"maxn", maxn},      {"minCount", min_count},
          {"bucket", bucket},      {"seed", seed},      {"thread", thread},
          {"quantize", quantize},  {"cutoff", cutoff},  {"dsub", dsub},
          {"retrain", false},      {"qnorm", false},    {"qout", false}};
}

Status Hyperparameters::Validate() const {
  // fastText calls exit() or divides by zero on some out-of-range values: check them here.
  BULWARK_RETURN_IF_ERROR(ValidateRange("dim", dim, 1, 1000));
  BULWARK_RETURN_IF_ERROR(ValidateRange("epoch", epoch, 1, 1000));
  BULWARK_RETURN_IF_ERROR(ValidateRange("lr", lr, 1e-6, 10));
  BULWARK_RETURN_IF_ERROR(ValidateRange("wordNgrams", word_ngrams, 1, 5));
  BULWARK_RETURN_IF_ERROR(ValidateRange("minn", minn, 0, 10));
  BULWARK_RETURN_IF_ERROR(ValidateRange("maxn", maxn, 0, 10));
  if (maxn > 0 && minn == 0) return InvalidArgument("minn must be > 0 when maxn > 0", "minn");
  if (maxn < minn) return InvalidArgument("maxn must be >= minn", "maxn");
  BULWARK_RETURN_IF_ERROR(ValidateRange("minCount", min_count, 1, 1000000));
  BULWARK_RETURN_IF_ERROR(ValidateRange("bucket", bucket, 1, 10000000));
  BULWARK_RETURN_IF_ERROR(ValidateRange("thread", thread, 1, 256));
  BULWARK_RETURN_IF_ERROR(ValidateRange("cutoff", cutoff, 0, 100000000));
  BULWARK_RETURN_IF_ERROR(ValidateRange("dsub", dsub, 1, 64));
  if (quantize && dim % dsub != 0) {
    return InvalidArgument("dim must be a multiple of dsub when quantising", "dsub");
  }
  return Status::Ok();
}

Result<std::vector<Example>> LoadSplitDeduplicated(const std::filesystem::path& data_dir,
                                                   const std::vector<std::string>& datasets,
                                                   const ClassifierInput& input,
                                                   const LoadOptions& load, DedupStats* stats) {
  std::vector<Example> all;
  for (const std::string& name : datasets.empty() ? AllDatasetNames() : datasets) {
    BULWARK_ASSIGN_OR_RETURN(auto examples, LoadDataset(name, data_dir, input, load));
    std::move(examples.begin(), examples.end(), std::back_inserter(all));
  }
  DedupStats s = DeduplicateAcrossSplits(all, input);
  if (stats) *stats = s;
  return all;
}

Result<TrainReport> TrainFromExamples(const std::vector<Example>& examples,
                                      const TrainOptions& options,
                                      const nlohmann::json& provenance) {
  const Hyperparameters& hp = options.hp;
  BULWARK_RETURN_IF_ERROR(hp.Validate());
  BULWARK_ASSIGN_OR_RETURN(auto input, ClassifierInput::Create());

  // Labels present in training, and the training file ordered by a seeded hash of its lines.
  std::array<bool, kNumClassLabels> present{};
  std::vector<std::pair<std::uint64_t, std::string>> lines;
  for (const Example& ex : examples) {
    if (ex.split != Split::kTrain) continue;
    std::string prepared = input->Prepare(ex.text);
    if (prepared.empty()) continue;
    present[static_cast<size_t>(ex.label)] = true;
    std::string line = FastTextLabel(ex.label) + " " + prepared + "\n";
    const std::uint64_t key =
        Fnv1a64(line) ^ (static_cast<std::uint64_t>(hp.seed) * 0x9e3779b97f4a7c15ULL);
    lines.emplace_back(Fnv1a64(std::to_string(key)), std::move(line));
  }
  int n_present = 0;
  for (bool p : present) n_present += p ? 1 : 0;
  if (n_present < 2) return InvalidArgument("training needs examples of at least two labels");
  std::sort(lines.begin(), lines.end());

  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) return Internal("cannot create " + options.out_dir.string() + ": " + ec.message());
  const auto work_dir = options.work_dir.empty() ? options.out_dir : options.work_dir;
  std::filesystem::create_directories(work_dir, ec);
  const auto train_path = work_dir / kTrainFileName;
  {
    std::ofstream out(train_path, std::ios::binary | std::ios::trunc);
    for (const auto& [key, line] : lines) out << line;
    if (!out) return Internal("cannot write " + train_path.string());
  }

  const auto model_path = options.out_dir / kModelFileName;
  const auto started = std::chrono::steady_clock::now();
  try {
    fasttext::Args args;
    args.input = train_path.string();
    args.output = (options.out_dir / "model").string();
    args.model = fasttext::model_name::sup;
    args.loss = fasttext::loss_name::softmax;
    args.dim = hp.dim;
    args.epoch = hp.epoch;
    args.lr = hp.lr;
    args.wordNgrams = hp.word_ngrams;
    args.minn = hp.minn;
    args.maxn = hp.maxn;
    args.minCount = hp.min_count;
    args.minCountLabel = 0;
    args.bucket = hp.bucket;
    args.thread = hp.thread;
    args.seed = hp.seed;
    args.verbose = 0;
    args.label = "__label__";
    fasttext::FastText ft;
    ft.train(args);
    if (hp.quantize) {
      fasttext::Args qargs = args;
      qargs.qout = false;
      qargs.qnorm = false;
      qargs.retrain = false;
      qargs.cutoff = static_cast<size_t>(hp.cutoff);
      qargs.dsub = static_cast<size_t>(hp.dsub);
      ft.quantize(qargs);
    }
    ft.saveModel(model_path.string());
  } catch (const std::exception& e) {
    return Internal(std::string("fastText training failed: ") + e.what());
  }
  std::filesystem::remove(train_path, ec);
  const double train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  ModelManifest manifest;
  manifest.preprocessor = std::string(input->name());
  for (ClassLabel l : kAllClassLabels) {
    if (present[static_cast<size_t>(l)]) manifest.labels.push_back(l);
  }
  BULWARK_ASSIGN_OR_RETURN(manifest.model_version, HashFile(model_path));
  // Identity calibration first: score the validation split with raw probabilities, through
  // fastText's own predict (the reference; the serving engine agrees with it within 1e-6).
  Classifier::Options reference;
  reference.engine = Classifier::Engine::kFastText;
  BULWARK_ASSIGN_OR_RETURN(auto uncalibrated,
                           Classifier::LoadModel(model_path, manifest, reference));
  std::array<std::vector<double>, kNumClassLabels> raw;
  std::array<std::vector<bool>, kNumClassLabels> gold;
  long long n_validation = 0;
  for (const Example& ex : examples) {
    if (ex.split != Split::kValidation) continue;
    auto scores = uncalibrated->Predict(ex.text);
    if (!scores.ok()) continue;  // over the input limit: not usable for fitting
    ++n_validation;
    for (ClassLabel l : manifest.labels) {
      // A data set only tells us about the labels it annotates (a ToxiGen "neutral" statement
      // is not evidence about offensiveness), so fit each label on the sets that annotate it.
      bool annotated = false;
      for (ClassLabel a : AnnotatedLabels(ex.dataset)) annotated |= (a == l);
      if (!annotated) continue;
      raw[static_cast<size_t>(l)].push_back(scores->Raw(l));
      gold[static_cast<size_t>(l)].push_back(ex.label == l);
    }
  }
  nlohmann::json calibration_info = nlohmann::json::object();
  for (ClassLabel l : manifest.labels) {
    const size_t i = static_cast<size_t>(l);
    if (l == ClassLabel::kNone) continue;
    auto fit = PlattCalibrator::Fit(raw[i], gold[i]);
    if (fit.ok()) manifest.calibration[i] = *fit;
    std::vector<double> calibrated;
    calibrated.reserve(raw[i].size());
    for (double r : raw[i]) calibrated.push_back(manifest.calibration[i].Apply(r));
    manifest.thresholds[i] = BestF1Threshold(calibrated, gold[i]);
    calibration_info[std::string(ClassLabelName(l))] = {
        {"validation_examples", raw[i].size()},
        {"validation_positives", std::count(gold[i].begin(), gold[i].end(), true)},
        {"fitted", fit.ok()},
        {"fit_error", fit.ok() ? std::string() : fit.status().message()},
        {"threshold_rule", "max F1 on validation"}};
  }

  nlohmann::json training = provenance.is_object() ? provenance : nlohmann::json::object();
  training["command"] = options.command_line;
  training["hyperparameters"] = hp.ToJson();
  training["fasttext_version"] = "0.9.2";
  training["train_lines"] = lines.size();
  training["validation_examples"] = n_validation;
  training["calibration"] = calibration_info;
  training["calibration_split"] = "validation";
  manifest.training = std::move(training);

  const auto manifest_path = options.out_dir / kManifestFileName;
  {
    std::ofstream out(manifest_path, std::ios::trunc);
    out << manifest.ToJson().dump(2) << "\n";
    if (!out) return Internal("cannot write " + manifest_path.string());
  }
  TrainReport report;
  report.manifest = std::move(manifest);
  report.model_bytes = std::filesystem::file_size(model_path, ec);
  report.train_seconds = train_seconds;
  return report;
}

Result<TrainReport> TrainBundle(const TrainOptions& options) {
  BULWARK_RETURN_IF_ERROR(options.hp.Validate());
  BULWARK_ASSIGN_OR_RETURN(auto input, ClassifierInput::Create());
  DedupStats dedup;
  BULWARK_ASSIGN_OR_RETURN(auto examples, LoadSplitDeduplicated(options.data_dir, options.datasets,
                                                                *input, options.load, &dedup));
  // Row counts per data set and split, after de-duplication.
  std::map<std::string, std::array<long long, 3>> counts;
  for (const Example& ex : examples) ++counts[ex.dataset][static_cast<size_t>(ex.split)];
  nlohmann::json provenance;
  nlohmann::json sets = nlohmann::json::object();
  for (const auto& [name, c] : counts) {
    sets[name] = {{"train", c[0]}, {"validation", c[1]}, {"test", c[2]}};
  }
  provenance["datasets"] = sets;
  // Order matters to de-duplication (the first copy in a split is kept): record it so that
  // `bulwark eval` rebuilds exactly the same splits.
  provenance["dataset_order"] = options.datasets.empty() ? AllDatasetNames() : options.datasets;
  provenance["split_seed"] = options.load.split_seed;
  provenance["split_rule"] =
      "official splits for stormfront2018 (test) and hatemoji_build; otherwise 80/10/10 by "
      "seeded hash of the de-duplication key";
  provenance["dedup"] = {{"removed_duplicate_in_split", dedup.removed_duplicate_in_split},
                         {"removed_from_train", dedup.removed_from_train},
                         {"removed_from_validation", dedup.removed_from_validation},
                         {"removed_empty", dedup.removed_empty}};
  return TrainFromExamples(examples, options, provenance);
}

}  // namespace bulwark::detect

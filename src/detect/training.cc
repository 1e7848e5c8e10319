#include "detect/training.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <fstream>
#include <map>

#include <fasttext/fasttext.h>

#include "detect/calibration.h"
#include "detect/functional.h"
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

namespace {

// Interchangeable group words, by grammatical form (plural nouns; adjectives). Neutral forms
// only: the point is that naming a group is not evidence of hate.
const std::vector<std::string_view>& SwapNouns() {
  static const std::vector<std::string_view> v = {
      "muslims",  "jews",     "christians",   "hindus",   "sikhs",     "women",       "men",
      "gays",     "lesbians", "immigrants",   "refugees", "mexicans",  "asians",      "arabs",
      "africans", "latinos",  "blacks",       "whites",   "catholics", "migrants",    "foreigners",
      "indians",  "chinese",  "palestinians", "israelis", "feminists", "transgenders"};
  return v;
}
const std::vector<std::string_view>& SwapAdjectives() {
  static const std::vector<std::string_view> v = {
      "muslim", "jewish",  "christian", "hindu",    "sikh",      "black",    "white",
      "gay",    "lesbian", "trans",     "asian",    "mexican",   "arab",     "african",
      "latino", "female",  "male",      "disabled", "immigrant", "catholic", "chinese"};
  return v;
}

}  // namespace

std::vector<std::string> IdentitySwaps(const std::string& prepared, int copies, uint64_t seed) {
  std::vector<std::string> out;
  if (copies <= 0) return out;
  std::vector<std::string_view> tokens;
  for (size_t i = 0; i < prepared.size();) {
    size_t j = prepared.find(' ', i);
    if (j == std::string::npos) j = prepared.size();
    tokens.push_back(std::string_view(prepared).substr(i, j - i));
    i = j + 1;
  }
  auto index_in = [](const std::vector<std::string_view>& list, std::string_view t) {
    for (size_t k = 0; k < list.size(); ++k) {
      if (list[k] == t) return static_cast<int>(k);
    }
    return -1;
  };
  bool any = false;
  for (auto t : tokens) any |= index_in(SwapNouns(), t) >= 0 || index_in(SwapAdjectives(), t) >= 0;
  if (!any) return out;
  for (int c = 0; c < copies; ++c) {
    std::string s;
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i) s += ' ';
      const auto& nouns = SwapNouns();
      const auto& adjs = SwapAdjectives();
      int n = index_in(nouns, tokens[i]);
      int a = index_in(adjs, tokens[i]);
      const uint64_t h =
          Fnv1a64(std::to_string(seed) + ":" + std::to_string(c) + ":" + std::to_string(i));
      if (n >= 0) {
        size_t k = (static_cast<size_t>(n) + 1 + h % (nouns.size() - 1)) % nouns.size();
        s += nouns[k];
      } else if (a >= 0) {
        size_t k = (static_cast<size_t>(a) + 1 + h % (adjs.size() - 1)) % adjs.size();
        s += adjs[k];
      } else {
        s += tokens[i];
      }
    }
    out.push_back(std::move(s));
  }
  return out;
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
  // Augmentation: train split only, so validation and test stay the data sets' own texts.
  long long swapped = 0, functional = 0;
  if (options.identity_swaps > 0) {
    const size_t n = examples.size();
    for (size_t i = 0; i < n; ++i) {
      if (examples[i].split != Split::kTrain || examples[i].label == ClassLabel::kHate) continue;
      for (auto& t : IdentitySwaps(input->Prepare(examples[i].text), options.identity_swaps,
                                   Fnv1a64(examples[i].text))) {
        Example e = examples[i];
        e.text = std::move(t);
        e.dataset = "augment:identity_swap";
        examples.push_back(std::move(e));
        ++swapped;
      }
    }
  }
  if (!options.functional_dir.empty()) {
    BULWARK_ASSIGN_OR_RETURN(auto cases, LoadFunctionalSuite(options.functional_dir));
    for (const auto& c : cases) {
      if (c.split != "train") continue;  // test templates are never trained on
      Example e;
      e.text = c.text;
      e.label = c.hateful ? ClassLabel::kHate : ClassLabel::kNone;
      e.dataset = "augment:functional_train";
      e.split = Split::kTrain;
      examples.push_back(std::move(e));
      ++functional;
    }
  }
  provenance["augmentation"] = {{"identity_swaps_per_example", options.identity_swaps},
                                {"identity_swap_examples", swapped},
                                {"functional_train_cases", functional},
                                {"functional_dir", options.functional_dir.string()}};
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

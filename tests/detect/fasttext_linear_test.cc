// Differential tests: the linear engine (detect/fasttext_linear.h) against fastText's own
// predict, on the shipped model and on small models trained here in every configuration the
// engine claims to reproduce (quantised and pruned, quantised unpruned, unquantised; word
// n-grams 1, 2 and 3), plus the fallback for configurations it does not.
//
// Texts: the held-out test splits of the labelled data sets when /work/shared/data exists, every
// string in the repository's lexicon, claims and golden files, and generated adversarial strings
// (empty, whitespace only, every fastText separator inside tokens, NUL bytes, "</s>" and label
// prefixes inside the line, non-ASCII and invalid UTF-8, very long, repeated tokens, random bytes
// and random vocabulary sequences).

#include "detect/fasttext_linear.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fasttext/densematrix.h>
#include <fasttext/dictionary.h>
#include <fasttext/vector.h>
#include <nlohmann/json.hpp>

#include "detect/classifier.h"
#include "detect/dataset.h"
#include "detect/training.h"

namespace bulwark::detect {
namespace {

namespace fs = std::filesystem;

fs::path SourceDir() { return BULWARK_SOURCE_DIR; }

fs::path DataDir() {
  if (const char* d = std::getenv("BULWARK_DATA_DIR")) return d;
  return BULWARK_TEST_DATA_DIR;
}

void CollectStrings(const nlohmann::json& j, std::vector<std::string>* out) {
  if (j.is_string()) {
    out->push_back(j.get<std::string>());
  } else if (j.is_structured()) {
    for (const auto& v : j) CollectStrings(v, out);
  }
}

// Every JSON string in the repository's lexicon, claims and golden cases.
std::vector<std::string> RepositoryTexts() {
  std::vector<fs::path> files = {SourceDir() / "data" / "claims" / "known_false_claims.jsonl",
                                 SourceDir() / "tests" / "golden" / "context_cases.jsonl"};
  for (const auto& e : fs::directory_iterator(SourceDir() / "data" / "lexicon")) {
    if (e.path().extension() == ".jsonl") files.push_back(e.path());
  }
  std::vector<std::string> out;
  for (const auto& f : files) {
    std::ifstream in(f);
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded()) CollectStrings(j, &out);
    }
  }
  return out;
}

// Edge cases for the tokeniser, the end-of-line handling and the label prefix, and random
// material. `vocabulary` supplies words the model knows, so random sequences hit kept n-grams.
std::vector<std::string> AdversarialTexts(const std::vector<std::string>& vocabulary) {
  using namespace std::string_literals;
  std::vector<std::string> out = {
      "",
      " ",
      "   \t  ",
      "\n",
      "\n\n\n",
      "\t\v\f\r",
      "\0"s,
      "\0\0 \0"s,
      "hate",
      "i hate them",
      "i\thate\vthem\fall\rnow",
      "i hate\nthem all",  // fastText stops at the first newline
      "\ni hate them",
      "i hate them\n",
      "i hate them \n ",
      "a\0b c\0\0d"s,
      "i hate </s> them all",  // a literal end-of-sentence token ends the line too
      "</s>",
      "</s> </s>",
      "x</s> </s>y",
      "__label__hate",
      "__label__hate i hate them",
      "i __label__hate them",
      "i __label__none __label__offensive them",
      "__label__",
      "__label__unknown words here",
      "x__label__hate",
      "caf\xC3\xA9 na\xC3\xAFve \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E \xF0\x9F\x90\x80 u1f400",
      "\xFF\xFE\x80 invalid \xC3 utf8 \xED\xA0\x80",
      "\x80\x81\x82\x83\xFF",
  };
  out.push_back(std::string(100000, 'a'));
  std::string rep;
  for (int i = 0; i < 20000; ++i) rep += "hate ";
  out.push_back(rep);
  std::string seps;
  for (int i = 0; i < 5000; ++i) seps += "  \t\v\f\r";
  out.push_back(seps + "they are vermin" + seps);
  std::mt19937_64 rng(7);
  // Random bytes, biased toward separators and high bytes.
  for (int i = 0; i < 400; ++i) {
    std::string s;
    const size_t len = rng() % 300;
    for (size_t k = 0; k < len; ++k) {
      const unsigned r = rng() % 10;
      if (r == 0) {
        s += " \t\n\v\f\r\0"[rng() % 7];
      } else if (r == 1) {
        s += static_cast<char>(0x80 + rng() % 128);
      } else {
        s += static_cast<char>('a' + rng() % 26);
      }
    }
    out.push_back(std::move(s));
  }
  // Random sequences of known words (and a few unknown ones), short and long.
  if (!vocabulary.empty()) {
    for (int i = 0; i < 2000; ++i) {
      std::string s;
      const int words = 1 + static_cast<int>(rng() % (i % 10 == 0 ? 400 : 30));
      for (int w = 0; w < words; ++w) {
        if (w) s += (rng() % 20 == 0) ? "\t" : " ";
        s += (rng() % 15 == 0) ? "zzunknown" + std::to_string(rng() % 50)
                               : vocabulary[rng() % vocabulary.size()];
      }
      out.push_back(std::move(s));
    }
  }
  return out;
}

// fastText's prediction computed in double: the rows come from fastText's own
// Dictionary::getLine (so this checks the engine's tokenisation exactly), the row values from
// its own matrices, and hidden = mean of rows, logits = W_out · hidden, softmax, all in double.
class DoubleReference {
 public:
  explicit DoubleReference(const fs::path& model_file) {
    ft_.loadModel(model_file.string());
    dict_ = ft_.getDictionary();
  }
  // Softmax probabilities per fastText label index; empty when the line selects no row.
  std::vector<double> Predict(std::string_view line) const {
    std::istringstream in(std::string(line) + "\n");
    std::vector<int32_t> words, labels;
    dict_->getLine(in, words, labels);
    if (words.empty()) return {};
    const auto& input = ft_.input_matrix();
    const auto& output = ft_.output_matrix();
    const int64_t dim = input.size(1);
    std::vector<double> hidden(static_cast<size_t>(dim), 0.0);
    fasttext::Vector row(dim);
    for (int32_t w : words) {
      row.zero();
      input.addRowToVector(row, w);
      for (int64_t k = 0; k < dim; ++k) hidden[k] += row[k];
    }
    for (double& h : hidden) h /= static_cast<double>(words.size());
    const auto& dense = dynamic_cast<const fasttext::DenseMatrix&>(output);
    std::vector<double> p(static_cast<size_t>(output.size(0)));
    double max = -INFINITY, z = 0;
    for (size_t j = 0; j < p.size(); ++j) {
      double d = 0;
      for (int64_t k = 0; k < dim; ++k) {
        d += double{dense.at(static_cast<int64_t>(j), k)} * hidden[k];
      }
      p[j] = d;
      max = std::max(max, d);
    }
    for (double& v : p) z += (v = std::exp(v - max));
    for (double& v : p) v /= z;
    return p;
  }
  const fasttext::Dictionary& dict() const { return *dict_; }

 private:
  FastTextModel ft_;
  std::shared_ptr<const fasttext::Dictionary> dict_;
};

struct Diff {
  size_t texts = 0;
  size_t failures = 0;
  double max_vs_double = 0;   // engine vs fastText's arithmetic in double (raw)
  double max_raw = 0;         // engine vs fastText's predict, raw probabilities
  double max_calibrated = 0;  // ... calibrated probabilities
  double max_raw_long = 0;    // ... raw, on lines longer than kLongLine bytes
  std::string worst;
};

// Lines longer than this are "very long": there fastText's float accumulation over tens of
// thousands of rows drifts by more than 1e-5, so only the double reference is held to 1e-9.
constexpr size_t kLongLine = 20000;

// Compares the engine with fastText on `lines`, given to both unprepared (PredictPrepared sees
// the raw bytes, so the tokeniser meets every edge case) and, when `prepare`, after Prepare().
void Compare(const Classifier& clf, const DoubleReference& ref,
             const std::vector<std::string>& lines, bool prepare, Diff* d) {
  auto fail = [&](const std::string& what, std::string_view line) {
    if (++d->failures < 10) ADD_FAILURE() << what << " on \"" << line.substr(0, 80) << "\"";
  };
  auto one = [&](std::string_view line) {
    auto fast = clf.PredictPrepared(line);
    auto slow = clf.PredictPreparedFastText(line);
    ++d->texts;
    if (fast.ok() != slow.ok()) return fail("status differs", line);
    if (!fast.ok()) return;
    const std::vector<double> exact = ref.Predict(line);
    for (size_t l = 0; l < kNumClassLabels; ++l) {
      // The double reference, mapped to our labels like Classifier does (+1e-5: fastText's log).
      double expect = 0;
      if (exact.empty()) {
        expect = l == static_cast<size_t>(ClassLabel::kNone) ? 1.0 : 0.0;
      } else {
        for (size_t j = 0; j < exact.size(); ++j) {
          if (ref.dict().getLabel(static_cast<int32_t>(j)) ==
              FastTextLabel(static_cast<ClassLabel>(l))) {
            expect = exact[j] + 1e-5;
          }
        }
      }
      const double vs_double = std::abs(fast->raw[l] - expect);
      d->max_vs_double = std::max(d->max_vs_double, vs_double);
      if (clf.engine() == "linear" && !(vs_double <= 1e-9)) {
        fail("label " + std::to_string(l) + ": engine " + std::to_string(fast->raw[l]) +
                 " vs fastText in double " + std::to_string(expect),
             line);
      }
      const double raw = std::abs(fast->raw[l] - slow->raw[l]);
      if (line.size() > kLongLine) {
        d->max_raw_long = std::max(d->max_raw_long, raw);
        continue;
      }
      d->max_calibrated =
          std::max(d->max_calibrated, std::abs(fast->probability[l] - slow->probability[l]));
      if (raw > d->max_raw) {
        d->max_raw = raw;
        d->worst = std::string(line.substr(0, 60));
      }
      if (!(raw <= 1e-5)) {
        fail("label " + std::to_string(l) + ": engine " + std::to_string(fast->raw[l]) +
                 " vs fastText " + std::to_string(slow->raw[l]),
             line);
      }
    }
  };
  for (const auto& line : lines) {
    one(line);
    if (prepare) one(clf.input().Prepare(line));
  }
}

void Print(const char* what, const Diff& d) {
  std::printf(
      "%s: %zu comparisons; engine vs fastText in double: max %.2g; vs fastText's predict: max "
      "%.2g raw (on \"%s\"), %.2g calibrated; lines over %zu bytes: %.2g raw\n",
      what, d.texts, d.max_vs_double, d.max_raw, d.worst.c_str(), d.max_calibrated, kLongLine,
      d.max_raw_long);
}

std::vector<std::string> VocabularyOf(const fs::path& model_file) {
  FastTextModel ft;
  ft.loadModel(model_file.string());
  std::vector<std::string> v;
  const auto dict = ft.getDictionary();
  for (int32_t i = 0; i < dict->nwords(); ++i) v.push_back(dict->getWord(i));
  return v;
}

TEST(FastTextLinear, HashMatchesFastText) {
  FastTextModel ft;
  ft.loadModel((SourceDir() / "data" / "models" / "hate-ft-v1" / "model.ftz").string());
  const auto dict = ft.getDictionary();
  std::mt19937_64 rng(3);
  for (int i = 0; i < 10000; ++i) {
    std::string s(rng() % 20, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    ASSERT_EQ(FastTextLinear::Hash(s), dict->hash(s));
  }
  EXPECT_EQ(FastTextLinear::Hash(""), 2166136261u);
}

TEST(FastTextLinear, RemainderIsExact) {
  std::mt19937_64 rng(5);
  const std::vector<uint64_t> divisors = {
      1, 2, 3, 7, 1000, 200000, 2000000, 2147483647, 1ull << 32, (1ull << 62) + 1, 123456789};
  for (uint64_t d : divisors) {
    const uint64_t rec = UINT64_MAX / d;
    for (uint64_t h : {uint64_t{0}, d - 1, d, d + 1, UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - d}) {
      ASSERT_EQ(FastTextLinear::Remainder(h, d, rec), h % d) << h << " % " << d;
    }
    for (int i = 0; i < 100000; ++i) {
      const uint64_t h = rng();
      ASSERT_EQ(FastTextLinear::Remainder(h, d, rec), h % d) << h << " % " << d;
    }
  }
}

std::shared_ptr<const Classifier> LoadShipped() {
  auto clf = Classifier::Load(SourceDir() / "data" / "models" / "hate-ft-v1");
  EXPECT_TRUE(clf.ok()) << clf.status().ToString();
  if (!clf.ok()) return nullptr;
  EXPECT_EQ((*clf)->engine(), "linear") << (*clf)->engine_note();
  return *clf;
}

// The shipped model on the repository's texts and the adversarial strings.
TEST(FastTextLinear, AgreesWithFastTextOnShippedModel) {
  auto clf = LoadShipped();
  ASSERT_TRUE(clf);
  const fs::path model = SourceDir() / "data" / "models" / "hate-ft-v1" / "model.ftz";
  const DoubleReference ref(model);
  Diff d;
  Compare(*clf, ref, RepositoryTexts(), /*prepare=*/true, &d);
  Compare(*clf, ref, AdversarialTexts(VocabularyOf(model)), /*prepare=*/true, &d);
  EXPECT_EQ(d.failures, 0u);
  EXPECT_GT(d.texts, 5000u);
  // Calibration amplifies fastText's float rounding near 0 and 1 (steep logit): held to 1e-4.
  EXPECT_LE(d.max_calibrated, 1e-4);
  Print("shipped model, repository and adversarial texts", d);
}

// The shipped model on the held-out test split of every labelled data set (when installed).
TEST(FastTextLinear, AgreesWithFastTextOnHeldOutTexts) {
  if (!fs::is_directory(DataDir())) GTEST_SKIP() << "no data sets under " << DataDir();
  auto clf = LoadShipped();
  ASSERT_TRUE(clf);
  std::vector<std::string> texts;
  for (const std::string& name : AllDatasetNames()) {
    auto examples = LoadDataset(name, DataDir(), clf->input());
    if (!examples.ok()) continue;
    for (const auto& e : *examples) {
      if (e.split == Split::kTest) texts.push_back(e.text);
    }
  }
  EXPECT_GT(texts.size(), 5000u);
  const DoubleReference ref(SourceDir() / "data" / "models" / "hate-ft-v1" / "model.ftz");
  Diff d;
  Compare(*clf, ref, texts, /*prepare=*/true, &d);
  EXPECT_EQ(d.failures, 0u);
  EXPECT_LE(d.max_calibrated, 1e-4);
  std::printf("%zu held-out texts, each raw and prepared\n", texts.size());
  Print("shipped model, held-out texts", d);
}

// A tiny corpus with enough repetition that word n-grams survive pruning.
std::vector<Example> TinyCorpus() {
  const std::vector<std::string> groups = {"martians", "venusians", "plutonians", "saturnians"};
  const std::vector<std::string> bad = {"are vermin and must go", "are filthy animals",
                                        "should be driven out like rats", "are parasites"};
  const std::vector<std::string> good = {"are my neighbours", "organised a lovely festival",
                                         "won the chess tournament", "bake great bread"};
  std::vector<Example> out;
  int i = 0;
  for (int rep = 0; rep < 10; ++rep) {
    for (const auto& g : groups) {
      for (const auto& b : bad) {
        out.push_back({"the " + g + " " + b + " " + std::to_string(rep),
                       ClassLabel::kHate,
                       {},
                       "synthetic",
                       i % 10 == 0 ? Split::kValidation : Split::kTrain});
        ++i;
      }
      for (const auto& b : good) {
        out.push_back({"the " + g + " " + b + " " + std::to_string(rep),
                       ClassLabel::kNone,
                       {},
                       "synthetic",
                       i % 10 == 0 ? Split::kValidation : Split::kTrain});
        ++i;
      }
    }
  }
  return out;
}

struct Config {
  const char* name;
  int word_ngrams;
  bool quantize;
  int cutoff;
  int maxn;
  const char* engine;
};

void PrintTo(const Config& c, std::ostream* os) { *os << c.name; }

class FastTextLinearConfigs : public ::testing::TestWithParam<Config> {};

TEST_P(FastTextLinearConfigs, AgreesWithFastTextOrFallsBack) {
  const Config& c = GetParam();
  const fs::path dir = fs::temp_directory_path() /
                       ("bulwark-linear-" + std::string(c.name) + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  TrainOptions o;
  o.out_dir = dir;
  o.hp.dim = 8;
  o.hp.epoch = 20;
  o.hp.lr = 0.5;
  o.hp.bucket = 5000;
  o.hp.min_count = 1;
  o.hp.word_ngrams = c.word_ngrams;
  o.hp.quantize = c.quantize;
  o.hp.cutoff = c.cutoff;
  o.hp.maxn = c.maxn;
  o.hp.minn = c.maxn > 0 ? 2 : 0;
  o.command_line = "fasttext_linear_test";
  auto report = TrainFromExamples(TinyCorpus(), o, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  auto clf = Classifier::Load(dir);
  ASSERT_TRUE(clf.ok()) << clf.status().ToString();
  EXPECT_EQ((*clf)->engine(), c.engine) << (*clf)->engine_note();

  std::vector<std::string> texts;
  for (const auto& e : TinyCorpus()) texts.push_back(e.text);
  for (auto& t : AdversarialTexts(VocabularyOf(dir / "model.ftz"))) texts.push_back(std::move(t));
  const DoubleReference ref(dir / "model.ftz");
  Diff d;
  Compare(**clf, ref, texts, /*prepare=*/false, &d);
  EXPECT_EQ(d.failures, 0u);
  Print(c.name, d);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    Models, FastTextLinearConfigs,
    ::testing::Values(Config{"quantised_pruned_bigrams", 2, true, 300, 0, "linear"},
                      Config{"quantised_unpruned_bigrams", 2, true, 0, 0, "linear"},
                      Config{"dense_bigrams", 2, false, 0, 0, "linear"},
                      Config{"dense_unigrams", 1, false, 0, 0, "linear"},
                      Config{"quantised_pruned_trigrams", 3, true, 400, 0, "linear"},
                      Config{"char_ngrams_fall_back", 2, false, 0, 4, "fasttext"}),
    [](const ::testing::TestParamInfo<Config>& p) { return std::string(p.param.name); });

// A quantisation option our training does not use (row norms quantised separately, qnorm): the
// engine reads such rows through fastText's own Matrix calls and must still agree.
TEST(FastTextLinear, AgreesOnQuantisedNorms) {
  const fs::path dir =
      fs::temp_directory_path() / ("bulwark-linear-qnorm-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  TrainOptions o;
  o.out_dir = dir;
  o.hp.dim = 8;
  o.hp.epoch = 20;
  o.hp.lr = 0.5;
  o.hp.bucket = 5000;
  o.hp.min_count = 1;
  o.hp.word_ngrams = 2;
  o.hp.quantize = false;
  o.command_line = "fasttext_linear_test";
  auto report = TrainFromExamples(TinyCorpus(), o, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const fs::path quantised = dir / "qnorm.ftz";
  {
    FastTextModel ft;
    ft.loadModel((dir / "model.ftz").string());
    fasttext::Args q = ft.getArgs();
    q.qnorm = true;
    q.qout = false;  // fastText quantises the output only with >= 256 labels
    q.retrain = false;
    q.cutoff = 300;
    q.dsub = 2;
    ft.quantize(q);
    ft.saveModel(quantised.string());
  }
  auto base = Classifier::Load(dir);
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  ModelManifest m = (*base)->manifest();
  m.model_version.clear();  // no hash check for the derived file
  auto clf = Classifier::LoadModel(quantised, m, {});
  ASSERT_TRUE(clf.ok()) << clf.status().ToString();
  EXPECT_EQ((*clf)->engine(), "linear") << (*clf)->engine_note();
  std::vector<std::string> texts;
  for (const auto& e : TinyCorpus()) texts.push_back(e.text);
  for (auto& t : AdversarialTexts(VocabularyOf(quantised))) texts.push_back(std::move(t));
  const DoubleReference ref(quantised);
  Diff d;
  Compare(**clf, ref, texts, /*prepare=*/false, &d);
  EXPECT_EQ(d.failures, 0u);
  Print("quantised norms", d);
  fs::remove_all(dir);
}

TEST(FastTextLinear, EngineCanBeTurnedOff) {
  Classifier::Options o;
  o.engine = Classifier::Engine::kFastText;
  auto clf = Classifier::Load(SourceDir() / "data" / "models" / "hate-ft-v1", o);
  ASSERT_TRUE(clf.ok());
  EXPECT_EQ((*clf)->engine(), "fasttext");
  auto a = (*clf)->Predict("they are vermin");
  auto b = (*clf)->PredictFastText("they are vermin");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->raw, b->raw);
}

}  // namespace
}  // namespace bulwark::detect

#include "detect/dataset.h"

#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <nlohmann/json.hpp>

#include "detect/classifier_input.h"

namespace bulwark::detect {
namespace {

constexpr std::array<std::string_view, kNumClassLabels> kLabelNames = {"none", "offensive", "hate",
                                                                       "misinformation.health"};

// Files larger than this are refused rather than read into memory.
constexpr std::uintmax_t kMaxFileBytes = 512u << 20;

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return NotFound("data file not found: " + path.string());
  }
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return Internal("cannot stat " + path.string() + ": " + ec.message());
  if (size > kMaxFileBytes) return ResourceExhausted("data file too large: " + path.string());
  std::ifstream in(path, std::ios::binary);
  if (!in) return Internal("cannot open " + path.string());
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Internal("cannot read " + path.string());
  return content;
}

// A parsed table with named columns.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  Result<size_t> Column(std::string_view name, const std::filesystem::path& path) const {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return i;
    }
    return InvalidArgument(path.string() + ": missing column '" + std::string(name) + "'");
  }
};

Result<Table> ReadTable(const std::filesystem::path& path, char delimiter) {
  BULWARK_ASSIGN_OR_RETURN(std::string content, ReadFile(path));
  auto parsed = ParseDelimited(content, delimiter);
  if (!parsed.ok()) {
    return Status(parsed.status().code(), path.string() + ": " + parsed.status().message());
  }
  Table table;
  auto& records = parsed.value();
  if (records.empty()) return InvalidArgument(path.string() + ": empty file");
  table.header = std::move(records.front());
  for (size_t i = 1; i < records.size(); ++i) {
    // Skip blank lines; a short row is an error (it means the quoting went wrong).
    if (records[i].size() == 1 && records[i][0].empty()) continue;
    if (records[i].size() != table.header.size()) {
      return InvalidArgument(path.string() + ": record " + std::to_string(i) + " has " +
                             std::to_string(records[i].size()) + " fields, header has " +
                             std::to_string(table.header.size()));
    }
    table.rows.push_back(std::move(records[i]));
  }
  return table;
}

Result<std::vector<nlohmann::json>> ReadJsonl(const std::filesystem::path& path) {
  BULWARK_ASSIGN_OR_RETURN(std::string content, ReadFile(path));
  std::vector<nlohmann::json> out;
  std::istringstream in(content);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line == "\r") continue;
    nlohmann::json value = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded() || !value.is_object()) {
      return InvalidArgument(path.string() + ":" + std::to_string(line_no) + ": not a JSON object");
    }
    out.push_back(std::move(value));
  }
  return out;
}

std::string JsonString(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

void AddTarget(std::vector<TargetGroup>& targets, TargetGroup g) {
  for (TargetGroup t : targets) {
    if (t == g) return;
  }
  targets.push_back(g);
}

class Builder {
 public:
  Builder(std::string dataset, const ClassifierInput& input, const LoadOptions& options)
      : dataset_(std::move(dataset)), input_(input), options_(options) {}

  // Adds an example; `official` is the source's own split if it has one.
  void Add(std::string text, ClassLabel label, std::vector<TargetGroup> targets,
           std::optional<Split> official = std::nullopt) {
    if (text.empty()) return;
    Example ex;
    ex.split = official ? *official : HashSplit(input_.DedupKey(text), options_.split_seed);
    ex.text = std::move(text);
    ex.label = label;
    ex.targets = std::move(targets);
    ex.dataset = dataset_;
    out_.push_back(std::move(ex));
  }
  std::vector<Example> Take() { return std::move(out_); }

 private:
  std::string dataset_;
  const ClassifierInput& input_;
  const LoadOptions& options_;
  std::vector<Example> out_;
};

Status BadLabel(const std::filesystem::path& path, size_t row, std::string_view value) {
  return InvalidArgument(path.string() + ": row " + std::to_string(row + 1) + ": unknown label '" +
                         std::string(value) + "'");
}

// The label a data set's raw value stands for; BadLabel for a value not in `mapping`.
Result<ClassLabel> MapLabel(std::initializer_list<std::pair<std::string_view, ClassLabel>> mapping,
                            const std::filesystem::path& path, size_t row, std::string_view value) {
  for (const auto& [raw, label] : mapping) {
    if (raw == value) return label;
  }
  return BadLabel(path, row, value);
}

Result<std::vector<Example>> LoadDavidson(const std::filesystem::path& dir, Builder& b) {
  const auto path = dir / "davidson2017" / "labeled_data.csv";
  BULWARK_ASSIGN_OR_RETURN(Table t, ReadTable(path, ','));
  BULWARK_ASSIGN_OR_RETURN(size_t cls, t.Column("class", path));
  BULWARK_ASSIGN_OR_RETURN(size_t tweet, t.Column("tweet", path));
  for (size_t i = 0; i < t.rows.size(); ++i) {
    BULWARK_ASSIGN_OR_RETURN(ClassLabel label, MapLabel({{"0", ClassLabel::kHate},
                                                         {"1", ClassLabel::kOffensive},
                                                         {"2", ClassLabel::kNone}},
                                                        path, i, t.rows[i][cls]));
    b.Add(std::move(t.rows[i][tweet]), label, {});
  }
  return b.Take();
}

Result<std::vector<Example>> LoadStormfront(const std::filesystem::path& dir, Builder& b,
                                            const ClassifierInput& input,
                                            const LoadOptions& options) {
  const auto path = dir / "stormfront2018" / "sentences.jsonl";
  BULWARK_ASSIGN_OR_RETURN(auto rows, ReadJsonl(path));
  for (const auto& row : rows) {
    const std::string label = JsonString(row, "label");
    const std::string split = JsonString(row, "split");
    std::string text = JsonString(row, "text");
    ClassLabel cl;
    if (label == "hate") {
      cl = ClassLabel::kHate;
    } else if (label == "noHate") {
      cl = ClassLabel::kNone;
    } else {
      continue;  // relation (needs context) and idk/skip: no usable label
    }
    // Official split: "test" is the balanced test set. The balanced "train" sample and the
    // "unsampled" rest are both training material; validation is carved from them by hash.
    Split s = split == "test"
                  ? Split::kTest
                  : (HashSplit(input.DedupKey(text), options.split_seed ^ 0x5f) == Split::kTest
                         ? Split::kValidation
                         : Split::kTrain);
    b.Add(std::move(text), cl, {}, s);
  }
  return b.Take();
}

std::optional<TargetGroup> ToxigenTarget(std::string_view t) {
  static const std::map<std::string_view, TargetGroup> kMap = {
      {"asian", TargetGroup::kAsian},
      {"black", TargetGroup::kBlack},
      {"chinese", TargetGroup::kAsian},
      {"jewish", TargetGroup::kJewish},
      {"latino", TargetGroup::kLatino},
      {"lgbtq", TargetGroup::kLgb},
      {"bisexual", TargetGroup::kLgb},
      {"mental_disability", TargetGroup::kDisabled},
      {"physical_disability", TargetGroup::kDisabled},
      {"mexican", TargetGroup::kLatino},
      {"middle_east", TargetGroup::kArabMiddleEastern},
      {"muslim", TargetGroup::kMuslim},
      {"native_american", TargetGroup::kIndigenous},
      {"immigrant", TargetGroup::kImmigrants},
      {"women", TargetGroup::kWomen},
  };
  auto it = kMap.find(t);
  if (it == kMap.end()) return std::nullopt;
  return it->second;
}

Result<std::vector<Example>> LoadToxigen(const std::filesystem::path& dir, Builder& b) {
  const auto path = dir / "toxigen_prompts" / "statements.jsonl";
  BULWARK_ASSIGN_OR_RETURN(auto rows, ReadJsonl(path));
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string label = JsonString(rows[i], "label");
    ClassLabel cl;
    if (label == "hate") {
      cl = ClassLabel::kHate;
    } else if (label == "neutral") {
      cl = ClassLabel::kNone;
    } else {
      return BadLabel(path, i, label);
    }
    std::vector<TargetGroup> targets;
    if (auto g = ToxigenTarget(JsonString(rows[i], "target"))) targets.push_back(*g);
    b.Add(JsonString(rows[i], "text"), cl, std::move(targets));
  }
  return b.Take();
}

Result<std::vector<Example>> LoadImplicitHate(const std::filesystem::path& dir, Builder& b) {
  const auto path = dir / "implicit_hate" / "implicit_hate_v1_stg1_posts.tsv";
  BULWARK_ASSIGN_OR_RETURN(Table t, ReadTable(path, '\t'));
  BULWARK_ASSIGN_OR_RETURN(size_t post, t.Column("post", path));
  BULWARK_ASSIGN_OR_RETURN(size_t cls, t.Column("class", path));
  for (size_t i = 0; i < t.rows.size(); ++i) {
    BULWARK_ASSIGN_OR_RETURN(ClassLabel label, MapLabel({{"implicit_hate", ClassLabel::kHate},
                                                         {"explicit_hate", ClassLabel::kHate},
                                                         {"not_hate", ClassLabel::kNone}},
                                                        path, i, t.rows[i][cls]));
    b.Add(std::move(t.rows[i][post]), label, {});
  }
  return b.Take();
}

Result<std::vector<Example>> LoadIsca(const std::filesystem::path& dir, Builder& b) {
  const auto path = dir / "isca_antisemitism" / "antisemitism_tweets.csv";
  BULWARK_ASSIGN_OR_RETURN(Table t, ReadTable(path, ','));
  BULWARK_ASSIGN_OR_RETURN(size_t biased, t.Column("Biased", path));
  BULWARK_ASSIGN_OR_RETURN(size_t text, t.Column("Text", path));
  for (size_t i = 0; i < t.rows.size(); ++i) {
    BULWARK_ASSIGN_OR_RETURN(
        ClassLabel label,
        MapLabel({{"1", ClassLabel::kHate}, {"0", ClassLabel::kNone}}, path, i, t.rows[i][biased]));
    // Every tweet was collected by a Jews/Israel keyword: all mention the group.
    b.Add(std::move(t.rows[i][text]), label, {TargetGroup::kJewish});
  }
  return b.Take();
}

Result<std::vector<Example>> LoadHateXplain(const std::filesystem::path& dir, Builder& b) {
  const auto path = dir / "hatexplain" / "final_hateXplain.csv";
  BULWARK_ASSIGN_OR_RETURN(Table t, ReadTable(path, ','));
  BULWARK_ASSIGN_OR_RETURN(size_t comment, t.Column("comment", path));
  BULWARK_ASSIGN_OR_RETURN(size_t lab, t.Column("label", path));
  static const std::map<std::string_view, TargetGroup> kTargets = {
      {"African", TargetGroup::kBlack},
      {"Arab", TargetGroup::kArabMiddleEastern},
      {"Caucasian", TargetGroup::kWhite},
      {"Asian", TargetGroup::kAsian},
      {"Indian", TargetGroup::kAsian},
      {"Hispanic", TargetGroup::kLatino},
      {"Indigenous", TargetGroup::kIndigenous},
      {"Islam", TargetGroup::kMuslim},
      {"Jewish", TargetGroup::kJewish},
      {"Christian", TargetGroup::kChristian},
      {"Hindu", TargetGroup::kHindu},
      {"Women", TargetGroup::kWomen},
      {"Men", TargetGroup::kMen},
      {"Homosexual", TargetGroup::kLgb},
      {"Bisexual", TargetGroup::kLgb},
      {"Refugee", TargetGroup::kImmigrants},
      {"Disability", TargetGroup::kDisabled},
  };
  std::vector<size_t> target_cols;
  for (const char* name : {"Race", "Religion", "Gender", "Sexual_Orientation", "Miscellaneous"}) {
    BULWARK_ASSIGN_OR_RETURN(size_t c, t.Column(name, path));
    target_cols.push_back(c);
  }
  for (size_t i = 0; i < t.rows.size(); ++i) {
    BULWARK_ASSIGN_OR_RETURN(ClassLabel label, MapLabel({{"hatespeech", ClassLabel::kHate},
                                                         {"offensive", ClassLabel::kOffensive},
                                                         {"normal", ClassLabel::kNone}},
                                                        path, i, t.rows[i][lab]));
    std::vector<TargetGroup> targets;
    for (size_t c : target_cols) {
      auto it = kTargets.find(t.rows[i][c]);
      if (it != kTargets.end()) AddTarget(targets, it->second);
    }
    b.Add(std::move(t.rows[i][comment]), label, std::move(targets));
  }
  return b.Take();
}

// Hatemoji targets are a Python-list string of codes such as "['blawom']" or "['jew', 'mus']".
std::vector<TargetGroup> HatemojiTargets(std::string_view list) {
  static const std::vector<std::pair<std::string_view, std::vector<TargetGroup>>> kPrefixes = {
      {"blawom", {TargetGroup::kBlack, TargetGroup::kWomen}},
      {"blaman", {TargetGroup::kBlack, TargetGroup::kMen}},
      {"bla", {TargetGroup::kBlack}},
      {"african", {TargetGroup::kBlack}},
      {"muswom", {TargetGroup::kMuslim, TargetGroup::kWomen}},
      {"mus", {TargetGroup::kMuslim}},
      {"wom", {TargetGroup::kWomen}},
      {"dis", {TargetGroup::kDisabled}},
      {"jew", {TargetGroup::kJewish}},
      {"gaywom", {TargetGroup::kLgb, TargetGroup::kWomen}},
      {"gay", {TargetGroup::kLgb}},
      {"lgbtq", {TargetGroup::kLgb}},
      {"bis", {TargetGroup::kLgb}},
      {"trans", {TargetGroup::kTransgender}},
      {"asiwom", {TargetGroup::kAsian, TargetGroup::kWomen}},
      {"asi", {TargetGroup::kAsian}},
      {"arab", {TargetGroup::kArabMiddleEastern}},
      {"immig", {TargetGroup::kImmigrants}},
      {"ref", {TargetGroup::kImmigrants}},
      {"trav", {TargetGroup::kRoma}},
      {"hisp", {TargetGroup::kLatino}},
      {"indig", {TargetGroup::kIndigenous}},
      {"abo", {TargetGroup::kIndigenous}},
  };
  std::vector<TargetGroup> out;
  size_t i = 0;
  while ((i = list.find('\'', i)) != std::string_view::npos) {
    size_t end = list.find('\'', i + 1);
    if (end == std::string_view::npos) break;
    std::string_view code = list.substr(i + 1, end - i - 1);
    for (const auto& [prefix, groups] : kPrefixes) {
      if (code.substr(0, prefix.size()) == prefix) {
        for (TargetGroup g : groups) AddTarget(out, g);
        break;
      }
    }
    i = end + 1;
  }
  return out;
}

Result<std::vector<Example>> LoadHatemoji(const std::filesystem::path& dir, Builder& b) {
  for (auto [file, split] :
       {std::pair{"train.csv", Split::kTrain}, std::pair{"validation.csv", Split::kValidation},
        std::pair{"test.csv", Split::kTest}}) {
    const auto path = dir / "hatemoji_build" / file;
    BULWARK_ASSIGN_OR_RETURN(Table t, ReadTable(path, ','));
    BULWARK_ASSIGN_OR_RETURN(size_t text, t.Column("text", path));
    BULWARK_ASSIGN_OR_RETURN(size_t gold, t.Column("label_gold", path));
    BULWARK_ASSIGN_OR_RETURN(size_t target, t.Column("target", path));
    for (size_t i = 0; i < t.rows.size(); ++i) {
      BULWARK_ASSIGN_OR_RETURN(
          ClassLabel label,
          MapLabel({{"1", ClassLabel::kHate}, {"0", ClassLabel::kNone}}, path, i, t.rows[i][gold]));
      b.Add(std::move(t.rows[i][text]), label, HatemojiTargets(t.rows[i][target]), split);
    }
  }
  return b.Take();
}

// EDOS (SemEval-2023 Task 10): sexist posts are hate against women (threats, derogation,
// animosity, prejudiced discussion); its own train/dev/test split. Only the rows that name women
// are known to mention the group, so no target is recorded (the bias check needs annotations).
Result<std::vector<Example>> LoadEdos(const std::filesystem::path& dir, Builder& b) {
  const auto path = dir / "edos" / "data" / "edos_labelled_aggregated.csv";
  BULWARK_ASSIGN_OR_RETURN(Table t, ReadTable(path, ','));
  BULWARK_ASSIGN_OR_RETURN(size_t text, t.Column("text", path));
  BULWARK_ASSIGN_OR_RETURN(size_t sexist, t.Column("label_sexist", path));
  BULWARK_ASSIGN_OR_RETURN(size_t split_col, t.Column("split", path));
  for (size_t i = 0; i < t.rows.size(); ++i) {
    BULWARK_ASSIGN_OR_RETURN(ClassLabel label, MapLabel({{"sexist", ClassLabel::kHate},
                                                         {"not sexist", ClassLabel::kNone}},
                                                        path, i, t.rows[i][sexist]));
    const std::string& sp = t.rows[i][split_col];
    Split split;
    if (sp == "train") {
      split = Split::kTrain;
    } else if (sp == "dev") {
      split = Split::kValidation;
    } else if (sp == "test") {
      split = Split::kTest;
    } else {
      return BadLabel(path, i, sp);
    }
    b.Add(std::move(t.rows[i][text]), label, {}, split);
  }
  return b.Take();
}

Result<std::vector<Example>> LoadCovidVaccine(const std::filesystem::path& dir, Builder& b) {
  const auto path = dir / "covid_vaccine_conspiracy" / "finaldataset_y.csv";
  BULWARK_ASSIGN_OR_RETURN(Table t, ReadTable(path, ','));
  BULWARK_ASSIGN_OR_RETURN(size_t text, t.Column("comments", path));
  BULWARK_ASSIGN_OR_RETURN(size_t lab, t.Column("label", path));
  for (size_t i = 0; i < t.rows.size(); ++i) {
    BULWARK_ASSIGN_OR_RETURN(ClassLabel label,
                             MapLabel({{"1", ClassLabel::kMisinfoHealth}, {"0", ClassLabel::kNone}},
                                      path, i, t.rows[i][lab]));
    b.Add(std::move(t.rows[i][text]), label, {});
  }
  return b.Take();
}

std::uint64_t SplitMix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::string_view ClassLabelName(ClassLabel label) {
  return kLabelNames[static_cast<size_t>(label)];
}

std::optional<ClassLabel> ParseClassLabel(std::string_view name) {
  for (ClassLabel l : kAllClassLabels) {
    if (ClassLabelName(l) == name) return l;
  }
  return std::nullopt;
}

std::optional<Category> CategoryOf(ClassLabel label) {
  switch (label) {
    case ClassLabel::kHate:
      return Category::kHate;
    case ClassLabel::kMisinfoHealth:
      return Category::kMisinfoHealth;
    case ClassLabel::kNone:
    case ClassLabel::kOffensive:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string_view SplitName(Split split) {
  switch (split) {
    case Split::kTrain:
      return "train";
    case Split::kValidation:
      return "validation";
    case Split::kTest:
      return "test";
  }
  return "?";
}

std::vector<ClassLabel> AnnotatedLabels(std::string_view dataset) {
  if (dataset == "davidson2017" || dataset == "hatexplain") {
    return {ClassLabel::kHate, ClassLabel::kOffensive};
  }
  if (dataset == "covid_vaccine_conspiracy") return {ClassLabel::kMisinfoHealth};
  for (const std::string& name : AllDatasetNames()) {
    if (name == dataset) return {ClassLabel::kHate};
  }
  return {ClassLabel::kOffensive, ClassLabel::kHate, ClassLabel::kMisinfoHealth};
}

const std::vector<std::string>& AllDatasetNames() {
  static const std::vector<std::string> kNames = {"davidson2017",
                                                  "stormfront2018",
                                                  "toxigen_prompts",
                                                  "implicit_hate",
                                                  "isca_antisemitism",
                                                  "hatexplain",
                                                  "hatemoji_build",
                                                  "edos",
                                                  "covid_vaccine_conspiracy"};
  return kNames;
}

std::uint64_t Fnv1a64(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

Split HashSplit(std::string_view key, std::uint64_t seed) {
  const std::uint64_t bucket = SplitMix64(Fnv1a64(key) ^ SplitMix64(seed)) % 100;
  if (bucket < 80) return Split::kTrain;
  if (bucket < 90) return Split::kValidation;
  return Split::kTest;
}

Result<std::vector<Example>> LoadDataset(std::string_view name,
                                         const std::filesystem::path& data_dir,
                                         const ClassifierInput& input, const LoadOptions& options) {
  Builder b{std::string(name), input, options};
  if (name == "davidson2017") return LoadDavidson(data_dir, b);
  if (name == "stormfront2018") return LoadStormfront(data_dir, b, input, options);
  if (name == "toxigen_prompts") return LoadToxigen(data_dir, b);
  if (name == "implicit_hate") return LoadImplicitHate(data_dir, b);
  if (name == "isca_antisemitism") return LoadIsca(data_dir, b);
  if (name == "hatexplain") return LoadHateXplain(data_dir, b);
  if (name == "hatemoji_build") return LoadHatemoji(data_dir, b);
  if (name == "edos") return LoadEdos(data_dir, b);
  if (name == "covid_vaccine_conspiracy") return LoadCovidVaccine(data_dir, b);
  return InvalidArgument("unknown data set '" + std::string(name) + "'", "dataset");
}

DedupStats DeduplicateAcrossSplits(std::vector<Example>& examples, const ClassifierInput& input) {
  DedupStats stats;
  std::vector<std::string> keys;
  keys.reserve(examples.size());
  // Most held-out split each key appears in.
  std::unordered_map<std::string, Split> strongest;
  for (const Example& ex : examples) {
    keys.push_back(input.DedupKey(ex.text));
    auto [it, inserted] = strongest.try_emplace(keys.back(), ex.split);
    if (!inserted && static_cast<int>(ex.split) > static_cast<int>(it->second)) {
      it->second = ex.split;
    }
  }
  std::unordered_set<std::string> kept;
  std::vector<Example> out;
  out.reserve(examples.size());
  for (size_t i = 0; i < examples.size(); ++i) {
    Example& ex = examples[i];
    if (keys[i].empty() || input.Prepare(ex.text).empty()) {
      ++stats.removed_empty;
      continue;
    }
    const Split keep_in = strongest.at(keys[i]);
    if (ex.split != keep_in) {
      if (ex.split == Split::kTrain) {
        ++stats.removed_from_train;
      } else {
        ++stats.removed_from_validation;
      }
      continue;
    }
    if (!kept.insert(keys[i]).second) {
      ++stats.removed_duplicate_in_split;
      continue;
    }
    out.push_back(std::move(ex));
  }
  examples = std::move(out);
  return stats;
}

Result<std::vector<std::vector<std::string>>> ParseDelimited(std::string_view content,
                                                             char delimiter, size_t max_fields) {
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  size_t line = 1;
  size_t i = 0;
  const size_t n = content.size();
  auto end_field = [&]() -> Status {
    if (record.size() >= max_fields) {
      return ResourceExhausted("line " + std::to_string(line) + ": more than " +
                               std::to_string(max_fields) + " fields");
    }
    record.push_back(std::move(field));
    field.clear();
    return Status::Ok();
  };
  while (i < n) {
    // At the start of a field.
    if (content[i] == '"') {
      const size_t start_line = line;
      ++i;
      bool closed = false;
      while (i < n) {
        char c = content[i];
        if (c == '"') {
          if (i + 1 < n && content[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        if (c == '\n') ++line;
        field.push_back(c);
        ++i;
      }
      if (!closed) {
        return InvalidArgument("line " + std::to_string(start_line) +
                               ": unterminated quoted field");
      }
      if (i < n && content[i] != delimiter && content[i] != '\n' && content[i] != '\r') {
        return InvalidArgument("line " + std::to_string(line) +
                               ": unexpected character after closing quote");
      }
    } else {
      while (i < n && content[i] != delimiter && content[i] != '\n' && content[i] != '\r') {
        field.push_back(content[i]);
        ++i;
      }
    }
    BULWARK_RETURN_IF_ERROR(end_field());
    if (i >= n) break;
    if (content[i] == delimiter) {
      ++i;
      if (i >= n) BULWARK_RETURN_IF_ERROR(end_field());  // trailing delimiter: empty last field
      continue;
    }
    // End of record: CRLF, LF or a lone CR.
    if (content[i] == '\r') ++i;
    if (i < n && content[i] == '\n') ++i;
    ++line;
    records.push_back(std::move(record));
    record.clear();
  }
  if (!record.empty()) records.push_back(std::move(record));
  return records;
}

}  // namespace bulwark::detect

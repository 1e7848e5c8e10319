#include "perspective/calibration_data.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string_view>

#include "detect/classifier_input.h"
#include "detect/dataset.h"
#include "detect/functional.h"

namespace bulwark::perspective {

namespace {

namespace fs = std::filesystem;

constexpr size_t Index(Attribute a) { return static_cast<size_t>(a); }

// A CSV file as a header and rows, each row as long as the header.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  // The index of column `name`, or -1.
  int Column(std::string_view name) const {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return static_cast<int>(i);
    }
    return -1;
  }
};

Result<Table> ReadCsv(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  BULWARK_ASSIGN_OR_RETURN(auto records, detect::ParseDelimited(ss.str(), ','));
  if (records.empty()) return InvalidArgument(path.string() + ": empty file");
  Table t;
  t.header = std::move(records.front());
  for (size_t i = 1; i < records.size(); ++i) {
    if (records[i].size() == 1 && records[i][0].empty()) continue;  // trailing blank line
    if (records[i].size() != t.header.size()) {
      return InvalidArgument(path.string() + ": record " + std::to_string(i + 1) + " has " +
                             std::to_string(records[i].size()) + " fields, the header " +
                             std::to_string(t.header.size()));
    }
    t.rows.push_back(std::move(records[i]));
  }
  return t;
}

Result<std::vector<int>> Columns(const Table& t, const fs::path& path,
                                 std::initializer_list<std::string_view> names) {
  std::vector<int> out;
  for (std::string_view n : names) {
    const int c = t.Column(n);
    if (c < 0) return InvalidArgument(path.string() + ": no column '" + std::string(n) + "'");
    out.push_back(c);
  }
  return out;
}

// A count column's value; 0 for an empty or malformed cell.
double Number(const std::string& s) {
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() ? v : 0.0;
}

Status LoadDavidson(const fs::path& dir, std::vector<CalibrationExample>* out) {
  const fs::path path = dir / "davidson2017" / "labeled_data.csv";
  BULWARK_ASSIGN_OR_RETURN(Table t, ReadCsv(path));
  BULWARK_ASSIGN_OR_RETURN(
      auto c, Columns(t, path, {"count", "hate_speech", "offensive_language", "tweet", "neither"}));
  BULWARK_ASSIGN_OR_RETURN(auto input, detect::ClassifierInput::Create());
  const detect::LoadOptions defaults;
  for (auto& row : t.rows) {
    // The split the classifier's training used (detect::LoadDataset): its training rows are
    // never calibration data.
    const detect::Split split = detect::HashSplit(input->DedupKey(row[c[3]]), defaults.split_seed);
    if (split == detect::Split::kTrain) continue;
    const double votes = Number(row[c[0]]);
    if (votes <= 0 || row[c[3]].empty()) continue;
    CalibrationExample ex;
    ex.text = std::move(row[c[3]]);
    ex.dataset = "davidson2017";
    ex.held_out = split == detect::Split::kTest;
    const double hate = Number(row[c[1]]) / votes, offensive = Number(row[c[2]]) / votes;
    ex.target[Index(Attribute::kToxicity)] = std::min(1.0, hate + offensive);
    ex.target[Index(Attribute::kIdentityAttack)] = std::min(1.0, hate);
    ex.target[Index(Attribute::kProfanity)] = std::min(1.0, offensive);
    for (Attribute a : {Attribute::kToxicity, Attribute::kIdentityAttack, Attribute::kProfanity}) {
      ex.has[Index(a)] = true;
    }
    // Texts no annotator found hateful or offensive are no threat either: they anchor THREAT's
    // low end, which the threat-labelled sets (hateful texts only) do not reach.
    if (Number(row[c[4]]) == votes) ex.has[Index(Attribute::kThreat)] = true;
    out->push_back(std::move(ex));
  }
  return Status();
}

Status LoadConvAbuse(const fs::path& dir, std::vector<CalibrationExample>* out) {
  for (const char* part : {"train", "valid", "test"}) {
    const fs::path path =
        dir / "convabuse" / "2_splits" / (std::string("ConvAbuseEMNLP") + part + ".csv");
    BULWARK_ASSIGN_OR_RETURN(Table t, ReadCsv(path));
    const int user = t.Column("user");
    if (user < 0) return InvalidArgument(path.string() + ": no column 'user'");
    for (const auto& row : t.rows) {
      if (row[user].empty()) continue;
      int annotators = 0, abuse = 0, severe = 0, identity = 0, insult = 0;
      for (int k = 1; k <= 16; ++k) {
        const std::string a = "Annotator" + std::to_string(k) + "_";
        auto is = [&](std::string_view col) {
          const int i = t.Column(a + std::string(col));
          return i >= 0 && row[i] == "1";
        };
        const bool labelled = is("is_abuse.1") || is("is_abuse.0") || is("is_abuse.-1") ||
                              is("is_abuse.-2") || is("is_abuse.-3");
        if (!labelled) continue;
        ++annotators;
        const bool strong = is("is_abuse.-2") || is("is_abuse.-3");
        const bool abusive = strong || is("is_abuse.-1");
        abuse += abusive;
        severe += strong;
        identity += abusive && (is("racist") || is("sexist") || is("homophobic") ||
                                is("transphobic") || is("ableist"));
        insult += abusive && (is("target.individual") || is("target.system"));
      }
      if (annotators == 0) continue;
      CalibrationExample ex;
      ex.text = row[user];
      ex.dataset = "convabuse";
      ex.held_out = std::string_view(part) == "test";
      const double n = annotators;
      ex.target[Index(Attribute::kToxicity)] = abuse / n;
      ex.target[Index(Attribute::kSevereToxicity)] = severe / n;
      ex.target[Index(Attribute::kIdentityAttack)] = identity / n;
      ex.target[Index(Attribute::kInsult)] = insult / n;
      for (Attribute a : {Attribute::kToxicity, Attribute::kSevereToxicity,
                          Attribute::kIdentityAttack, Attribute::kInsult}) {
        ex.has[Index(a)] = true;
      }
      out->push_back(std::move(ex));
    }
  }
  return Status();
}

Status LoadEdos(const fs::path& dir, std::vector<CalibrationExample>* out) {
  const fs::path path = dir / "edos" / "data" / "edos_labelled_aggregated.csv";
  BULWARK_ASSIGN_OR_RETURN(Table t, ReadCsv(path));
  BULWARK_ASSIGN_OR_RETURN(auto c,
                           Columns(t, path, {"text", "label_sexist", "label_category", "split"}));
  for (auto& row : t.rows) {
    if (row[c[0]].empty()) continue;
    CalibrationExample ex;
    ex.text = std::move(row[c[0]]);
    ex.dataset = "edos";
    ex.held_out = row[c[3]] == "test";
    const bool sexist = row[c[1]] == "sexist";
    ex.target[Index(Attribute::kIdentityAttack)] = sexist ? 1.0 : 0.0;
    ex.has[Index(Attribute::kIdentityAttack)] = true;
    // EDOS names a threat only within sexism: a threat that is not sexist is "not sexist" there,
    // so only sexist posts carry a THREAT label (threats and incitement against the rest).
    ex.target[Index(Attribute::kThreat)] = row[c[2]].starts_with("1.") ? 1.0 : 0.0;
    ex.has[Index(Attribute::kThreat)] = sexist;
    out->push_back(std::move(ex));
  }
  return Status();
}

// Hatemoji's hateful posts: THREAT = the "threatening language" type, against the other kinds of
// hate. Its validation split fits, its test split measures; its training split taught the
// shipped classifier and is not used.
Status LoadHatemoji(const fs::path& dir, std::vector<CalibrationExample>* out) {
  for (const char* part : {"validation", "test"}) {
    const fs::path path = dir / "hatemoji_build" / (std::string(part) + ".csv");
    BULWARK_ASSIGN_OR_RETURN(Table t, ReadCsv(path));
    BULWARK_ASSIGN_OR_RETURN(auto c, Columns(t, path, {"text", "type", "label_gold"}));
    for (auto& row : t.rows) {
      if (row[c[0]].empty() || row[c[2]] != "1") continue;
      CalibrationExample ex;
      ex.text = std::move(row[c[0]]);
      ex.dataset = "hatemoji_build";
      ex.held_out = std::string_view(part) == "test";
      ex.target[Index(Attribute::kThreat)] = row[c[1]] == "threateninglanguage" ? 1.0 : 0.0;
      ex.has[Index(Attribute::kThreat)] = true;
      out->push_back(std::move(ex));
    }
  }
  return Status();
}

// What a functionality's definition settles: 1 or 0 per attribute, or -1 (not settled: the
// cases of that form differ, or readers could reasonably differ).
struct FunctionalLabels {
  std::string_view functionality;
  int toxicity, identity_attack, insult, profanity, threat;
};
constexpr FunctionalLabels kFunctionalTargets[] = {
    // Hateful forms: an identity attack and toxic; threats where the form is one.
    {"dehumanisation", 1, 1, -1, -1, 0},
    {"elimination", 1, 1, -1, -1, 1},
    {"emoji_dehumanisation", 1, 1, -1, -1, -1},
    {"emoji_threat", 1, 1, -1, -1, 1},
    {"exclusion", 1, 1, -1, -1, 0},
    {"hate_expressed", 1, 1, -1, -1, 0},
    {"implicit_derogation", 1, 1, -1, -1, 0},
    {"negated_praise", 1, 1, -1, -1, 0},
    {"negative_attribute", 1, 1, -1, -1, 0},
    {"opinion_form", 1, 1, -1, -1, -1},
    {"profanity_at_group", 1, 1, -1, 1, -1},
    {"pronoun_reference", 1, 1, -1, -1, -1},
    {"question_form", 1, 1, -1, -1, -1},
    {"spell_char_deletion", 1, 1, -1, -1, -1},
    {"spell_char_swap", 1, 1, -1, -1, -1},
    {"spell_leet", 1, 1, -1, -1, -1},
    {"spell_space_added", 1, 1, -1, -1, -1},
    {"spell_space_removed", 1, 1, -1, -1, -1},
    {"threat_direct", 1, 1, -1, -1, 1},
    {"threat_normative", 1, 1, -1, -1, 1},
    // Not hateful: no identity attack; clean where the form is clean.
    {"abuse_individual", 1, 0, 1, -1, -1},
    {"abuse_nonprotected_group", 1, 0, -1, -1, -1},
    {"abuse_object", -1, 0, 0, -1, 0},
    {"counter_speech_direct", -1, 0, -1, -1, 0},
    {"counter_speech_quote", -1, 0, -1, -1, -1},
    {"counter_speech_report", -1, 0, -1, -1, -1},
    {"homonym", -1, 0, -1, -1, 0},
    {"negated_attack", 0, 0, 0, 0, 0},
    {"neutral_identity", 0, 0, 0, 0, 0},
    {"positive_identity", 0, 0, 0, 0, 0},
    {"profanity_no_target", 1, 0, -1, 1, 0},
    {"reclaimed_use", -1, 0, -1, -1, 0},
};

}  // namespace

Result<std::vector<CalibrationExample>> LoadFunctionalCalibration(const fs::path& suite_dir) {
  BULWARK_ASSIGN_OR_RETURN(auto cases, detect::LoadFunctionalSuite(suite_dir));
  std::vector<CalibrationExample> out;
  for (auto& c : cases) {
    const FunctionalLabels* labels = nullptr;
    for (const auto& l : kFunctionalTargets) {
      if (l.functionality == c.functionality) labels = &l;
    }
    if (!labels) {
      return InvalidArgument("functionality '" + c.functionality +
                             "' has no Perspective targets (calibration_data.cc)");
    }
    CalibrationExample ex;
    ex.text = std::move(c.text);
    ex.dataset = "functional";
    ex.held_out = c.split == "test";
    auto set = [&](Attribute a, int v) {
      if (v < 0) return;
      ex.target[Index(a)] = v;
      ex.has[Index(a)] = true;
    };
    set(Attribute::kToxicity, labels->toxicity);
    set(Attribute::kIdentityAttack, labels->identity_attack);
    set(Attribute::kInsult, labels->insult);
    set(Attribute::kProfanity, labels->profanity);
    set(Attribute::kThreat, labels->threat);
    out.push_back(std::move(ex));
  }
  return out;
}

Result<std::vector<CalibrationExample>> LoadCalibrationData(const fs::path& data_dir) {
  std::vector<CalibrationExample> out;
  BULWARK_RETURN_IF_ERROR(LoadDavidson(data_dir, &out));
  BULWARK_RETURN_IF_ERROR(LoadConvAbuse(data_dir, &out));
  BULWARK_RETURN_IF_ERROR(LoadEdos(data_dir, &out));
  BULWARK_RETURN_IF_ERROR(LoadHatemoji(data_dir, &out));
  return out;
}

}  // namespace bulwark::perspective

#include "demo/demo_data.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/taxonomy.h"

namespace bulwark::demo {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Result<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Parses JSON without exceptions (nlohmann's parser is the adapter boundary here).
Result<json> ParseJson(const std::string& text, const std::string& where) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("malformed JSON", where);
  return j;
}

// Typed reads that never throw: the wrong type reads as empty / false / 0.
std::string StringOr(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}
bool BoolOr(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_boolean() && it->get<bool>();
}
std::int64_t IntOr(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

Status Expect(bool ok, const std::string& message, const std::string& where) {
  return ok ? Status::Ok() : InvalidArgument(message, where);
}

Result<std::vector<std::string>> StringArray(const json& j, const std::string& where) {
  if (!j.is_array() || j.empty()) return InvalidArgument("must be a non-empty array", where);
  std::vector<std::string> out;
  for (const json& e : j) {
    if (!e.is_string() || e.get_ref<const std::string&>().empty()) {
      return InvalidArgument("entries must be non-empty strings", where);
    }
    out.push_back(e.get<std::string>());
  }
  return out;
}

Result<double> Number(const json& obj, const char* key, const std::string& where, double min,
                      double max) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number()) {
    return InvalidArgument("must be a number", where + "." + key);
  }
  double v = it->get<double>();
  if (!(v >= min && v <= max)) {
    return InvalidArgument("must be between " + json(min).dump() + " and " + json(max).dump(),
                           where + "." + key);
  }
  return v;
}

Result<std::string> String(const json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return InvalidArgument("must be a non-empty string", where + "." + key);
  }
  return it->get<std::string>();
}

Result<TopicMix> Mix(const json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  const std::string field = where.empty() ? key : where + "." + key;
  if (it == obj.end() || !it->is_object() || it->empty()) {
    return InvalidArgument("must be an object of topic weights", field);
  }
  TopicMix mix;
  for (const auto& [topic, w] : it->items()) {
    if (!w.is_number() || w.get<double>() <= 0) {
      return InvalidArgument("weights must be positive numbers", field + "." + topic);
    }
    mix[topic] = w.get<double>();
  }
  return mix;
}

// Word lists a slot may name, before they are copied into DemoData::lists on first use.
struct Sources {
  std::map<std::string, std::vector<std::string>> lists;
};

Status LoadVocabulary(const fs::path& file, Sources* src) {
  BULWARK_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  const std::string where = file.filename().string();
  BULWARK_ASSIGN_OR_RETURN(json j, ParseJson(text, where));
  BULWARK_RETURN_IF_ERROR(Expect(j.is_object(), "must be a JSON object", where));
  for (const auto& [key, value] : j.items()) {
    if (key == "format" || key == "notes") continue;
    BULWARK_ASSIGN_OR_RETURN(auto words, StringArray(value, where + "." + key));
    src->lists[key] = std::move(words);
  }
  return Status::Ok();
}

// Reads a JSON Lines file line by line; `fn` gets each parsed object and its "file:line".
template <typename Fn>
Status ForEachJsonLine(const fs::path& file, Fn fn) {
  std::ifstream in(file);
  if (!in) return NotFound("cannot read " + file.string());
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    const std::string where = file.filename().string() + ":" + std::to_string(n);
    BULWARK_ASSIGN_OR_RETURN(json j, ParseJson(line, where));
    if (!j.is_object()) return InvalidArgument("must be a JSON object", where);
    BULWARK_RETURN_IF_ERROR(fn(j, where));
  }
  return Status::Ok();
}

// {slur:TARGET}: the lexicon's unambiguous slurs for a group (severity >= 3, not reclaimed);
// {identity:TARGET}: its neutral identity terms.
Status LoadLexiconSlots(const fs::path& lexicon_dir, Sources* src) {
  auto add_targets = [&](const json& e, const std::string& prefix) {
    const std::string term = StringOr(e, "term");
    auto t = e.find("targets");
    if (term.empty() || t == e.end() || !t->is_array()) return;
    for (const json& g : *t) {
      if (g.is_string()) src->lists[prefix + g.get<std::string>()].push_back(term);
    }
  };
  BULWARK_RETURN_IF_ERROR(ForEachJsonLine(
      lexicon_dir / "hate_slurs.jsonl", [&](const json& e, const std::string&) -> Status {
        if (StringOr(e, "kind") == "slur" && IntOr(e, "severity") >= 3 && !BoolOr(e, "reclaimed") &&
            StringOr(e, "match") != "regex") {
          add_targets(e, "slur:");
        }
        return Status::Ok();
      }));
  return ForEachJsonLine(lexicon_dir / "identity_terms.jsonl",
                         [&](const json& e, const std::string&) -> Status {
                           add_targets(e, "identity:");
                           return Status::Ok();
                         });
}

// {claim:SUBTYPE}: every known false claim of misinformation.SUBTYPE and its variants.
Status LoadClaimSlots(const fs::path& claims_file, Sources* src) {
  return ForEachJsonLine(claims_file, [&](const json& e, const std::string& where) -> Status {
    const std::string category = StringOr(e, "category");
    const std::string claim = StringOr(e, "claim");
    const std::string prefix = "misinformation.";
    if (category.rfind(prefix, 0) != 0 || claim.empty()) {
      return InvalidArgument("expected a misinformation claim", where);
    }
    auto& list = src->lists["claim:" + category.substr(prefix.size())];
    list.push_back(claim);
    if (auto v = e.find("variants"); v != e.end() && v->is_array()) {
      for (const json& s : *v) {
        if (s.is_string()) list.push_back(s.get<std::string>());
      }
    }
    return Status::Ok();
  });
}

class TemplateParser {
 public:
  TemplateParser(const Sources& src, DemoData* data) : src_(src), data_(data) {}

  Status ParseFile(const fs::path& file) {
    std::ifstream in(file);
    if (!in) return NotFound("cannot read " + file.string());
    const std::string name = file.filename().string();
    topic_.clear();
    cls_.clear();
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const std::string where = name + ":" + std::to_string(n);
      if (line.empty() || line[0] == '#') continue;
      if (IsDirective(line)) {
        BULWARK_RETURN_IF_ERROR(Directive(line, where));
        continue;
      }
      BULWARK_RETURN_IF_ERROR(TemplateLine(line, where));
    }
    return Status::Ok();
  }

 private:
  // "@topic", "@class", "@kinds" or "@weight" as the first word; any other line is a template
  // ("@name hello" is a mention).
  static bool IsDirective(const std::string& line) {
    for (const char* d : {"@topic", "@class", "@kinds", "@weight"}) {
      const size_t n = std::char_traits<char>::length(d);
      if (line.compare(0, n, d) == 0 && (line.size() == n || line[n] == ' ' || line[n] == '\t')) {
        return true;
      }
    }
    return false;
  }

  Status Directive(const std::string& line, const std::string& where) {
    std::istringstream ss(line);
    std::string word;
    ss >> word;
    std::vector<std::string> args;
    for (std::string a; ss >> a;) args.push_back(a);
    if (word == "@topic" && args.size() == 1) {
      topic_ = args[0];
      cls_.clear();
      kinds_ = {ItemKind::kPost, ItemKind::kComment};
      weight_ = 1;
      return Status::Ok();
    }
    if (word == "@class" && args.size() == 1) {
      if (!IsKnownClass(args[0])) {
        return InvalidArgument(
            "unknown class \"" + args[0] + "\" (a benign class or a taxonomy category)", where);
      }
      cls_ = args[0];
      return Status::Ok();
    }
    if (word == "@kinds" && !args.empty()) {
      kinds_.clear();
      for (const std::string& k : args) {
        auto kind = ParseItemKind(k);
        if (!kind || *kind == ItemKind::kAdCreative || *kind == ItemKind::kGroupProfile) {
          return InvalidArgument("kinds are post, comment, message, user_profile", where);
        }
        kinds_.push_back(*kind);
      }
      return Status::Ok();
    }
    if (word == "@weight" && args.size() == 1) {
      char* end = nullptr;
      double w = std::strtod(args[0].c_str(), &end);
      if (end == args[0].c_str() || *end != '\0' || !(w > 0 && w <= 1000)) {
        return InvalidArgument("weight must be a number in (0, 1000]", where);
      }
      weight_ = w;
      return Status::Ok();
    }
    return InvalidArgument("unknown directive \"" + line + "\"", where);
  }

  Status TemplateLine(const std::string& line, const std::string& where) {
    if (topic_.empty() || cls_.empty()) {
      return InvalidArgument("template before its @topic and @class", where);
    }
    Template t;
    t.source = where;
    t.topic = topic_;
    t.content_class = cls_;
    t.kinds = kinds_;
    t.weight = weight_;
    std::string literal;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (c == '\\' && i + 1 < line.size()) {
        char e = line[++i];
        literal += e == 'n' ? '\n' : e;
        continue;
      }
      if (c == '{') {
        size_t close = line.find('}', i);
        if (close == std::string::npos) return InvalidArgument("unclosed {", where);
        BULWARK_ASSIGN_OR_RETURN(int list, List(line.substr(i + 1, close - i - 1), where));
        if (!literal.empty()) t.pieces.push_back({std::move(literal), -1});
        literal.clear();
        t.pieces.push_back({"", list});
        i = close;
        continue;
      }
      if (c == '}') return InvalidArgument("unmatched }", where);
      literal += c;
    }
    if (!literal.empty()) t.pieces.push_back({std::move(literal), -1});
    data_->templates.push_back(std::move(t));
    return Status::Ok();
  }

  Result<int> List(const std::string& name, const std::string& where) {
    for (size_t i = 0; i < data_->list_names.size(); ++i) {
      if (data_->list_names[i] == name) return static_cast<int>(i);
    }
    auto it = src_.lists.find(name);
    if (it == src_.lists.end() || it->second.empty()) {
      return InvalidArgument("unknown slot {" + name +
                                 "} (a vocabulary.json list, claim:SUBTYPE, slur:TARGET or "
                                 "identity:TARGET)",
                             where);
    }
    data_->list_names.push_back(name);
    data_->lists.push_back(it->second);
    return static_cast<int>(data_->lists.size() - 1);
  }

  const Sources& src_;
  DemoData* data_;
  std::string topic_, cls_;
  std::vector<ItemKind> kinds_ = {ItemKind::kPost, ItemKind::kComment};
  double weight_ = 1;
};

Status LoadPlatform(const fs::path& file, DemoData* data) {
  BULWARK_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  BULWARK_ASSIGN_OR_RETURN(json j, ParseJson(text, "platform.json"));
  BULWARK_RETURN_IF_ERROR(Expect(j.is_object(), "must be a JSON object", "platform.json"));
  BULWARK_RETURN_IF_ERROR(Expect(StringOr(j, "format") == "bulwark-demo-platform/1",
                                 "must be \"bulwark-demo-platform/1\"", "format"));

  const json& p = j.contains("parameters") ? j["parameters"] : json::object();
  DemoParameters& q = data->params;
  BULWARK_ASSIGN_OR_RETURN(double days, Number(p, "days", "parameters", 1, 365));
  q.days = static_cast<int>(days);
  struct Share {
    const char* key;
    double* out;
  };
  for (Share s :
       {Share{"comment_share", &q.comment_share}, Share{"message_share", &q.message_share},
        Share{"group_post_share", &q.group_post_share},
        Share{"public_figure_post_share", &q.public_figure_post_share},
        Share{"abusive_account_share", &q.abusive_account_share},
        Share{"abusive_author_share", &q.abusive_author_share}, Share{"bio_share", &q.bio_share},
        Share{"abusive_bio_hate_share", &q.abusive_bio_hate_share},
        Share{"false_report_rate", &q.false_report_rate},
        Share{"borderline_report_rate", &q.borderline_report_rate}}) {
    BULWARK_ASSIGN_OR_RETURN(*s.out, Number(p, s.key, "parameters", 0, 1));
  }
  BULWARK_ASSIGN_OR_RETURN(q.impressions_per_post,
                           Number(p, "impressions_per_post", "parameters", 0, 100));
  if (q.comment_share + q.message_share > 0.9) {
    return InvalidArgument("comment_share + message_share must leave room for posts",
                           "parameters.comment_share");
  }

  BULWARK_ASSIGN_OR_RETURN(data->feed, Mix(j, "feed", ""));
  BULWARK_ASSIGN_OR_RETURN(data->comment, Mix(j, "comment", ""));
  BULWARK_ASSIGN_OR_RETURN(data->message, Mix(j, "message", ""));

  if (!j.contains("groups") || !j["groups"].is_array() || j["groups"].empty()) {
    return InvalidArgument("must be a non-empty array", "groups");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < j["groups"].size(); ++i) {
    const json& g = j["groups"][i];
    const std::string where = "groups[" + std::to_string(i) + "]";
    if (!g.is_object()) return InvalidArgument("must be an object", where);
    GroupSpec s;
    BULWARK_ASSIGN_OR_RETURN(s.id, String(g, "id", where));
    BULWARK_ASSIGN_OR_RETURN(s.name, String(g, "name", where));
    BULWARK_ASSIGN_OR_RETURN(std::string vis, String(g, "visibility", where));
    auto v = ParseVisibility(vis);
    if (!v) return InvalidArgument("must be public, private or secret", where + ".visibility");
    s.visibility = *v;
    BULWARK_ASSIGN_OR_RETURN(s.theme, String(g, "theme", where));
    if (!g.contains("harmful") || !g["harmful"].is_boolean()) {
      return InvalidArgument("must be true or false", where + ".harmful");
    }
    s.harmful = g["harmful"].get<bool>();
    BULWARK_ASSIGN_OR_RETURN(s.size, Number(g, "size", where, 0.001, 1));
    BULWARK_ASSIGN_OR_RETURN(s.activity, Number(g, "activity", where, 0.001, 1000));
    BULWARK_ASSIGN_OR_RETURN(s.description, String(g, "description", where));
    BULWARK_ASSIGN_OR_RETURN(s.topics, Mix(g, "topics", where));
    if (!ids.insert(s.id).second) return InvalidArgument("duplicate id", where + ".id");
    data->groups.push_back(std::move(s));
  }

  if (!j.contains("public_figures") || !j["public_figures"].is_array()) {
    return InvalidArgument("must be an array", "public_figures");
  }
  for (size_t i = 0; i < j["public_figures"].size(); ++i) {
    const json& f = j["public_figures"][i];
    const std::string where = "public_figures[" + std::to_string(i) + "]";
    PublicFigureSpec s;
    BULWARK_ASSIGN_OR_RETURN(s.id, String(f, "id", where));
    BULWARK_ASSIGN_OR_RETURN(s.name, String(f, "name", where));
    BULWARK_ASSIGN_OR_RETURN(s.topics, Mix(f, "topics", where));
    if (!ids.insert(s.id).second) return InvalidArgument("duplicate id", where + ".id");
    data->public_figures.push_back(std::move(s));
  }

  if (!j.contains("advertisers") || !j["advertisers"].is_array() || j["advertisers"].empty()) {
    return InvalidArgument("must be a non-empty array", "advertisers");
  }
  for (size_t i = 0; i < j["advertisers"].size(); ++i) {
    const json& a = j["advertisers"][i];
    const std::string where = "advertisers[" + std::to_string(i) + "]";
    AdvertiserSpec s;
    BULWARK_ASSIGN_OR_RETURN(s.id, String(a, "id", where));
    BULWARK_ASSIGN_OR_RETURN(s.name, String(a, "name", where));
    BULWARK_ASSIGN_OR_RETURN(s.share, Number(a, "share", where, 0.001, 1000));
    BULWARK_ASSIGN_OR_RETURN(double cpm, Number(a, "cpm_usd", where, 0.01, 1000));
    s.price_micros = static_cast<std::int64_t>(cpm * 1000.0 + 0.5);  // $ per 1000 -> micros each
    if (!a.contains("ads")) return InvalidArgument("is required", where + ".ads");
    BULWARK_ASSIGN_OR_RETURN(s.ads, StringArray(a["ads"], where + ".ads"));
    if (!ids.insert(s.id).second) return InvalidArgument("duplicate id", where + ".id");
    data->advertisers.push_back(std::move(s));
  }

  if (!j.contains("report_comments") || !j["report_comments"].is_object()) {
    return InvalidArgument("must be an object", "report_comments");
  }
  for (const auto& [reason, list] : j["report_comments"].items()) {
    if (!ParseReportReason(reason)) {
      return InvalidArgument("unknown report reason", "report_comments." + reason);
    }
    BULWARK_ASSIGN_OR_RETURN(data->report_comments[reason],
                             StringArray(list, "report_comments." + reason));
  }
  return Status::Ok();
}

bool HasTemplate(const DemoData& d, const std::string& topic, ItemKind kind) {
  for (const Template& t : d.templates) {
    if (t.topic != topic) continue;
    for (ItemKind k : t.kinds) {
      // Messages draw on conversational (comment) templates too.
      if (k == kind || (kind == ItemKind::kMessage && k == ItemKind::kComment)) return true;
    }
  }
  return false;
}

Status CheckMix(const DemoData& d, const TopicMix& mix, ItemKind kind, const std::string& where) {
  for (const auto& [topic, w] : mix) {
    if (topic == "parent" && kind == ItemKind::kComment) continue;
    if (!HasTemplate(d, topic, kind)) {
      return InvalidArgument(
          "topic \"" + topic + "\" has no " + std::string(ItemKindName(kind)) + " templates",
          where);
    }
  }
  return Status::Ok();
}

}  // namespace

bool IsViolatingClass(const std::string& cls) { return ParseCategory(cls).has_value(); }

bool IsKnownClass(const std::string& cls) {
  for (const char* c : kBenignClasses) {
    if (cls == c) return true;
  }
  return IsViolatingClass(cls);
}

Result<DemoData> LoadDemoData(const fs::path& data_dir) {
  const fs::path dir = data_dir / "demo";
  Sources src;
  BULWARK_RETURN_IF_ERROR(LoadVocabulary(dir / "vocabulary.json", &src));
  BULWARK_RETURN_IF_ERROR(LoadLexiconSlots(data_dir / "lexicon", &src));
  BULWARK_RETURN_IF_ERROR(LoadClaimSlots(data_dir / "claims" / "known_false_claims.jsonl", &src));

  DemoData data;
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir / "templates", ec)) {
    if (e.path().extension() == ".txt") files.push_back(e.path());
  }
  if (ec) return NotFound("cannot list " + (dir / "templates").string() + ": " + ec.message());
  std::sort(files.begin(), files.end());  // deterministic template order
  TemplateParser parser(src, &data);
  for (const fs::path& f : files) BULWARK_RETURN_IF_ERROR(parser.ParseFile(f));
  if (data.templates.empty()) return InvalidArgument("no templates", (dir / "templates").string());

  BULWARK_RETURN_IF_ERROR(LoadPlatform(dir / "platform.json", &data));
  BULWARK_RETURN_IF_ERROR(CheckMix(data, data.feed, ItemKind::kPost, "feed"));
  BULWARK_RETURN_IF_ERROR(CheckMix(data, data.comment, ItemKind::kComment, "comment"));
  BULWARK_RETURN_IF_ERROR(CheckMix(data, data.message, ItemKind::kMessage, "message"));
  for (const GroupSpec& g : data.groups) {
    BULWARK_RETURN_IF_ERROR(CheckMix(data, g.topics, ItemKind::kPost, "groups." + g.id));
  }
  for (const PublicFigureSpec& f : data.public_figures) {
    BULWARK_RETURN_IF_ERROR(
        CheckMix(data, f.topics, ItemKind::kPost, "public_figures." + f.id + ".topics"));
  }
  for (const char* topic : {"bio", "bio_hate", "figure_bio"}) {
    if (!HasTemplate(data, topic, ItemKind::kUserProfile)) {
      return InvalidArgument(std::string("topic \"") + topic + "\" has no user_profile templates",
                             "templates");
    }
  }
  return data;
}

}  // namespace bulwark::demo

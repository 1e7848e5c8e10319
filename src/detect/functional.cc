#include "detect/functional.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/taxonomy.h"

namespace bulwark::detect {
namespace {

namespace fs = std::filesystem;

struct GroupForms {
  std::string id, target, pl, people, sg;
};

uint64_t Mix(std::string_view s, uint64_t seed) {
  uint64_t h = 0xcbf29ce484222325ull ^ seed;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  h ^= h >> 29;
  return h;
}

Result<std::string> ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return NotFound("cannot open " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

void ReplaceAll(std::string* s, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = s->find(from, pos)) != std::string::npos) {
    s->replace(pos, from.size(), to);
    pos += to.size();
  }
}

// Applies `op` to every word of `phrase` ("trans people" -> one perturbed word, chosen by seed).
std::string PerturbPhrase(const std::string& phrase, const std::string& op, uint64_t seed) {
  if (op == "space_letters") {
    std::string out;
    for (char c : phrase) {
      if (c == ' ') {
        out += "  ";
        continue;
      }
      if (!out.empty() && out.back() != ' ') out += ' ';
      out += c;
    }
    return out;
  }
  // One word of the phrase: the longest (the content word).
  size_t best_b = 0, best_len = 0;
  for (size_t i = 0; i < phrase.size();) {
    size_t j = i;
    while (j < phrase.size() && phrase[j] != ' ') ++j;
    if (j - i > best_len) best_b = i, best_len = j - i;
    i = j + 1;
  }
  return phrase.substr(0, best_b) + PerturbWord(phrase.substr(best_b, best_len), op, seed) +
         phrase.substr(best_b + best_len);
}

}  // namespace

std::string PerturbWord(const std::string& word, const std::string& op, uint64_t seed) {
  const size_t n = word.size();
  if (op == "delete_char") {
    if (n < 4) return word;
    size_t pos = 1 + seed % (n - 2);  // an inner letter
    return word.substr(0, pos) + word.substr(pos + 1);
  }
  if (op == "swap_chars") {
    if (n < 4) return word;
    for (size_t tries = 0; tries < n; ++tries) {
      size_t pos = 1 + (seed + tries) % (n - 3);  // swap inner letters pos, pos + 1
      if (word[pos] != word[pos + 1]) {
        std::string w = word;
        std::swap(w[pos], w[pos + 1]);
        return w;
      }
    }
    return word;
  }
  if (op == "leet") {
    std::string w = word;
    int changed = 0;
    const int want = n >= 6 ? 2 : 1;
    for (size_t k = 0; k < n && changed < want; ++k) {
      size_t i = (seed + k * 3) % n;
      char c = static_cast<char>(w[i] | 0x20);
      char r = 0;
      switch (c) {
        case 'a':
          r = (seed & 1) ? '4' : '@';
          break;
        case 'e':
          r = '3';
          break;
        case 'i':
          r = '1';
          break;
        case 'o':
          r = '0';
          break;
        case 's':
          r = (seed & 2) ? '5' : '$';
          break;
        case 't':
          r = '7';
          break;
        default:
          break;
      }
      if (r != 0 && IsLetter(w[i])) {
        w[i] = r;
        ++changed;
      }
    }
    return w;
  }
  if (op == "space_letters") {
    std::string out;
    for (char c : word) {
      if (!out.empty()) out += ' ';
      out += c;
    }
    return out;
  }
  return word;
}

Result<std::vector<FunctionalCase>> LoadFunctionalSuite(const fs::path& dir) {
  BULWARK_ASSIGN_OR_RETURN(std::string groups_text, ReadAll(dir / "groups.json"));
  auto gj = nlohmann::json::parse(groups_text, nullptr, false);
  if (gj.is_discarded() || !gj.is_object())
    return InvalidArgument("groups.json: not a JSON object");
  std::map<std::string, std::vector<GroupForms>> sets;
  for (const char* set : {"protected", "controls"}) {
    auto it = gj.find(set);
    if (it == gj.end() || !it->is_array() || it->empty()) {
      return InvalidArgument(std::string("groups.json: \"") + set + "\" must be a non-empty array");
    }
    for (const auto& g : *it) {
      GroupForms f;
      for (auto [key, dst] : {std::pair<const char*, std::string*>{"id", &f.id},
                              {"target", &f.target},
                              {"pl", &f.pl},
                              {"people", &f.people},
                              {"sg", &f.sg}}) {
        auto v = g.find(key);
        if (v == g.end() || !v->is_string() || v->get<std::string>().empty()) {
          return InvalidArgument(std::string("groups.json: every group needs a string \"") + key +
                                 "\"");
        }
        *dst = v->get<std::string>();
      }
      if (f.target != "none" && !ParseTargetGroup(f.target)) {
        return InvalidArgument("groups.json: unknown target \"" + f.target + "\"");
      }
      sets[set].push_back(std::move(f));
    }
  }

  BULWARK_ASSIGN_OR_RETURN(std::string templates, ReadAll(dir / "templates.jsonl"));
  std::vector<FunctionalCase> out;
  std::istringstream in(templates);
  std::string line;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    const std::string where = "templates.jsonl:" + std::to_string(lineno);
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return InvalidArgument(where + ": not a JSON object");
    auto str = [&](const char* key) -> std::string {
      auto v = j.find(key);
      return v != j.end() && v->is_string() ? v->get<std::string>() : std::string();
    };
    const std::string id = str("id"), func = str("functionality"), label = str("label"),
                      split = str("split"), slots = str("slots"), text = str("text"),
                      target = str("target");
    if (id.empty() || func.empty() || text.empty()) {
      return InvalidArgument(where + ": id, functionality and text are required");
    }
    if (label != "hateful" && label != "non_hateful") {
      return InvalidArgument(where + ": label must be hateful or non_hateful");
    }
    if (split != "train" && split != "test")
      return InvalidArgument(where + ": split must be train or test");
    if (slots != "protected" && slots != "controls" && slots != "none") {
      return InvalidArgument(where + ": slots must be protected, controls or none");
    }
    std::string op, on;
    if (auto p = j.find("perturb"); p != j.end()) {
      if (!p->is_object() || !p->contains("op") || !p->contains("on") || !(*p)["op"].is_string() ||
          !(*p)["on"].is_string()) {
        return InvalidArgument(where + ": perturb needs string op and on");
      }
      op = (*p)["op"].get<std::string>();
      on = (*p)["on"].get<std::string>();
      if (op != "delete_char" && op != "swap_chars" && op != "leet" && op != "space_letters" &&
          op != "join_words") {
        return InvalidArgument(where + ": unknown perturb op " + op);
      }
      if (on != "group" && on != "marked" && on != "all") {
        return InvalidArgument(where + ": perturb on must be group, marked or all");
      }
    }
    std::vector<std::string> fills;
    if (auto f = j.find("fills"); f != j.end()) {
      if (!f->is_array()) return InvalidArgument(where + ": fills must be an array");
      for (const auto& x : *f) {
        if (!x.is_string()) return InvalidArgument(where + ": fills must be strings");
        fills.push_back(x.get<std::string>());
      }
    }

    auto emit = [&](std::string s, const GroupForms* g) -> Status {
      const uint64_t seed = Mix(id, g ? Mix(g->id, 7) : 11);
      if (g != nullptr) {
        std::string pl = g->pl, people = g->people, sg = g->sg;
        if (on == "group" && !op.empty() && op != "join_words") {
          pl = PerturbPhrase(pl, op, seed);
          people = PerturbPhrase(people, op, seed);
          sg = PerturbPhrase(sg, op, seed);
        }
        ReplaceAll(&s, "{pl}", pl);
        ReplaceAll(&s, "{people}", people);
        ReplaceAll(&s, "{sg}", sg);
      }
      size_t lt = s.find('<');
      if (lt != std::string::npos) {
        size_t gt = s.find('>', lt);
        if (gt == std::string::npos) return InvalidArgument(where + ": unclosed <marked> word");
        std::string word = s.substr(lt + 1, gt - lt - 1);
        if (on == "marked" && !op.empty()) word = PerturbPhrase(word, op, seed);
        s = s.substr(0, lt) + word + s.substr(gt + 1);
      } else if (on == "marked") {
        return InvalidArgument(where + ": perturb on marked needs a <word>");
      }
      if (op == "join_words") {
        std::string joined;
        for (char c : s) {
          if (c != ' ') joined += c;
        }
        s = joined;
      }
      if (s.find('{') != std::string::npos) {
        return InvalidArgument(where + ": unexpanded placeholder in \"" + s + "\"");
      }
      if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
      FunctionalCase c;
      c.text = std::move(s);
      c.functionality = func;
      c.hateful = label == "hateful";
      c.template_id = id;
      c.split = split;
      c.group = g ? g->id : "";
      c.target = g ? g->target : (target.empty() || target == "group" ? "none" : target);
      out.push_back(std::move(c));
      return Status::Ok();
    };

    if (slots == "none") {
      if (fills.empty()) {
        BULWARK_RETURN_IF_ERROR(emit(text, nullptr));
      } else {
        for (const auto& f : fills) {
          std::string s = text;
          ReplaceAll(&s, "{x}", f);
          BULWARK_RETURN_IF_ERROR(emit(s, nullptr));
        }
      }
    } else {
      for (const GroupForms& g : sets[slots]) BULWARK_RETURN_IF_ERROR(emit(text, &g));
    }
  }
  if (out.empty()) return InvalidArgument("templates.jsonl: no templates");
  return out;
}

void FunctionalReport::Add(const FunctionalCase& c, bool predicted_hateful) {
  const bool right = predicted_hateful == c.hateful;
  auto add = [&](FunctionalScore* s) {
    ++s->total;
    if (right) ++s->correct;
  };
  add(&by_functionality[c.functionality]);
  add(&by_target[c.target]);
  add(c.hateful ? &hateful : &non_hateful);
}

}  // namespace bulwark::detect

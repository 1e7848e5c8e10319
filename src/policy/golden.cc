#include "policy/golden.h"

#include <algorithm>
#include <charconv>
#include <fstream>

#include "core/utf8.h"

namespace bulwark::policy {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    s = Trim(s);
    if (s.empty()) break;
    size_t sp = s.find_first_of(" \t");
    out.push_back(s.substr(0, sp));
    if (sp == std::string_view::npos) break;
    s.remove_prefix(sp);
  }
  return out;
}

bool ParseCount(std::string_view v, std::int64_t* out) {
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
  return ec == std::errc() && p == v.data() + v.size() && *out >= 0;
}

// Returns "" or what is wrong with one INPUT word.
std::string ParseInputWord(std::string_view w, PolicyInput* in) {
  size_t eq = w.find('=');
  if (eq == std::string_view::npos) return "expected key=value, got \"" + std::string(w) + "\"";
  std::string_view key = w.substr(0, eq), value = w.substr(eq + 1);
  if (auto c = ParseCategory(key)) {
    double p = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), p);
    if (ec != std::errc() || ptr != value.data() + value.size() || !(p >= 0 && p <= 1)) {
      return "score of " + std::string(key) + " must be between 0 and 1";
    }
    in->set_score(*c, p);
  } else if (key == "targets") {
    std::string_view rest = value;
    while (true) {
      size_t comma = rest.find(',');
      std::string_view name = rest.substr(0, comma);
      auto g = ParseTargetGroup(name);
      if (!g) return "unknown target group \"" + std::string(name) + "\"";
      in->target_groups.Add(*g);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  } else if (key == "coverage") {
    if (value != "full" && value != "none") return "coverage must be full or none";
    in->coverage_full = value == "full";
  } else if (key == "visibility") {
    auto v = ParseVisibility(value);
    if (!v) return "visibility must be public, private or secret";
    in->visibility = *v;
  } else if (key == "kind") {
    auto k = ParseItemKind(value);
    if (!k) return "unknown kind \"" + std::string(value) + "\"";
    in->kind = *k;
  } else if (key == "reports") {
    if (!ParseCount(value, &in->reports)) return "reports must be a whole number >= 0";
  } else if (key == "views") {
    if (!ParseCount(value, &in->views)) return "views must be a whole number >= 0";
  } else if (key == "public_figure") {
    if (value != "true" && value != "false") return "public_figure must be true or false";
    in->author_is_public_figure = value == "true";
  } else {
    return "unknown input key \"" + std::string(key) + "\"";
  }
  return "";
}

// Canonical form of an EXPECTED field; "" and an error message on failure.
std::string Canonical(std::string_view field, std::string* error) {
  std::string enforcement;
  std::vector<std::string> queues;
  for (std::string_view w : Words(field)) {
    if (w == "remove" || w == "reduce" || w == "label" || w == "none") {
      if (!enforcement.empty()) {
        *error = "more than one enforcement word (remove, reduce, label, none)";
        return "";
      }
      enforcement = std::string(w);
    } else if ((w.substr(0, 7) == "review:" || w.substr(0, 9) == "escalate:") &&
               w.find('@') != std::string_view::npos) {
      queues.emplace_back(w);
    } else {
      *error = "unexpected \"" + std::string(w) +
               "\" (expected remove, reduce, label, none, review:QUEUE@P or escalate:QUEUE@P)";
      return "";
    }
  }
  if (enforcement.empty()) {
    *error = "missing the enforcement word (remove, reduce, label or none)";
    return "";
  }
  std::sort(queues.begin(), queues.end());
  for (const std::string& q : queues) enforcement += " " + q;
  return enforcement;
}

}  // namespace

Result<std::vector<GoldenCase>> ParseGoldenCases(std::string_view text, std::string_view filename) {
  std::vector<GoldenCase> cases;
  int line_no = 0;
  auto error = [&](const std::string& msg) {
    return InvalidArgument(msg, std::string(filename) + ":" + std::to_string(line_no));
  };
  if (text.size() > kMaxPolicyBytes) {
    return ResourceExhausted("golden case file over " + std::to_string(kMaxPolicyBytes) + " bytes",
                             std::string(filename) + ":1");
  }
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view line = Trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line.front() == '#') continue;
    if (!IsValidUtf8(line)) return error("invalid UTF-8");
    size_t a = line.find('|');
    size_t b = a == std::string_view::npos ? a : line.find('|', a + 1);
    if (b == std::string_view::npos || line.find('|', b + 1) != std::string_view::npos) {
      return error("expected NAME | INPUT | EXPECTED");
    }
    GoldenCase c;
    c.line = line_no;
    c.name = std::string(Trim(line.substr(0, a)));
    if (c.name.empty()) return error("missing case name");
    for (const GoldenCase& other : cases) {
      if (other.name == c.name) {
        return error("duplicate case name \"" + c.name + "\" (first on line " +
                     std::to_string(other.line) + ")");
      }
    }
    for (std::string_view w : Words(line.substr(a + 1, b - a - 1))) {
      std::string e = ParseInputWord(w, &c.input);
      if (!e.empty()) return error(e);
    }
    std::string e;
    c.expected = Canonical(line.substr(b + 1), &e);
    if (!e.empty()) return error(e);
    cases.push_back(std::move(c));
  }
  return cases;
}

Result<std::vector<GoldenCase>> LoadGoldenCases(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open golden case file " + path);
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxPolicyBytes) break;  // ParseGoldenCases reports it
  }
  return ParseGoldenCases(text, path);
}

std::string FormatOutcome(const Decision& d) {
  std::string enforcement = "none";
  std::vector<std::string> queues;
  for (const Action& a : d.actions) {
    if (IsEnforcement(a.kind)) {
      enforcement = std::string(ActionKindName(a.kind));
    } else {
      queues.push_back(std::string(ActionKindName(a.kind)) + ":" + std::string(a.queue) + "@" +
                       std::to_string(a.priority));
    }
  }
  std::sort(queues.begin(), queues.end());
  for (const std::string& q : queues) enforcement += " " + q;
  return enforcement;
}

std::vector<GoldenFailure> RunGoldenCases(const Policy& policy,
                                          const std::vector<GoldenCase>& cases) {
  std::vector<GoldenFailure> failures;
  for (const GoldenCase& c : cases) {
    std::string actual = FormatOutcome(Evaluate(policy, c.input));
    if (actual != c.expected) failures.push_back({c.line, c.name, c.expected, std::move(actual)});
  }
  return failures;
}

}  // namespace bulwark::policy

#include "detect/verdict.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/json_text.h"
#include "core/utf8.h"

namespace bulwark::detect {
namespace {

constexpr const char* kFlagNames[] = {"negated",  "quoted",      "counter_speech", "reported",
                                      "endorsed", "reclaimed",   "object_target",  "person_target",
                                      "no_group", "group_target"};

// Scores are rounded to 4 decimals: stable, diff-friendly output.
double Round4(double v) { return std::round(v * 1e4) / 1e4; }

nlohmann::json Targets(const std::vector<TargetGroup>& targets) {
  nlohmann::json a = nlohmann::json::array();
  for (TargetGroup g : targets) a.push_back(std::string(TargetGroupName(g)));
  return a;
}

// Strings in a Verdict come from untrusted text: make sure the JSON writer never sees invalid
// UTF-8 (nlohmann's dump() would throw).
std::string Safe(const std::string& s) {
  return IsValidUtf8(s) ? s : ReplaceInvalidUtf8(s, "\xEF\xBF\xBD");
}

}  // namespace

std::vector<std::string> ContextFlagNames(uint32_t flags) {
  std::vector<std::string> out;
  for (size_t i = 0; i < std::size(kFlagNames); ++i) {
    if (flags & (1u << i)) out.emplace_back(kFlagNames[i]);
  }
  return out;
}

bool Verdict::any_flagged() const {
  for (const auto& c : categories) {
    if (c.label) return true;
  }
  return false;
}

nlohmann::json VerdictToJson(const Verdict& v) {
  nlohmann::json j;
  j["format_version"] = kVerdictFormatVersion;
  nlohmann::json labels = nlohmann::json::array();
  nlohmann::json review = nlohmann::json::array();
  nlohmann::json cats = nlohmann::json::object();
  for (Category c : kAllCategories) {
    const CategoryScore& s = v.score(c);
    if (s.label) labels.push_back(std::string(CategoryName(c)));
    if (s.review) review.push_back(std::string(CategoryName(c)));
    cats[std::string(CategoryName(c))] = {{"probability", Round4(s.probability)},
                                          {"label", s.label},
                                          {"threshold", Round4(s.threshold)},
                                          {"review", s.review},
                                          {"review_threshold", Round4(s.review_threshold)},
                                          {"features",
                                           {{"lexicon", Round4(s.lexicon)},
                                            {"classifier", Round4(s.classifier)},
                                            {"claim", Round4(s.claim)},
                                            {"attack", Round4(s.attack)},
                                            {"logit", Round4(s.logit)}}}};
  }
  j["labels"] = std::move(labels);
  j["review"] = std::move(review);
  j["language"] = v.language;
  j["coverage"] = v.coverage;

  j["scores"] = std::move(cats);
  j["targets"] = Targets(v.targets);
  j["context"] = ContextFlagNames(v.context);
  j["profanity"] = v.profanity;
  nlohmann::json ev = nlohmann::json::array();
  for (const Evidence& e : v.evidence) {
    nlohmann::json o = {{"detector", e.detector},
                        {"category", e.category},
                        {"span", {e.orig_begin, e.orig_end}},
                        {"text", Safe(e.matched)},
                        {"id", Safe(e.entry_id)},
                        {"kind", e.kind},
                        {"severity", e.severity},
                        {"weight", Round4(e.weight)},
                        {"score", Round4(e.score)},
                        {"context", ContextFlagNames(e.context)}};
    if (!e.targets.empty()) o["targets"] = Targets(e.targets);
    ev.push_back(std::move(o));
  }
  j["evidence"] = std::move(ev);
  j["input"] = {
      {"bytes", v.input_bytes}, {"truncated", v.truncated}, {"invalid_utf8", v.invalid_utf8}};
  j["complete"] = v.complete;
  j["needs_review"] = v.needs_review;
  nlohmann::json issues = nlohmann::json::array();
  for (const auto& s : v.issues) issues.push_back(Safe(s));
  j["issues"] = std::move(issues);
  j["versions"] = {{"detector", v.detector_version},
                   {"lexicon", v.lexicon_version},
                   {"model", v.model_version},
                   {"claims", v.claims_version},
                   {"attack", v.attack_version}};
  return j;
}

namespace {

void Str(std::string_view s, std::string* out) { AppendJsonString(s, out); }

void SafeStr(const std::string& s, std::string* out) { AppendJsonStringSafe(s, out); }

void Num(double v, std::string* out) { AppendScore(v, out); }

void Int(uint64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

void Bool(bool b, std::string* out) { out->append(b ? "true" : "false"); }

void Flags(uint32_t flags, std::string* out) {
  out->push_back('[');
  bool first = true;
  for (size_t i = 0; i < std::size(kFlagNames); ++i) {
    if (!(flags & (1u << i))) continue;
    if (!first) out->push_back(',');
    first = false;
    Str(kFlagNames[i], out);
  }
  out->push_back(']');
}

void TargetList(const std::vector<TargetGroup>& t, std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < t.size(); ++i) {
    if (i) out->push_back(',');
    Str(TargetGroupName(t[i]), out);
  }
  out->push_back(']');
}

}  // namespace

void AppendScore(double v, std::string* out) {
  // Round4 gives d = k / 1e4 for the integer k = round(v * 1e4). While |k| < 1e15 the decimal
  // k·10^-4 is the shortest text that reads back as d: d is the double nearest to it, and any
  // decimal with fewer digits is at least 1e-4 away, far outside d's rounding interval. So the
  // digits are those of k without trailing zeros; the layout follows to_chars' rule: the fixed
  // form unless the exponent form is shorter. Other values take to_chars itself.
  const double k = std::round(v * 1e4);
  if (!(std::fabs(k) < 1e15)) {
    v = Round4(v);
    if (!std::isfinite(v)) v = 0;
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out->append(buf, r.ptr);
    return;
  }
  const bool negative = std::signbit(k);  // -0.0 prints as "-0", as to_chars does
  uint64_t digits = static_cast<uint64_t>(std::fabs(k));
  if (digits == 0) {
    out->append(negative ? "-0" : "0");
    return;
  }
  int exp10 = -4;  // value = digits · 10^exp10
  while (digits % 10 == 0) {
    digits /= 10;
    ++exp10;
  }
  char d[20];
  int n = 0;
  for (uint64_t x = digits; x > 0; x /= 10) d[n++] = static_cast<char>('0' + x % 10);
  std::reverse(d, d + n);  // n significant digits, d[0] first
  const int sci_exp = exp10 + n - 1;
  // Exponent form: d[0] ['.' d[1..]] 'e' sign at-least-two-digits.
  const int abs_exp = sci_exp < 0 ? -sci_exp : sci_exp;
  const int sci_len = n + (n > 1 ? 1 : 0) + 2 + (abs_exp >= 100 ? 3 : 2);
  // Fixed form: digits and zeros with the point where it falls.
  const int fixed_len = exp10 >= 0 ? n + exp10 : (n + exp10 > 0 ? n + 1 : 2 - exp10);
  if (negative) out->push_back('-');
  if (fixed_len <= sci_len) {
    if (exp10 >= 0) {
      out->append(d, static_cast<size_t>(n));
      out->append(static_cast<size_t>(exp10), '0');
    } else if (n + exp10 > 0) {
      out->append(d, static_cast<size_t>(n + exp10));
      out->push_back('.');
      out->append(d + n + exp10, static_cast<size_t>(-exp10));
    } else {
      out->append("0.");
      out->append(static_cast<size_t>(-(n + exp10)), '0');
      out->append(d, static_cast<size_t>(n));
    }
    return;
  }
  out->push_back(d[0]);
  if (n > 1) {
    out->push_back('.');
    out->append(d + 1, static_cast<size_t>(n - 1));
  }
  out->push_back('e');
  out->push_back(sci_exp < 0 ? '-' : '+');
  if (abs_exp >= 100) out->push_back(static_cast<char>('0' + abs_exp / 100));
  out->push_back(static_cast<char>('0' + abs_exp / 10 % 10));
  out->push_back(static_cast<char>('0' + abs_exp % 10));
}

void AppendVerdictJson(const Verdict& v, std::string_view extra, std::string* out) {
  out->push_back('{');
  if (!extra.empty()) {
    out->append(extra);
    out->push_back(',');
  }
  out->append("\"format_version\":");
  Int(kVerdictFormatVersion, out);
  // The names of the categories whose score has `member` set, as a JSON array.
  auto category_list = [&](bool CategoryScore::*member) {
    out->push_back('[');
    bool any = false;
    for (Category c : kAllCategories) {
      if (!(v.score(c).*member)) continue;
      if (any) out->push_back(',');
      any = true;
      Str(CategoryName(c), out);
    }
    out->push_back(']');
  };
  out->append(",\"labels\":");
  category_list(&CategoryScore::label);
  out->append(",\"review\":");
  category_list(&CategoryScore::review);
  out->append(",\"language\":");
  SafeStr(v.language, out);
  out->append(",\"coverage\":");
  SafeStr(v.coverage, out);
  out->append(",\"scores\":{");
  bool first = true;
  for (Category c : kAllCategories) {
    const CategoryScore& s = v.score(c);
    if (!first) out->push_back(',');
    first = false;
    Str(CategoryName(c), out);
    out->append(":{\"probability\":");
    Num(s.probability, out);
    out->append(",\"label\":");
    Bool(s.label, out);
    out->append(",\"threshold\":");
    Num(s.threshold, out);
    out->append(",\"review\":");
    Bool(s.review, out);
    out->append(",\"review_threshold\":");
    Num(s.review_threshold, out);
    out->append(",\"features\":{\"lexicon\":");
    Num(s.lexicon, out);
    out->append(",\"classifier\":");
    Num(s.classifier, out);
    out->append(",\"claim\":");
    Num(s.claim, out);
    out->append(",\"attack\":");
    Num(s.attack, out);
    out->append(",\"logit\":");
    Num(s.logit, out);
    out->append("}}");
  }
  out->append("},\"targets\":");
  TargetList(v.targets, out);
  out->append(",\"context\":");
  Flags(v.context, out);
  out->append(",\"profanity\":");
  Bool(v.profanity, out);
  out->append(",\"evidence\":[");
  for (size_t i = 0; i < v.evidence.size(); ++i) {
    const Evidence& e = v.evidence[i];
    if (i) out->push_back(',');
    out->append("{\"detector\":");
    Str(e.detector, out);
    out->append(",\"category\":");
    Str(e.category, out);
    out->append(",\"span\":[");
    Int(e.orig_begin, out);
    out->push_back(',');
    Int(e.orig_end, out);
    out->append("],\"text\":");
    SafeStr(e.matched, out);
    out->append(",\"id\":");
    SafeStr(e.entry_id, out);
    out->append(",\"kind\":");
    Str(e.kind, out);
    out->append(",\"severity\":");
    Int(static_cast<uint64_t>(std::max(0, e.severity)), out);
    out->append(",\"weight\":");
    Num(e.weight, out);
    out->append(",\"score\":");
    Num(e.score, out);
    out->append(",\"context\":");
    Flags(e.context, out);
    if (!e.targets.empty()) {
      out->append(",\"targets\":");
      TargetList(e.targets, out);
    }
    out->push_back('}');
  }
  out->append("],\"input\":{\"bytes\":");
  Int(v.input_bytes, out);
  out->append(",\"truncated\":");
  Bool(v.truncated, out);
  out->append(",\"invalid_utf8\":");
  Bool(v.invalid_utf8, out);
  out->append("},\"complete\":");
  Bool(v.complete, out);
  out->append(",\"needs_review\":");
  Bool(v.needs_review, out);
  out->append(",\"issues\":[");
  for (size_t i = 0; i < v.issues.size(); ++i) {
    if (i) out->push_back(',');
    SafeStr(v.issues[i], out);
  }
  out->append("],\"versions\":{\"detector\":");
  SafeStr(v.detector_version, out);
  out->append(",\"lexicon\":");
  SafeStr(v.lexicon_version, out);
  out->append(",\"model\":");
  SafeStr(v.model_version, out);
  out->append(",\"claims\":");
  SafeStr(v.claims_version, out);
  out->append(",\"attack\":");
  SafeStr(v.attack_version, out);
  out->append("}}");
}

}  // namespace bulwark::detect

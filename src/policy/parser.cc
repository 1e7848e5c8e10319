// Parser for the line-oriented policy format (docs/policy.md). One pass over the lines; every
// error names the file and line it is about.

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <unordered_set>

#include "core/utf8.h"
#include "policy/policy.h"

namespace bulwark::policy {
namespace {

constexpr std::uint32_t kAllCategoryBits = (1u << kNumCategories) - 1;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

// Splits "a, b ,c" on commas; empty elements are kept so that the caller can reject them.
std::vector<std::string_view> SplitList(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    size_t comma = s.find(',');
    out.push_back(Trim(s.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 64)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  if (s.size() > 64) out += "...";
  out += '"';
  return out;
}

std::string CategoryList() {
  std::string s;
  for (Category c : kAllCategories) {
    if (!s.empty()) s += ", ";
    s += CategoryName(c);
  }
  return s;
}

std::string TargetGroupList() {
  std::string s;
  for (TargetGroup g : kAllTargetGroups) {
    if (!s.empty()) s += ", ";
    s += TargetGroupName(g);
  }
  return s;
}

enum class Op { kEq, kNe, kGe, kGt, kLe, kLt };

std::string_view OpText(Op op) {
  switch (op) {
    case Op::kEq:
      return "=";
    case Op::kNe:
      return "!=";
    case Op::kGe:
      return ">=";
    case Op::kGt:
      return ">";
    case Op::kLe:
      return "<=";
    case Op::kLt:
      return "<";
  }
  return "=";
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view filename)
      : text_(text), policy_(std::make_shared<Policy>()) {
    policy_->filename = std::string(filename);
  }

  Result<std::shared_ptr<const Policy>> Run();

 private:
  Status Error(int line, std::string message) const {
    return InvalidArgument(std::move(message), policy_->filename + ":" + std::to_string(line));
  }
  Status Line(int line, std::string_view content);
  Status HeaderKey(int line, std::string_view key, Op op, std::string_view value);
  Status RuleKey(int line, std::string_view key, Op op, std::string_view value);
  Status FinishRule();
  Status FinishHeader(int line);
  Status ParseAction(int line, std::string_view value);
  Status RangeCondition(int line, std::string_view key, Op op, std::string_view value, Range* range,
                        bool integer, bool unit_interval = true);
  Status GroupRuleKey(int line, std::string_view key, Op op, std::string_view value, bool* handled);
  Status StrikeRuleKey(int line, std::string_view key, Op op, std::string_view value,
                       bool* handled);
  // "30d": a number of days from 1 to 365 (`what` names the field in the error).
  Result<int> Days(int line, std::string_view what, std::string_view value);

  std::string_view text_;
  std::shared_ptr<Policy> policy_;
  bool in_rules_ = false;
  bool have_format_ = false;
  Rule* rule_ = nullptr;
  std::unordered_set<std::string> seen_keys_;  // keys seen in the current section
  std::unordered_set<std::string> rule_ids_;
  bool priority_given_ = false;
  int priority_line_ = 0;
};

Result<std::shared_ptr<const Policy>> Parser::Run() {
  if (text_.size() > kMaxPolicyBytes) {
    return ResourceExhausted("policy file is " + std::to_string(text_.size()) +
                                 " bytes; the limit is " + std::to_string(kMaxPolicyBytes),
                             policy_->filename + ":1");
  }
  int line_no = 0;
  std::string_view rest = text_;
  // Editors on some platforms start UTF-8 files with a byte-order mark.
  if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);
  while (!rest.empty()) {
    ++line_no;
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (line.size() > kMaxLineBytes) {
      return ResourceExhausted("line is " + std::to_string(line.size()) + " bytes; the limit is " +
                                   std::to_string(kMaxLineBytes),
                               policy_->filename + ":" + std::to_string(line_no));
    }
    size_t bad = FindInvalidUtf8(line);
    if (bad != std::string_view::npos) {
      return Error(line_no, "invalid UTF-8 at byte " + std::to_string(bad + 1) + " of the line");
    }
    BULWARK_RETURN_IF_ERROR(Line(line_no, line));
  }
  if (!in_rules_) BULWARK_RETURN_IF_ERROR(FinishHeader(line_no == 0 ? 1 : line_no));
  BULWARK_RETURN_IF_ERROR(FinishRule());
  if (policy_->rules.empty()) {
    return Error(line_no == 0 ? 1 : line_no, "policy has no rules (add a [rule ID] section)");
  }
  return std::shared_ptr<const Policy>(std::move(policy_));
}

Status Parser::Line(int line, std::string_view content) {
  std::string_view s = Trim(content);
  if (s.empty() || s.front() == '#') return Status::Ok();
  if (s.front() == '[') {
    if (s.back() != ']') return Error(line, "section header must end with ']'");
    std::string_view inner = Trim(s.substr(1, s.size() - 2));
    const bool group =
        inner.substr(0, 11) == "group_rule " || inner.substr(0, 11) == "group_rule\t";
    const bool strike =
        inner.substr(0, 12) == "strike_rule " || inner.substr(0, 12) == "strike_rule\t";
    if (!group && !strike && inner.substr(0, 5) != "rule " && inner.substr(0, 5) != "rule\t") {
      return Error(line, "unknown section " + Quote(s) +
                             " (expected [rule ID], [group_rule ID] or [strike_rule ID])");
    }
    std::string_view id = Trim(inner.substr(group ? 11 : strike ? 12 : 5));
    if (!IsIdentifier(id)) {
      return Error(line,
                   "rule id " + Quote(id) + " must be 1-128 characters of a-z, 0-9, '_', '.', '-'");
    }
    if (!in_rules_) {
      BULWARK_RETURN_IF_ERROR(FinishHeader(line));
      in_rules_ = true;
    } else {
      BULWARK_RETURN_IF_ERROR(FinishRule());
    }
    if (policy_->rules.size() + policy_->group_rules.size() + policy_->strike_rules.size() >=
        kMaxRules) {
      return ResourceExhausted("more than " + std::to_string(kMaxRules) + " rules",
                               policy_->filename + ":" + std::to_string(line));
    }
    if (!rule_ids_.insert(std::string(id)).second) {
      for (const auto* list : {&policy_->rules, &policy_->group_rules, &policy_->strike_rules}) {
        for (const Rule& r : *list) {
          if (r.id == id) {
            return Error(line, "duplicate rule id " + Quote(id) + " (first defined on line " +
                                   std::to_string(r.line) + ")");
          }
        }
      }
    }
    std::vector<Rule>& list = group    ? policy_->group_rules
                              : strike ? policy_->strike_rules
                                       : policy_->rules;
    list.emplace_back();
    rule_ = &list.back();
    rule_->group_rule = group;
    rule_->strike_rule = strike;
    rule_->id = std::string(id);
    rule_->line = line;
    seen_keys_.clear();
    priority_given_ = false;
    return Status::Ok();
  }
  // key OP value
  size_t k = 0;
  while (k < s.size() && (IsIdChar(s[k]))) ++k;
  std::string_view key = s.substr(0, k);
  if (key.empty()) {
    return Error(line, "expected 'key = value', '[rule ID]' or a '#' comment, got " + Quote(s));
  }
  std::string_view after = Trim(s.substr(k));
  Op op;
  size_t oplen = 1;
  if (after.substr(0, 2) == ">=") {
    op = Op::kGe, oplen = 2;
  } else if (after.substr(0, 2) == "<=") {
    op = Op::kLe, oplen = 2;
  } else if (after.substr(0, 2) == "!=") {
    op = Op::kNe, oplen = 2;
  } else if (after.substr(0, 2) == "==") {
    op = Op::kEq, oplen = 2;
  } else if (!after.empty() && after[0] == '=') {
    op = Op::kEq;
  } else if (!after.empty() && after[0] == '>') {
    op = Op::kGt;
  } else if (!after.empty() && after[0] == '<') {
    op = Op::kLt;
  } else {
    return Error(line, "expected an operator (=, !=, >=, >, <=, <) after " + Quote(key));
  }
  std::string_view value = Trim(after.substr(oplen));
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  } else if (!value.empty() && value.front() == '"') {
    return Error(line, "unterminated quoted value");
  }
  if (value.empty()) return Error(line, "missing value for " + Quote(key));
  return in_rules_ ? RuleKey(line, key, op, value) : HeaderKey(line, key, op, value);
}

Status Parser::HeaderKey(int line, std::string_view key, Op op, std::string_view value) {
  if (op != Op::kEq)
    return Error(line, "header key " + Quote(key) + " takes '=', not a comparison");
  if (key != "notes" && !seen_keys_.insert(std::string(key)).second) {
    return Error(line, "duplicate header key " + Quote(key));
  }
  if (key == "format") {
    if (value != kFormatTag) {
      return Error(line, "unsupported format " + Quote(value) + " (this build reads " +
                             std::string(kFormatTag) + ")");
    }
    have_format_ = true;
  } else if (!have_format_) {
    return Error(line, "the first setting must be 'format = " + std::string(kFormatTag) + "'");
  } else if (key == "policy") {
    if (!IsIdentifier(value)) {
      return Error(line,
                   "policy id " + Quote(value) + " must be 1-128 characters of a-z, 0-9, _ . -");
    }
    policy_->id = std::string(value);
  } else if (key == "version") {
    // An integer, or MAJOR.MINOR.PATCH with decimal parts.
    int parts = 0;
    bool ok = true;
    std::string_view v = value;
    while (ok) {
      size_t dot = v.find('.');
      std::string_view part = v.substr(0, dot);
      ok = !part.empty() && part.size() <= 9 &&
           part.find_first_not_of("0123456789") == std::string_view::npos;
      ++parts;
      if (dot == std::string_view::npos) break;
      v.remove_prefix(dot + 1);
    }
    if (!ok || (parts != 1 && parts != 3)) {
      return Error(
          line, "version " + Quote(value) + " must be an integer (7) or MAJOR.MINOR.PATCH (1.4.0)");
    }
    policy_->version = std::string(value);
  } else if (key == "title") {
    policy_->title = std::string(value);
  } else if (key == "effective") {
    policy_->effective = std::string(value);
  } else if (key == "notes") {
    policy_->notes.emplace_back(value);
  } else {
    return Error(line, "unknown header key " + Quote(key) +
                           " (expected format, policy, version, title, effective, notes)");
  }
  return Status::Ok();
}

Status Parser::FinishHeader(int line) {
  if (!have_format_) {
    return Error(1, "missing 'format = " + std::string(kFormatTag) + "' at the top of the file");
  }
  if (policy_->id.empty()) return Error(line, "missing 'policy = ID' in the header");
  if (policy_->version.empty()) return Error(line, "missing 'version = ...' in the header");
  if (policy_->title.empty()) return Error(line, "missing 'title = ...' in the header");
  seen_keys_.clear();
  return Status::Ok();
}

Status Parser::RangeCondition(int line, std::string_view key, Op op, std::string_view value,
                              Range* range, bool integer, bool unit_interval) {
  double v = 0;
  if (integer) {
    long long n = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || p != value.data() + value.size() || n < 0) {
      return Error(line, Quote(key) + " takes a whole number >= 0, got " + Quote(value));
    }
    v = static_cast<double>(n);
  } else {
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (!unit_interval) {
      if (ec != std::errc() || p != value.data() + value.size() || !std::isfinite(v) || v < 0) {
        return Error(line, Quote(key) + " takes a number >= 0 (e.g. 1.5), got " + Quote(value));
      }
    } else if (ec != std::errc() || p != value.data() + value.size() || !std::isfinite(v) ||
               v < 0 || v > 1) {
      return Error(line,
                   Quote(key) + " takes a number between 0 and 1 (e.g. 0.85), got " + Quote(value));
    }
  }
  switch (op) {
    case Op::kGe:
    case Op::kGt:
      if (range->lo) return Error(line, "second lower bound on " + Quote(key));
      range->lo = v;
      range->lo_inclusive = op == Op::kGe;
      break;
    case Op::kLt:
    case Op::kLe:
      if (range->hi) return Error(line, "second upper bound on " + Quote(key));
      range->hi = v;
      range->hi_inclusive = op == Op::kLe;
      break;
    default:
      return Error(line,
                   Quote(key) + " takes >=, >, < or <=, not '" + std::string(OpText(op)) + "'");
  }
  if (range->lo && range->hi &&
      (*range->lo > *range->hi ||
       (*range->lo == *range->hi && !(range->lo_inclusive && range->hi_inclusive)))) {
    return Error(line, "the conditions on " + Quote(key) + " can never both hold");
  }
  return Status::Ok();
}

Status Parser::ParseAction(int line, std::string_view value) {
  Rule& r = *rule_;
  r.action_line = line;
  // The first word is the action; the rest may be "priority:N".
  size_t sp = value.find_first_of(" \t");
  std::string_view head = value.substr(0, sp);
  std::string_view tail = sp == std::string_view::npos ? "" : Trim(value.substr(sp));
  size_t colon = head.find(':');
  std::string_view verb = head.substr(0, colon);
  std::string_view arg = colon == std::string_view::npos ? "" : head.substr(colon + 1);
  bool has_arg = colon != std::string_view::npos;
  if (verb == "label") {
    // The label text is everything after "label:", spaces included.
    std::string_view text = Trim(value.substr(6 < value.size() ? 6 : value.size()));
    if (!has_arg || text.empty()) {
      return Error(line, "label needs its text: 'action = label:<text>'");
    }
    r.action = ActionKind::kLabel;
    r.label = std::string(text);
    return Status::Ok();
  }
  if (verb == "remove" || verb == "reduce" || verb == "none") {
    if (has_arg || !tail.empty()) return Error(line, Quote(verb) + " takes no argument");
    r.action = verb == "remove"   ? ActionKind::kRemove
               : verb == "reduce" ? ActionKind::kReduce
                                  : ActionKind::kNone;
    return Status::Ok();
  }
  if (verb == "review" || verb == "escalate") {
    if (!IsIdentifier(arg)) {
      return Error(line, Quote(verb) + " needs a queue name: 'action = " + std::string(verb) +
                             ":<queue>" + (verb == "review" ? " priority:<n>'" : "'"));
    }
    r.action = verb == "review" ? ActionKind::kReview : ActionKind::kEscalate;
    r.queue = std::string(arg);
    if (!tail.empty()) {
      if (priority_given_) return Error(line, "priority given twice in rule " + Quote(r.id));
      if (tail.substr(0, 9) != "priority:") {
        return Error(line,
                     "unexpected " + Quote(tail) + " after the queue (expected priority:<n>)");
      }
      int p = 0;
      std::string_view num = tail.substr(9);
      auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), p);
      if (ec != std::errc() || ptr != num.data() + num.size() || p < kMinPriority ||
          p > kMaxPriority) {
        return Error(line, "priority must be a whole number from " + std::to_string(kMinPriority) +
                               " to " + std::to_string(kMaxPriority) + ", got " + Quote(num));
      }
      r.priority = p;
      priority_given_ = true;
    }
    return Status::Ok();
  }
  if (verb == "restrict" || verb == "suspend") {
    if (!r.strike_rule) {
      return Error(line, Quote(verb) + " is a strike rule's action (an account's consequence)");
    }
    if (!tail.empty()) return Error(line, "unexpected " + Quote(tail) + " after " + Quote(verb));
    r.action = verb == "restrict" ? ActionKind::kRestrict : ActionKind::kSuspend;
    r.duration_days = 0;
    if (has_arg) {
      BULWARK_ASSIGN_OR_RETURN(r.duration_days, Days(line, "the duration", arg));
    } else if (verb == "restrict") {
      return Error(line, "restrict needs a duration: 'action = restrict:7d'");
    }
    return Status::Ok();
  }
  if (verb == "raise_priority") {
    int n = 0;
    if (!arg.empty() && arg.front() == '+') arg.remove_prefix(1);
    auto [ptr, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), n);
    if (!has_arg || ec != std::errc() || ptr != arg.data() + arg.size() || n < 1 ||
        n > kMaxPriority) {
      return Error(line, "raise_priority needs a whole number from 1 to " +
                             std::to_string(kMaxPriority) + ": 'action = raise_priority:+2'");
    }
    if (!tail.empty()) return Error(line, "unexpected " + Quote(tail) + " after raise_priority");
    r.action = ActionKind::kRaisePriority;
    r.priority = n;
    return Status::Ok();
  }
  if (r.strike_rule) {
    return Error(line, "unknown action " + Quote(head) +
                           " (a strike rule's action is restrict:<n>d, suspend or suspend:<n>d)");
  }
  return Error(line, "unknown action " + Quote(head) +
                         " (expected remove, reduce, label:<text>, review:<queue> priority:<n>, "
                         "escalate:<queue>, raise_priority:+<n> or none)");
}

Status Parser::RuleKey(int line, std::string_view key, Op op, std::string_view value) {
  Rule& r = *rule_;
  // Aliases: every spelling of "the author is a public figure" is the same condition, so the
  // lint sees it whatever the author wrote.
  if (key == "public_figure" || key == "politician" || key == "author_is_politician" ||
      key == "is_public_figure" || key == "is_politician") {
    key = "author_is_public_figure";
  }
  if (key == "target_groups" || key == "target") key = "targets";
  bool is_range = key == "score" || key == "reports" || key == "views" || key == "reach";
  if (!is_range && !seen_keys_.insert(std::string(key)).second) {
    return Error(line, "duplicate key " + Quote(key) + " in rule " + Quote(r.id));
  }
  auto need_eq = [&]() -> Status {
    if (op == Op::kEq || op == Op::kNe) return Status::Ok();
    return Error(line, Quote(key) + " takes = or !=, not '" + std::string(OpText(op)) + "'");
  };
  if (r.group_rule) {
    bool handled = false;
    BULWARK_RETURN_IF_ERROR(GroupRuleKey(line, key, op, value, &handled));
    if (handled) return Status::Ok();
  }
  if (r.strike_rule) {
    bool handled = false;
    BULWARK_RETURN_IF_ERROR(StrikeRuleKey(line, key, op, value, &handled));
    if (handled) return Status::Ok();
  }
  if (key == "category") {
    if (op != Op::kEq) return Error(line, "category takes '='");
    if (value == "*") {
      r.categories = kAllCategoryBits;
      r.any_category = true;
      return Status::Ok();
    }
    for (std::string_view name : SplitList(value)) {
      auto c = ParseCategory(name);
      if (!c) {
        return Error(line, "unknown category " + Quote(name) +
                               " (expected * or one of: " + CategoryList() + ")");
      }
      r.categories |= 1u << static_cast<unsigned>(*c);
    }
    return Status::Ok();
  }
  if (key == "targets") {
    if (op != Op::kEq) return Error(line, "targets takes '='");
    if (value == "none") {
      r.targets_none = true;
      return Status::Ok();
    }
    if (value == "any") return Status::Ok();
    TargetGroupSet set;
    for (std::string_view name : SplitList(value)) {
      auto g = ParseTargetGroup(name);
      if (!g) {
        return Error(line, "unknown target group " + Quote(name) +
                               " (expected any, none, or a list of: " + TargetGroupList() + ")");
      }
      set.Add(*g);
    }
    r.targets = set;
    return Status::Ok();
  }
  if (key == "score") return RangeCondition(line, key, op, value, &r.score, false);
  if (key == "reports") return RangeCondition(line, key, op, value, &r.reports, true);
  if (key == "views" || key == "reach") {
    if (r.views_line == 0) r.views_line = line;
    return RangeCondition(line, key, op, value, &r.views, true);
  }
  if (key == "visibility") {
    BULWARK_RETURN_IF_ERROR(need_eq());
    std::uint8_t bits = 0;
    for (std::string_view name : SplitList(value)) {
      auto v = ParseVisibility(name);
      if (!v)
        return Error(line,
                     "unknown visibility " + Quote(name) + " (expected public, private, secret)");
      bits |= static_cast<std::uint8_t>(1u << static_cast<unsigned>(*v));
    }
    if (op == Op::kNe) bits = static_cast<std::uint8_t>(~bits & 0x7);
    if (bits == 0) return Error(line, "the visibility condition excludes every visibility");
    r.visibilities = bits;
    r.visibility_line = line;
    return Status::Ok();
  }
  if (key == "kind") {
    BULWARK_RETURN_IF_ERROR(need_eq());
    std::uint8_t bits = 0;
    for (std::string_view name : SplitList(value)) {
      auto k = ParseItemKind(name);
      if (!k) {
        return Error(line, "unknown kind " + Quote(name) +
                               " (expected post, comment, message, ad_creative, group_profile, "
                               "user_profile)");
      }
      bits |= static_cast<std::uint8_t>(1u << static_cast<unsigned>(*k));
    }
    if (op == Op::kNe) bits = static_cast<std::uint8_t>(~bits & 0x3f);
    if (bits == 0) return Error(line, "the kind condition excludes every kind");
    r.kinds = bits;
    return Status::Ok();
  }
  if (key == "coverage") {
    BULWARK_RETURN_IF_ERROR(need_eq());
    bool full;
    if (value == "full") {
      full = true;
    } else if (value == "none") {
      full = false;
    } else {
      return Error(line, "coverage takes full or none, got " + Quote(value));
    }
    r.coverage_full = op == Op::kEq ? full : !full;
    return Status::Ok();
  }
  if (key == "author_is_public_figure") {
    BULWARK_RETURN_IF_ERROR(need_eq());
    bool b;
    if (value == "true" || value == "yes" || value == "1") {
      b = true;
    } else if (value == "false" || value == "no" || value == "0") {
      b = false;
    } else {
      return Error(line, "author_is_public_figure takes true or false, got " + Quote(value));
    }
    r.author_is_public_figure = op == Op::kEq ? b : !b;
    r.public_figure_line = line;
    return Status::Ok();
  }
  if (key == "action") {
    if (op != Op::kEq) return Error(line, "action takes '='");
    return ParseAction(line, value);
  }
  if (key == "priority") {
    if (op != Op::kEq) return Error(line, "priority takes '='");
    int p = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), p);
    if (ec != std::errc() || ptr != value.data() + value.size() || p < kMinPriority ||
        p > kMaxPriority) {
      return Error(line, "priority must be a whole number from " + std::to_string(kMinPriority) +
                             " to " + std::to_string(kMaxPriority) + ", got " + Quote(value));
    }
    if (priority_given_) return Error(line, "priority given twice in rule " + Quote(r.id));
    if (r.action == ActionKind::kRaisePriority) {
      return Error(line, "priority applies only to review and escalate actions");
    }
    priority_line_ = line;
    r.priority = p;
    priority_given_ = true;
    return Status::Ok();
  }
  if (key == "reason_code") {
    if (op != Op::kEq) return Error(line, "reason_code takes '='");
    if (!IsIdentifier(value)) {
      return Error(line, "reason_code " + Quote(value) +
                             " must be 1-128 characters of a-z, 0-9, '_', '.', '-'");
    }
    r.reason_code = std::string(value);
    return Status::Ok();
  }
  if (key == "reason") {
    if (op != Op::kEq) return Error(line, "reason takes '='");
    r.reason = std::string(value);
    return Status::Ok();
  }
  return Error(line, "unknown rule key " + Quote(key) +
                         " (expected category, targets, score, reports, views, visibility, kind, "
                         "coverage, author_is_public_figure, action, priority, reason_code, "
                         "reason)");
}

// The keys only group rules take, and the item keys they refuse. Sets *handled when `key` was a
// group key (shared keys such as category and action fall through to RuleKey).
Status Parser::GroupRuleKey(int line, std::string_view key, Op op, std::string_view value,
                            bool* handled) {
  Rule& r = *rule_;
  *handled = true;
  if (key == "share_lower_bound" || key == "share_lb") {
    return RangeCondition(line, key, op, value, &r.share_lower_bound, false);
  }
  if (key == "items") return RangeCondition(line, key, op, value, &r.items, true);
  if (key == "admin_removals") {
    return RangeCondition(line, key, op, value, &r.admin_removals, true);
  }
  if (key == "member_removal_share") {
    return RangeCondition(line, key, op, value, &r.member_removal_share, false);
  }
  if (key == "growth") return RangeCondition(line, key, op, value, &r.growth, false, false);
  if (key == "profile") {
    if (op != Op::kEq) return Error(line, "profile takes '='");
    if (value != "flagged" && value != "clean") {
      return Error(line, "profile takes flagged or clean, got " + Quote(value));
    }
    r.profile_flagged = value == "flagged";
    return Status::Ok();
  }
  if (key == "window") {
    if (op != Op::kEq) return Error(line, "window takes '='");
    BULWARK_ASSIGN_OR_RETURN(r.window_days, Days(line, "window", value));
    return Status::Ok();
  }
  if (key == "score" || key == "reports" || key == "views" || key == "reach" || key == "targets" ||
      key == "kind" || key == "coverage" || key == "author_is_public_figure") {
    return Error(line, Quote(key) +
                           " is an item condition; a group rule takes share_lower_bound, items, "
                           "admin_removals, member_removal_share, growth, profile, window, "
                           "category and visibility");
  }
  *handled = false;
  return Status::Ok();
}

Result<int> Parser::Days(int line, std::string_view what, std::string_view value) {
  int days = 0;
  std::string_view num = value;
  if (!num.empty() && num.back() == 'd') num.remove_suffix(1);
  auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), days);
  if (value.empty() || value.back() != 'd' || ec != std::errc() || ptr != num.data() + num.size() ||
      days < 1 || days > 365) {
    return Error(line, std::string(what) + " takes a number of days from 1 to 365, e.g. 30d; got " +
                           Quote(value));
  }
  return days;
}

// The keys only strike rules take; every item and group condition is refused (a strike rule
// counts strikes and nothing else, for every account alike). author_is_public_figure falls
// through to RuleKey, so that the lint can name it as the exemption it would be.
Status Parser::StrikeRuleKey(int line, std::string_view key, Op op, std::string_view value,
                             bool* handled) {
  Rule& r = *rule_;
  *handled = true;
  if (key == "strikes") return RangeCondition(line, key, op, value, &r.strikes, true);
  if (key == "window") {
    if (op != Op::kEq) return Error(line, "window takes '='");
    BULWARK_ASSIGN_OR_RETURN(r.window_days, Days(line, "window", value));
    return Status::Ok();
  }
  if (key == "category" || key == "action" || key == "reason_code" || key == "reason" ||
      key == "author_is_public_figure") {
    *handled = false;
    return Status::Ok();
  }
  return Error(line, Quote(key) +
                         " is not a strike rule condition; a strike rule takes category, window, "
                         "strikes, action, reason_code and reason");
}

Status Parser::FinishRule() {
  if (rule_ == nullptr) return Status::Ok();
  Rule& r = *rule_;
  const int line = r.line;
  const std::string id = (r.group_rule    ? "group rule "
                          : r.strike_rule ? "strike rule "
                                          : "rule ") +
                         Quote(r.id);
  if (r.strike_rule && r.action_line != 0 && r.action != ActionKind::kRestrict &&
      r.action != ActionKind::kSuspend) {
    return Error(r.action_line, id + ": a strike rule's action is restrict or suspend");
  }
  if (r.strike_rule && !r.strikes.lo) {
    return Error(line, id + " has no 'strikes >= <n>' (how many strikes lead to its action)");
  }

  if (r.group_rule && r.action_line != 0 && r.action != ActionKind::kReview &&
      r.action != ActionKind::kEscalate) {
    return Error(r.action_line,
                 id + ": a group rule sends the group to review or escalate; removing, "
                      "restricting or labelling a group is a reviewer's decision");
  }
  if (r.categories == 0) return Error(line, id + " has no 'category = ...' (use * for all)");
  if (r.action_line == 0) return Error(line, id + " has no 'action = ...'");
  if (r.reason_code.empty()) return Error(line, id + " has no 'reason_code = ...'");
  if (r.reason.empty()) return Error(line, id + " has no 'reason = ...'");
  if (r.action == ActionKind::kReview && !priority_given_) {
    return Error(r.action_line, id + ": review needs a priority ('review:" + r.queue +
                                    " priority:<n>' or 'priority = <n>')");
  }
  if (priority_given_ && r.action != ActionKind::kReview && r.action != ActionKind::kEscalate) {
    return Error(priority_line_ ? priority_line_ : r.action_line,
                 id + ": priority applies only to review and escalate actions");
  }
  if (r.action == ActionKind::kEscalate && !priority_given_) r.priority = kDefaultEscalatePriority;
  for (int i = 0; i < kNumCategories; ++i) {
    if (r.categories == (1u << i)) r.single_category = i;
  }
  rule_ = nullptr;
  priority_line_ = 0;
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const Policy>> ParsePolicy(std::string_view text,
                                                  std::string_view filename) {
  Parser p(text, filename);
  return p.Run();
}

Result<std::shared_ptr<const Policy>> LoadPolicyFile(const std::string& path) {
  BULWARK_ASSIGN_OR_RETURN(std::string text, ReadPolicyFile(path));
  return ParsePolicy(text, path);
}

Result<std::string> ReadPolicyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open policy file " + path);
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxPolicyBytes) {
      return ResourceExhausted(
          "policy file is over the limit of " + std::to_string(kMaxPolicyBytes) + " bytes",
          path + ":1");
    }
  }
  return text;
}

}  // namespace bulwark::policy

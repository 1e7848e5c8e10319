// Static checks per rule, then differential checks over probe inputs (see lint.h).

#include "policy/lint.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

namespace bulwark::policy {
namespace {

// Differences explained (each costs a pass over the rules) before the checks stop looking.
constexpr int kMaxReports = 10'000;

struct Outcome {
  int rank = 0;  // EnforcementRank of the enforcement action
  // (review or escalate, queue) -> priority
  std::vector<std::pair<std::pair<ActionKind, std::string_view>, int>> queues;
};

Outcome Summarise(const Decision& d) {
  Outcome o;
  for (const Action& a : d.actions) {
    if (IsEnforcement(a.kind)) {
      o.rank = EnforcementRank(a.kind);
    } else {
      o.queues.push_back({{a.kind, a.queue}, a.priority});
    }
  }
  return o;
}

// True when `a` is weaker than `b`: a milder enforcement action or, with the same enforcement
// action, a queue of b missing from a or at a lower priority in a. (An item removed rather than
// reviewed is not treated more leniently.)
bool Weaker(const Outcome& a, const Outcome& b) {
  if (a.rank != b.rank) return a.rank < b.rank;
  for (const auto& [q, p] : b.queues) {
    bool found = false;
    for (const auto& [qa, pa] : a.queues) {
      if (qa == q) {
        found = true;
        if (pa < p) return true;
      }
    }
    if (!found) return true;
  }
  return false;
}

std::string Describe(const Decision& d) {
  if (d.actions.empty()) return "no action";
  std::string s;
  for (const Action& a : d.actions) {
    if (!s.empty()) s += " + ";
    s += ActionKindName(a.kind);
    if (!a.queue.empty()) {
      s += ":" + std::string(a.queue) + " priority " + std::to_string(a.priority);
    }
  }
  return s;
}

std::string DescribeInput(const PolicyInput& in, Category c) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", in.score(c));
  std::string s = "category " + std::string(CategoryName(c)) + " score " + buf;
  for (TargetGroup g : kAllTargetGroups) {
    if (in.target_groups.Has(g)) s += " target " + std::string(TargetGroupName(g));
  }
  s += ", " + std::string(VisibilityName(in.visibility)) + " " + std::string(ItemKindName(in.kind));
  s += ", " + std::to_string(in.reports) + " reports, " + std::to_string(in.views) + " views";
  return s;
}

// The differential checks evaluate every visibility (public, private, secret) times author is or
// is not a public figure: kCells policy inputs per views value.
constexpr int kNumVis = static_cast<int>(std::size(kAllVisibilities));
constexpr size_t kCells = static_cast<size_t>(kNumVis) * 2;

class Linter {
 public:
  Linter(const Policy& p, const LintOptions& o) : p_(p), options_(o) {}

  std::vector<LintFinding> Run() {
    for (const Rule& r : p_.rules) StaticChecks(r);
    for (const Rule& r : p_.group_rules) GroupChecks(r);
    for (const Rule& r : p_.strike_rules) StrikeChecks(r);
    Coverage();
    Probe();
    std::stable_sort(findings_.begin(), findings_.end(),
                     [](const LintFinding& a, const LintFinding& b) { return a.line < b.line; });
    return std::move(findings_);
  }

 private:
  void Add(LintSeverity sev, std::string_view check, const Rule* r, int line, std::string msg) {
    std::string id = r ? r->id : "";
    // Policy-wide findings are told apart by their message.
    if (!seen_.emplace(std::string(check), r ? id : msg).second) return;
    findings_.push_back({sev, std::string(check), std::move(id), line, std::move(msg)});
  }

  static std::string Name(const Rule& r) { return "rule '" + r.id + "'"; }

  // Group rules: a private or secret group is looked at at least as closely as a public one
  // (recommendation 7), so a group rule may not leave them out while it covers public groups.
  void GroupChecks(const Rule& r) {
    if (!r.visibilities) return;
    const unsigned pub = 1u << static_cast<unsigned>(Visibility::kPublic);
    if ((*r.visibilities & pub) == 0) return;
    for (Visibility v : {Visibility::kPrivate, Visibility::kSecret}) {
      if ((*r.visibilities & (1u << static_cast<unsigned>(v))) == 0) {
        Add(LintSeverity::kError, "private-weaker", &r, r.visibility_line,
            "group rule '" + r.id + "' sends public groups to review but not " +
                std::string(VisibilityName(v)) +
                " ones; members-only groups must be looked at at least as closely "
                "(recommendation 7)");
        return;
      }
    }
  }

  // Strike rules: consequences for repeat offenders apply to every account alike (recommendation
  // 8), so a strike rule may not depend on whether the account is a public figure, either way.
  void StrikeChecks(const Rule& r) {
    if (!r.author_is_public_figure) return;
    Add(LintSeverity::kError, "public-figure-exemption", &r, r.public_figure_line,
        "strike rule '" + r.id + "' depends on whether the account is a public figure; strikes " +
            "and their consequences must be the same for every account, politicians included " +
            "(recommendation 8: no exemption). Remove the author_is_public_figure condition.");
  }

  void StaticChecks(const Rule& r) {
    const std::string action(ActionKindName(r.action));
    if (r.author_is_public_figure) {
      int line = r.public_figure_line;
      if (!*r.author_is_public_figure) {
        if (r.action == ActionKind::kNone) {
          Add(LintSeverity::kWarning, "no-op", &r, line,
              Name(r) + " says none for authors who are not public figures; it changes nothing");
        } else {
          Add(LintSeverity::kError, "public-figure-exemption", &r, line,
              Name(r) + " applies " + action +
                  " only when the author is NOT a public figure, so public figures and "
                  "politicians escape it; enforcement must not depend on who posts "
                  "(recommendation 8: no exemption). Remove the author_is_public_figure "
                  "condition.");
        }
      } else if (r.action == ActionKind::kNone) {
        Add(LintSeverity::kError, "public-figure-exemption", &r, line,
            Name(r) +
                " gives public figures no action: an exemption for politicians "
                "(recommendation 8). A public-figure condition may only raise priority, "
                "send to review or escalate.");
      } else if (IsEnforcement(r.action)) {
        Add(LintSeverity::kError, "public-figure-exemption", &r, line,
            Name(r) + " sets the enforcement action (" + action +
                ") by whether the author is a public figure; the same content must get the "
                "same action from anyone (recommendation 8). A public-figure condition may only "
                "raise priority, send to review or escalate.");
      }
    }
    if (r.visibilities &&
        (*r.visibilities & (1u << static_cast<unsigned>(Visibility::kPublic))) == 0 &&
        r.action == ActionKind::kNone) {
      Add(LintSeverity::kError, "private-weaker", &r, r.visibility_line,
          Name(r) +
              " says none for private-group content; private content must be treated "
              "like public content (recommendation 7)");
    }
    if (IsEnforcement(r.action) && r.action != ActionKind::kNone && !r.reports.unbounded()) {
      Add(LintSeverity::kError, "reports-enforce", &r, r.action_line,
          Name(r) + " applies " + action +
              " depending on the number of user reports: reports may send an item to review "
              "or raise its priority, never act on it by count, or a brigade could remove "
              "anyone's post (reports are weighted, docs/review.md, but a person decides)");
    }
    if ((r.action == ActionKind::kRemove || r.action == ActionKind::kReduce) &&
        !(r.score.lo && *r.score.lo > 0)) {
      Add(LintSeverity::kError, "unconditional-removal", &r, r.action_line,
          Name(r) + " applies " + action +
              " without a score threshold ('score >= ...'): every item of its category would "
              "be hit");
    }
  }

  void Coverage() {
    for (Category c : kAllCategories) {
      bool covered = false;
      for (const Rule& r : p_.rules) {
        if (r.HasCategory(c) && r.action != ActionKind::kNone &&
            r.action != ActionKind::kRaisePriority) {
          covered = true;
        }
      }
      if (!covered) {
        Add(LintSeverity::kWarning, "coverage", nullptr, 1,
            "no rule acts on category " + std::string(CategoryName(c)));
      }
    }
  }

  // Rules that match `strong` but not `weak` and do something: the cause of a difference.
  std::string Culprits(const PolicyInput& strong, const PolicyInput& weak,
                       std::vector<const Rule*>* out) const {
    std::string names;
    for (const Rule& r : p_.rules) {
      if (r.action == ActionKind::kNone) continue;
      if (RuleMatches(r, strong) && !RuleMatches(r, weak)) {
        out->push_back(&r);
        if (!names.empty()) names += ", ";
        names += "'" + r.id + "' (line " + std::to_string(r.line) + ")";
      }
    }
    return names;
  }

  void Report(LintSeverity sev, std::string_view check, const PolicyInput& strong,
              const Decision& ds, const PolicyInput& weak, const Decision& dw, Category c,
              const std::string& what) {
    ++reports_;
    std::vector<const Rule*> rules;
    std::string names = Culprits(strong, weak, &rules);
    std::string msg = what + ": " + DescribeInput(weak, c) + " gets " + Describe(dw) + ", but " +
                      Describe(ds) + " otherwise";
    if (!names.empty()) msg += "; caused by rule " + names;
    if (rules.empty()) {
      Add(sev, check, nullptr, 1, msg);
      return;
    }
    for (const Rule* r : rules) {
      int line = r->line;
      if (check == "public-figure-exemption" && r->public_figure_line) line = r->public_figure_line;
      if (check == "private-weaker" && r->visibility_line) line = r->visibility_line;
      if (check == "reach-lowers-action" && r->views_line) line = r->views_line;
      Add(sev, check, r, line, msg);
    }
  }

  // Candidate values for a range dimension: 0, every bound and each side of it, and `top`.
  static std::vector<double> Candidates(const std::vector<const Range*>& ranges, double step,
                                        double top) {
    std::set<double> v{0.0, top};
    for (const Range* r : ranges) {
      for (const auto& b : {r->lo, r->hi}) {
        if (!b) continue;
        for (double x : {*b - step, *b, *b + step}) {
          if (x >= 0 && x <= top) v.insert(x);
        }
      }
    }
    return {v.begin(), v.end()};
  }

  void Probe() {
    bool any_kind = false;
    for (const Rule& r : p_.rules) any_kind |= r.kinds.has_value();
    std::vector<ItemKind> kinds = {ItemKind::kPost};
    if (any_kind) kinds.assign(std::begin(kAllItemKinds), std::end(kAllItemKinds));

    std::vector<const Range*> report_ranges, view_ranges;
    for (const Rule& r : p_.rules) {
      report_ranges.push_back(&r.reports);
      view_ranges.push_back(&r.views);
    }
    const std::vector<double> reports = Candidates(report_ranges, 1, 1e9);
    const std::vector<double> views = Candidates(view_ranges, 1, 1e12);
    const size_t nv = views.size();

    for (Category c : kAllCategories) {
      std::vector<const Range*> score_ranges;
      std::vector<TargetGroupSet> targets = {TargetGroupSet()};
      for (const Rule& r : p_.rules) {
        if (!r.HasCategory(c)) continue;
        score_ranges.push_back(&r.score);
        if (r.targets) {
          for (TargetGroup g : kAllTargetGroups) {
            if (!r.targets->Has(g)) continue;
            TargetGroupSet one;
            one.Add(g);
            if (std::find(targets.begin(), targets.end(), one) == targets.end()) {
              targets.push_back(one);
            }
          }
        }
      }
      if (score_ranges.empty()) continue;
      const std::vector<double> scores = Candidates(score_ranges, 1e-6, 1.0);
      // out[vis][pf][views index] for the current and the previous score.
      std::vector<Decision> cur(kCells * nv), prev(kCells * nv);
      std::vector<PolicyInput> cur_in(kCells * nv), prev_in(kCells * nv);
      for (TargetGroupSet tg : targets) {
        for (ItemKind kind : kinds) {
          for (double rep : reports) {
            for (size_t si = 0; si < scores.size(); ++si) {
              rule_tests_ +=
                  static_cast<long long>(kCells * nv) * static_cast<long long>(p_.rules.size());
              if (rule_tests_ > options_.max_rule_tests || reports_ > kMaxReports) {
                Add(LintSeverity::kWarning, "lint-incomplete", nullptr, 1,
                    "policy too large for the exhaustive differential checks: they stopped "
                    "early, so some problems may be unreported");
                return;
              }
              for (int vis = 0; vis < kNumVis; ++vis) {
                for (int pf = 0; pf < 2; ++pf) {
                  for (size_t vi = 0; vi < nv; ++vi) {
                    PolicyInput in;
                    in.set_score(c, scores[si]);
                    in.target_groups = tg;
                    in.visibility = kAllVisibilities[vis];
                    in.kind = kind;
                    in.reports = static_cast<std::int64_t>(rep);
                    in.views = static_cast<std::int64_t>(views[vi]);
                    in.author_is_public_figure = pf == 1;
                    size_t k = (vis * 2 + pf) * nv + vi;
                    cur_in[k] = in;
                    cur[k] = Evaluate(p_, in);
                  }
                }
              }
              Compare(c, cur, cur_in, si > 0 ? &prev : nullptr, prev_in, nv);
              std::swap(cur, prev);
              std::swap(cur_in, prev_in);
            }
          }
        }
      }
    }
  }

  void Compare(Category c, const std::vector<Decision>& d, const std::vector<PolicyInput>& in,
               const std::vector<Decision>* prev, const std::vector<PolicyInput>& prev_in,
               size_t nv) {
    std::vector<Outcome> o(d.size());
    for (size_t i = 0; i < d.size(); ++i) o[i] = Summarise(d[i]);
    auto at = [nv](int vis, int pf, size_t vi) { return (vis * 2 + pf) * nv + vi; };
    for (int vis = 0; vis < kNumVis; ++vis) {
      for (size_t vi = 0; vi < nv; ++vi) {
        size_t ord = at(vis, 0, vi), pub = at(vis, 1, vi);
        if (Weaker(o[pub], o[ord])) {
          Report(LintSeverity::kError, "public-figure-exemption", in[ord], d[ord], in[pub], d[pub],
                 c,
                 "a public figure's or politician's post gets a weaker outcome than anyone "
                 "else's (recommendation 8: no exemption)");
        }
      }
    }
    for (int pf = 0; pf < 2; ++pf) {
      for (size_t vi = 0; vi < nv; ++vi) {
        for (int vis = 1; vis < kNumVis; ++vis) {  // private, secret
          size_t pub = at(0, pf, vi), priv = at(vis, pf, vi);
          if (Weaker(o[priv], o[pub])) {
            Report(LintSeverity::kError, "private-weaker", in[pub], d[pub], in[priv], d[priv], c,
                   std::string(VisibilityName(kAllVisibilities[vis])) +
                       "-group content gets a weaker outcome than the same public content "
                       "(recommendation 7)");
          }
        }
      }
    }
    for (int vis = 0; vis < kNumVis; ++vis) {
      for (int pf = 0; pf < 2; ++pf) {
        for (size_t vi = 1; vi < nv; ++vi) {
          size_t lo = at(vis, pf, vi - 1), hi = at(vis, pf, vi);
          if (Weaker(o[hi], o[lo])) {
            Report(LintSeverity::kError, "reach-lowers-action", in[lo], d[lo], in[hi], d[hi], c,
                   "more views give a weaker outcome (reach may raise priority, never lower the "
                   "action)");
          }
        }
      }
    }
    if (prev != nullptr) {
      for (size_t k = 0; k < d.size(); ++k) {
        if (Weaker(o[k], Summarise((*prev)[k]))) {
          Report(LintSeverity::kWarning, "score-gap", prev_in[k], (*prev)[k], in[k], d[k], c,
                 "a higher score gives a weaker outcome than a lower one");
        }
      }
    }
  }

  const Policy& p_;
  const LintOptions options_;
  std::vector<LintFinding> findings_;
  std::set<std::pair<std::string, std::string>> seen_;
  long long rule_tests_ = 0;
  int reports_ = 0;
};

}  // namespace

std::vector<LintFinding> Lint(const Policy& policy, const LintOptions& options) {
  return Linter(policy, options).Run();
}

bool HasLintErrors(const std::vector<LintFinding>& findings) {
  for (const LintFinding& f : findings) {
    if (f.severity == LintSeverity::kError) return true;
  }
  return false;
}

std::string FormatFinding(const Policy& policy, const LintFinding& f) {
  return policy.filename + ":" + std::to_string(f.line) + ": " +
         (f.severity == LintSeverity::kError ? "error" : "warning") + ": " + f.message + " [" +
         f.check + "]";
}

}  // namespace bulwark::policy

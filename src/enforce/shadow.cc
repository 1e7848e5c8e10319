#include "enforce/shadow.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>

namespace bulwark::enforce {
namespace {

constexpr std::array<std::string_view, 6> kOutcomeNames = {"none",  "review", "escalate",
                                                           "label", "reduce", "remove"};

void Count(ShadowTally& t, int active, int shadow) {
  ++t.outcomes;
  t.active_acted += active > 0;
  t.shadow_acted += shadow > 0;
  t.same += active == shadow;
  t.shadow_stronger += shadow > active;
  t.shadow_weaker += shadow < active;
  t.active_removed += active >= OutcomeRank(policy::ActionKind::kReduce);
  t.shadow_removed += shadow >= OutcomeRank(policy::ActionKind::kReduce);
}

nlohmann::json TallyJson(const ShadowTally& t) {
  return {{"outcomes", t.outcomes},
          {"active_acted", t.active_acted},
          {"shadow_acted", t.shadow_acted},
          {"same", t.same},
          {"shadow_stronger", t.shadow_stronger},
          {"shadow_weaker", t.shadow_weaker},
          {"active_removed_or_reduced", t.active_removed},
          {"shadow_removed_or_reduced", t.shadow_removed}};
}

nlohmann::json ExampleJson(const store::ShadowOutcome& o) {
  return {
      {"item_id", o.item_id},      {"revision", o.revision},       {"category", o.category},
      {"targets", o.targets},      {"active", o.active_action},    {"active_rule", o.active_rule},
      {"shadow", o.shadow_action}, {"shadow_rule", o.shadow_rule}, {"at", FormatRfc3339(o.at)}};
}

std::string TallyLine(std::string_view name, const ShadowTally& t) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "  %-34s %7lld %7lld %7lld %7lld %9lld %8lld\n",
                std::string(name).c_str(), static_cast<long long>(t.outcomes),
                static_cast<long long>(t.active_acted), static_cast<long long>(t.shadow_acted),
                static_cast<long long>(t.same), static_cast<long long>(t.shadow_stronger),
                static_cast<long long>(t.shadow_weaker));
  return buf;
}

}  // namespace

int OutcomeRank(policy::ActionKind k) {
  switch (k) {
    case policy::ActionKind::kReview:
      return 1;
    case policy::ActionKind::kEscalate:
      return 2;
    case policy::ActionKind::kLabel:
      return 3;
    case policy::ActionKind::kReduce:
      return 4;
    case policy::ActionKind::kRemove:
      return 5;
    default:
      return 0;
  }
}

std::string_view OutcomeName(int rank) {
  return rank >= 0 && rank < static_cast<int>(kOutcomeNames.size()) ? kOutcomeNames[rank] : "none";
}

int OutcomeRankOf(std::string_view name) {
  for (size_t i = 0; i < kOutcomeNames.size(); ++i) {
    if (kOutcomeNames[i] == name) return static_cast<int>(i);
  }
  return 0;
}

std::vector<CategoryComparison> CompareByCategory(const policy::Decision& active,
                                                  const policy::Decision& shadow) {
  std::array<CategoryComparison, kNumCategories> by{};
  std::array<bool, kNumCategories> seen{};
  auto take = [&](const policy::Decision& d, bool is_shadow) {
    for (const policy::Action& a : d.actions) {
      const int rank = OutcomeRank(a.kind);
      if (rank == 0) continue;
      const auto c = static_cast<std::size_t>(a.category);
      seen[c] = true;
      by[c].category = a.category;
      int& slot = is_shadow ? by[c].shadow : by[c].active;
      if (rank > slot) {
        slot = rank;
        (is_shadow ? by[c].shadow_rule : by[c].active_rule) = a.rule_id;
      }
    }
  };
  take(active, false);
  take(shadow, true);
  std::vector<CategoryComparison> out;
  for (std::size_t c = 0; c < by.size(); ++c) {
    if (seen[c]) out.push_back(by[c]);
  }
  return out;
}

ShadowReport BuildShadowReport(std::int64_t policy_id, UnixMillis since, UnixMillis until,
                               std::vector<store::ShadowRun> runs,
                               std::span<const store::ShadowOutcome> outcomes) {
  ShadowReport r;
  r.policy_id = policy_id;
  r.since = since;
  r.until = until;
  r.runs = std::move(runs);
  for (const store::ShadowOutcome& o : outcomes) {
    const int a = OutcomeRankOf(o.active_action), s = OutcomeRankOf(o.shadow_action);
    Count(r.total, a, s);
    Count(r.by_category[o.category], a, s);
    Count(r.by_visibility[o.visibility.empty() ? "public" : o.visibility], a, s);
    if (o.targets.empty()) {
      Count(r.by_target["none"], a, s);
    } else {
      std::string_view rest = o.targets;
      while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        Count(r.by_target[std::string(rest.substr(0, comma))], a, s);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
    }
    if (s < a && r.weaker_examples.size() < 20) r.weaker_examples.push_back(o);
    if (s > a && r.stronger_examples.size() < 20) r.stronger_examples.push_back(o);
  }
  return r;
}

std::string ShadowReportJson(const ShadowReport& r) {
  using nlohmann::json;
  json runs = json::array();
  for (const store::ShadowRun& run : r.runs) {
    runs.push_back(
        {{"id", run.id},
         {"started_by", run.started_by},
         {"started_at", FormatRfc3339(run.started_at)},
         {"stopped_at", run.stopped_at ? json(FormatRfc3339(*run.stopped_at)) : json(nullptr)}});
  }
  json by_category = json::object(), by_target = json::object(), by_visibility = json::object();
  for (const auto& [k, t] : r.by_category) by_category[k] = TallyJson(t);
  for (const auto& [k, t] : r.by_target) by_target[k] = TallyJson(t);
  for (const auto& [k, t] : r.by_visibility) by_visibility[k] = TallyJson(t);
  json weaker = json::array(), stronger = json::array();
  for (const auto& o : r.weaker_examples) weaker.push_back(ExampleJson(o));
  for (const auto& o : r.stronger_examples) stronger.push_back(ExampleJson(o));
  return json{{"policy_id", r.policy_id},         {"since", FormatRfc3339(r.since)},
              {"until", FormatRfc3339(r.until)},  {"runs", runs},
              {"total", TallyJson(r.total)},      {"by_category", by_category},
              {"by_target", by_target},           {"by_visibility", by_visibility},
              {"shadow_weaker_examples", weaker}, {"shadow_stronger_examples", stronger}}
      .dump(2);
}

std::string ShadowReportText(const ShadowReport& r) {
  std::string out = "shadow run of policy version " + std::to_string(r.policy_id) + ", " +
                    FormatRfc3339(r.since) + " .. " + FormatRfc3339(r.until) + "\n";
  for (const store::ShadowRun& run : r.runs) {
    out += "  run " + std::to_string(run.id) + ": started " + FormatRfc3339(run.started_at) +
           " by " + run.started_by +
           (run.stopped_at ? ", stopped " + FormatRfc3339(*run.stopped_at) : ", running") + "\n";
  }
  const std::string header =
      "  (item revisions where either policy acted)   total  active  shadow    same  stronger   "
      "weaker\n";
  out += "by category\n" + header;
  for (const auto& [k, t] : r.by_category) out += TallyLine(k, t);
  out += TallyLine("all", r.total);
  out += "by target group\n" + header;
  for (const auto& [k, t] : r.by_target) out += TallyLine(k, t);
  out += "by visibility\n" + header;
  for (const auto& [k, t] : r.by_visibility) out += TallyLine(k, t);
  auto examples = [&](const char* title, const std::vector<store::ShadowOutcome>& list) {
    if (list.empty()) return;
    out += title;
    for (const store::ShadowOutcome& o : list) {
      out += "  " + o.item_id + " r" + std::to_string(o.revision) + " " + o.category + ": " +
             o.active_action + (o.active_rule.empty() ? "" : " (" + o.active_rule + ")") + " -> " +
             o.shadow_action + (o.shadow_rule.empty() ? "" : " (" + o.shadow_rule + ")") +
             (o.targets.empty() ? "" : " [" + o.targets + "]") + "\n";
    }
  };
  examples("where the shadow policy is weaker (first 20)\n", r.weaker_examples);
  examples("where the shadow policy is stronger (first 20)\n", r.stronger_examples);
  return out;
}

}  // namespace bulwark::enforce

#include "enforce/backtest.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "enforce/enforcer.h"

namespace bulwark::enforce {
namespace {

std::string Outcome(const policy::Decision& d) {
  std::string out(policy::ActionKindName(d.enforcement()));
  for (const policy::Action& a : d.actions) {
    if (!a.queue.empty()) out += "+review:" + std::string(a.queue);
  }
  return out;
}

// The category a changed outcome is attributed to: the new enforcement action's, else the old
// one's, else the first action's, else "-".
std::string CategoryOf(const policy::Decision& after, const policy::Decision& before) {
  for (const policy::Decision* d : {&after, &before}) {
    for (const policy::Action& a : d->actions) {
      if (policy::IsEnforcement(a.kind) && a.kind != policy::ActionKind::kNone) {
        return std::string(CategoryName(a.category));
      }
    }
  }
  for (const policy::Decision* d : {&after, &before}) {
    if (!d->actions.empty()) return std::string(CategoryName(d->actions.front().category));
  }
  return "-";
}

}  // namespace

Result<BacktestReport> Backtest(store::Database& db, const detect::Detector& detector,
                                const policy::Policy& before, const policy::Policy& after,
                                int batch, const policy::BacktestProgressFn& progress) {
  BacktestReport report;
  detect::DetectorScratch scratch;
  detect::Verdict verdict;
  std::string cursor;
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(auto items, db.enforcement().ItemsAfter(cursor, batch));
    if (items.empty()) break;
    cursor = items.back().item.id;
    for (const auto& item : items) {
      ++report.items;
      detector.Classify(item.item.text, &scratch, &verdict);
      const policy::PolicyInput in = PolicyInputFor(item, verdict);
      const policy::Decision old_d = policy::Evaluate(before, in);
      const policy::Decision new_d = policy::Evaluate(after, in);
      const std::string from = Outcome(old_d), to = Outcome(new_d);
      if (from == to) continue;
      ++report.changed;
      const int old_rank = policy::EnforcementRank(old_d.enforcement());
      const int new_rank = policy::EnforcementRank(new_d.enforcement());
      if (new_rank > old_rank) ++report.stricter;
      if (new_rank < old_rank) ++report.looser;
      const std::string category = CategoryOf(new_d, old_d);
      if (verdict.targets.empty()) {
        ++report.changes[{category, "-", from, to}];
      }
      for (TargetGroup g : verdict.targets) {
        ++report.changes[{category, std::string(TargetGroupName(g)), from, to}];
      }
    }
    if (progress && !progress(report.items)) return Unavailable("the backtest was stopped");
  }
  return report;
}

std::string BacktestSummaryJson(const BacktestReport& report, const detect::Detector& detector) {
  using nlohmann::json;
  json changes = json::array();
  for (const auto& [key, n] : report.changes) {
    const auto& [category, group, from, to] = key;
    changes.push_back({{"category", category},
                       {"target_group", group},
                       {"old", from},
                       {"new", to},
                       {"items", n}});
  }
  json j = {{"items", report.items},
            {"changed", report.changed},
            {"stricter", report.stricter},
            {"looser", report.looser},
            {"changes", changes},
            {"detectors",
             {{"lexicon", detector.lexicon_version()},
              {"model", detector.model_version()},
              {"claims", detector.claims_version()}}}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

policy::BacktestFn StoredItemsBacktest(store::Database& db,
                                       const detect::DetectorHandle& detectors) {
  return [&db, &detectors](const policy::Policy* active, const policy::Policy& proposed,
                           const policy::BacktestProgressFn& progress) -> Result<std::string> {
    auto detector = detectors.Get();
    if (!detector) {
      return Unavailable(
          "no detectors are loaded, so the backtest that a sign-off needs cannot run");
    }
    // With no version active the comparison is with enforcing nothing.
    static const policy::Policy kNothing = [] {
      policy::Policy p;
      p.id = "none";
      p.version = "0";
      return p;
    }();
    BULWARK_ASSIGN_OR_RETURN(
        BacktestReport report,
        Backtest(db, *detector, active ? *active : kNothing, proposed, 500, progress));
    return BacktestSummaryJson(report, *detector);
  };
}

}  // namespace bulwark::enforce

#include "ads/accruer.h"

#include <cstdio>

namespace bulwark::ads {
namespace {
constexpr int kPage = 2000;
}  // namespace

bool RefundAccruer::CanChangeRefunds(const Decision& d) {
  return d.target_kind == TargetKind::kItem &&
         (d.action == ActionType::kRemove || d.action == ActionType::kRestore ||
          (d.action == ActionType::kNone && d.actor != kSystemActor));
}

std::vector<store::RefundLine> RefundAccruer::LinesFor(
    const Decision& d, UnixMillis item_created_at, std::span<const store::RefundExposure> exposures,
    const RefundTerms& terms) {
  const ItemEvent ev{d.item_id, item_created_at, d.seq, d.rule_id, d.category, d.created_at};
  if (!CanChangeRefunds(d)) return {};
  if (d.action == ActionType::kRemove) return AccrueRemoval(ev, exposures, terms);
  return ReverseRestore(ev, exposures);  // a restore, or a person's "no violation"
}

Result<RefundAccruer::Progress> RefundAccruer::CatchUp() {
  Progress p;
  BULWARK_ASSIGN_OR_RETURN(p.cursor, db_.ads().RefundCursor());
  const RefundTerms terms = terms_;
  auto accrue = [terms](const Decision& d, UnixMillis created,
                        std::span<const store::RefundExposure> exposures) {
    return LinesFor(d, created, exposures, terms);
  };
  for (;;) {
    BULWARK_ASSIGN_OR_RETURN(std::vector<Decision> page,
                             db_.decisions().ListDecisions(p.cursor, kPage));
    if (page.empty()) break;
    // Only removals and their undoing change refunds: the rest of the page only moves the cursor.
    const std::int64_t through = page.back().seq;
    std::vector<Decision> relevant;
    for (Decision& d : page) {
      if (CanChangeRefunds(d)) relevant.push_back(std::move(d));
    }
    BULWARK_ASSIGN_OR_RETURN(
        std::int64_t lines,
        db_.ads().AccrueDecisions(relevant, through, terms.max_distance, accrue));
    p.decisions += static_cast<std::int64_t>(page.size());
    p.lines += lines;
    p.cursor = through;
    if (static_cast<int>(page.size()) < kPage) break;
  }
  return p;
}

void RefundAccruer::Start(std::chrono::milliseconds interval) {
  task_.Start(interval, [this] {
    auto r = CatchUp();
    if (!r.ok()) {
      std::fprintf(stderr, "bulwark: refund accrual: %s\n", r.status().ToString().c_str());
    }
  });
}

}  // namespace bulwark::ads

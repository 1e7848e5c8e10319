#include "ads/accruer.h"

#include <cstdio>

namespace bulwark::ads {
namespace {
constexpr int kPage = 2000;
}  // namespace

std::vector<store::RefundLine> RefundAccruer::LinesFor(
    const Decision& d, UnixMillis item_created_at, std::span<const store::RefundExposure> exposures,
    const RefundTerms& terms) {
  const ItemEvent ev{d.item_id, item_created_at, d.seq, d.rule_id, d.category, d.created_at};
  if (d.action == ActionType::kRemove) return AccrueRemoval(ev, exposures, terms);
  // A restore, or a person finding no violation after a removal, undoes it.
  if (d.action == ActionType::kRestore ||
      (d.action == ActionType::kNone && d.actor != kSystemActor)) {
    return ReverseRestore(ev, exposures);
  }
  return {};
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
    BULWARK_ASSIGN_OR_RETURN(std::int64_t lines,
                             db_.ads().AccrueDecisions(page, terms.max_distance, accrue));
    p.decisions += static_cast<std::int64_t>(page.size());
    p.lines += lines;
    p.cursor = page.back().seq;
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

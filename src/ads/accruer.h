#pragma once

// RefundAccruer: applies the refund formula (ads/accrual.h) to the decision log, in log order,
// from where it last stopped (the store's refund cursor). A removal of an item accrues refunds
// for the impressions shown next to it; a restore, or a person's "no violation" after a removal,
// reverses them. Each page of the log and its refund lines commit together with the cursor, so
// replaying the log from scratch gives the same lines, and a crash neither loses nor doubles one.
//
// Thread safety: CatchUp may be called from any thread, and concurrently (serve's background pass
// and a statement request): the store reads the cursor inside each page's write transaction, so a
// page another caller accrued first is skipped, never doubled.

#include <chrono>
#include <cstdint>

#include "ads/accrual.h"
#include "core/periodic.h"
#include "core/status.h"
#include "store/store.h"

namespace bulwark::ads {

class RefundAccruer {
 public:
  // `db` must outlive the accruer.
  explicit RefundAccruer(store::Database& db, RefundTerms terms = {}) : db_(db), terms_(terms) {}
  ~RefundAccruer() { Stop(); }
  RefundAccruer(const RefundAccruer&) = delete;
  RefundAccruer& operator=(const RefundAccruer&) = delete;

  struct Progress {
    std::int64_t decisions = 0;  // log entries read
    std::int64_t lines = 0;      // refund lines written
    std::int64_t cursor = 0;     // the log position reached
  };
  // Reads the log after the cursor to its end.
  Result<Progress> CatchUp();
  // Whether a decision can change refunds: an item's removal, restore, or a person's "no
  // violation" (which undoes a removal).
  static bool CanChangeRefunds(const Decision& d);
  // The lines a decision gives rise to, given its item's exposures (pure; exposed for tests).
  static std::vector<store::RefundLine> LinesFor(const Decision& d, UnixMillis item_created_at,
                                                 std::span<const store::RefundExposure> exposures,
                                                 const RefundTerms& terms);

  // Runs CatchUp every `interval` on a background thread until Stop.
  void Start(std::chrono::milliseconds interval);
  void Stop() { task_.Stop(); }

 private:
  store::Database& db_;
  const RefundTerms terms_;
  PeriodicTask task_;  // last: stopped before the members its runs use
};

}  // namespace bulwark::ads

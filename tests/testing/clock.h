#pragma once

// A clock a test sets by hand: `now` is what NowMillis returns.

#include "core/time.h"

namespace bulwark::testing {

class SettableClock final : public Clock {
 public:
  explicit SettableClock(UnixMillis start) : now(start) {}
  UnixMillis NowMillis() const override { return now; }
  UnixMillis now;
};

}  // namespace bulwark::testing

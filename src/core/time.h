#pragma once

// Timestamps are milliseconds since the Unix epoch (UTC) everywhere inside Bulwark; RFC 3339
// strings only at the edges (JSON, CSV, HTML).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bulwark {

using UnixMillis = std::int64_t;

// Wall-clock time. Components that need a controllable clock take a Clock&.
UnixMillis WallNowMillis();

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixMillis NowMillis() const = 0;
};

class SystemClock final : public Clock {
 public:
  UnixMillis NowMillis() const override { return WallNowMillis(); }
};

// Parses "2026-11-29T04:35:08Z", "2026-11-29T04:35:08.123Z", "2026-11-29T04:35:08+01:00".
// Returns nullopt for anything else, including out-of-range fields (month 13, Feb 30 is
// accepted only as far as day <= days_in_month). Years 1970..9999.
std::optional<UnixMillis> ParseRfc3339(std::string_view s);

// Formats as "2026-11-29T04:35:08.123Z" (milliseconds always present).
std::string FormatRfc3339(UnixMillis ms);

}  // namespace bulwark

#pragma once

// Pure helpers behind the reviewer console pages: form decoding, evidence highlighting and
// human-readable durations. No I/O, so each is unit-tested on its own (console_views_test).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace bulwark::server {

// application/x-www-form-urlencoded body -> (name, value) pairs in order, '+' as space and
// %XX decoded. InvalidArgument naming the field for malformed escapes, NUL bytes, invalid
// UTF-8, more than `max_fields` fields or a value over `max_value_bytes`.
struct FormField {
  std::string name;
  std::string value;
};
Result<std::vector<FormField>> ParseFormFields(std::string_view body, size_t max_fields = 64,
                                               size_t max_value_bytes = 8192);
// The first value of `name`, or nullopt.
std::optional<std::string_view> FormValue(const std::vector<FormField>& form,
                                          std::string_view name);

// Splits `text` into segments for display, marking the byte spans named by the decision
// evidence ({"evidence":[{"span":[begin,end],"detector":...,"entry":...},...]}). Overlapping
// spans are merged; spans outside the text, inverted, or not on UTF-8 character boundaries are
// ignored (the text is shown unmarked rather than cut mid-character). Each segment is
// {"text": ..., "mark": bool, "title": "...", "kind": "..."}.
nlohmann::json EvidenceSegments(std::string_view text, const std::vector<nlohmann::json>& evidence);

// One bar of a weekly chart: the week's label, items created and items flagged.
struct WeekCounts {
  std::string label;  // e.g. "Nov 3"
  std::int64_t items = 0;
  std::int64_t flagged = 0;
};
// The geometry of the group page's risk-over-time chart, for an inline SVG drawn by the template
// (no script, no inline style: the page's CSP allows neither). One entry per week, in order:
// {"x", "w", "items_y", "items_h", "flagged_y", "flagged_h", "label", "label_x", "title"}, with
// bars scaled to the largest weekly item count in a plot of `width` x `height` (a 16-pixel band
// under it holds the labels); "title" says the week's numbers and share in words (the bar's
// tooltip and its accessible text).
nlohmann::json WeeklyChart(const std::vector<WeekCounts>& weeks, int width, int height);

// "45 s", "12 min", "3 h 5 min", "2 d 4 h"; "–" for negative.
std::string HumanDuration(std::int64_t millis);

// "2026-11-29 08:47:02 UTC"
std::string HumanTime(std::int64_t unix_millis);

}  // namespace bulwark::server

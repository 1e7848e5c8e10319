#pragma once

// Decoding and validation of the JSON batches the platform sends (docs/api.md gives the
// formats). Decoding is strict: unknown fields, duplicate fields, wrong types, out-of-range
// values, invalid UTF-8 and duplicate ids are errors whose Status names the field path, e.g.
// "items[3].created_at". Nothing partially decoded is ever returned.
//
// Thread safety: the functions are reentrant; each call allocates its own parser.

#include <string_view>
#include <vector>

#include "core/decision.h"
#include "core/events.h"
#include "core/status.h"
#include "ingest/limits.h"

namespace bulwark::ingest {

// {"items": [Item, ...]}
Result<std::vector<Item>> DecodeItemBatch(std::string_view json, const IngestLimits& limits);
// {"views": [ViewEvent, ...]}; a missing viewed_at becomes `now`.
Result<std::vector<ViewEvent>> DecodeViewBatch(std::string_view json, const IngestLimits& limits,
                                               UnixMillis now);
// {"reports": [Report, ...]}
Result<std::vector<Report>> DecodeReportBatch(std::string_view json, const IngestLimits& limits);
// {"groups": [Group, ...]}
Result<std::vector<Group>> DecodeGroupBatch(std::string_view json, const IngestLimits& limits);
// {"memberships": [MembershipEvent, ...]}
Result<std::vector<MembershipEvent>> DecodeMembershipBatch(std::string_view json,
                                                           const IngestLimits& limits);
// {"impressions": [AdImpression, ...]}
Result<std::vector<AdImpression>> DecodeAdImpressionBatch(std::string_view json,
                                                          const IngestLimits& limits);

// {"texts": ["...", ...]} for a synchronous classification request: 1..max_texts strings of at
// most max_text_bytes each (invalid UTF-8 is named by index, e.g. "texts[2]").
Result<std::vector<std::string>> DecodeTextBatch(std::string_view json, const IngestLimits& limits,
                                                 size_t max_texts, size_t max_text_bytes);

// A candidate of POST /v1/recommendations/check.
struct RecommendationCandidate {
  TargetKind kind = TargetKind::kItem;  // an item, a group or an account
  std::string id;
};
// {"candidates": [{"type": "item"|"group"|"account", "id": "..."}, ...]} for POST
// /v1/recommendations/check: 1..max_candidates ids of 1..limits.max_id_bytes bytes.
Result<std::vector<RecommendationCandidate>> DecodeRecommendationCandidates(
    std::string_view json, const IngestLimits& limits, size_t max_candidates);

// One item object on its own (a line of a JSONL bulk-load file).
Result<Item> DecodeItem(std::string_view json, const IngestLimits& limits);

}  // namespace bulwark::ingest

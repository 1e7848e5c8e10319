// Fuzzes the decoders of every ingest batch format (the JSON bodies of POST /v1/items, views,
// reports, ad-impressions and a JSONL item line). Invariants: never crash, never return OK with
// an entry that violates the documented limits, and every error that names a field names a
// place in the batch (or echoes a short prefix of an unknown top-level key).

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/codec.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulwark;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ingest::IngestLimits limits;
  limits.max_batch = 50;
  limits.max_text_bytes = 512;

  auto items = ingest::DecodeItemBatch(in, limits);
  if (items.ok()) {
    Check(!items->empty() && items->size() <= limits.max_batch);
    for (const Item& it : *items) {
      Check(!it.id.empty() && it.id.size() <= limits.max_id_bytes);
      Check(it.text.size() <= limits.max_text_bytes);
      Check(it.group_id.empty() || !it.group_id.empty());
    }
  } else if (!items.status().field().empty()) {
    // A field path names a place in the batch, or (for an unknown top-level key) the client's
    // own key, echoed at most 64 bytes long.
    std::string_view f = items.status().field();
    Check(f.starts_with("items") || items.status().message() == "unknown field");
    Check(f.size() <= 64 + 3 || f.starts_with("items"));
  }
  auto views = ingest::DecodeViewBatch(in, limits, 0);
  if (views.ok()) {
    for (const ViewEvent& v : *views) Check(v.count >= 1 && v.count <= limits.max_view_count);
  }
  auto reports = ingest::DecodeReportBatch(in, limits);
  (void)reports;
  auto imps = ingest::DecodeAdImpressionBatch(in, limits);
  if (imps.ok()) {
    for (const AdImpression& a : *imps) {
      Check(a.price_micros >= 0 && a.adjacent.size() <= limits.max_adjacent);
    }
  }
  auto groups = ingest::DecodeGroupBatch(in, limits);
  if (groups.ok()) {
    for (const Group& g : *groups) {
      Check(!g.id.empty() && !g.name.empty() && !g.owner_id.empty());
      Check(g.name.size() <= limits.max_group_name_bytes);
      Check(g.admin_ids.size() <= limits.max_group_admins);
    }
  }
  auto memberships = ingest::DecodeMembershipBatch(in, limits);
  if (memberships.ok()) {
    for (const MembershipEvent& m : *memberships)
      Check(!m.group_id.empty() && !m.account_id.empty());
  }
  auto candidates = ingest::DecodeRecommendationCandidates(in, limits, 50);
  if (candidates.ok()) {
    for (const auto& c : *candidates) Check(!c.id.empty() && c.id.size() <= limits.max_id_bytes);
  }
  auto one = ingest::DecodeItem(in, limits);
  (void)one;
  return 0;
}

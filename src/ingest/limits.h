#pragma once

// Limits on what the ingest API accepts. Every one is configurable (`bulwark serve --help`,
// docs/operations.md); exceeding one is a 4xx error naming the field, never a crash or a 5xx.

#include <cstddef>
#include <cstdint>

namespace bulwark::ingest {

struct IngestLimits {
  std::size_t max_body_bytes = 16u << 20;       // whole request body
  std::size_t max_batch = 1000;                 // entries per batch (items, views, reports, ...)
  std::size_t max_text_bytes = 64u << 10;       // one item's text
  std::size_t max_id_bytes = 256;               // any id
  std::size_t max_short_bytes = 2048;           // comments, surfaces, language tags
  std::size_t max_adjacent = 32;                // adjacent items per ad impression
  std::size_t max_group_admins = 100;           // admin_ids per group
  std::size_t max_group_name_bytes = 256;       // a group's name
  std::size_t max_depth = 8;                    // JSON nesting depth
  std::int64_t max_view_count = 1'000'000'000;  // views in one view event
  std::int64_t max_price_micros = 1'000'000'000'000;  // one impression's price
};

}  // namespace bulwark::ingest

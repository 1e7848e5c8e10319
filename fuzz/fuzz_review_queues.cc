// Fuzzes the review queue configuration parser (review::ParseQueueConfig): no crash, no
// sanitizer report; a parsed configuration satisfies the documented invariants, and an error
// names the file.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>

#include "fuzz_check.h"
#include "review/queues.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = bulwark::review::ParseQueueConfig(text, "fuzz.json");
  if (!config.ok()) {
    FUZZ_CHECK(config.status().message().rfind("fuzz.json", 0) == 0);
    return 0;
  }
  const auto& c = **config;
  FUZZ_CHECK(!c.queues.empty() && c.queues.size() <= bulwark::review::kMaxQueues);
  std::set<std::string> ids;
  for (const auto& q : c.queues) {
    FUZZ_CHECK(ids.insert(q.id).second);
    FUZZ_CHECK(c.Find(q.id) == &q);
    FUZZ_CHECK(!q.expertise.empty());
    FUZZ_CHECK(q.sla_first_review_ms >= 60000);
    FUZZ_CHECK(q.second_review_share >= 0 && q.second_review_share <= 1);
    FUZZ_CHECK(bulwark::review::HasExpertise(q, q.expertise));
  }
  for (const auto& r : c.reason_codes) FUZZ_CHECK(c.FindReasonCode(r.code) == &r);
  return 0;
}

#include "server/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace bulwark::server {

RateLimiter::RateLimiter(RateLimit limit, std::size_t max_buckets)
    : limit_(limit), max_buckets_(max_buckets) {}

void RateLimiter::Refill(Bucket* b, UnixMillis now) const {
  if (now > b->updated) {
    b->tokens = std::min(limit_.burst, b->tokens + static_cast<double>(now - b->updated) / 1000.0 *
                                                       limit_.rate_per_second);
    b->updated = now;
  }
}

bool RateLimiter::Take(std::string_view caller, double cost, UnixMillis now,
                       std::int64_t* retry_after_ms) {
  if (limit_.rate_per_second <= 0) return true;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(std::string(caller));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_buckets_) {
      // Drop the buckets that have refilled: forgetting them changes nothing.
      for (auto i = buckets_.begin(); i != buckets_.end();) {
        Refill(&i->second, now);
        i = i->second.tokens >= limit_.burst ? buckets_.erase(i) : std::next(i);
      }
    }
    it = buckets_.emplace(std::string(caller), Bucket{limit_.burst, now}).first;
  }
  Bucket& b = it->second;
  Refill(&b, now);
  // A cost above the bucket can never be paid: charge a full bucket instead, so one oversized
  // request is not refused forever (the route's own size caps bound it).
  const double need = std::min(cost, limit_.burst);
  if (b.tokens >= need) {
    b.tokens -= need;
    return true;
  }
  if (retry_after_ms) {
    *retry_after_ms =
        static_cast<std::int64_t>(std::ceil((need - b.tokens) / limit_.rate_per_second * 1000.0));
  }
  return false;
}

}  // namespace bulwark::server

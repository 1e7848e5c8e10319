#pragma once

// Per-caller token buckets for the expensive routes (POST /v1/classify, the ingest routes).
//
// Each caller (an API key, or a staff user signed in with a session) has a bucket that holds up
// to `burst` tokens and refills at `rate_per_second`. A request takes `cost` tokens (classify:
// one per text; ingest: one per request). When the bucket holds fewer, the request is refused
// with 429 and Retry-After: the seconds until enough tokens are back. A rate of 0 turns the
// limit off.
//
// Callers are authenticated before a bucket is made, so the number of buckets is bounded by the
// number of keys and users; idle (full) buckets are dropped once there are more than
// `max_buckets` of them.
//
// Thread safety: thread-safe (one mutex; the critical section is a hash lookup and arithmetic).

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/time.h"

namespace bulwark::server {

struct RateLimit {
  double rate_per_second = 0;  // 0: unlimited
  double burst = 0;            // bucket size; at least the largest single cost
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit, std::size_t max_buckets = 100000);

  // Takes `cost` tokens from `caller`'s bucket at time `now`. True if they were there; otherwise
  // nothing is taken and *retry_after_ms holds how long until they will be.
  bool Take(std::string_view caller, double cost, UnixMillis now, std::int64_t* retry_after_ms);

  const RateLimit& limit() const { return limit_; }

 private:
  struct Bucket {
    double tokens = 0;
    UnixMillis updated = 0;
  };
  void Refill(Bucket* b, UnixMillis now) const;

  const RateLimit limit_;
  const std::size_t max_buckets_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace bulwark::server

#pragma once

// Deterministic sampling of first reviews for a second review.
//
// A case is sampled when HMAC-SHA256(key, "bulwark-second-review:" + case id), read as a
// fraction in [0, 1), is below the queue's share. The same key and case always give the same
// answer (an auditor with the key can recompute every choice), the share is met over many cases,
// and a reviewer cannot tell or influence which of their decisions will be checked: the key is
// secret and the case id is fixed before they see the case.

#include <cstdint>
#include <string>
#include <string_view>

namespace bulwark::review {

class SecondReviewSampler {
 public:
  // `key`: any bytes; keep it secret (bulwark serve --review-sampling-key-file).
  explicit SecondReviewSampler(std::string key) : key_(std::move(key)) {}

  // The case's position in [0, 1).
  double Fraction(std::int64_t case_id) const;
  // True when the case is in the sample for `share` (0: never, 1: always).
  bool Sampled(std::int64_t case_id, double share) const {
    return share > 0 && Fraction(case_id) < share;
  }

 private:
  std::string key_;
};

// HMAC-SHA256 of `message` under `key`, lower-case hex (RFC 2104).
std::string HmacSha256Hex(std::string_view key, std::string_view message);

}  // namespace bulwark::review

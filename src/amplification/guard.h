#pragma once

// The amplification guard: what a platform's recommender may amplify (recommendations 4 and 6).
//
// The guard keeps, in memory, the state of every target the decision log has acted on, so that
// POST /v1/recommendations/check answers 1,000 candidates from a snapshot instead of a database
// query per id. It is a consumer of the log: LogFollower feeds it every entry in seq order, so
// any writer (the pipeline, a reviewer, an appeal, another process) updates it within one poll.
//
// Items: the latest enforcement decides, whoever made it.
//   remove, reduce          -> block   (reduce is the policy's "do not amplify" line)
//   label                   -> demote  x kLabelledFactor
//   review, escalate        -> demote  x kInReviewFactor, until a person decides
//   restore, a person's none-> allow   (the item is forgotten)
// Every answer that is not allow names its reason code and the log entry (seq, rule) it comes
// from. Groups and accounts are answered once the log has group and account decisions
// (issue 10); until then a candidate of those kinds is refused by the API, not allowed.
//
// Thread safety: Apply and Check may run concurrently (a shared mutex; Check never blocks
// another Check).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/decision.h"

namespace bulwark::amplification {

inline constexpr double kLabelledFactor = 0.5;
inline constexpr double kInReviewFactor = 0.5;

enum class Verdict : std::uint8_t { kAllow, kDemote, kBlock };
std::string_view VerdictName(Verdict v);  // "allow", "demote", "block"

struct Answer {
  Verdict verdict = Verdict::kAllow;
  double factor = 1.0;  // demote: multiply the candidate's ranking score by it
  std::string_view
      reason_code;  // "item.removed", "item.reduced", "item.labelled", "item.in_review"
  std::int64_t decision_seq = 0;  // the log entry the answer comes from (0 for allow)
  std::string rule_id;            // that entry's rule ("" for a reviewer's decision)
};

class AmplificationGuard {
 public:
  // Applies log entries; those at or below as_of_seq() are skipped, so replays are harmless.
  void Apply(std::span<const Decision> entries);
  // One answer per item id, in order.
  void CheckItems(std::span<const std::string_view> ids, std::vector<Answer>* out) const;
  // The newest log entry applied.
  std::int64_t as_of_seq() const;
  // Items whose answer is not allow.
  std::size_t tracked_items() const;

 private:
  struct ItemState {
    ActionType enforcement = ActionType::kNone;  // remove, reduce, label, or none
    std::int64_t enforcement_seq = 0;
    std::string enforcement_rule;
    std::int64_t review_seq = 0;  // a review or escalation not settled by a person since (0: none)
    std::string review_rule;
  };
  static Answer AnswerFor(const ItemState& s);

  // Transparent, so a lookup by string_view allocates nothing.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, ItemState, Hash, std::equal_to<>> items_;
  std::int64_t as_of_seq_ = 0;
};

}  // namespace bulwark::amplification

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
// Groups: a person's group decision decides (the pipeline only sends groups to review).
//   remove, restrict        -> block   the group, and every item of the group
//   label                   -> demote  x kLabelledFactor (the group only)
//   review, escalate        -> demote  x kInReviewFactor (the group only), until a person decides
//   restore, none           -> allow
// An item of a blocked group is blocked whatever its own state ("group.removed",
// "group.restricted"). The guard learns which items a group has from AddGroupItems (the follower
// loads them when a group is blocked) and NoteItems (new items, at ingest).
// Accounts: the latest account decision that sets a state decides (AccountDecisionTerm).
//   restrict, suspend       -> block   ("account.restricted", "account.suspended": a
//                                      recommendation ban) until the decision's "until"
//   restore, none           -> allow
// Every answer that is not allow names its reason code and the log entry (seq, rule) it comes
// from.
//
// Thread safety: Apply and Check may run concurrently (a shared mutex; Check never blocks
// another Check).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/decision.h"
#include "core/events.h"
#include "core/time.h"

namespace bulwark::amplification {

inline constexpr double kLabelledFactor = 0.5;
inline constexpr double kInReviewFactor = 0.5;

enum class Verdict : std::uint8_t { kAllow, kDemote, kBlock };
std::string_view VerdictName(Verdict v);  // "allow", "demote", "block"

struct Answer {
  Verdict verdict = Verdict::kAllow;
  double factor = 1.0;  // demote: multiply the candidate's ranking score by it
  std::string_view
      reason_code;  // "item.removed", ..., "group.restricted", ..., "account.suspended", ...
  std::int64_t decision_seq = 0;  // the log entry the answer comes from (0 for allow)
  std::string rule_id;            // that entry's rule ("" for a reviewer's decision)
};

class AmplificationGuard {
 public:
  // Applies log entries; those at or below as_of_seq() are skipped, so replays are harmless.
  void Apply(std::span<const Decision> entries);
  // One answer per item id, in order.
  void CheckItems(std::span<const std::string_view> ids, std::vector<Answer>* out) const;
  // One answer per account id, in order; a restriction or suspension whose end is at or before
  // `now` no longer blocks.
  void CheckAccounts(std::span<const std::string_view> ids, UnixMillis now,
                     std::vector<Answer>* out) const;
  // One answer per group id, in order.
  void CheckGroups(std::span<const std::string_view> ids, std::vector<Answer>* out) const;
  // Groups whose state blocks their items (removed or restricted), for the follower to load
  // their items (AddGroupItems) once per change. Cleared by the call.
  std::vector<std::string> TakeNewlyBlockedGroups();
  // Records that `item_ids` belong to `group_id` (items of blocked groups are blocked).
  void AddGroupItems(std::string_view group_id, std::span<const std::string> item_ids);
  // New items at ingest: those in a blocked group are linked to it.
  void NoteItems(std::span<const Item> items);
  std::size_t tracked_groups() const;
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
  struct GroupState {
    ActionType action = ActionType::kNone;  // remove, restrict, label, or none
    std::int64_t seq = 0;
    std::string rule;
    std::int64_t review_seq = 0;
    std::string review_rule;
    bool Blocks() const { return action == ActionType::kRemove || action == ActionType::kRestrict; }
  };
  struct AccountState {
    ActionType action = ActionType::kRestrict;  // restrict or suspend
    std::int64_t seq = 0;
    std::string rule;
    std::optional<UnixMillis> until;  // none: no end
  };
  static Answer AnswerFor(const ItemState& s);
  static Answer AnswerFor(const GroupState& s);
  void ApplyGroup(const Decision& d);    // mu_ held
  void ApplyAccount(const Decision& d);  // mu_ held

  // Transparent, so a lookup by string_view allocates nothing.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, ItemState, Hash, std::equal_to<>> items_;
  std::unordered_map<std::string, GroupState, Hash, std::equal_to<>> groups_;
  std::unordered_map<std::string, AccountState, Hash, std::equal_to<>> accounts_;
  // item id -> group id, for the items of groups that are or were blocked.
  std::unordered_map<std::string, std::string, Hash, std::equal_to<>> item_groups_;
  std::vector<std::string> newly_blocked_;
  std::int64_t as_of_seq_ = 0;
};

}  // namespace bulwark::amplification

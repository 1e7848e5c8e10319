#pragma once

// A Decision is one entry of the append-only decision log: what was done to an item, by whom,
// under which rule, policy and model versions, why, and on what evidence. Entries are
// hash-chained: each entry's hash covers its own fields and the previous entry's hash, so any
// edit, deletion or reordering of stored entries is detectable (see docs/decision-log.md).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/time.h"

namespace bulwark {

// Actions, weakest first. "restore" undoes an earlier removal (an appeal overturned it).
// "activate_policy" and "account" are not about an item (item_id is empty; see
// docs/decision-log.md): a policy version went live; a staff account was created, disabled or
// given a new password. They come last so that the names and numbers of the item actions never
// change.
enum class ActionType : std::uint8_t {
  kNone,
  kLabel,
  kReduce,
  kReview,
  kEscalate,
  kRemove,
  kRestore,
  kActivatePolicy,
  kAccount,
  // A group outcome (target kind group): no new members, no recommendation, content stays.
  kRestrict,
  // An account outcome (target kind account): may not post until the decision's end.
  kSuspend,
};
// True for the actions that name no item (activate_policy, account).
bool IsItemlessAction(ActionType a);
// The actor of the automated pipeline's decisions. Every other actor of an item decision is a
// person ("reviewer:user:<id>", "reviewer:key:<id>", ...).
inline constexpr std::string_view kSystemActor = "system";
std::string_view ActionName(ActionType a);
std::optional<ActionType> ParseAction(std::string_view name);

// What a decision is about. Items are the common case; a group decision (remove, restrict, label,
// none) acts on a whole group, an account decision (a strike's consequence) on one account.
enum class TargetKind : std::uint8_t { kItem, kGroup, kAccount };
std::string_view TargetKindName(TargetKind k);  // "item", "group", "account"
std::optional<TargetKind> ParseTargetKind(std::string_view name);

struct Decision {
  std::int64_t seq = 0;  // position in the log, 1-based; assigned when appended
  TargetKind target_kind = TargetKind::kItem;
  // The target's id: an item id, or a group or account id for those target kinds (a group or
  // account decision's item_revision is 0).
  std::string item_id;
  int item_revision = 0;  // the text revision the decision was about
  ActionType action = ActionType::kNone;
  std::string category;  // taxonomy name (core/taxonomy.h), or "" if not category-specific
  std::string rule_id;   // policy rule that fired, or "" for a human decision
  std::string policy_version;
  std::string model_version;
  std::string actor;     // "system", "reviewer:<id>", "appeal:<id>", "civil_rights:<id>", ...
  std::string reason;    // reason code and text shown to the user and reviewers
  std::string evidence;  // JSON: scores, matched spans, lexicon entries, thresholds
  UnixMillis created_at = 0;
  std::string prev_hash;  // hash of entry seq-1 ("" for seq 1 is represented as 64 zeros)
  std::string hash;       // ChainHash(prev_hash, *this)
};

// What an account decision (target kind account) does to the account's state. A restrict or
// suspend decision sets it when its evidence has an "until" field (milliseconds since the epoch,
// or null: no end); one without (an appeal's uphold, which logs the same action again) leaves
// the state as it is. restore and none end any restriction or suspension.
struct AccountTerm {
  bool sets_state = false;
  std::optional<UnixMillis> until;  // with sets_state, for restrict and suspend: nullopt = no end
};
AccountTerm AccountDecisionTerm(const Decision& d);

// The hash of the genesis predecessor: 64 '0' characters.
const std::string& GenesisHash();

// SHA-256 over prev_hash and every field of `d` except `hash` and `prev_hash` themselves,
// each field length-prefixed so that no two different entries serialise alike:
// Sha256Hex(ChainPreimage(prev_hash, d)).
std::string ChainHash(std::string_view prev_hash, const Decision& d);

// The exact bytes ChainHash hashes: the fields "bulwark-decision-v1", prev_hash, seq, item_id,
// item_revision, action, category, rule_id, policy_version, model_version, actor, reason,
// evidence, created_at, each written as "<decimal byte length>:<bytes>;". A decision about a
// group or an account is tagged "bulwark-decision-v2" and has one more field, the target kind,
// after seq (item decisions keep the v1 form, so logs written before groups verify unchanged). The
// feed serves them so that anyone can recompute an entry's hash without Bulwark's code
// (docs/decision-log.md).
std::string ChainPreimage(std::string_view prev_hash, const Decision& d);

// Checks one entry of a log served by someone else (GET /v1/decisions), knowing only the
// previous entry's seq and hash (0 and GenesisHash() before the first): `preimage` must hash to
// `hash`, be exactly what ChainPreimage writes (version tag, every field, nothing after), name
// seq prev_seq + 1 and link to `prev_hash`. Returns the entry as hashed (seq, fields, prev_hash
// and hash set), for comparison with the fields served beside it; InvalidArgument says which
// check failed.
Result<Decision> CheckChainEntry(std::int64_t prev_seq, std::string_view prev_hash,
                                 std::string_view hash, std::string_view preimage);

}  // namespace bulwark

#include "core/decision.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sha256.h"

namespace bulwark {
namespace {

constexpr std::string_view kActionNames[] = {"none",     "label",    "reduce",  "review",
                                             "escalate", "remove",   "restore", "activate_policy",
                                             "account",  "restrict", "suspend"};

constexpr std::string_view kTargetKindNames[] = {"item", "group", "account"};

constexpr std::string_view kChainTag = "bulwark-decision-v1";
constexpr std::string_view kChainTagV2 = "bulwark-decision-v2";  // group and account targets
constexpr size_t kChainFields = 14;
constexpr size_t kChainFieldsV2 = 15;

void Field(std::string* out, std::string_view v) {
  out->append(std::to_string(v.size()));
  out->push_back(':');
  out->append(v);
  out->push_back(';');
}

// Splits "<len>:<bytes>;" fields; nullopt unless `bytes` is exactly 14 (v1) or 15 (v2) of them.
std::optional<std::vector<std::string_view>> SplitFields(std::string_view bytes) {
  std::vector<std::string_view> fields;
  while (!bytes.empty()) {
    if (fields.size() == kChainFieldsV2) return std::nullopt;
    size_t colon = bytes.find(':');
    // At most 10 digits: a field is never 10 GB, and the length cannot overflow.
    if (colon == std::string_view::npos || colon == 0 || colon > 10) return std::nullopt;
    if (colon > 1 && bytes[0] == '0') return std::nullopt;  // one spelling per length
    std::uint64_t len = 0;
    for (char c : bytes.substr(0, colon)) {
      if (c < '0' || c > '9') return std::nullopt;
      len = len * 10 + static_cast<std::uint64_t>(c - '0');
    }
    bytes.remove_prefix(colon + 1);
    if (len >= bytes.size() || bytes[len] != ';') return std::nullopt;
    fields.push_back(bytes.substr(0, len));
    bytes.remove_prefix(len + 1);
  }
  if (fields.size() != kChainFields && fields.size() != kChainFieldsV2) return std::nullopt;
  return fields;
}

// A decimal integer as std::to_string writes it (no sign for >= 0, no leading zeros).
std::optional<std::int64_t> ParseCanonicalInt(std::string_view s) {
  bool negative = !s.empty() && s[0] == '-';
  std::string_view digits = negative ? s.substr(1) : s;
  if (digits.empty() || digits.size() > 18 || (digits.size() > 1 && digits[0] == '0')) {
    return std::nullopt;
  }
  std::int64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (negative && n == 0) return std::nullopt;
  return negative ? -n : n;
}

}  // namespace

bool IsItemlessAction(ActionType a) {
  return a == ActionType::kActivatePolicy || a == ActionType::kAccount;
}

std::string_view TargetKindName(TargetKind k) { return kTargetKindNames[static_cast<int>(k)]; }

std::optional<TargetKind> ParseTargetKind(std::string_view name) {
  for (size_t i = 0; i < std::size(kTargetKindNames); ++i) {
    if (kTargetKindNames[i] == name) return static_cast<TargetKind>(i);
  }
  return std::nullopt;
}

std::string_view ActionName(ActionType a) { return kActionNames[static_cast<int>(a)]; }

std::optional<ActionType> ParseAction(std::string_view name) {
  for (size_t i = 0; i < std::size(kActionNames); ++i) {
    if (kActionNames[i] == name) return static_cast<ActionType>(i);
  }
  return std::nullopt;
}

const std::string& GenesisHash() {
  static const std::string kGenesis(64, '0');
  return kGenesis;
}

std::string ChainPreimage(std::string_view prev_hash, const Decision& d) {
  std::string out;
  out.reserve(160 + prev_hash.size() + d.item_id.size() + d.category.size() + d.rule_id.size() +
              d.policy_version.size() + d.model_version.size() + d.actor.size() + d.reason.size() +
              d.evidence.size());
  const bool v2 = d.target_kind != TargetKind::kItem;
  Field(&out, v2 ? kChainTagV2 : kChainTag);
  Field(&out, prev_hash);
  Field(&out, std::to_string(d.seq));
  if (v2) Field(&out, TargetKindName(d.target_kind));
  Field(&out, d.item_id);
  Field(&out, std::to_string(d.item_revision));
  Field(&out, ActionName(d.action));
  Field(&out, d.category);
  Field(&out, d.rule_id);
  Field(&out, d.policy_version);
  Field(&out, d.model_version);
  Field(&out, d.actor);
  Field(&out, d.reason);
  Field(&out, d.evidence);
  Field(&out, std::to_string(d.created_at));
  return out;
}

std::string ChainHash(std::string_view prev_hash, const Decision& d) {
  return Sha256Hex(ChainPreimage(prev_hash, d));
}

Result<Decision> CheckChainEntry(std::int64_t prev_seq, std::string_view prev_hash,
                                 std::string_view hash, std::string_view preimage) {
  if (Sha256Hex(preimage) != hash) {
    return InvalidArgument("the SHA-256 of the hashed bytes is not the entry's hash");
  }
  auto f = SplitFields(preimage);
  if (!f) {
    return InvalidArgument("the hashed bytes are not " + std::to_string(kChainFields) + " (or " +
                           std::to_string(kChainFieldsV2) + ") length-prefixed fields");
  }
  std::vector<std::string_view> v = *f;
  const std::string_view want = v.size() == kChainFields ? kChainTag : kChainTagV2;
  if (v[0] != want) {
    return InvalidArgument("the hashed bytes carry the tag '" + std::string(v[0]) + "', not '" +
                           std::string(want) + "'");
  }
  Decision d;
  if (v.size() == kChainFieldsV2) {
    auto kind = ParseTargetKind(v[3]);
    if (!kind || *kind == TargetKind::kItem) {
      return InvalidArgument("the hashed bytes name no group or account target kind");
    }
    d.target_kind = *kind;
    v.erase(v.begin() + 3);  // the rest is laid out as in v1
  }
  d.prev_hash = std::string(v[1]);
  auto seq = ParseCanonicalInt(v[2]);
  auto revision = ParseCanonicalInt(v[4]);
  auto action = ParseAction(v[5]);
  auto created_at = ParseCanonicalInt(v[13]);
  if (!seq || !revision || *revision < std::numeric_limits<int>::min() ||
      *revision > std::numeric_limits<int>::max() || !action || !created_at) {
    return InvalidArgument("the hashed bytes hold a malformed seq, revision, action or time");
  }
  d.seq = *seq;
  d.item_id = std::string(v[3]);
  d.item_revision = static_cast<int>(*revision);
  d.action = *action;
  d.category = std::string(v[6]);
  d.rule_id = std::string(v[7]);
  d.policy_version = std::string(v[8]);
  d.model_version = std::string(v[9]);
  d.actor = std::string(v[10]);
  d.reason = std::string(v[11]);
  d.evidence = std::string(v[12]);
  d.created_at = *created_at;
  d.hash = std::string(hash);
  // The parse is strict enough to be the inverse of ChainPreimage; say so by construction.
  if (ChainPreimage(d.prev_hash, d) != preimage) {
    return InvalidArgument("the hashed bytes are not in canonical form");
  }
  if (d.seq != prev_seq + 1) {
    return InvalidArgument("the hashed bytes name entry " + std::to_string(d.seq) + ", expected " +
                           std::to_string(prev_seq + 1) + " (entries missing or reordered)");
  }
  if (d.prev_hash != prev_hash) {
    return InvalidArgument("the hashed prev_hash is not the hash of entry " +
                           std::to_string(prev_seq) + " (entries missing, reordered or rewritten)");
  }
  return d;
}

AccountTerm AccountDecisionTerm(const Decision& d) {
  AccountTerm t;
  if (d.target_kind != TargetKind::kAccount) return t;
  if (d.action == ActionType::kRestore || d.action == ActionType::kNone) {
    t.sets_state = true;
    return t;
  }
  if (d.action != ActionType::kRestrict && d.action != ActionType::kSuspend) return t;
  const nlohmann::json ev = nlohmann::json::parse(d.evidence, nullptr, false);
  if (!ev.is_object()) return t;
  auto it = ev.find("until");
  if (it == ev.end()) return t;
  if (it->is_number_integer()) {
    t.sets_state = true;
    t.until = it->get<std::int64_t>();
  } else if (it->is_null()) {
    t.sets_state = true;
  }
  return t;
}

}  // namespace bulwark

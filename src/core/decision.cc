#include "core/decision.h"

#include <string>

#include "core/sha256.h"

namespace bulwark {
namespace {

constexpr std::string_view kActionNames[] = {"none",     "label",  "reduce",  "review",
                                             "escalate", "remove", "restore", "activate_policy"};

void Field(Sha256* h, std::string_view v) {
  std::string len = std::to_string(v.size());
  h->Update(len);
  h->Update(":");
  h->Update(v);
  h->Update(";");
}

}  // namespace

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

std::string ChainHash(std::string_view prev_hash, const Decision& d) {
  Sha256 h;
  Field(&h, "bulwark-decision-v1");
  Field(&h, prev_hash);
  Field(&h, std::to_string(d.seq));
  Field(&h, d.item_id);
  Field(&h, std::to_string(d.item_revision));
  Field(&h, ActionName(d.action));
  Field(&h, d.category);
  Field(&h, d.rule_id);
  Field(&h, d.policy_version);
  Field(&h, d.model_version);
  Field(&h, d.actor);
  Field(&h, d.reason);
  Field(&h, d.evidence);
  Field(&h, std::to_string(d.created_at));
  return h.FinishHex();
}

}  // namespace bulwark

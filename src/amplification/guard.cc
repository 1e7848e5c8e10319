#include "amplification/guard.h"

#include <mutex>

namespace bulwark::amplification {

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kAllow:
      return "allow";
    case Verdict::kDemote:
      return "demote";
    case Verdict::kBlock:
      return "block";
  }
  return "allow";
}

void AmplificationGuard::Apply(std::span<const Decision> entries) {
  std::unique_lock lock(mu_);
  for (const Decision& d : entries) {
    if (d.seq <= as_of_seq_) continue;
    as_of_seq_ = d.seq;
    if (d.item_id.empty()) continue;  // policy activations, account changes
    const bool person = d.actor != kSystemActor;
    switch (d.action) {
      case ActionType::kRemove:
      case ActionType::kReduce:
      case ActionType::kLabel: {
        ItemState& s = items_.try_emplace(d.item_id).first->second;
        s.enforcement = d.action;
        s.enforcement_seq = d.seq;
        s.enforcement_rule = d.rule_id;
        if (person) s.review_seq = 0;
        break;
      }
      case ActionType::kReview:
      case ActionType::kEscalate: {
        ItemState& s = items_.try_emplace(d.item_id).first->second;
        s.review_seq = d.seq;
        s.review_rule = d.rule_id;
        break;
      }
      case ActionType::kRestore:
      case ActionType::kNone: {
        if (!person) break;  // an automated "no action" settles nothing
        if (auto it = items_.find(d.item_id); it != items_.end()) items_.erase(it);
        break;
      }
      default:
        break;
    }
  }
}

Answer AmplificationGuard::AnswerFor(const ItemState& s) {
  Answer a;
  switch (s.enforcement) {
    case ActionType::kRemove:
    case ActionType::kReduce:
      a.verdict = Verdict::kBlock;
      a.factor = 0;
      a.reason_code = s.enforcement == ActionType::kRemove ? "item.removed" : "item.reduced";
      a.decision_seq = s.enforcement_seq;
      a.rule_id = s.enforcement_rule;
      return a;
    case ActionType::kLabel:
      a.verdict = Verdict::kDemote;
      a.factor = kLabelledFactor;
      a.reason_code = "item.labelled";
      a.decision_seq = s.enforcement_seq;
      a.rule_id = s.enforcement_rule;
      return a;
    default:
      break;
  }
  if (s.review_seq > 0) {
    a.verdict = Verdict::kDemote;
    a.factor = kInReviewFactor;
    a.reason_code = "item.in_review";
    a.decision_seq = s.review_seq;
    a.rule_id = s.review_rule;
  }
  return a;
}

void AmplificationGuard::CheckItems(std::span<const std::string_view> ids,
                                    std::vector<Answer>* out) const {
  out->clear();
  out->reserve(ids.size());
  std::shared_lock lock(mu_);
  for (std::string_view id : ids) {
    auto it = items_.find(id);
    out->push_back(it == items_.end() ? Answer{} : AnswerFor(it->second));
  }
}

std::int64_t AmplificationGuard::as_of_seq() const {
  std::shared_lock lock(mu_);
  return as_of_seq_;
}

std::size_t AmplificationGuard::tracked_items() const {
  std::shared_lock lock(mu_);
  return items_.size();
}

}  // namespace bulwark::amplification

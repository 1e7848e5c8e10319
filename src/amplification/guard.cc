#include "amplification/guard.h"

#include <mutex>
#include <utility>

namespace bulwark::amplification {
namespace {

Answer MakeAnswer(Verdict v, double factor, std::string_view reason_code, std::int64_t seq,
                  const std::string& rule) {
  Answer a;
  a.verdict = v;
  a.factor = factor;
  a.reason_code = reason_code;
  a.decision_seq = seq;
  a.rule_id = rule;
  return a;
}

}  // namespace

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
    if (d.target_kind == TargetKind::kGroup) {
      ApplyGroup(d);
      continue;
    }
    if (d.target_kind == TargetKind::kAccount) {
      ApplyAccount(d);
      continue;
    }
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

void AmplificationGuard::ApplyGroup(const Decision& d) {
  const bool person = d.actor != kSystemActor;
  switch (d.action) {
    case ActionType::kRemove:
    case ActionType::kRestrict:
    case ActionType::kLabel: {
      if (!person) break;  // group outcomes are reviewers' decisions
      GroupState& g = groups_.try_emplace(d.item_id).first->second;
      const bool was_blocking = g.Blocks();
      g.action = d.action;
      g.seq = d.seq;
      g.rule = d.rule_id;
      g.review_seq = 0;
      if (g.Blocks() && !was_blocking) newly_blocked_.push_back(d.item_id);
      break;
    }
    case ActionType::kReview:
    case ActionType::kEscalate: {
      GroupState& g = groups_.try_emplace(d.item_id).first->second;
      g.review_seq = d.seq;
      g.review_rule = d.rule_id;
      break;
    }
    case ActionType::kRestore:
    case ActionType::kNone:
      if (person) groups_.erase(d.item_id);
      break;
    default:
      break;
  }
}

void AmplificationGuard::ApplyAccount(const Decision& d) {
  const AccountTerm term = AccountDecisionTerm(d);
  if (!term.sets_state) return;  // an appeal's uphold: the consequence in force stands
  if (d.action == ActionType::kRestrict || d.action == ActionType::kSuspend) {
    accounts_.insert_or_assign(d.item_id, AccountState{d.action, d.seq, d.rule_id, term.until});
  } else {
    accounts_.erase(d.item_id);  // restore, none: lifted
  }
}

void AmplificationGuard::CheckAccounts(std::span<const std::string_view> ids, UnixMillis now,
                                       std::vector<Answer>* out) const {
  out->clear();
  out->reserve(ids.size());
  std::shared_lock lock(mu_);
  for (std::string_view id : ids) {
    auto it = accounts_.find(id);
    if (it == accounts_.end() || (it->second.until && *it->second.until <= now)) {
      out->push_back(Answer{});  // never constrained, lifted, or the term is over
      continue;
    }
    const AccountState& s = it->second;
    out->push_back(
        MakeAnswer(Verdict::kBlock, 0,
                   s.action == ActionType::kSuspend ? "account.suspended" : "account.restricted",
                   s.seq, s.rule));
  }
}

Answer AmplificationGuard::AnswerFor(const GroupState& s) {
  if (s.Blocks()) {
    return MakeAnswer(Verdict::kBlock, 0,
                      s.action == ActionType::kRemove ? "group.removed" : "group.restricted", s.seq,
                      s.rule);
  }
  if (s.action == ActionType::kLabel) {
    return MakeAnswer(Verdict::kDemote, kLabelledFactor, "group.labelled", s.seq, s.rule);
  }
  if (s.review_seq > 0) {
    return MakeAnswer(Verdict::kDemote, kInReviewFactor, "group.in_review", s.review_seq,
                      s.review_rule);
  }
  return Answer{};
}

void AmplificationGuard::CheckGroups(std::span<const std::string_view> ids,
                                     std::vector<Answer>* out) const {
  out->clear();
  out->reserve(ids.size());
  std::shared_lock lock(mu_);
  for (std::string_view id : ids) {
    auto it = groups_.find(id);
    out->push_back(it == groups_.end() ? Answer{} : AnswerFor(it->second));
  }
}

std::vector<std::string> AmplificationGuard::TakeNewlyBlockedGroups() {
  std::unique_lock lock(mu_);
  return std::exchange(newly_blocked_, {});
}

void AmplificationGuard::AddGroupItems(std::string_view group_id,
                                       std::span<const std::string> item_ids) {
  std::unique_lock lock(mu_);
  for (const std::string& id : item_ids) item_groups_.insert_or_assign(id, std::string(group_id));
}

void AmplificationGuard::NoteItems(std::span<const Item> items) {
  {
    std::shared_lock lock(mu_);
    bool any = false;
    for (const Item& item : items) {
      if (item.group_id.empty()) continue;
      auto g = groups_.find(item.group_id);
      if (g != groups_.end() && g->second.Blocks()) {
        any = true;
        break;
      }
    }
    if (!any) return;  // the common case: no writer lock
  }
  std::unique_lock lock(mu_);
  for (const Item& item : items) {
    if (item.group_id.empty()) continue;
    auto g = groups_.find(item.group_id);
    if (g != groups_.end() && g->second.Blocks())
      item_groups_.insert_or_assign(item.id, item.group_id);
  }
}

std::size_t AmplificationGuard::tracked_groups() const {
  std::shared_lock lock(mu_);
  return groups_.size();
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
    return MakeAnswer(Verdict::kDemote, kInReviewFactor, "item.in_review", s.review_seq,
                      s.review_rule);
  }
  return a;
}

void AmplificationGuard::CheckItems(std::span<const std::string_view> ids,
                                    std::vector<Answer>* out) const {
  out->clear();
  out->reserve(ids.size());
  std::shared_lock lock(mu_);
  for (std::string_view id : ids) {
    if (!item_groups_.empty()) {
      // An item of a removed or restricted group is blocked whatever its own state.
      if (auto link = item_groups_.find(id); link != item_groups_.end()) {
        auto g = groups_.find(link->second);
        if (g != groups_.end() && g->second.Blocks()) {
          out->push_back(AnswerFor(g->second));
          continue;
        }
      }
    }
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

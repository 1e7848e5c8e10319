#include "groups/risk.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/stats.h"
#include "core/time.h"

namespace bulwark::groups {
namespace {

constexpr UnixMillis kWeekMs = 7LL * 24 * 3600 * 1000;

bool IsFlagging(ActionType a, bool person) {
  switch (a) {
    case ActionType::kLabel:
    case ActionType::kReduce:
    case ActionType::kRemove:
      return true;
    case ActionType::kReview:
    case ActionType::kEscalate:
      return !person;  // the pipeline sent it to review; a person's escalation is no verdict
    default:
      return false;
  }
}

// The standing verdict per category: the latest flagging decision, unless a person's no-violation
// or restore came after it.
std::array<std::optional<FlaggedItem>, kNumCategories> Standing(const store::GroupItemRecord& r) {
  std::array<std::optional<FlaggedItem>, kNumCategories> out;
  for (const Decision& d : r.decisions) {
    const bool person = d.actor != kSystemActor;
    if (person && (d.action == ActionType::kNone || d.action == ActionType::kRestore)) {
      for (auto& f : out) f.reset();
      continue;
    }
    if (!IsFlagging(d.action, person)) continue;
    auto c = ParseCategory(d.category);
    if (!c) continue;
    FlaggedItem f;
    f.item_id = r.item_id;
    f.author_id = r.author_id;
    f.created_at = r.created_at;
    f.decision_seq = d.seq;
    f.action = std::string(ActionName(d.action));
    f.rule_id = d.rule_id;
    f.by_reviewer = person;
    out[static_cast<int>(*c)] = std::move(f);
  }
  return out;
}

nlohmann::json FlaggedJson(const FlaggedItem& f) {
  return {{"item_id", f.item_id},
          {"author_id", f.author_id},
          {"created_at", FormatRfc3339(f.created_at)},
          {"decision_seq", f.decision_seq},
          {"action", f.action},
          {"rule_id", f.rule_id},
          {"by_reviewer", f.by_reviewer}};
}

double Round4(double v) { return std::round(v * 10000) / 10000; }

}  // namespace

double WilsonLowerBound(std::int64_t k, std::int64_t n, double z) {
  return n <= 0 ? 0 : WilsonInterval(k, n, z).low;
}

policy::GroupPolicyInput GroupRisk::PolicyInput() const {
  policy::GroupPolicyInput in;
  in.window_days = window_days;
  in.visibility = visibility;
  for (const CategoryShare& s : shares) {
    in.share_lower_bound[static_cast<int>(s.category)] = s.lower_bound;
  }
  for (const auto& [c, f] : profile_flags) in.profile_flagged[static_cast<int>(c)] = true;
  in.items = items;
  in.admin_removals = admin_removals;
  in.member_removal_share = member_removal_share;
  in.growth = growth;
  return in;
}

const CategoryShare* GroupRisk::Share(Category c) const {
  for (const CategoryShare& s : shares) {
    if (s.category == c) return &s;
  }
  return nullptr;
}

GroupRisk ComputeRisk(const store::GroupActivity& a, int window_days, UnixMillis since,
                      UnixMillis until, const RiskOptions& options) {
  GroupRisk r;
  r.group_id = a.group.group.id;
  r.visibility = a.group.group.visibility;
  r.window_days = window_days;
  r.since = since;
  r.until = until;
  r.items = static_cast<std::int64_t>(a.items.size());
  r.items_truncated = a.items_truncated;

  const std::int64_t weeks = std::max<std::int64_t>(1, (until - since + kWeekMs - 1) / kWeekMs);
  r.timeline.resize(static_cast<size_t>(weeks));
  for (std::int64_t w = 0; w < weeks; ++w) r.timeline[w].start = since + w * kWeekMs;

  std::array<CategoryShare, kNumCategories> all;
  for (int c = 0; c < kNumCategories; ++c) all[c].category = static_cast<Category>(c);
  for (const store::GroupItemRecord& item : a.items) {  // newest first
    const std::int64_t w =
        std::clamp<std::int64_t>((item.created_at - since) / kWeekMs, 0, weeks - 1);
    ++r.timeline[w].items;
    auto standing = Standing(item);
    for (int c = 0; c < kNumCategories; ++c) {
      if (!standing[c]) continue;
      ++all[c].flagged;
      ++r.timeline[w].flagged[c];
      if (static_cast<int>(all[c].top.size()) < options.top_items) {
        all[c].top.push_back(std::move(*standing[c]));
      }
    }
  }
  for (CategoryShare& s : all) {
    if (s.flagged == 0) continue;
    s.items = r.items;
    s.share = static_cast<double>(s.flagged) / static_cast<double>(r.items);
    s.lower_bound = WilsonLowerBound(s.flagged, r.items, options.z);
    r.shares.push_back(std::move(s));
  }
  std::stable_sort(
      r.shares.begin(), r.shares.end(),
      [](const CategoryShare& x, const CategoryShare& y) { return x.lower_bound > y.lower_bound; });

  if (a.profile) {
    r.profile_scanned = !a.profile->decisions.empty();
    auto standing = Standing(*a.profile);
    for (int c = 0; c < kNumCategories; ++c) {
      if (standing[c]) r.profile_flags.emplace_back(static_cast<Category>(c), *standing[c]);
    }
  }
  r.admins = a.admin_removals;
  for (const store::AccountRemovals& ar : r.admins) r.admin_removals += ar.removed;
  r.members_at_start = a.members_at_start;
  r.members_now = a.members_now;
  r.joins = a.joins;
  r.leaves = a.leaves;
  // No membership data at all: no growth to speak of (not -100%).
  r.growth = a.members_now == 0 && a.members_at_start == 0
                 ? 0.0
                 : static_cast<double>(a.members_now) /
                           static_cast<double>(std::max<std::int64_t>(1, a.members_at_start)) -
                       1.0;
  r.members_with_removals = a.members_with_removals;
  r.member_removal_share = a.members_now > 0 ? static_cast<double>(a.members_with_removals) /
                                                   static_cast<double>(a.members_now)
                                             : 0.0;
  return r;
}

std::string RiskJson(const GroupRisk& r) {
  using nlohmann::json;
  json shares = json::array();
  for (const CategoryShare& s : r.shares) {
    json top = json::array();
    for (const FlaggedItem& f : s.top) top.push_back(FlaggedJson(f));
    shares.push_back({{"category", CategoryName(s.category)},
                      {"flagged", s.flagged},
                      {"items", s.items},
                      {"share", Round4(s.share)},
                      {"lower_bound", Round4(s.lower_bound)},
                      {"method", "Wilson score interval, 95%, lower bound"},
                      {"top_items", top}});
  }
  json profile = json::array();
  for (const auto& [c, f] : r.profile_flags) {
    json j = FlaggedJson(f);
    j["category"] = CategoryName(c);
    profile.push_back(j);
  }
  json admins = json::array();
  for (const store::AccountRemovals& a : r.admins) {
    admins.push_back({{"account_id", a.account_id}, {"removals", a.removed}});
  }
  json timeline = json::array();
  for (const RiskBucket& b : r.timeline) {
    json flagged = json::object();
    for (int c = 0; c < kNumCategories; ++c) {
      if (b.flagged[c] > 0)
        flagged[std::string(CategoryName(static_cast<Category>(c)))] = b.flagged[c];
    }
    timeline.push_back(
        {{"week_start", FormatRfc3339(b.start)}, {"items", b.items}, {"flagged", flagged}});
  }
  json j = {{"group_id", r.group_id},
            {"window_days", r.window_days},
            {"since", FormatRfc3339(r.since)},
            {"until", FormatRfc3339(r.until)},
            {"items", r.items},
            {"items_truncated", r.items_truncated},
            {"shares", shares},
            {"profile", {{"scanned", r.profile_scanned}, {"flags", profile}}},
            {"admins", admins},
            {"admin_removals", r.admin_removals},
            {"members",
             {{"at_start", r.members_at_start},
              {"now", r.members_now},
              {"joins", r.joins},
              {"leaves", r.leaves},
              {"growth", Round4(r.growth)},
              {"with_removals", r.members_with_removals},
              {"removal_share", Round4(r.member_removal_share)}}},
            {"timeline", timeline}};
  return j.dump();
}

}  // namespace bulwark::groups

// The console's group pages (recommendation 4): the groups list, a group's page, and the group
// case page a reviewer decides from. A group is shown with its profile, its risk over the window
// as a server-rendered SVG chart (no script), the flagged items behind each share (blurred until
// revealed), its admins' removals, its members' history and its state's history.

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "core/time.h"
#include "groups/risk.h"
#include "review/service.h"
#include "server/api.h"
#include "server/api_json.h"
#include "server/console_views.h"

namespace bulwark::server {
namespace {

using nlohmann::json;

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
constexpr int kWindowDays = 30;
constexpr std::size_t kExcerptBytes = 280;

// The expertise that opens the groups pages: the queues group cases go to.
constexpr std::string_view kGroupExpertise[] = {"extremism", "conspiracy"};

std::string Fixed3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string Percent1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * v);
  return buf;
}

// "Nov 3" for the week starting at `ms`.
std::string WeekLabel(UnixMillis ms) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::string iso = FormatRfc3339(ms);  // YYYY-MM-DDT...
  const int month = std::stoi(iso.substr(5, 2));
  const int day = std::stoi(iso.substr(8, 2));
  return std::string(kMonths[(month + 11) % 12]) + " " + std::to_string(day);
}

// The first kExcerptBytes of `text`, cut on a UTF-8 character boundary.
std::string Excerpt(const std::string& text) {
  if (text.size() <= kExcerptBytes) return text;
  std::size_t end = kExcerptBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "…";
}

}  // namespace

bool Api::MaySeeGroups(const Caller& caller) {
  if (caller.role == Role::kAdmin) return true;
  if (caller.role != Role::kReviewer) return false;
  for (const std::string& tag : caller.expertise) {
    for (std::string_view g : kGroupExpertise) {
      if (tag == g) return true;
    }
  }
  return false;
}

Result<json> Api::GroupView(const std::string& id) {
  BULWARK_ASSIGN_OR_RETURN(store::StoredGroup g, ctx_.db->groups().GetGroup(id));
  const UnixMillis now = ctx_.clock->NowMillis();
  const UnixMillis since = now - kWindowDays * kDayMs;
  BULWARK_ASSIGN_OR_RETURN(store::GroupActivity activity,
                           ctx_.db->groups().Activity(id, since, now, 20000));
  BULWARK_ASSIGN_OR_RETURN(std::vector<store::GroupStateChange> history,
                           ctx_.db->groups().GroupHistory(id));
  const groups::GroupRisk risk = groups::ComputeRisk(activity, kWindowDays, since, now);

  // Risk over time: the top category's flagged items per week (all categories when none).
  const int top = risk.shares.empty() ? -1 : static_cast<int>(risk.shares.front().category);
  std::vector<WeekCounts> weeks;
  for (const groups::RiskBucket& b : risk.timeline) {
    std::int64_t flagged = 0;
    for (int c = 0; c < kNumCategories; ++c) {
      if (top < 0 || c == top) flagged += b.flagged[static_cast<std::size_t>(c)];
    }
    weeks.push_back({WeekLabel(b.start), b.items, flagged});
  }
  constexpr int kChartWidth = 480, kChartHeight = 120;

  json shares = json::array();
  json evidence = json::array();
  for (const groups::CategoryShare& s : risk.shares) {
    shares.push_back({{"category", CategoryName(s.category)},
                      {"flagged", s.flagged},
                      {"items", s.items},
                      {"share", Percent1(s.share)},
                      {"lower_bound", Fixed3(s.lower_bound)}});
    for (const groups::FlaggedItem& f : s.top) {
      auto item = ctx_.db->items().GetItem(f.item_id);
      evidence.push_back({{"category", CategoryName(s.category)},
                          {"item_id", f.item_id},
                          {"author_id", f.author_id},
                          {"when", HumanTime(f.created_at)},
                          {"action", f.action},
                          {"decided_by", f.by_reviewer ? "reviewer" : "automated"},
                          {"rule_id", f.rule_id},
                          {"decision_seq", f.decision_seq},
                          {"text", item.ok() ? Excerpt(item->item.text) : std::string()}});
    }
  }
  json profile_flags = json::array();
  for (const auto& [category, f] : risk.profile_flags) {
    profile_flags.push_back({{"category", CategoryName(category)},
                             {"action", f.action},
                             {"decision_seq", f.decision_seq}});
  }
  json admins = json::array();
  for (std::size_t i = 0; i < risk.admins.size(); ++i) {
    admins.push_back(
        {{"account_id", risk.admins[i].account_id},
         {"role", i == 0 && risk.admins[i].account_id == g.group.owner_id ? "owner" : "admin"},
         {"removals", risk.admins[i].removed}});
  }
  json states = json::array();
  for (const store::GroupStateChange& c : history) {
    states.push_back({{"decision_seq", c.decision_seq},
                      {"state", store::GroupStateName(c.state)},
                      {"label", c.label},
                      {"decided_by", c.actor == kSystemActor ? "automated" : c.actor},
                      {"at", HumanTime(c.at)}});
  }
  char growth[32];
  std::snprintf(growth, sizeof growth, "%+.0f%%", 100 * risk.growth);
  return json{{"group_id", g.group.id},
              {"name", g.group.name.empty() ? g.group.id : g.group.name},
              {"description", g.group.description},
              {"described", g.described},
              {"visibility", VisibilityName(g.group.visibility)},
              {"members_only", IsMembersOnly(g.group.visibility)},
              {"created", g.group.created_at ? HumanTime(g.group.created_at) : "unknown"},
              {"state", store::GroupStateName(g.state)},
              {"label", g.label},
              {"window_days", kWindowDays},
              {"items", risk.items},
              {"items_truncated", risk.items_truncated},
              {"chart",
               {{"width", kChartWidth},
                {"height", kChartHeight},
                {"full_height", kChartHeight + 16},
                {"label_y", kChartHeight + 12},
                {"category", top < 0 ? std::string("any category")
                                     : std::string(CategoryName(static_cast<Category>(top)))},
                {"weeks", WeeklyChart(weeks, kChartWidth, kChartHeight)}}},
              {"shares", shares},
              {"has_shares", !shares.empty()},
              {"has_evidence", !evidence.empty()},
              {"evidence_items", evidence},
              {"profile_flags", profile_flags},
              {"admins", admins},
              {"admin_removals", risk.admin_removals},
              {"members",
               {{"at_start", risk.members_at_start},
                {"now", risk.members_now},
                {"joins", risk.joins},
                {"leaves", risk.leaves},
                {"growth", growth},
                {"with_removals", risk.members_with_removals},
                {"removal_share", Percent1(risk.member_removal_share)}}},
              {"states", states},
              {"has_states", !states.empty()}};
}

HttpResponse Api::ConsoleGroups(const HttpRequest& req, const Caller& caller) {
  if (!MaySeeGroups(caller)) {
    return PageError(PermissionDenied("the groups pages are for admins and reviewers with the "
                                      "'extremism' or 'conspiracy' expertise"),
                     &caller);
  }
  constexpr int kPage = 100;
  const std::string after(QueryParam(req.query, "after").value_or(""));
  auto list = ctx_.db->groups().ListGroups(after, kPage);
  if (!list.ok()) return PageError(list.status(), &caller);
  json rows = json::array();
  for (const store::StoredGroup& g : *list) {
    rows.push_back({{"id", g.group.id},
                    {"name", g.group.name.empty() ? g.group.id : g.group.name},
                    {"visibility", VisibilityName(g.group.visibility)},
                    {"members", g.members},
                    {"state", store::GroupStateName(g.state)},
                    {"flagged_state", g.state != store::GroupState::kActive},
                    {"label", g.label}});
  }
  json view = {
      {"title", "Groups"}, {"nav_groups", true}, {"groups", rows}, {"has_groups", !rows.empty()}};
  if (static_cast<int>(list->size()) == kPage) view["next_after"] = list->back().group.id;
  return Page(200, "groups", std::move(view), &caller);
}

HttpResponse Api::ConsoleGroup(const std::string& id, const Caller& caller) {
  if (!MaySeeGroups(caller)) {
    return PageError(PermissionDenied("the groups pages are for admins and reviewers with the "
                                      "'extremism' or 'conspiracy' expertise"),
                     &caller);
  }
  auto view = GroupView(id);
  if (!view.ok()) return PageError(view.status(), &caller);
  (*view)["title"] = "Group " + (*view)["name"].get<std::string>();
  (*view)["nav_groups"] = true;
  return Page(200, "group", std::move(*view), &caller);
}

HttpResponse Api::ConsoleGroupCase(const store::ReviewCase& c, const Caller& caller) {
  auto view = GroupView(c.item_id);
  if (!view.ok()) return PageError(view.status(), &caller);
  if (!ctx_.review) {
    return PageError(Unavailable("review is not configured on this server"), &caller);
  }
  json& v = *view;
  const bool appeal = c.appeal_of_seq != 0;
  json outcomes = json::array();
  if (appeal) {
    outcomes = {{{"value", "restore"}, {"key", "s"}, {"label", "Restore the group (overturn)"}},
                {{"value", "uphold"}, {"key", "u"}, {"label", "Uphold the decision"}}};
  } else {
    outcomes = {{{"value", "remove"}, {"key", "r"}, {"label", "Remove the group"}},
                {{"value", "restrict"},
                 {"key", "t"},
                 {"label", "Restrict: no new members, not recommended; content stays"}},
                {{"value", "label"}, {"key", "l"}, {"label", "Label the group"}},
                {{"value", "none"}, {"key", "n"}, {"label", "No violation"}},
                {{"value", "escalate"}, {"key", "e"}, {"label", "Escalate"}}};
    if (c.round == store::kTieBreak) {
      outcomes.push_back({{"value", "restore"}, {"key", "s"}, {"label", "Restore"}});
    }
  }
  const json reason_codes = ReasonCodesView(c.category, TargetKind::kGroup);
  auto config = ctx_.review->queues();
  const review::QueueSpec* spec = config->Find(c.queue);
  const UnixMillis now = ctx_.clock->NowMillis();
  v["title"] = "Case #" + std::to_string(c.id);
  v["case"] = {{"id", c.id},
               {"queue_title", spec ? spec->title : c.queue},
               {"priority", c.priority},
               {"category", c.category},
               {"second_review", c.round == store::kSecondReview},
               {"tie_break", c.round == store::kTieBreak},
               {"lease_expires", HumanTime(c.lease_expires_at) + " (in " +
                                     HumanDuration(c.lease_expires_at - now) + ")"},
               {"outcomes", outcomes},
               {"reason_codes", reason_codes}};
  // Why it is here: the decision that opened the case (a group rule's match, or the appealed
  // group decision).
  auto opening = ctx_.db->decisions().ListDecisions(c.opened_by_seq - 1, 1);
  if (opening.ok() && !opening->empty()) {
    const Decision& d = opening->front();
    v["case"]["opened_by"] = {{"seq", d.seq},
                              {"action", ActionName(d.action)},
                              {"rule_id", d.rule_id.empty() ? "a reviewer's decision" : d.rule_id},
                              {"reason", d.reason},
                              {"policy_version", d.policy_version},
                              {"actor", d.actor}};
  }
  if (appeal)
    v["case"]["appeal"] = {{"appeal_of_seq", c.appeal_of_seq}, {"statement", c.statement}};
  return Page(200, "group", std::move(v), &caller);
}

}  // namespace bulwark::server

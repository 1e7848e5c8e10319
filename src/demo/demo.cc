#include "demo/demo.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <span>
#include <unordered_map>

#include "accounts/scanner.h"
#include "ads/accruer.h"
#include "amplification/follower.h"
#include "amplification/guard.h"
#include "amplification/recommended.h"
#include "demo/demo_data.h"
#include "groups/scanner.h"
#include "ingest/ingest_service.h"

namespace bulwark::demo {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

// Platform time: set by the loader before each step, read by ingest (received_at) and by the
// enforcer (decision times). Single-threaded use only.
class PlatformClock final : public Clock {
 public:
  void Set(UnixMillis t) { now_ = t; }
  UnixMillis NowMillis() const override { return now_; }

 private:
  UnixMillis now_ = 0;
};

constexpr size_t kBatch = 1000;  // the ingest service's default batch limit

json ItemJson(const Item& i) {
  json j = {{"id", i.id},
            {"kind", ItemKindName(i.kind)},
            {"author_id", i.author_id},
            {"text", i.text},
            {"lang", i.lang},
            {"created_at", FormatRfc3339(i.created_at)}};
  if (i.author_is_public_figure) j["author_public_figure"] = true;
  if (!i.group_id.empty()) {
    j["group_id"] = i.group_id;
    j["group_visibility"] = VisibilityName(i.group_visibility);
  }
  if (!i.parent_id.empty()) j["parent_id"] = i.parent_id;
  return j;
}

json ViewJson(const ViewEvent& v) {
  return {{"item_id", v.item_id},
          {"count", v.count},
          {"viewed_at", FormatRfc3339(v.viewed_at)},
          {"surface", v.surface}};
}

json ReportJson(const Report& r) {
  json j = {{"id", r.id},
            {"item_id", r.item_id},
            {"reporter_id", r.reporter_id},
            {"reason", ReportReasonName(r.reason)},
            {"created_at", FormatRfc3339(r.created_at)}};
  if (!r.comment.empty()) j["comment"] = r.comment;
  return j;
}

json GroupJson(const GeneratedGroup& g) {
  return {{"id", g.spec->id},
          {"name", g.spec->name},
          {"description", g.spec->description},
          {"visibility", VisibilityName(g.spec->visibility)},
          {"created_at", FormatRfc3339(g.created_at)},
          {"owner_id", g.owner_id},
          {"admin_ids", g.admin_ids}};
}

json MembershipJson(const MembershipEvent& m) {
  return {{"id", m.id},
          {"group_id", m.group_id},
          {"account_id", m.account_id},
          {"action", MembershipActionName(m.action)},
          {"at", FormatRfc3339(m.at)}};
}

json ImpressionJson(const AdImpression& a) {
  json adjacent = json::array();
  for (const AdjacentItem& x : a.adjacent) {
    adjacent.push_back({{"item_id", x.item_id}, {"position", x.position}});
  }
  return {{"id", a.id},
          {"ad_id", a.ad_id},
          {"advertiser_id", a.advertiser_id},
          {"price_micros", a.price_micros},
          {"currency", a.currency},
          {"shown_at", FormatRfc3339(a.shown_at)},
          {"adjacent", std::move(adjacent)}};
}

// Sends events [*next, end of those with time < until) in JSON batches through `send`.
template <typename T, typename TimeOf, typename ToJson, typename Send>
Status SendUntil(const std::vector<T>& events, size_t* next, UnixMillis until, const char* key,
                 TimeOf time_of, ToJson to_json, Send send) {
  while (*next < events.size() && time_of(events[*next]) < until) {
    json batch = json::array();
    while (*next < events.size() && time_of(events[*next]) < until && batch.size() < kBatch) {
      batch.push_back(to_json(events[(*next)++]));
    }
    const json body = {{key, std::move(batch)}};
    BULWARK_RETURN_IF_ERROR(send(body.dump()));
  }
  return Status::Ok();
}

Status AddContext(Status s, const std::string& what) {
  if (s.ok()) return s;
  return Status(s.code(), "demo " + what + ": " + s.message(), s.field());
}

std::string Thousands(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string Dollars(std::int64_t micros) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "$%s.%02lld", Thousands(micros / 1'000'000).c_str(),
                static_cast<long long>((micros % 1'000'000) / 10'000));
  return buf;
}

std::string Percent(std::int64_t part, std::int64_t whole) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", whole > 0 ? 100.0 * part / whole : 0.0);
  return buf;
}

}  // namespace

Status CheckEmpty(store::Database& db) {
  BULWARK_ASSIGN_OR_RETURN(store::DatabaseStats stats, db.Stats());
  std::string held;
  for (const store::TableCount& t : stats.tables) {
    if (t.table == "api_keys" || t.rows == 0) continue;
    held += (held.empty() ? "" : ", ") + Thousands(t.rows) + " rows in " + t.table;
  }
  if (held.empty()) return Status::Ok();
  return FailedPrecondition("the database already holds platform data (" + held +
                                "); use a new database, or --force to add the demo to it",
                            "db");
}

Result<DemoSummary> RunDemo(const DemoOptions& options, store::Database& db,
                            const detect::DetectorHandle& detectors,
                            const enforce::PolicyHandle& policy) {
  const auto started = SteadyClock::now();
  if (!options.force) BULWARK_RETURN_IF_ERROR(CheckEmpty(db));
  if (options.step_ms < 60'000) return InvalidArgument("must be at least a minute", "step_ms");

  BULWARK_ASSIGN_OR_RETURN(DemoData data, LoadDemoData(options.data_dir));
  GenerateOptions g;
  g.seed = options.seed;
  g.accounts = options.accounts;
  g.posts = options.posts;
  g.now = options.now != 0 ? options.now : WallNowMillis();
  BULWARK_ASSIGN_OR_RETURN(Platform p, Generate(data, g));

  DemoSummary s;
  s.generate_seconds = SecondsSince(started);
  s.seed = options.seed;
  s.start = p.start;
  s.end = p.end;
  s.accounts = p.accounts;
  s.public_figures = p.public_figures;
  s.abusive_accounts = p.abusive_accounts;
  for (const GeneratedGroup& gr : p.groups) {
    const bool priv = IsMembersOnly(gr.spec->visibility);
    ++s.groups;
    s.private_groups += priv;
    s.harmful_groups += gr.spec->harmful;
    s.private_harmful_groups += priv && gr.spec->harmful;
  }
  s.advertisers = static_cast<int>(data.advertisers.size());

  // Hour by hour of platform time: the hour's events go through ingest, then enforcement
  // decides on the hour's new items, as `bulwark serve` would have.
  const auto load_started = SteadyClock::now();
  PlatformClock clock;
  ingest::IngestOptions io;
  io.seed = options.seed;  // view sampling is seeded too
  ingest::IngestService ingest(db, io, clock, nullptr);
  enforce::Enforcer enforcer(db, detectors, policy, clock, nullptr);
  size_t next_item = 0, next_view = 0, next_report = 0, next_impression = 0, next_membership = 0;
  // The groups first, as the platform describes them (POST /v1/groups): their profiles become
  // the group_profile items, so those are not sent again with the other items.
  clock.Set(p.start);
  for (size_t i = 0; i < p.groups.size(); i += kBatch) {
    json batch = json::array();
    for (size_t k = i; k < std::min(p.groups.size(), i + kBatch); ++k) {
      batch.push_back(GroupJson(p.groups[k]));
    }
    auto r = ingest.IngestGroupsJson(json{{"groups", std::move(batch)}}.dump());
    if (!r.ok()) return AddContext(r.status(), "groups");
    s.items += r->created + r->revised + r->unchanged;
  }
  // The amplification guard, following the log as `serve`'s does, answers for each recommended
  // view at the time it was shown.
  amplification::AmplificationGuard guard;
  amplification::LogFollower follower(db.decisions(), guard, std::chrono::milliseconds(100));
  follower.set_group_store(&db.groups());
  std::vector<const GeneratedItem*> platform_items;
  platform_items.reserve(p.items.size());
  for (const GeneratedItem& gi : p.items) {
    if (!gi.item.id.starts_with(kGroupProfileIdPrefix)) platform_items.push_back(&gi);
  }
  for (UnixMillis step_end = p.start + options.step_ms;; step_end += options.step_ms) {
    const UnixMillis until = std::min(step_end, p.end);
    clock.Set(until);
    BULWARK_RETURN_IF_ERROR(
        AddContext(SendUntil(
                       p.memberships, &next_membership, until, "memberships",
                       [](const MembershipEvent& m) { return m.at; }, MembershipJson,
                       [&](const std::string& body) -> Status {
                         BULWARK_ASSIGN_OR_RETURN(auto r, ingest.IngestMembershipsJson(body));
                         s.memberships += r.accepted + r.duplicates;
                         return Status::Ok();
                       }),
                   "memberships"));
    BULWARK_RETURN_IF_ERROR(
        AddContext(SendUntil(
                       platform_items, &next_item, until, "items",
                       [](const GeneratedItem* i) { return i->item.created_at; },
                       [](const GeneratedItem* i) { return ItemJson(i->item); },
                       [&](const std::string& body) -> Status {
                         BULWARK_ASSIGN_OR_RETURN(auto r, ingest.IngestItemsJson(body));
                         s.items += r.created + r.revised + r.unchanged;
                         return Status::Ok();
                       }),
                   "items"));
    BULWARK_RETURN_IF_ERROR(AddContext(follower.CatchUp(), "amplification guard"));
    {
      size_t end = next_view;
      while (end < p.views.size() && p.views[end].viewed_at < until) ++end;
      const auto tally = amplification::TallyRecommendedViews(
          guard, std::span<const ViewEvent>(p.views).subspan(next_view, end - next_view));
      for (int v = 0; v < 3; ++v) s.recommended_views[v] += tally[v];
    }
    BULWARK_RETURN_IF_ERROR(AddContext(SendUntil(
                                           p.views, &next_view, until, "views",
                                           [](const ViewEvent& v) { return v.viewed_at; }, ViewJson,
                                           [&](const std::string& body) -> Status {
                                             BULWARK_ASSIGN_OR_RETURN(auto r,
                                                                      ingest.IngestViewsJson(body));
                                             s.view_events += r.accepted;
                                             return Status::Ok();
                                           }),
                                       "views"));
    BULWARK_RETURN_IF_ERROR(AddContext(SendUntil(
                                           p.reports, &next_report, until, "reports",
                                           [](const Report& r) { return r.created_at; }, ReportJson,
                                           [&](const std::string& body) -> Status {
                                             BULWARK_ASSIGN_OR_RETURN(
                                                 auto r, ingest.IngestReportsJson(body));
                                             s.reports += r.accepted + r.duplicates;
                                             return Status::Ok();
                                           }),
                                       "reports"));
    BULWARK_RETURN_IF_ERROR(
        AddContext(SendUntil(
                       p.impressions, &next_impression, until, "impressions",
                       [](const AdImpression& a) { return a.shown_at; }, ImpressionJson,
                       [&](const std::string& body) -> Status {
                         BULWARK_ASSIGN_OR_RETURN(auto r, ingest.IngestAdImpressionsJson(body));
                         s.impressions += r.accepted + r.duplicates;
                         return Status::Ok();
                       }),
                   "ad impressions"));
    for (;;) {
      auto r = enforcer.RunPending(static_cast<int>(kBatch));
      if (!r.ok()) return AddContext(r.status(), "enforcement");
      if (r->items == 0) break;
      s.decisions += r->decisions;
      for (size_t a = 0; a < s.decisions_by_action.size(); ++a) {
        s.decisions_by_action[a] += r->by_action[a];
      }
    }
    if (until >= p.end) break;
  }
  s.load_seconds = SecondsSince(load_started);

  // The group rules over the end of the period, as `serve`'s group scan would run them: each
  // group's risk, the rules it matches, and a group review case for each match.
  groups::GroupScanner scanner(
      db, [&policy] { return policy.Get(); }, clock, nullptr);
  for (const GeneratedGroup& gr : p.groups) {
    BULWARK_ASSIGN_OR_RETURN(groups::GroupScan scan, scanner.ScanGroup(gr.spec->id, true));
    GroupFinding f;
    f.id = gr.spec->id;
    f.name = gr.spec->name;
    f.theme = gr.spec->theme;
    f.visibility = gr.spec->visibility;
    f.harmful = gr.spec->harmful;
    if (!scan.risks.empty()) {
      const groups::GroupRisk& risk = scan.risks.front();
      f.items = risk.items;
      if (!risk.shares.empty()) {
        f.top_category = std::string(CategoryName(risk.shares.front().category));
        f.top_flagged = risk.shares.front().flagged;
        f.top_lower_bound = risk.shares.front().lower_bound;
      }
      f.profile_flagged = !risk.profile_flags.empty();
      f.admin_removals = risk.admin_removals;
      f.growth = risk.growth;
    }
    for (const policy::Action& a : scan.matched) f.rules.push_back(std::string(a.rule_id));
    for (const Decision& d : scan.logged) {
      ++s.decisions;
      ++s.decisions_by_action[static_cast<int>(d.action)];
    }
    s.group_findings.push_back(std::move(f));
  }

  // The strike rules at the end of the period, as `serve`'s account scan would run them.
  accounts::AccountScanner account_scanner(
      db, [&policy] { return policy.Get(); }, clock, nullptr);
  BULWARK_ASSIGN_OR_RETURN(std::vector<std::string> offenders, account_scanner.WorkList());
  AccountFigures& af = s.account_figures;
  for (const std::string& id : offenders) {
    BULWARK_ASSIGN_OR_RETURN(accounts::AccountScan a, account_scanner.ScanAccount(id, true));
    const bool abusive =
        std::binary_search(p.abusive_account_ids.begin(), p.abusive_account_ids.end(), id);
    af.with_strikes += !a.strikes.empty();
    af.abusive_with_strikes += abusive && !a.strikes.empty();
    if (!a.logged) continue;
    ++s.decisions;  // an account decision: not counted by item action
    (a.logged->action == ActionType::kSuspend ? af.suspended : af.restricted) += 1;
    af.abusive += abusive;
    af.public_figures += a.account.is_public_figure;
  }

  // Advertiser refunds from the log, as `serve`'s accrual would have made them.
  ads::RefundAccruer accruer(db);
  BULWARK_ASSIGN_OR_RETURN(ads::RefundAccruer::Progress accrued, accruer.CatchUp());
  s.refund_lines = accrued.lines;
  for (const AdvertiserSpec& a : data.advertisers) {
    BULWARK_ASSIGN_OR_RETURN(std::vector<store::RefundLine> lines,
                             db.ads().RefundLines(a.id, 0, std::numeric_limits<UnixMillis>::max()));
    std::unordered_map<std::string, std::int64_t> net;
    for (const store::RefundLine& l : lines) net[l.impression_id] += l.amount_micros;
    for (const auto& [imp, amount] : net) {
      s.refunded_impressions += amount > 0;
      s.refund_net_micros += amount;
    }
  }

  // What was sent, and what enforcement made of it.
  std::unordered_map<std::string, std::int64_t> views_by_item;
  for (const ViewEvent& v : p.views) {
    s.views += v.count;
    views_by_item[v.item_id] += v.count;
  }
  std::vector<std::int64_t> counts;
  for (const auto& [id, n] : views_by_item) counts.push_back(n);
  std::sort(counts.rbegin(), counts.rend());
  const size_t top = std::max<size_t>(1, counts.size() / 100);
  std::int64_t top_views = 0;
  for (size_t i = 0; i < top && i < counts.size(); ++i) top_views += counts[i];
  s.top1_view_share = s.views > 0 ? static_cast<double>(top_views) / s.views : 0;
  for (bool f : p.report_is_false) s.false_reports += f;

  std::unordered_map<std::string, unsigned> actions;  // item id -> bit per ActionType
  for (std::int64_t after = 0;;) {
    BULWARK_ASSIGN_OR_RETURN(auto page, db.decisions().ListDecisions(after, 5000));
    if (page.empty()) break;
    for (const Decision& d : page) actions[d.item_id] |= 1u << static_cast<int>(d.action);
    after = page.back().seq;
  }
  const unsigned kRemoved = 1u << static_cast<int>(ActionType::kRemove);
  for (const GeneratedItem& gi : p.items) {
    ++s.items_by_kind[static_cast<int>(gi.item.kind)];
    auto it = actions.find(gi.item.id);
    const unsigned a = it == actions.end() ? 0 : it->second;
    for (ClassStats* c :
         {&s.by_class[gi.content_class],
          gi.template_index >= 0
              ? &s.by_template[data.templates[gi.template_index].source + " " + gi.content_class]
              : nullptr}) {
      if (c == nullptr) continue;
      ++c->items;
      c->actioned += a != 0;
      c->removed += (a & kRemoved) != 0;
    }
  }
  for (const AdImpression& imp : p.impressions) {
    s.spend_micros += imp.price_micros;
    bool removed = false;
    for (const AdjacentItem& adj : imp.adjacent) {
      auto it = actions.find(adj.item_id);
      removed = removed || (it != actions.end() && (it->second & kRemoved));
    }
    if (removed) {
      ++s.impressions_next_to_removed;
      s.spend_next_to_removed_micros += imp.price_micros;
    }
  }
  BULWARK_ASSIGN_OR_RETURN(auto queues, db.review().Queues(p.end));
  for (const store::QueueStats& q : queues) {
    s.review_queues.push_back({q.queue, q.open + q.claimed});
    s.review_cases += q.open + q.claimed;
  }
  // The head of the platform's log: a function of the seed. The staff accounts come after it
  // (their creation is logged too, with random ids and the wall clock).
  BULWARK_ASSIGN_OR_RETURN(s.log_head, db.decisions().Head());
  BULWARK_ASSIGN_OR_RETURN(s.staff_users,
                           CreateDemoStaffUsers(db, options.passwords, WallNowMillis()));
  s.total_seconds = SecondsSince(started);
  return s;
}

std::string FormatSummary(const DemoSummary& s, bool per_template) {
  std::string out;
  char buf[512];
  auto line = [&](const char* label, const std::string& text) {
    std::snprintf(buf, sizeof buf, "  %-15s %s\n", label, text.c_str());
    out += buf;
  };
  out += "Demo platform loaded (seed " + std::to_string(s.seed) + "): " + FormatRfc3339(s.start) +
         " .. " + FormatRfc3339(s.end) + "\n";
  line("accounts", Thousands(s.accounts) + " (" + std::to_string(s.public_figures) +
                       " public figures, " + Thousands(s.abusive_accounts) +
                       " accounts that write most of the abuse)");
  line("groups", std::to_string(s.groups) + " (" + std::to_string(s.private_groups) + " private; " +
                     std::to_string(s.harmful_groups) +
                     " built around hate, violence or misinformation, " +
                     std::to_string(s.private_harmful_groups) + " of them private)");
  line("memberships", Thousands(s.memberships) + " join and leave events");
  {
    // Recommendation 4: which seeded groups the group rules sent to review, and which not.
    int harmful = 0, found = 0, benign = 0, benign_flagged = 0;
    std::string missed, flagged;
    const GroupFinding* closest = nullptr;  // the benign group nearest a share rule
    for (const GroupFinding& f : s.group_findings) {
      const bool hit = !f.rules.empty();
      if (f.harmful) {
        ++harmful;
        found += hit;
        if (!hit) {
          char b[160];
          std::snprintf(b, sizeof b, "%s (%lld items, %s lower bound %.3f)", f.id.c_str(),
                        static_cast<long long>(f.items),
                        f.top_category.empty() ? "nothing flagged" : f.top_category.c_str(),
                        f.top_lower_bound);
          missed += (missed.empty() ? "" : "; ") + std::string(b);
        }
      } else {
        ++benign;
        benign_flagged += hit;
        if (closest == nullptr || f.top_lower_bound > closest->top_lower_bound) closest = &f;
        if (hit) {
          std::string rules;
          for (const std::string& r : f.rules) rules += (rules.empty() ? "" : ", ") + r;
          flagged += (flagged.empty() ? "" : "; ") + f.id + " (" + rules + ")";
        }
      }
    }
    line("group review", std::to_string(found) + " of " + std::to_string(harmful) +
                             " seeded hate, violence and misinformation groups sent to review" +
                             (missed.empty() ? "" : "; missed: " + missed));
    std::string margin;
    if (closest != nullptr && !closest->top_category.empty()) {
      char b[200];
      std::snprintf(
          b, sizeof b, " (highest benign share lower bound: %.3f, %s in %s, %lld of %lld items)",
          closest->top_lower_bound, closest->top_category.c_str(), closest->id.c_str(),
          static_cast<long long>(closest->top_flagged), static_cast<long long>(closest->items));
      margin = b;
    }
    line("", std::to_string(benign_flagged) + " of " + std::to_string(benign) +
                 " benign groups sent to review" + (flagged.empty() ? "" : ": " + flagged) +
                 margin);
  }
  {
    const AccountFigures& af = s.account_figures;
    const std::int64_t acted = af.restricted + af.suspended;
    line("account strikes",
         Thousands(af.with_strikes) + " accounts with a strike (a standing removal) in the " +
             "strike rules' window (" + Thousands(af.abusive_with_strikes) + " of the " +
             Thousands(s.abusive_accounts) + " seeded abusive); strike rules restricted " +
             Thousands(af.restricted) + " and suspended " + Thousands(af.suspended) + " (" +
             Thousands(af.abusive) + " of " + Thousands(acted) +
             " seeded abusive; public figures among them: " + Thousands(af.public_figures) + ")");
  }
  std::string kinds;
  static constexpr const char* kKindLabel[] = {"posts",        "comments",       "messages",
                                               "ad creatives", "group profiles", "user profiles"};
  for (ItemKind k : kAllItemKinds) {
    const int n = s.items_by_kind[static_cast<int>(k)];
    if (n == 0) continue;
    kinds += (kinds.empty() ? "" : ", ") + Thousands(n) + " " + kKindLabel[static_cast<int>(k)];
  }
  line("items", Thousands(s.items) + ": " + kinds);
  std::snprintf(buf, sizeof buf, "%s in %s events; the top 1%% of items hold %.1f%% of views",
                Thousands(s.views).c_str(), Thousands(s.view_events).c_str(),
                100.0 * s.top1_view_share);
  line("views", buf);
  {
    const auto& rv = s.recommended_views;
    const std::int64_t total = rv[0] + rv[1] + rv[2];
    auto pct = [&](std::int64_t n) {
      char b[32];
      std::snprintf(b, sizeof b, " (%.2f%%)",
                    total ? 100.0 * static_cast<double>(n) / static_cast<double>(total) : 0.0);
      return std::string(b);
    };
    line("recommended", Thousands(total) + " views through recommendations; the guard would " +
                            "have demoted " + Thousands(rv[1]) + pct(rv[1]) + " and blocked " +
                            Thousands(rv[2]) + pct(rv[2]) +
                            ": this recommender does not ask it (one that does shows none "
                            "blocked)");
  }
  line("reports", Thousands(s.reports) + " (" + Thousands(s.false_reports) +
                      " of them about items that do not violate)");
  line("ad impressions",
       Thousands(s.impressions) + " from " + std::to_string(s.advertisers) + " advertisers, " +
           Dollars(s.spend_micros) + "; " + Thousands(s.impressions_next_to_removed) +
           " next to items later removed (" + Dollars(s.spend_next_to_removed_micros) + ")");
  line("refunds", Thousands(s.refunded_impressions) + " impressions refunded, " +
                      Dollars(s.refund_net_micros) + " net, in " + Thousands(s.refund_lines) +
                      " refund lines from the log (docs/advertisers.md; bulwark refunds "
                      "statement)");
  std::string by_action;
  for (size_t a = 0; a < s.decisions_by_action.size(); ++a) {
    if (s.decisions_by_action[a] == 0) continue;
    by_action += (by_action.empty() ? ": " : ", ") + Thousands(s.decisions_by_action[a]) + " " +
                 std::string(ActionName(static_cast<ActionType>(a)));
  }
  const std::int64_t account_decisions = s.account_figures.restricted + s.account_figures.suspended;
  if (account_decisions > 0) {
    by_action += (by_action.empty() ? ": " : ", ") + Thousands(account_decisions) +
                 " account (restrict, suspend)";
  }
  line("decisions", Thousands(s.decisions) + by_action);
  std::string queues;
  for (const QueueCount& q : s.review_queues) {
    queues += (queues.empty() ? ": " : ", ") + q.queue + " " + Thousands(q.open);
  }
  line("review cases", Thousands(s.review_cases) + " waiting" + queues);
  line("decision log", "seq " + Thousands(s.log_head.seq) + ", head " + s.log_head.hash +
                           " (then one account entry per staff user)");
  out += "  by template class: items, share with any decision, share removed\n";
  auto class_line = [&](const std::string& name, const ClassStats& c) {
    std::snprintf(buf, sizeof buf, "    %-34s %7s %7s %7s\n", name.c_str(),
                  Thousands(c.items).c_str(), Percent(c.actioned, c.items).c_str(),
                  Percent(c.removed, c.items).c_str());
    out += buf;
  };
  for (const auto& [name, c] : s.by_class) class_line(name, c);
  if (per_template) {
    out += "  by template (file:line class): items, share with any decision, share removed\n";
    for (const auto& [name, c] : s.by_template) class_line(name, c);
  }
  // One user per line: a fixed-size buffer would cut a long list.
  out += "  staff users     " + std::string(s.staff_users.empty()
                                                ? "none created (they exist already)\n"
                                                : "username / password (role)\n");
  for (const DemoStaffUser& u : s.staff_users) {
    out += "    " + u.username + " / " + u.password + " (" + u.role + ")\n";
  }
  std::snprintf(buf, sizeof buf, "%.1f s (generate %.1f s, ingest + enforce %.1f s)",
                s.total_seconds, s.generate_seconds, s.load_seconds);
  line("elapsed", buf);
  return out;
}

}  // namespace bulwark::demo

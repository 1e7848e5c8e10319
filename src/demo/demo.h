#pragma once

// `bulwark demo`: fills a database with a realistic small platform and enforces it, so that
// every page and report has data to show.
//
//   LoadDemoData (data/demo) -> Generate (seeded) -> Load: the events go through the real
//   ingest service (ingest::IngestService, JSON batches, full validation) hour by hour in
//   platform time, and after each hour the real enforcement pipeline (enforce::Enforcer with the
//   shipped detectors and the given policy) decides on the new items, so decisions, review cases
//   and the hash-chained log are the product's own -> CreateDemoStaffUsers -> DemoSummary.
//
// The same seed, sizes, reference time, data and policy give the same database content (down
// to the decision log's head hash): every timestamp, including each decision's, comes from the
// platform clock, never from the wall clock.
//
// Not thread-safe: one demo per database at a time.

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "auth/passwords.h"
#include "core/status.h"
#include "core/time.h"
#include "demo/generator.h"
#include "demo/staff_users.h"
#include "detect/detector.h"
#include "enforce/enforcer.h"
#include "store/store.h"

namespace bulwark::demo {

struct DemoOptions {
  std::uint64_t seed = 1;
  int accounts = 3000;
  int posts = 30000;
  UnixMillis now = 0;  // reference time (0: the wall clock when the demo starts)
  std::filesystem::path data_dir = "data";
  bool force = false;  // load even if the database already holds platform data
  // Platform time between two ingest-and-enforce steps.
  UnixMillis step_ms = 3'600'000;
  // Hashing cost for the demo staff users' passwords (tests use auth::PasswordOptions::Minimal).
  auth::PasswordOptions passwords;
};

struct ClassStats {
  int items = 0;
  int actioned = 0;  // with any decision (including review)
  int removed = 0;
};

struct QueueCount {
  std::string queue;
  std::int64_t open = 0;
};

// What the group rules made of one demo group (recommendation 4's figures).
struct GroupFinding {
  std::string id, name, theme;
  Visibility visibility = Visibility::kPublic;
  bool harmful = false;  // seeded as built around hate, violence or misinformation
  std::int64_t items = 0;
  std::string top_category;  // the category with the highest share lower bound ("" if none)
  std::int64_t top_flagged = 0;
  double top_lower_bound = 0;
  bool profile_flagged = false;
  std::int64_t admin_removals = 0;
  double growth = 0;
  std::vector<std::string> rules;  // the group rules it matched: it went to review
};

// What the strike rules made of the accounts at the end of the period (repeat offenders).
struct AccountFigures {
  std::int64_t with_strikes = 0;  // accounts with a strike in the longest strike window
  std::int64_t restricted = 0, suspended = 0;
  std::int64_t abusive = 0;               // of the restricted and suspended: seeded as abusive
  std::int64_t public_figures = 0;        // of the restricted and suspended
  std::int64_t abusive_with_strikes = 0;  // seeded abusive accounts with a strike
};

struct DemoSummary {
  std::uint64_t seed = 0;
  UnixMillis start = 0, end = 0;
  int accounts = 0, public_figures = 0, abusive_accounts = 0;
  int groups = 0, private_groups = 0, harmful_groups = 0, private_harmful_groups = 0;
  int memberships = 0;                       // membership events sent
  std::vector<GroupFinding> group_findings;  // one per group, in the data's order
  AccountFigures account_figures;
  int items = 0;
  std::array<int, 6> items_by_kind{};  // indexed by ItemKind
  int view_events = 0;
  std::int64_t views = 0;
  // Views through the recommendation surface, by what the amplification guard answered for the
  // item when they were shown (allow, demote, block): the demo's recommender does not ask it.
  std::array<std::int64_t, 3> recommended_views{};
  double top1_view_share = 0;  // share of all views held by the 1% most-viewed items
  int reports = 0, false_reports = 0;
  int impressions = 0, advertisers = 0;
  int impressions_next_to_removed = 0;
  // Refunds from the real accrual path (ads/accruer.h) at the end of the period, in USD micros.
  std::int64_t refunded_impressions = 0, refund_net_micros = 0, refund_lines = 0;
  std::int64_t spend_micros = 0, spend_next_to_removed_micros = 0;
  int decisions = 0;
  std::array<int, 7> decisions_by_action{};  // indexed by ActionType (the item actions)
  std::vector<QueueCount> review_queues;     // open cases per queue
  std::int64_t review_cases = 0;
  // The log's head after enforcement: a function of the seed. The staff accounts' creation is
  // logged after it (one "account" entry each).
  store::LogHead log_head;
  std::map<std::string, ClassStats> by_class;     // by template class
  std::map<std::string, ClassStats> by_template;  // by template source ("everyday.txt:12")
  std::vector<DemoStaffUser> staff_users;         // created by CreateDemoStaffUsers
  double generate_seconds = 0, load_seconds = 0, total_seconds = 0;
};

// OK if the database holds no platform data (accounts, groups, items, events, decisions, review
// cases; API keys do not count). FailedPrecondition naming what it holds otherwise.
Status CheckEmpty(store::Database& db);

// Runs the whole demo into `db` (see the file comment). Refuses a non-empty database unless
// options.force (then the demo's events are added to what is there: items with the same ids are
// upserted, reports and impressions are idempotent by id, views add up). `detectors` and
// `policy` must be loaded.
Result<DemoSummary> RunDemo(const DemoOptions& options, store::Database& db,
                            const detect::DetectorHandle& detectors,
                            const enforce::PolicyHandle& policy);

// The summary as printed by `bulwark demo`; with `per_template`, one line per template as well.
std::string FormatSummary(const DemoSummary& s, bool per_template);

}  // namespace bulwark::demo

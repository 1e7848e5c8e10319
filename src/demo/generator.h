#pragma once

// The deterministic generator of the demo platform: accounts, groups, posts, comments, direct
// messages, profiles, ad creatives, views, reports and ad impressions, all as the event types a
// platform sends (core/events.h). The same DemoData, options and seed always give the same
// platform, byte for byte.
//
// Shapes (docs/demo.md): account activity is Zipf-like; a few percent of accounts write most of
// the violating content; views per item are Pareto-distributed (heavy-tailed) and arrive in
// bursts after posting; comments go preferentially to popular posts; reports concentrate on
// violating content (rarely from inside private groups) with a small rate of false reports;
// impressions land next to items in proportion to their views.

#include <cstdint>
#include <string>
#include <vector>

#include "core/events.h"
#include "core/status.h"
#include "core/time.h"
#include "demo/demo_data.h"
#include "demo/random.h"

namespace bulwark::demo {

struct GenerateOptions {
  std::uint64_t seed = 1;
  int accounts = 3000;
  // Posts, comments and direct messages (profiles, group descriptions and ad creatives come on
  // top of these).
  int posts = 30000;
  // The reference time: everything happens in the `params.days` days before it.
  UnixMillis now = 0;
};

struct GeneratedItem {
  Item item;
  int template_index = -1;    // into DemoData::templates; -1 for group descriptions and ads
  std::string content_class;  // the template's class; "group_description" or "ad" otherwise
  bool violating = false;     // the class is a taxonomy category, or a harmful group's profile
};

struct GeneratedGroup {
  const GroupSpec* spec = nullptr;  // points into the DemoData used to generate
  int members = 0;
  UnixMillis created_at = 0;
  std::string owner_id;                // its first member founded it
  std::vector<std::string> admin_ids;  // the next two members
};

struct Platform {
  UnixMillis start = 0, end = 0;  // the active period [start, end)
  int accounts = 0;
  int public_figures = 0;
  int abusive_accounts = 0;
  std::vector<std::string> abusive_account_ids;  // sorted: the accounts seeded as abusive
  std::vector<GeneratedGroup> groups;
  // Sorted by created_at (parents before their comments). Profiles, group descriptions and ad
  // creatives created before the period come first.
  std::vector<GeneratedItem> items;
  std::vector<ViewEvent> views;           // sorted by viewed_at
  std::vector<Report> reports;            // sorted by created_at
  std::vector<bool> report_is_false;      // parallel to reports: of an item that is not violating
  std::vector<AdImpression> impressions;  // sorted by shown_at
  // Joins (before and during the period) and leaves, sorted by time. Drawn from their own
  // random stream, so the other events do not depend on them.
  std::vector<MembershipEvent> memberships;
};

// InvalidArgument if the options are out of range (accounts < 20, posts < 100, now unset).
Result<Platform> Generate(const DemoData& data, const GenerateOptions& options);

// Fills a template's slots, each with a uniformly drawn entry of its word list.
std::string Expand(const DemoData& data, const Template& t, Rng& rng);

}  // namespace bulwark::demo

#pragma once

// The four kinds of event a platform sends to Bulwark (see docs/architecture.md).
// These are plain values: validation happens where they are decoded (src/ingest), so code that
// receives one may assume its invariants (ids non-empty and within limits, text valid UTF-8).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace bulwark {

enum class ItemKind : std::uint8_t {
  kPost,
  kComment,
  kMessage,
  kAdCreative,
  kGroupProfile,
  kUserProfile,
};
inline constexpr ItemKind kAllItemKinds[] = {ItemKind::kPost,         ItemKind::kComment,
                                             ItemKind::kMessage,      ItemKind::kAdCreative,
                                             ItemKind::kGroupProfile, ItemKind::kUserProfile};
std::string_view ItemKindName(ItemKind kind);
std::optional<ItemKind> ParseItemKind(std::string_view name);

// Who can see a group's content. A private group's content is seen by its members only; a secret
// group is private and also hidden from search and recommendations. Both get the same detection
// and the same or stronger outcomes as public content (recommendation 7).
enum class Visibility : std::uint8_t { kPublic, kPrivate, kSecret };
inline constexpr Visibility kAllVisibilities[] = {Visibility::kPublic, Visibility::kPrivate,
                                                  Visibility::kSecret};
std::string_view VisibilityName(Visibility v);
std::optional<Visibility> ParseVisibility(std::string_view name);
// True for private and secret: content only members see, which no user outside can report.
inline bool IsMembersOnly(Visibility v) { return v != Visibility::kPublic; }

// A post, comment, message, ad creative or profile. Upserted by `id`: a changed `text` is a
// new revision of the same item; earlier revisions are kept.
struct Item {
  std::string id;
  ItemKind kind = ItemKind::kPost;
  std::string author_id;
  bool author_is_public_figure = false;  // recorded, never used to weaken enforcement
  std::string group_id;                  // empty: not posted in a group
  Visibility group_visibility = Visibility::kPublic;
  std::string parent_id;  // empty: top-level
  std::string text;
  std::string lang;  // BCP 47 tag, empty if unknown
  UnixMillis created_at = 0;
};

// `count` views of one item, reported by the platform in aggregate.
struct ViewEvent {
  std::string item_id;
  std::int64_t count = 1;
  UnixMillis viewed_at = 0;
  std::string surface;  // "feed", "group", "search", "profile", ... (free text, may be empty)
};

enum class ReportReason : std::uint8_t {
  kHate,
  kHarassment,
  kThreat,
  kExtremism,
  kMisinformation,
  kSpam,
  kOther,
};
inline constexpr ReportReason kAllReportReasons[] = {
    ReportReason::kHate,      ReportReason::kHarassment,     ReportReason::kThreat,
    ReportReason::kExtremism, ReportReason::kMisinformation, ReportReason::kSpam,
    ReportReason::kOther};
std::string_view ReportReasonName(ReportReason r);
std::optional<ReportReason> ParseReportReason(std::string_view name);

// A user flagged an item.
struct Report {
  std::string id;
  std::string item_id;
  std::string reporter_id;
  ReportReason reason = ReportReason::kOther;
  std::string comment;
  UnixMillis created_at = 0;
  // When the reporter's account was created, if the platform says (0: unknown). Reports from
  // accounts created together are weighed as one (review/reports.h).
  UnixMillis reporter_created_at = 0;
};

// A group as the platform describes it (POST /v1/groups). Upserted by `id`; a changed name or
// description is a new revision of the group's profile, which is scanned like any item.
struct Group {
  std::string id;
  std::string name;
  std::string description;
  Visibility visibility = Visibility::kPublic;
  UnixMillis created_at = 0;
  std::string owner_id;
  std::vector<std::string> admin_ids;  // besides the owner; at most IngestLimits::max_group_admins
};

// A group's profile (its name and description) is stored and scanned as an item of kind
// group_profile with this id prefix and the group's id; platform item ids may not use the prefix.
inline constexpr std::string_view kGroupProfileIdPrefix = "group:";
std::string GroupProfileItemId(std::string_view group_id);

enum class MembershipAction : std::uint8_t { kJoin, kLeave };
std::string_view MembershipActionName(MembershipAction a);
std::optional<MembershipAction> ParseMembershipAction(std::string_view name);

// An account joined or left a group (POST /v1/memberships). Idempotent by `id`.
struct MembershipEvent {
  std::string id;
  std::string group_id;
  std::string account_id;
  MembershipAction action = MembershipAction::kJoin;
  UnixMillis at = 0;
};

// An item shown next to an ad; position is its signed distance in the feed
// (-1 directly above, +1 directly below, 0 the same slot / simultaneously viewable).
struct AdjacentItem {
  std::string item_id;
  std::int32_t position = 0;
};

// Ad `ad_id` of `advertiser_id` was shown once, next to `adjacent`, at `price_micros`.
struct AdImpression {
  std::string id;
  std::string ad_id;
  std::string advertiser_id;
  std::int64_t price_micros = 0;  // in millionths of `currency`
  std::string currency = "USD";   // ISO 4217
  UnixMillis shown_at = 0;
  std::vector<AdjacentItem> adjacent;
};

}  // namespace bulwark

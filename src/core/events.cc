#include "core/events.h"

namespace bulwark {

std::string_view ItemKindName(ItemKind kind) {
  switch (kind) {
    case ItemKind::kPost:
      return "post";
    case ItemKind::kComment:
      return "comment";
    case ItemKind::kMessage:
      return "message";
    case ItemKind::kAdCreative:
      return "ad_creative";
    case ItemKind::kGroupProfile:
      return "group_profile";
    case ItemKind::kUserProfile:
      return "user_profile";
  }
  return "post";
}

std::optional<ItemKind> ParseItemKind(std::string_view name) {
  for (ItemKind k : kAllItemKinds) {
    if (ItemKindName(k) == name) return k;
  }
  return std::nullopt;
}

std::string_view VisibilityName(Visibility v) {
  switch (v) {
    case Visibility::kPublic:
      return "public";
    case Visibility::kPrivate:
      return "private";
    case Visibility::kSecret:
      return "secret";
  }
  return "public";
}

std::optional<Visibility> ParseVisibility(std::string_view name) {
  for (Visibility v : kAllVisibilities) {
    if (VisibilityName(v) == name) return v;
  }
  return std::nullopt;
}

std::string GroupProfileItemId(std::string_view group_id) {
  std::string id(kGroupProfileIdPrefix);
  id.append(group_id);
  return id;
}

std::string_view MembershipActionName(MembershipAction a) {
  return a == MembershipAction::kLeave ? "leave" : "join";
}

std::optional<MembershipAction> ParseMembershipAction(std::string_view name) {
  if (name == "join") return MembershipAction::kJoin;
  if (name == "leave") return MembershipAction::kLeave;
  return std::nullopt;
}

std::string_view ReportReasonName(ReportReason r) {
  switch (r) {
    case ReportReason::kHate:
      return "hate";
    case ReportReason::kHarassment:
      return "harassment";
    case ReportReason::kThreat:
      return "threat";
    case ReportReason::kExtremism:
      return "extremism";
    case ReportReason::kMisinformation:
      return "misinformation";
    case ReportReason::kSpam:
      return "spam";
    case ReportReason::kOther:
      return "other";
  }
  return "other";
}

std::optional<ReportReason> ParseReportReason(std::string_view name) {
  for (ReportReason r : kAllReportReasons) {
    if (ReportReasonName(r) == name) return r;
  }
  return std::nullopt;
}

}  // namespace bulwark

#include "core/events.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(Events, EnumNamesRoundTrip) {
  for (ItemKind k : kAllItemKinds) EXPECT_EQ(ParseItemKind(ItemKindName(k)), k);
  for (ReportReason r : kAllReportReasons) EXPECT_EQ(ParseReportReason(ReportReasonName(r)), r);
  for (Visibility v : kAllVisibilities) EXPECT_EQ(ParseVisibility(VisibilityName(v)), v);
  EXPECT_EQ(ParseVisibility("secret"), Visibility::kSecret);
  EXPECT_FALSE(IsMembersOnly(Visibility::kPublic));
  EXPECT_TRUE(IsMembersOnly(Visibility::kSecret));
  EXPECT_EQ(ParseMembershipAction("leave"), MembershipAction::kLeave);
  EXPECT_EQ(GroupProfileItemId("g1"), "group:g1");
  EXPECT_FALSE(ParseItemKind("Post").has_value());
  EXPECT_FALSE(ParseVisibility("hidden").has_value());
}

}  // namespace
}  // namespace bulwark

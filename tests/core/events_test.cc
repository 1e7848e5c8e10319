#include "core/events.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(Events, EnumNamesRoundTrip) {
  for (ItemKind k : kAllItemKinds) EXPECT_EQ(ParseItemKind(ItemKindName(k)), k);
  for (ReportReason r : kAllReportReasons) EXPECT_EQ(ParseReportReason(ReportReasonName(r)), r);
  EXPECT_EQ(ParseVisibility("private"), Visibility::kPrivate);
  EXPECT_FALSE(ParseItemKind("Post").has_value());
  EXPECT_FALSE(ParseVisibility("secret").has_value());
}

}  // namespace
}  // namespace bulwark

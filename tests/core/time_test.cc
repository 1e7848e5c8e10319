#include "core/time.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(Time, ParsesUtc) {
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseRfc3339("2020-06-17T12:00:00Z"), 1592395200000);
  EXPECT_EQ(ParseRfc3339("2020-06-17T12:00:00.25Z"), 1592395200250);
}

TEST(Time, ParsesOffsets) {
  EXPECT_EQ(ParseRfc3339("2020-06-17T13:00:00+01:00"), 1592395200000);
  EXPECT_EQ(ParseRfc3339("2020-06-17T07:30:00-04:30"), 1592395200000);
}

TEST(Time, RejectsMalformed) {
  for (const char* bad :
       {"", "2020-06-17", "2020-06-17 12:00:00Z", "2020-13-01T00:00:00Z", "2021-02-29T00:00:00Z",
        "2020-06-17T24:00:00Z", "2020-06-17T12:00:00", "2020-06-17T12:00:00Zjunk",
        "1969-12-31T23:59:59Z", "2020-06-17T12:00:00.Z", "２020-06-17T12:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
  EXPECT_TRUE(ParseRfc3339("2024-02-29T00:00:00Z").has_value());
}

TEST(Time, FormatRoundTrips) {
  for (UnixMillis ms : {0LL, 1592395200250LL, 4102444799999LL}) {
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(ms)), ms);
  }
  EXPECT_EQ(FormatRfc3339(1592395200250), "2020-06-17T12:00:00.250Z");
}

}  // namespace
}  // namespace bulwark

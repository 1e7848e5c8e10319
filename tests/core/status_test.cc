#include "core/status.h"

#include <gtest/gtest.h>

namespace bulwark {
namespace {

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), Code::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(Status, CarriesCodeMessageAndField) {
  Status s = InvalidArgument("must be a string", "text");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.field(), "text");
  EXPECT_EQ(s.ToString(), "invalid_argument: text: must be a string");
}

TEST(Status, FieldPrefixComposesPaths) {
  Status s = InvalidArgument("bad", "text").WithFieldPrefix("items[3]");
  EXPECT_EQ(s.field(), "items[3].text");
  Status idx = InvalidArgument("bad", "[2]").WithFieldPrefix("adjacent");
  EXPECT_EQ(idx.field(), "adjacent[2]");
  Status none = InvalidArgument("bad").WithFieldPrefix("items");
  EXPECT_EQ(none.field(), "items");
}

TEST(Status, CopyIsDeep) {
  Status a = NotFound("x");
  Status b = a;
  EXPECT_EQ(b.code(), Code::kNotFound);
  EXPECT_EQ(b.message(), "x");
  a = Status::Ok();
  EXPECT_FALSE(b.ok());
}

Result<int> Half(int x) {
  if (x % 2) return InvalidArgument("odd");
  return x / 2;
}

Status UseHalf(int x, int* out) {
  BULWARK_ASSIGN_OR_RETURN(int h, Half(x));
  *out = h;
  return Status::Ok();
}

TEST(Result, ValueOrStatus) {
  EXPECT_EQ(*Half(4), 2);
  EXPECT_FALSE(Half(3).ok());
  EXPECT_EQ(Half(3).status().message(), "odd");
  int out = 0;
  EXPECT_TRUE(UseHalf(8, &out).ok());
  EXPECT_EQ(out, 4);
  EXPECT_EQ(UseHalf(7, &out).code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace bulwark

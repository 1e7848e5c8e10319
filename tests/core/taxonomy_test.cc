#include "core/taxonomy.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace bulwark {
namespace {

TEST(Taxonomy, NamesAreUniqueAndRoundTrip) {
  std::set<std::string> seen;
  for (Category c : kAllCategories) {
    EXPECT_EQ(ParseCategory(CategoryName(c)), c);
    EXPECT_TRUE(seen.insert(std::string(CategoryName(c))).second);
  }
  for (TargetGroup g : kAllTargetGroups) {
    EXPECT_EQ(ParseTargetGroup(TargetGroupName(g)), g);
    EXPECT_TRUE(seen.insert(std::string(TargetGroupName(g))).second);
  }
  EXPECT_FALSE(ParseCategory("misinformation").has_value());
}

TEST(Taxonomy, MisinformationSubtypes) {
  EXPECT_TRUE(IsMisinformation(Category::kMisinfoVoting));
  EXPECT_FALSE(IsMisinformation(Category::kHate));
  EXPECT_EQ(CharacteristicOf(TargetGroup::kJewish), Characteristic::kReligion);
  EXPECT_EQ(CharacteristicOf(TargetGroup::kTransgender), Characteristic::kGenderIdentity);
}

}  // namespace
}  // namespace bulwark
